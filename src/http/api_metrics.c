/*
 * api_metrics.c - GET /metrics: the server's counters and state in the Prometheus text
 * format, for operators.
 *
 * The event counters come from metrics.c; the states are read now: connections and the
 * spool from memory, the store's row counts and the audit chain's length from the
 * database (one handle, four counts and the chain's head: a scrape every 15 s costs
 * little, which is why this is not /healthz).
 */
#include "http/http_int.h"

#include "core/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "http/metrics.h"
#include "service/repair.h"
#include "service/report.h"
#include "store/store.h"

static void api_metrics_state(const struct http_server_status *st, struct buf *out)
{
	metrics_write_head(out, "xinyong_http_connections_open", "gauge",
			   "Connections in the server's table.");
	buf_printf(out, "xinyong_http_connections_open %zu\n", st->connections_open);
	metrics_write_head(out, "xinyong_http_connections_dropped_total", "counter",
			   "Connections the server closed: a request head or an idle keep-alive "
			   "over its deadline, or the oldest waiting one when the table was full.");
	buf_printf(out, "xinyong_http_connections_dropped_total{reason=\"head_timeout\"} %llu\n",
		   st->head_timeouts);
	buf_printf(out, "xinyong_http_connections_dropped_total{reason=\"idle_timeout\"} %llu\n",
		   st->idle_timeouts);
	buf_printf(out, "xinyong_http_connections_dropped_total{reason=\"table_full\"} %llu\n",
		   st->evicted);
	metrics_write_head(out, "xinyong_http_connections_refused_total", "counter",
			   "New connections refused: the table was full of busy ones.");
	buf_printf(out, "xinyong_http_connections_refused_total %llu\n", st->refused);
	metrics_write_head(out, "xinyong_db_pool_handles", "gauge",
			   "Database handles open and free in the server's pool.");
	buf_printf(out, "xinyong_db_pool_handles{state=\"open\"} %zu\n", st->handles_open);
	buf_printf(out, "xinyong_db_pool_handles{state=\"free\"} %zu\n", st->handles_free);
	buf_printf(out, "xinyong_db_pool_handles{state=\"max\"} %zu\n", st->handles_max);
	metrics_write_head(out, "xinyong_spool_bytes", "gauge",
			   "Bytes reserved by uploads in flight, and the spool quota.");
	buf_printf(out, "xinyong_spool_bytes{state=\"reserved\"} %llu\n", st->spool_used);
	buf_printf(out, "xinyong_spool_bytes{state=\"quota\"} %llu\n", st->spool_quota);
}

/* Reports issued by this process: the public report is counted here, not audited. */
static void api_metrics_reports(struct buf *out)
{
	static const char *const views[3] = { "public", "shared", "own" };
	unsigned long long n[3];

	report_issued_counts(n);
	metrics_write_head(out, "xinyong_reports_issued_total", "counter",
			   "Credit reports issued since the server started, by view.");
	for (int i = 0; i < 3; i++)
		buf_printf(out, "xinyong_reports_issued_total{view=\"%s\"} %llu\n", views[i], n[i]);
}

struct metrics_cases {
	struct buf *rows, *overdue;
};

static int api_metrics_case_row(void *ctx, const char *kind, const char *status, long long n,
				long long overdue)
{
	struct metrics_cases *m = ctx;

	buf_printf(m->rows, "xinyong_cases{kind=\"%s\",status=\"%s\"} %lld\n", kind, status, n);
	buf_printf(m->overdue, "xinyong_cases_overdue{kind=\"%s\",status=\"%s\"} %lld\n", kind,
		   status, overdue);
	return 0;
}

/* Cases by kind and status, and those past their due date: the backlog operators watch. */
static int api_metrics_cases(struct store *s, struct buf *out, struct err *e)
{
	struct buf overdue;
	struct metrics_cases m = { out, &overdue };
	char today[11];
	int rc;

	buf_init(&overdue, 0);
	clock_today(today);
	metrics_write_head(out, "xinyong_cases", "gauge", "Cases by kind and status.");
	rc = store_case_counts(s, today, api_metrics_case_row, &m, e);
	if (rc == 0) {
		metrics_write_head(out, "xinyong_cases_overdue", "gauge",
				   "Cases past the due date of their current step.");
		buf_append(out, overdue.data ? overdue.data : "", overdue.len);
	}
	buf_free(&overdue);
	return rc;
}

/* Credit repair's promise to applicants: a result within result_days of acceptance. */
static int api_metrics_repairs(struct store *s, struct buf *out, struct err *e)
{
	long long dated, late;
	char today[11];

	clock_today(today);
	if (repair_count_results(s, today, &dated, &late, e) < 0)
		return -1;
	metrics_write_head(out, "xinyong_repair_results", "gauge",
			   "Accepted repair cases by whether their result came (or is still to "
			   "come) after result_due.");
	buf_printf(out, "xinyong_repair_results{late=\"false\"} %lld\n", dated - late);
	buf_printf(out, "xinyong_repair_results{late=\"true\"} %lld\n", late);
	return 0;
}

static int api_metrics_store(struct store *s, struct buf *out, struct err *e)
{
	struct store_counts c;
	long long head = 0, anchor = 0;
	char hash[AUDIT_HASH_HEX];

	if (store_counts(s, &c, e) < 0 || store_audit_head(s, &head, hash, e) < 0 ||
	    store_audit_anchor(s, &anchor, hash, e) < 0)
		return -1;
	metrics_write_head(out, "xinyong_store_rows", "gauge", "Rows of the main tables.");
	buf_printf(out, "xinyong_store_rows{table=\"subjects\"} %lld\n", c.subjects);
	buf_printf(out, "xinyong_store_rows{table=\"records\"} %lld\n", c.records);
	buf_printf(out, "xinyong_store_rows{table=\"batches\"} %lld\n", c.batches);
	buf_printf(out, "xinyong_store_rows{table=\"categories\"} %lld\n", c.categories);
	metrics_write_head(out, "xinyong_audit_chain_length", "gauge",
			   "Entries ever appended to the audit trail (the head's sequence number).");
	buf_printf(out, "xinyong_audit_chain_length %lld\n", head);
	metrics_write_head(out, "xinyong_audit_chain_pruned", "gauge",
			   "Entries pruned from the trail's start (the anchor's sequence number).");
	buf_printf(out, "xinyong_audit_chain_pruned %lld\n", anchor);
	return 0;
}

int api_metrics(struct http_request *req, struct http_response *res, struct err *e)
{
	struct http_server_status st;
	const struct route *routes;
	struct store *s = http_request_store(req, e);
	size_t n;

	if (!s)
		return -1;
	routes = router_table(&n);
	buf_reset(&res->body);
	if (metrics_write(http_server_metrics(req->srv), routes, n, &res->body) < 0)
		return err_set(e, "internal.error", "内部错误：指标过多或内存不足");
	http_server_get_status(req->srv, &st);
	api_metrics_state(&st, &res->body);
	api_metrics_reports(&res->body);
	if (api_metrics_store(s, &res->body, e) < 0 || api_metrics_cases(s, &res->body, e) < 0 ||
	    api_metrics_repairs(s, &res->body, e) < 0)
		return -1;
	if (buf_failed(&res->body))
		return err_set(e, "internal.error", "内部错误：指标过多或内存不足");
	res->status = 200;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}
