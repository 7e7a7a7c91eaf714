/*
 * metrics.h - the server's counters, for the operators' GET /metrics (Prometheus text
 * format, version 0.0.4).
 *
 * Counted here, in memory, as things happen: requests by route row and status class,
 * their latencies as a histogram per route row, ingested batches and rows, and waits
 * for a database handle.  What is a state rather than an event (connections open, the
 * spool, the store's rows, the audit chain) is read when /metrics is asked
 * (api_metrics.c).  Counters start at zero with the server.  Thread-safe: one mutex,
 * held for a few dozen instructions per event.
 */
#ifndef XY_METRICS_H
#define XY_METRICS_H

#include <stddef.h>

struct buf;
struct metrics;
struct route;

/* Counters for the `nroutes` rows of the route table.  Returns -1 when memory is
 * short.  The caller frees *out with metrics_free. */
int metrics_create(size_t nroutes, struct metrics **out);
void metrics_free(struct metrics *m);

/* A request answered with `status` after `seconds`; route is its row's index, or -1 for
 * a request that matched no row (and for 0 status: aborted before an answer). */
void metrics_request(struct metrics *m, int route, unsigned status, double seconds);
/* An upload ingested (committed 1) or failed (0), with the batch's row counts. */
void metrics_ingest(struct metrics *m, int committed, long long rows, long long accepted,
		    long long duplicates, long long rejected, long long warnings);
/* A request waited `seconds` for a database handle; timed_out when none came. */
void metrics_pool_wait(struct metrics *m, double seconds, int timed_out);

/* Appends the counters in the text format, with HELP and TYPE lines; the routes are
 * labelled by the table's method and pattern.  Returns -1 when the buffer failed. */
int metrics_write(struct metrics *m, const struct route *routes, size_t nroutes,
		  struct buf *out);
/* Appends the HELP and TYPE lines of one metric family (type "counter", "gauge"). */
void metrics_write_head(struct buf *out, const char *name, const char *type, const char *help);

#endif
