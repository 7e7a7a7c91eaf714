/*
 * sqlite.c - the SQLite driver of the store: opening a file, connection settings, the
 * per-handle statement cache, running statements and transactions.  Per-row writes and
 * name search are in sqlite_write.c.
 */
#include "sqlite_int.h"
#include "sqlite_gate.h"

#include "core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Connection settings, applied at every open (none of them persists in the file except
 * journal_mode).
 *   WAL: readers never block the writer nor the writer the readers, which is what a
 *        server answering searches during an ingest needs.
 *   synchronous=NORMAL: in WAL mode a crash can lose the last commits but never corrupts
 *        the file; a batch is re-submitted anyway when its commit was not acknowledged.
 *   cache_size=-8192: 8 MiB of page cache per handle.  A server keeps a pool of handles
 *        (16 by default) and every one of them fills its cache over time: at 64 MiB each
 *        a busy server levelled off at 1.4 GB.  Lookups and searches read a few pages
 *        each, and the operating system's page cache holds the file anyway.  A batch
 *        raises its own handle's cache to SQLITE_BATCH_CACHE_KIB for its length (see
 *        sqlite_begin), and gives the memory back when it ends.
 *   temp_store=MEMORY: sorts for search ranking never touch the disk. */
static const char sqlite_pragmas[] = "PRAGMA journal_mode=WAL;"
				     "PRAGMA synchronous=NORMAL;"
				     "PRAGMA foreign_keys=ON;"
				     "PRAGMA cache_size=-8192;"
				     "PRAGMA temp_store=MEMORY;";

/* A batch's page cache: ingest keeps more of the records' unique index in cache, and
 * inserting a million records measured ~1.3x faster with 64 MiB than with 32 MiB. */
#define SQLITE_BATCH_CACHE_KIB 65536
#define SQLITE_CACHE_KIB 8192
#define SQLITE_BUSY_TIMEOUT_MS 5000
/* An audit entry that may be queued instead waits this long for another small write. */
#define SQLITE_TRY_WAIT_MS 20
/* How long a new batch waits for another writer to finish: 30 minutes. */
#define SQLITE_WRITER_WAIT_MS (30 * 60 * 1000)

int sqlite_fail(struct store *s, struct err *e, const char *what)
{
	struct sqlite_store *q = s ? sqlite_of(s) : NULL;

	return store__fail(e, what, q && q->db ? sqlite3_errmsg(q->db) : "数据库未打开");
}

sqlite3_stmt *sqlite_stmt(struct store *s, enum store_sql_id id, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	sqlite3_stmt *st = q->stmts[id];

	if (st && !sqlite3_stmt_busy(st))
		return st;
	/* PERSISTENT tells SQLite the statement is long-lived, so it takes its memory from
	 * the heap rather than the lookaside pool meant for short-lived objects. */
	if (sqlite3_prepare_v3(q->db, store_sql[id].text, -1, st ? 0 : SQLITE_PREPARE_PERSISTENT,
			       &st, NULL) != SQLITE_OK) {
		sqlite_fail(s, e, "准备数据库语句");
		return NULL;
	}
	if (!q->stmts[id])
		q->stmts[id] = st;
	return st;
}

void sqlite_stmt_done(struct store *s, enum store_sql_id id, sqlite3_stmt *st)
{
	struct sqlite_store *q = sqlite_of(s);

	if (!st)
		return;
	if (st != q->stmts[id]) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_reset(st);
	/* Bound strings are borrowed from the caller; drop them so that no dangling pointer
	 * stays attached to a cached statement. */
	sqlite3_clear_bindings(st);
}

static int sqlite_query(struct store *s, enum store_sql_id id, const struct store_param *p,
			int np, store_row_cb cb, void *ctx, long long *changes, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	sqlite3_stmt *st = sqlite_stmt(s, id, e);
	struct store_row row = { &store_sqlite_backend, NULL, 0 };
	int i, rc;

	if (!st)
		return -1;
	for (i = 0; i < np; i++) {
		if (p[i].is_num)
			sqlite3_bind_int64(st, i + 1, p[i].num);
		else
			sqlite3_bind_text(st, i + 1, p[i].text ? p[i].text : "", -1,
					  SQLITE_STATIC);
	}
	row.handle = st;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!cb)
			continue;
		if (cb(ctx, &row) != 0) {
			rc = SQLITE_DONE;
			break;
		}
		row.index++;
	}
	if (rc != SQLITE_DONE)
		rc = sqlite_fail(s, e, "访问数据库");
	else
		rc = 0;
	if (changes)
		*changes = sqlite3_changes64(q->db);
	sqlite_stmt_done(s, id, st);
	return rc;
}

static const char *sqlite_row_text(const struct store_row *row, int col)
{
	const unsigned char *v = sqlite3_column_text(row->handle, col);

	return v ? (const char *)v : "";
}

static int64_t sqlite_row_num(const struct store_row *row, int col)
{
	return sqlite3_column_int64(row->handle, col);
}

static int sqlite_exec_script(struct store *s, const char *name, const char *sql,
			      struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(sqlite_of(s)->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	{
		char what[160];

		snprintf(what, sizeof what, "执行数据库迁移 %s ", name);
		store__fail(e, what, msg ? msg : sqlite3_errmsg(sqlite_of(s)->db));
	}
	sqlite3_free(msg);
	return -1;
}

/* ---- transactions ----------------------------------------------------------------- */

/* Sets the handle's page cache; a smaller size frees the pages beyond it at once. */
static void sqlite_cache_size(struct store *s, int kib)
{
	struct sqlite_store *q = sqlite_of(s);
	char sql[64];

	if (q->cache_kib == kib)
		return;
	snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", kib);
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		q->cache_kib = kib;
}

/* Gives the process's turn to write back once the transaction has ended. */
static void sqlite_gate_done(struct sqlite_store *q)
{
	if (q->in_gate && sqlite3_get_autocommit(q->db)) {
		q->in_gate = 0;
		sqlite_gate_leave(q->gate);
	}
}

static int sqlite_begin(struct store *s, int wait, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	sqlite3 *db = q->db;
	int batch = wait == STORE_WAIT_BATCH;
	int wait_ms = batch ? SQLITE_WRITER_WAIT_MS
			    : wait == STORE_WAIT_NONE ? SQLITE_TRY_WAIT_MS : SQLITE_BUSY_TIMEOUT_MS;
	int rc;

	/* IMMEDIATE takes the write lock now: a batch is a writer, and taking the lock
	 * late (on its first insert) could fail with SQLITE_BUSY mid-batch without the busy
	 * timeout helping, when another writer committed in between.  A batch waits as
	 * long as another writer's batch may take, not the 5 s a reader waits: two
	 * departments submitting at once should queue, not fail.  A small write (a login,
	 * a password change) waits 5 s and then tells its caller to come back, rather than
	 * hold a web request for the length of someone's batch; within this process it
	 * goes before the batches that wait (sqlite_gate.h), so it waits only for the
	 * transaction under way.  The audit entry of a read hardly waits at all: it goes to
	 * the queue instead (sqlite_audit_queue.c). */
	/* A handle already inside its transaction holds the turn: SQLite refuses the
	 * second BEGIN itself. */
	if (!q->in_gate) {
		if (sqlite_gate_enter(q->gate, batch ? SQLITE_GATE_BATCH : SQLITE_GATE_SMALL,
				      wait_ms) < 0)
			return err_set(e, "store.unavailable", "数据库正在写入一批数据，请稍后再试");
		q->in_gate = 1;
	}
	if (wait != STORE_WAIT_BRIEF)
		sqlite3_busy_timeout(db, wait_ms);
	rc = sqlite_query(s, SQL_BEGIN_LITE, NULL, 0, NULL, NULL, NULL, e);
	if (wait != STORE_WAIT_BRIEF)
		sqlite3_busy_timeout(db, SQLITE_BUSY_TIMEOUT_MS);
	if (rc < 0) {
		sqlite_gate_done(q);
		if (!batch && sqlite3_errcode(db) == SQLITE_BUSY)
			err_set(e, "store.unavailable", "数据库正在写入一批数据，请稍后再试");
	}
	if (rc == 0 && batch)
		sqlite_cache_size(s, SQLITE_BATCH_CACHE_KIB);
	return rc;
}

static int sqlite_commit(struct store *s, struct err *e)
{
	int rc;

	if (sqlite_index_subjects(s, e) < 0)
		return -1;
	rc = sqlite_query(s, SQL_COMMIT, NULL, 0, NULL, NULL, NULL, e);
	if (rc == 0)
		sqlite_cache_size(s, SQLITE_CACHE_KIB);
	/* A commit refused with SQLITE_BUSY leaves the transaction open, and the turn
	 * with it, until the caller rolls back. */
	sqlite_gate_done(sqlite_of(s));
	return rc;
}

static void sqlite_rollback(struct store *s)
{
	struct sqlite_store *q = sqlite_of(s);

	q->unindexed_from = 0;
	sqlite_cache_size(s, SQLITE_CACHE_KIB);
	/* Rolling back when nothing is open (a failed BEGIN, or SQLite already rolled back
	 * after an error) is not an error worth reporting. */
	if (!sqlite3_get_autocommit(q->db))
		sqlite_query(s, SQL_ROLLBACK, NULL, 0, NULL, NULL, NULL, NULL);
	sqlite_gate_done(q);
}

static int sqlite_flush(struct store *s, struct err *e)
{
	(void)s;
	(void)e;
	return 0;
}

/* ---- opening ---------------------------------------------------------------------- */

/* A failure about the file itself: the path goes to the log with SQLite's words. */
static int sqlite_fail_at(struct err *e, const char *what, const char *path, const char *why)
{
	char detail[PATH_MAX + 256];

	snprintf(detail, sizeof detail, "%s: %s", path, why);
	return store__fail(e, what, detail);
}

/* Creates a missing database file readable by its owner only.  SQLite would create it
 * 0644 (less the umask), and gives its -wal, -shm and -journal files the database file's
 * mode, so creating the file first keeps all of them private: they hold ID numbers and
 * password hashes.  An existing file keeps its mode; a failure here is left to
 * sqlite3_open_v2 to report. */
static void sqlite_create_private(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || !*path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd >= 0)
		close(fd);
}

int store_sqlite_connect(struct store *s, const char *path, struct err *e)
{
	struct sqlite_store *q;
	char *msg = NULL;

	q = calloc(1, sizeof *q);
	if (!q || !(s->location = strdup(path))) {
		free(q);
		return err_set(e, "store.error", "内存不足");
	}
	s->impl = q;
	sqlite_create_private(path);
	if (sqlite3_open_v2(path, &q->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		return sqlite_fail_at(e, "打开数据库", path, q->db ? sqlite3_errmsg(q->db) : "内存不足");
	/* The timeout comes first: switching to WAL needs a lock another process may hold. */
	sqlite3_busy_timeout(q->db, SQLITE_BUSY_TIMEOUT_MS);
	q->cache_kib = SQLITE_CACHE_KIB;
	q->gate = sqlite_gate_get(path);
	if (sqlite3_exec(q->db, sqlite_pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite_fail_at(e, "设置数据库", path, msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void sqlite_close(struct store *s)
{
	struct sqlite_store *q = sqlite_of(s);
	size_t i;

	sqlite_audit_queue_close(s);
	for (i = 0; i < SQL_COUNT; i++)
		sqlite3_finalize(q->stmts[i]);
	/* Every statement is finalized, so close cannot be refused; an open transaction is
	 * rolled back by SQLite. */
	sqlite3_close(q->db);
	if (q->in_gate)
		sqlite_gate_leave(q->gate);
	sqlite_gate_put(q->gate);
	free(q);
	s->impl = NULL;
}


const struct store_backend store_sqlite_backend = {
	.name = "sqlite",
	.dialect = SQL_LITE,
	.query = sqlite_query,
	.exec_script = sqlite_exec_script,
	.row_text = sqlite_row_text,
	.row_num = sqlite_row_num,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.close = sqlite_close,
	.subject_insert = sqlite_subject_insert,
	.record_put = sqlite_record_put,
	.problem_add = sqlite_problem_add,
	.flush = sqlite_flush,
	.subject_cached = NULL,
	.subjects_prefetch = NULL,
	.search = sqlite_search,
	.search_count = sqlite_search_count,
	.audit_defer = sqlite_audit_defer,
	.audit_drain = sqlite_audit_drain,
	.audit_pending = sqlite_audit_pending,
	.migrations = embedded_migrations_sqlite,
};
