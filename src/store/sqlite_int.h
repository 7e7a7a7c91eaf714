/*
 * sqlite_int.h - state shared by the SQLite backend's two files: sqlite.c (the driver:
 * connection, statement cache, transactions) and sqlite_write.c (per-row writes and
 * name search).
 *
 * Statements are prepared once per handle, on first use, and kept by statement id.  The
 * handle is used by one thread at a time (the HTTP server keeps a pool of handles), so
 * the connection is opened without SQLite's per-call mutex.
 */
#ifndef XY_STORE_SQLITE_INT_H
#define XY_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store_int.h"

struct sqlite_store {
	sqlite3 *db;
	sqlite3_stmt *stmts[SQL_COUNT];
	/* The first subject row inserted in this transaction and not yet in the search
	 * index, 0 when none.  A batch indexes its new subjects in one statement at commit
	 * instead of one index update per subject: interleaved with the records, the index
	 * updates cost a quarter of a large ingest. */
	sqlite3_int64 unindexed_from;
	/* The audit queue beside the database file (sqlite_audit_queue.c), opened on
	 * first use. */
	sqlite3 *queue;
	int cache_kib; /* the page cache's size now (sqlite.c) */
	/* The process's turn to write this file (sqlite_gate.h), and whether this handle
	 * holds it: from its BEGIN to its COMMIT or ROLLBACK. */
	struct sqlite_gate *gate;
	int in_gate;
	char queue_id[33]; /* the queue file's identity, "" until read */
};

static inline struct sqlite_store *sqlite_of(struct store *s)
{
	return s->impl;
}

/* The cached statement `id`, prepared on first use.  When the cached one is still
 * running (an iteration whose callback re-enters the store with the same query), a
 * private statement is prepared instead.  NULL with `store.error` on failure.  Hand it
 * back with sqlite_stmt_done. */
sqlite3_stmt *sqlite_stmt(struct store *s, enum store_sql_id id, struct err *e);
/* Resets the statement for its next use (finalizes it when it was a private one). */
void sqlite_stmt_done(struct store *s, enum store_sql_id id, sqlite3_stmt *st);
/* Fills e with "<what>失败：<SQLite's message>".  Returns -1. */
int sqlite_fail(struct store *s, struct err *e, const char *what);

/* Adds the subjects inserted since unindexed_from to the search index. */
int sqlite_index_subjects(struct store *s, struct err *e);

/* sqlite_audit_queue.c */
int sqlite_audit_defer(struct store *s, const struct audit_entry *entry, struct err *e);
int sqlite_audit_drain(struct store *s,
		       int (*insert)(struct store *s, struct audit_entry *entry, struct err *e),
		       struct err *e);
int sqlite_audit_pending(struct store *s, long long *n, struct err *e);
void sqlite_audit_queue_close(struct store *s);

/* sqlite_write.c */
int sqlite_subject_insert(struct store *s, const struct store_subject *subj,
			  const char *name_key, struct err *e);
int sqlite_record_put(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		      struct err *e);
int sqlite_problem_add(struct store *s, const struct store_problem *p, struct err *e);
int sqlite_search(struct store *s, const struct store_search *q,
		  int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
		  struct err *e);
int sqlite_search_count(struct store *s, const struct store_search *q, long cap, long *total,
			struct err *e);

#endif
