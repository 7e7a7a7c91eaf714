/*
 * metrics.c - the server's event counters (metrics.h).
 */
#include "http/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/http_int.h"

/* Latency bucket bounds in seconds: a search answers in milliseconds, an upload in
 * seconds to minutes. */
static const double metrics_bounds[] = { 0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60 };
#define METRICS_BUCKETS (sizeof metrics_bounds / sizeof metrics_bounds[0])

struct metrics_route {
	unsigned long long by_class[6]; /* [0] aborted (no status), [1..5] 1xx..5xx */
	unsigned long long buckets[METRICS_BUCKETS]; /* not cumulative: written summed */
	unsigned long long count;
	double sum;
};

struct metrics {
	pthread_mutex_t lock;
	size_t nroutes;
	struct metrics_route *routes; /* nroutes + 1: the last for requests of no route */
	unsigned long long batches[2]; /* failed, committed */
	unsigned long long rows, accepted, duplicates, rejected, warnings;
	unsigned long long pool_waits, pool_timeouts;
	double pool_wait_seconds;
};

int metrics_create(size_t nroutes, struct metrics **out)
{
	struct metrics *m = calloc(1, sizeof *m);

	*out = NULL;
	if (!m || !(m->routes = calloc(nroutes + 1, sizeof *m->routes))) {
		free(m);
		return -1;
	}
	m->nroutes = nroutes;
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->routes);
	free(m);
}

void metrics_request(struct metrics *m, int route, unsigned status, double seconds)
{
	struct metrics_route *r;
	size_t b = 0;

	if (!m)
		return;
	while (b < METRICS_BUCKETS && seconds > metrics_bounds[b])
		b++;
	pthread_mutex_lock(&m->lock);
	r = &m->routes[route >= 0 && (size_t)route < m->nroutes ? (size_t)route : m->nroutes];
	r->by_class[status >= 100 && status < 600 ? status / 100 : 0]++;
	if (b < METRICS_BUCKETS)
		r->buckets[b]++;
	r->count++;
	r->sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

void metrics_ingest(struct metrics *m, int committed, long long rows, long long accepted,
		    long long duplicates, long long rejected, long long warnings)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->batches[committed ? 1 : 0]++;
	m->rows += (unsigned long long)(rows > 0 ? rows : 0);
	m->accepted += (unsigned long long)(accepted > 0 ? accepted : 0);
	m->duplicates += (unsigned long long)(duplicates > 0 ? duplicates : 0);
	m->rejected += (unsigned long long)(rejected > 0 ? rejected : 0);
	m->warnings += (unsigned long long)(warnings > 0 ? warnings : 0);
	pthread_mutex_unlock(&m->lock);
}

void metrics_pool_wait(struct metrics *m, double seconds, int timed_out)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->pool_waits++;
	m->pool_timeouts += timed_out != 0;
	m->pool_wait_seconds += seconds;
	pthread_mutex_unlock(&m->lock);
}

void metrics_write_head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of a route row: method and pattern (table constants, nothing to escape). */
static void metrics_labels(const struct route *routes, size_t i, size_t n, char *out,
			   size_t size)
{
	if (i < n)
		snprintf(out, size, "method=\"%s\",route=\"%s\"",
			 routes[i].method ? routes[i].method : "*", routes[i].pattern);
	else
		snprintf(out, size, "method=\"-\",route=\"-\"");
}

int metrics_write(struct metrics *m, const struct route *routes, size_t nroutes,
		  struct buf *out)
{
	static const char *const classes[] = { "none", "1xx", "2xx", "3xx", "4xx", "5xx" };
	char labels[160];
	size_t i, c, b;

	pthread_mutex_lock(&m->lock);
	if (nroutes > m->nroutes)
		nroutes = m->nroutes;
	metrics_write_head(out, "xinyong_http_requests_total", "counter",
			   "Requests by route row and status class (none: aborted before an answer).");
	for (i = 0; i <= nroutes; i++) {
		const struct metrics_route *r = &m->routes[i < nroutes ? i : m->nroutes];

		metrics_labels(routes, i, nroutes, labels, sizeof labels);
		for (c = 0; c < 6; c++)
			if (r->by_class[c])
				buf_printf(out, "xinyong_http_requests_total{%s,code=\"%s\"} %llu\n",
					   labels, classes[c], r->by_class[c]);
	}
	metrics_write_head(out, "xinyong_http_request_duration_seconds", "histogram",
			   "Time from the request line to the end of the answer, by route row.");
	for (i = 0; i <= nroutes; i++) {
		const struct metrics_route *r = &m->routes[i < nroutes ? i : m->nroutes];
		unsigned long long cum = 0;

		if (!r->count)
			continue;
		metrics_labels(routes, i, nroutes, labels, sizeof labels);
		for (b = 0; b < METRICS_BUCKETS; b++) {
			cum += r->buckets[b];
			buf_printf(out, "xinyong_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
				   labels, metrics_bounds[b], cum);
		}
		buf_printf(out, "xinyong_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
			   labels, r->count);
		buf_printf(out, "xinyong_http_request_duration_seconds_sum{%s} %.6f\n", labels, r->sum);
		buf_printf(out, "xinyong_http_request_duration_seconds_count{%s} %llu\n", labels,
			   r->count);
	}
	metrics_write_head(out, "xinyong_ingest_batches_total", "counter",
			   "Uploads ingested over HTTP, committed or failed.");
	buf_printf(out, "xinyong_ingest_batches_total{outcome=\"committed\"} %llu\n", m->batches[1]);
	buf_printf(out, "xinyong_ingest_batches_total{outcome=\"failed\"} %llu\n", m->batches[0]);
	metrics_write_head(out, "xinyong_ingest_rows_total", "counter",
			   "Rows of committed uploads, by what became of them.");
	buf_printf(out, "xinyong_ingest_rows_total{outcome=\"read\"} %llu\n", m->rows);
	buf_printf(out, "xinyong_ingest_rows_total{outcome=\"accepted\"} %llu\n", m->accepted);
	buf_printf(out, "xinyong_ingest_rows_total{outcome=\"duplicate\"} %llu\n", m->duplicates);
	buf_printf(out, "xinyong_ingest_rows_total{outcome=\"rejected\"} %llu\n", m->rejected);
	metrics_write_head(out, "xinyong_ingest_warnings_total", "counter",
			   "Rows kept with a warning, in committed uploads.");
	buf_printf(out, "xinyong_ingest_warnings_total %llu\n", m->warnings);
	metrics_write_head(out, "xinyong_db_pool_waits_total", "counter",
			   "Requests that found every database handle busy and waited.");
	buf_printf(out, "xinyong_db_pool_waits_total %llu\n", m->pool_waits);
	metrics_write_head(out, "xinyong_db_pool_wait_timeouts_total", "counter",
			   "Waits for a database handle that ended without one (503).");
	buf_printf(out, "xinyong_db_pool_wait_timeouts_total %llu\n", m->pool_timeouts);
	metrics_write_head(out, "xinyong_db_pool_wait_seconds_total", "counter",
			   "Time spent waiting for a database handle.");
	buf_printf(out, "xinyong_db_pool_wait_seconds_total %.6f\n", m->pool_wait_seconds);
	pthread_mutex_unlock(&m->lock);
	return buf_failed(out) ? -1 : 0;
}
