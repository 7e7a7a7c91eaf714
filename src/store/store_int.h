/*
 * store_int.h - internals shared by the store's files; nothing outside src/store
 * includes this.
 *
 *   store.c            opening by URL, migrations, and every operation whose SQL both
 *                      backends share (catalog, code exceptions, holiday calendar,
 *                      department directory,
 *                      batches, problems, subject lookup, a subject's records, counts)
 *   store_copy.c       whole-table scans and copies for `xinyong migrate`
 *   sql.def            the text of every statement, with how Citus would route it
 *   sqlite.c           the SQLite driver: connection, statement cache, transactions
 *   sqlite_write.c     SQLite's per-row subject and record writes, name search
 *   pg.c               the PostgreSQL driver (libpq): connection, reconnection,
 *                      prepared statements, transactions
 *   pg_bulk.c          PostgreSQL's buffered writes (COPY into staging tables, merged
 *                      at flush) and the subject prefetch cache
 *   pg_owners.c        which department holds the records a PostgreSQL batch is
 *                      about to put (refused before they are buffered)
 *   pg_search.c        name search with pg_trgm
 *
 * A backend is a driver (run a statement by id with parameters, read its rows) plus the
 * few operations whose SQL or strategy differ: transactions, subject and record writes,
 * problem writes and name search.  Shared operations are written once, against the
 * driver, in store.c.
 */
#ifndef XY_STORE_INT_H
#define XY_STORE_INT_H

#include <stdint.h>

#include "core/embedded.h"
#include "store/store.h"

struct err;

enum store_sql_backend { SQL_BOTH, SQL_LITE, SQL_PG };
enum store_sql_route { ROUTE_LOCAL, ROUTE_KEY, ROUTE_BATCH, ROUTE_ALL };

enum store_sql_id {
#define SQL(id, backend, route, text) SQL_##id,
#include "sql.def"
#undef SQL
	SQL_COUNT /* number of statements */
};

struct store_sql {
	const char *name; /* "SUBJECT_GET" */
	enum store_sql_backend backend;
	enum store_sql_route route;
	const char *text;
};

/* The statements of sql.def, indexed by enum store_sql_id. */
extern const struct store_sql store_sql[SQL_COUNT];

/* A statement parameter: text (NULL binds "") or a 64-bit integer. */
struct store_param {
	const char *text;
	int64_t num;
	int is_num;
};
#define STORE_TEXT(v) { (v), 0, 0 }
#define STORE_NUM(v) { NULL, (int64_t)(v), 1 }

/* One row of a result, valid during the row callback only. */
struct store_row {
	const struct store_backend *be;
	void *handle; /* the backend's statement or result */
	int index;    /* the row number, for backends that hold the whole result */
};

/* Row callbacks return 0 to go on, non-zero to stop (which is not an error). */
typedef int (*store_row_cb)(void *ctx, const struct store_row *row);

enum store_wait {
	STORE_WAIT_BRIEF,  /* a small write: a few seconds (store_begin) */
	STORE_WAIT_BATCH,  /* a batch: as long as another batch may take */
	STORE_WAIT_NONE,   /* an audit entry that can be queued instead (store_audit.c) */
};

struct store_backend {
	const char *name; /* "sqlite", "postgresql" */
	enum store_sql_backend dialect;
	/* Runs statement `id` with `np` parameters, calling `cb` (may be NULL) per row.
	 * *changes (may be NULL) gets the number of rows a write touched. */
	int (*query)(struct store *s, enum store_sql_id id, const struct store_param *p,
		     int np, store_row_cb cb, void *ctx, long long *changes, struct err *e);
	/* Runs a migration script (several statements, no parameters). */
	int (*exec_script)(struct store *s, const char *name, const char *sql, struct err *e);
	const char *(*row_text)(const struct store_row *row, int col);
	int64_t (*row_num)(const struct store_row *row, int col);
	/* How long the transaction waits for the database's write lock (enum store_wait):
	 * as long as another batch may take, a few seconds, or hardly at all; then it fails
	 * `store.unavailable`. */
	int (*begin)(struct store *s, int wait, struct err *e);
	int (*commit)(struct store *s, struct err *e);
	void (*rollback)(struct store *s);
	void (*close)(struct store *s);
	/* Writes: may be buffered until the next read, commit or put-count request. */
	int (*subject_insert)(struct store *s, const struct store_subject *subj,
			      const char *name_key, struct err *e);
	/* 0, STORE_PUT_OTHER_DEPT with owner filled, or -1 (store_record_put). */
	int (*record_put)(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
			  struct err *e);
	int (*problem_add)(struct store *s, const struct store_problem *p, struct err *e);
	/* Sends every buffered write (a no-op for unbuffered backends). */
	int (*flush)(struct store *s, struct err *e);
	/* Optional: answers a subject lookup from the prefetch cache.  Returns 1 found, 0
	 * known to be absent, -2 not cached, -1 error. */
	int (*subject_cached)(struct store *s, const char *code, struct store_subject *out,
			      struct err *e);
	/* Optional: learns which records of the subjects `codes` other departments than
	 * `dept_code` hold (store_records_prefetch_owners). */
	int (*owners_prefetch)(struct store *s, const char *const *codes, size_t n,
			       const char *dept_code, struct err *e);
	/* Optional: loads the subjects of `codes` into the prefetch cache. */
	int (*subjects_prefetch)(struct store *s, const char *const *codes, size_t n,
				 struct err *e);
	/* The name matches of q (the exact code match is store.c's), and their count up to
	 * cap. */
	int (*search)(struct store *s, const struct store_search *q,
		      int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
		      struct err *e);
	int (*search_count)(struct store *s, const struct store_search *q, long cap,
			    long *total, struct err *e);
	/* Optional (SQLite, whose one write lock a batch holds for its whole length): keeps
	 * an audit entry durably in a queue beside the database when the chain cannot be
	 * written now, and moves queued entries into the chain, with `insert`, inside a
	 * transaction that holds the write lock (sqlite_audit_queue.c). */
	int (*audit_defer)(struct store *s, const struct audit_entry *entry, struct err *e);
	int (*audit_drain)(struct store *s,
			   int (*insert)(struct store *s, struct audit_entry *entry, struct err *e),
			   struct err *e);
	/* Optional: how many queued entries wait for the chain. */
	int (*audit_pending)(struct store *s, long long *n, struct err *e);
	/* The embedded migration scripts of this backend. */
	const struct embedded_file *migrations;
};

struct store {
	const struct store_backend *be;
	void *impl;     /* the backend's own state */
	char *url;      /* as given to store_open: may hold a password, never shown */
	char *location; /* the file path, or the URL without its password */
	/* Inside store_begin .. commit/rollback every write carries the timestamp taken at
	 * store_begin: a batch's rows share one time, and the ingest hot path does not read
	 * the clock once per row.  "" outside a transaction. */
	char tx_time[26];
	/* Outcomes of store_record_put since the last store_put_counts_take. */
	struct store_put_counts put_counts;
};

extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend;

/* Backend constructors: fill s->impl (and s->location) from the URL remainder. */
int store_sqlite_connect(struct store *s, const char *path, struct err *e);
int store_pg_connect(struct store *s, const char *url, struct err *e);

/* Runs a statement through the backend. */
static inline int store__query(struct store *s, enum store_sql_id id,
			       const struct store_param *p, int np, store_row_cb cb,
			       void *ctx, long long *changes, struct err *e)
{
	return s->be->query(s, id, p, np, cb, ctx, changes, e);
}

static inline const char *store__text(const struct store_row *r, int col)
{
	return r->be->row_text(r, col);
}

static inline int64_t store__num(const struct store_row *r, int col)
{
	return r->be->row_num(r, col);
}

/* Copies column text into a fixed array, truncating. */
void store__copy(const struct store_row *r, int col, char *dst, size_t size);

/* Runs statement `id` (no parameters) when this backend has it; a no-op on the other. */
int store__query_if_any(struct store *s, enum store_sql_id id, struct err *e);

/* A row callback that stores column 0 as a number into *(int64_t *)ctx and stops. */
int store__first_num(void *ctx, const struct store_row *row);

/* store_begin with how long to wait for the write lock (enum store_wait). */
int store__begin_waiting(struct store *s, int wait, struct err *e);

/* The timestamp for a write now: the transaction's, or the clock's outside one. */
void store__now(struct store *s, char out[26]);

/* A failure whose detail (the database's error text, a path, an address) is logged on
 * stderr under a new error id; e gets `reason` and "<what>失败：内部错误，错误编号
 * E-XXXXXXXX，请联系平台运营方" (for store.unavailable: try again later), which an HTTP
 * client may see.  With e NULL (a probe expected to fail) nothing is logged.  Returns -1.
 * store__fail is store__fail_as with `store.error`. */
int store__fail_as(struct err *e, const char *reason, const char *what, const char *detail);
int store__fail(struct err *e, const char *what, const char *detail);

#endif
