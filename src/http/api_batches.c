/*
 * api_batches.c - department file submission:
 *   POST /api/v1/batches?category=..[&dept=..][&name=..]  body: the file (CSV, JSON,
 *        NDJSON; UTF-8 or GB18030), spooled to disk by the server -> 201 with summary;
 *        the department is the caller's own (a submitter's, or a department token's)
 *   GET  /api/v1/batches[?after=..][&limit=..]           the caller's department's
 *        batches (operators and admins: every department's), newest first, paged
 *   GET  /api/v1/batches/{id}                            the batch summary
 *   GET  /api/v1/batches/{id}/rejects[?format=csv]       its rejected rows, JSON or CSV
 */
#include "http/http_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/rejects_csv.h"
#include "http/metrics.h"
#include "service/batches.h"

static pthread_mutex_t api_batches_ingest_lock = PTHREAD_MUTEX_INITIALIZER;

/* Counts an upload for /metrics: its rows when it was committed (summary), else only
 * that it failed. */
static void api_batches_count(struct http_request *req, const json_t *summary)
{
	metrics_ingest(http_server_metrics(req->srv), summary != NULL,
		       json_integer_value(json_object_get(summary, "rows")),
		       json_integer_value(json_object_get(summary, "accepted")),
		       json_integer_value(json_object_get(summary, "duplicates")),
		       json_integer_value(json_object_get(summary, "rejected")),
		       json_integer_value(json_object_get(summary, "warnings")));
}

int api_batches_create(struct http_request *req, struct http_response *res, struct err *e)
{
	struct ingest_request in;
	struct store *s;
	const char *name = http_request_arg(req, "name");
	json_t *summary = NULL;
	int rc;

	memset(&in, 0, sizeof in);
	in.category = http_request_arg(req, "category");
	in.dept_code = http_request_arg(req, "dept");
	in.who = &req->who;
	if (!in.category || !*in.category)
		return err_set_field(e, "request.invalid", "category",
				     "请提供信息类 category，例如 penalty（行政处罚）");
	/* `dept` may be left out: the caller's own (whether it may submit as the department
	 * given is the service's decision, batch.submit in service/access.c). */
	if (!in.dept_code || !*in.dept_code)
		in.dept_code = req->who.dept_code;
	in.path = req->body_path;
	in.source_name = name && *name ? name : "upload";
	in.format = READER_AUTO;
	s = http_request_store(req, e);
	if (!s)
		return -1;
	/* The database takes one writer at a time: uploads queue here instead of racing
	 * for the write lock. */
	pthread_mutex_lock(&api_batches_ingest_lock);
	rc = batches_ingest(s, &in, &summary, e);
	pthread_mutex_unlock(&api_batches_ingest_lock);
	api_batches_count(req, rc == 0 ? summary : NULL);
	if (rc < 0)
		return -1;
	return http_reply_json(res, 201, summary, e);
}

int api_batches_show(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s;
	json_t *doc = NULL;
	int64_t id = 0;

	if (http_param_id(req, 0, "批次", &id, e) < 0)
		return -1;
	s = http_request_store(req, e);
	if (!s || batches_show(s, &req->who, id, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

/* CSV when asked by ?format=csv or by an Accept header that names text/csv. */
static int api_batches_wants_csv(const struct http_request *req)
{
	const char *format = http_request_arg(req, "format");
	const char *accept = http_request_header(req, "Accept");

	if (format)
		return strcmp(format, "csv") == 0;
	return accept && strstr(accept, "text/csv") != NULL;
}

/* Appends one page of rejects as CSV lines. */
static void api_batches_csv_lines(struct buf *out, const json_t *rejects)
{
	const json_t *p;
	size_t i;

	json_array_foreach(rejects, i, p) {
		rejects_csv_line(out, (long)json_integer_value(json_object_get(p, "row")),
				 json_string_value(json_object_get(p, "field")),
				 json_string_value(json_object_get(p, "reason")),
				 json_string_value(json_object_get(p, "message")));
	}
}

/* The whole list as CSV, in constant memory: page by page into an unlinked file, which
 * the server then sends (a batch lists at most PIPELINE_BATCH_PROBLEMS problems plus a
 * summary line per reason, some 30 MB at most). */
static int api_batches_rejects_csv(struct store *s, const struct http_request *req, int64_t id,
				   struct http_response *res, struct err *e)
{
	char after[48] = "";
	json_t *page = NULL;
	const char *next;
	struct buf chunk;
	FILE *f = tmpfile();
	long size;
	int rc = -1;

	if (!f)
		return err_set(e, "internal.error", "内部错误：无法创建拒收清单的临时文件");
	buf_init(&chunk, 0);
	buf_puts(&chunk, REJECTS_CSV_HEADER);
	do {
		if (batches_problems_page(s, &req->who, id, 0, after, BATCHES_PAGE_MAX, &page, e) < 0)
			goto out;
		api_batches_csv_lines(&chunk, json_object_get(page, "rejects"));
		next = json_string_value(json_object_get(page, "next"));
		snprintf(after, sizeof after, "%s", next ? next : "");
		json_decref(page);
		if (buf_failed(&chunk) || fwrite(chunk.data, 1, chunk.len, f) != chunk.len) {
			err_set(e, "internal.error", "内部错误：拒收清单无法写出（内存或磁盘不足）");
			goto out;
		}
		buf_reset(&chunk);
	} while (after[0]);
	if (fflush(f) != 0 || (size = ftell(f)) < 0 || (res->fd = dup(fileno(f))) < 0) {
		err_set(e, "internal.error", "内部错误：拒收清单无法写出（磁盘不足）");
		goto out;
	}
	res->fd_size = (uint64_t)size;
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	snprintf(res->disposition, sizeof res->disposition,
		 "attachment; filename=\"batch-%" PRId64 "-rejects.csv\"", id);
	rc = 0;
out:
	buf_free(&chunk);
	fclose(f);
	return rc;
}

/* A page size from ?limit=, 0 when absent; -1 (refused by the service) when not a
 * number. */
static long api_batches_limit(const struct http_request *req)
{
	const char *v = http_request_arg(req, "limit");
	char *end;
	long n;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	return errno || *end || n < 1 ? -1 : n;
}

int api_batches_list(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s;
	json_t *page = NULL;

	s = http_request_store(req, e);
	if (!s || batches_list(s, &req->who, http_request_arg(req, "after"),
			       api_batches_limit(req), &page, e) < 0)
		return -1;
	return http_reply_json(res, 200, page, e);
}

int api_batches_rejects(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s;
	json_t *page = NULL;
	int64_t id = 0;

	if (http_param_id(req, 0, "批次", &id, e) < 0)
		return -1;
	s = http_request_store(req, e);
	if (!s)
		return -1;
	if (api_batches_wants_csv(req))
		return api_batches_rejects_csv(s, req, id, res, e);
	if (batches_problems_page(s, &req->who, id, 0, http_request_arg(req, "after"),
				  api_batches_limit(req), &page, e) < 0)
		return -1;
	return http_reply_json(res, 200, page, e);
}
