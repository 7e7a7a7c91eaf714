/*
 * sqlite_int.h - internals shared by the SQLite backend's files (sqlite*.c); nothing
 * outside src/store includes this.
 *
 *   sqlite.c           open, pragmas, migrations, transactions, the statement cache
 *   sqlite_catalog.c   categories, code exceptions, counts
 *   sqlite_subjects.c  subjects and name search
 *   sqlite_records.c   records
 *   sqlite_batches.c   batches and their problems
 *
 * Statements are prepared once per handle, on first use, and kept in `stmts` by slot.
 * The handle is used by one thread at a time (the HTTP server keeps a pool of handles),
 * so the connection is opened without SQLite's per-call mutex.
 */
#ifndef XY_STORE_SQLITE_INT_H
#define XY_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store.h"

struct err;

enum store_stmt_id {
	STORE_STMT_BEGIN,
	STORE_STMT_COMMIT,
	STORE_STMT_ROLLBACK,
	STORE_STMT_CATEGORY_PUT,
	STORE_STMT_CATEGORY_GET,
	STORE_STMT_CATEGORY_LIST,
	STORE_STMT_EXCEPTION_ADD,
	STORE_STMT_EXCEPTION_HAS,
	STORE_STMT_EXCEPTION_LIST,
	STORE_STMT_COUNTS,
	STORE_STMT_SUBJECT_GET,
	STORE_STMT_SUBJECT_INSERT,
	STORE_STMT_SEARCH_INDEX,
	STORE_STMT_SEARCH_FTS,
	STORE_STMT_SEARCH_SCAN,
	STORE_STMT_RECORD_PUT,
	STORE_STMT_RECORDS_OF_SUBJECT,
	STORE_STMT_BATCH_INSERT,
	STORE_STMT_BATCH_UPDATE,
	STORE_STMT_BATCH_GET,
	STORE_STMT_PROBLEM_ADD,
	STORE_STMT_PROBLEMS_LIST,
	STORE_STMT_COUNT /* number of slots */
};

struct store {
	sqlite3 *db;
	char *location; /* the file path opened */
	sqlite3_stmt *stmts[STORE_STMT_COUNT];
	/* Inside store_begin .. commit/rollback every write carries the timestamp taken at
	 * store_begin: a batch's rows share one time, and the ingest hot path does not read
	 * the clock once per row.  "" outside a transaction. */
	char tx_time[26];
	/* The first subject row inserted in this transaction and not yet in the search
	 * index, 0 when none.  A batch indexes its new subjects in one statement at commit
	 * instead of one index update per subject: interleaved with the records, the index
	 * updates cost a quarter of a large ingest. */
	sqlite3_int64 unindexed_from;
};

/* Adds the subjects inserted since unindexed_from to the search index. */
int store__index_subjects(struct store *s, struct err *e);

/* The statement of slot `id`, prepared from `sql` on first use.  When the cached one is
 * still running (an iteration whose callback re-enters the store with the same query),
 * a private statement is prepared instead.  Returns NULL with `store.error` on failure.
 * Hand the statement back with store__stmt_done. */
sqlite3_stmt *store__stmt(struct store *s, enum store_stmt_id id, const char *sql,
			  struct err *e);
/* Resets the statement for its next use (finalizes it when it was a private one). */
void store__stmt_done(struct store *s, enum store_stmt_id id, sqlite3_stmt *st);

/* Fills e with `store.error`: "<what>失败：<SQLite's message>".  Returns -1. */
int store__fail(struct store *s, struct err *e, const char *what);

/* The timestamp for a write now: the transaction's, or the clock's outside one. */
void store__now(struct store *s, char out[26]);

/* Binds a possibly NULL string as text ("" for NULL); the string must outlive the
 * statement's next reset. */
int store__bind_text(sqlite3_stmt *st, int idx, const char *v);

/* Column text, never NULL. */
const char *store__column_text(sqlite3_stmt *st, int col);

/* Copies column text into a fixed array, truncating. */
void store__column_copy(sqlite3_stmt *st, int col, char *dst, size_t size);

#endif
