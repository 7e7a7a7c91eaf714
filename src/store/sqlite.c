/*
 * sqlite.c - the SQLite backend of store.h: opening a database, connection settings,
 * migrations, transactions and the per-handle statement cache.  The tables' own
 * operations live in sqlite_*.c (see sqlite_int.h).
 */
#include "sqlite_int.h"

#include "core/clock.h"
#include "core/embedded.h"
#include "core/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define STORE_DEFAULT_PATH "var/xinyong.db"

/* Connection settings, applied at every open (none of them persists in the file except
 * journal_mode).
 *   WAL: readers never block the writer nor the writer the readers, which is what a
 *        server answering searches during an ingest needs.
 *   synchronous=NORMAL: in WAL mode a crash can lose the last commits but never corrupts
 *        the file; a batch is re-submitted anyway when its commit was not acknowledged.
 *   cache_size=-65536: 64 MiB of page cache per handle.  Ingest keeps more of the
 *        records' unique index in cache: inserting a million records measured ~1.3x
 *        faster than with 32 MiB.  Pages are allocated only when used, so idle pool
 *        handles stay small.
 *   temp_store=MEMORY: sorts for search ranking never touch the disk. */
static const char store_pragmas[] = "PRAGMA journal_mode=WAL;"
				    "PRAGMA synchronous=NORMAL;"
				    "PRAGMA foreign_keys=ON;"
				    "PRAGMA cache_size=-65536;"
				    "PRAGMA temp_store=MEMORY;";

#define STORE_BUSY_TIMEOUT_MS 5000
/* How long a new batch waits for another writer to finish: 30 minutes. */
#define STORE_WRITER_WAIT_MS (30 * 60 * 1000)

/* ---- helpers shared with sqlite_*.c ----------------------------------------------- */

int store__fail(struct store *s, struct err *e, const char *what)
{
	return err_set(e, "store.error", "%s失败：%s", what,
		       s && s->db ? sqlite3_errmsg(s->db) : "数据库未打开");
}

sqlite3_stmt *store__stmt(struct store *s, enum store_stmt_id id, const char *sql,
			  struct err *e)
{
	sqlite3_stmt *st = s->stmts[id];

	if (st && !sqlite3_stmt_busy(st))
		return st;
	/* PERSISTENT tells SQLite the statement is long-lived, so it takes its memory from
	 * the heap rather than the lookaside pool meant for short-lived objects. */
	if (sqlite3_prepare_v3(s->db, sql, -1, st ? 0 : SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		store__fail(s, e, "准备数据库语句");
		return NULL;
	}
	if (!s->stmts[id])
		s->stmts[id] = st;
	return st;
}

void store__stmt_done(struct store *s, enum store_stmt_id id, sqlite3_stmt *st)
{
	if (!st)
		return;
	if (st != s->stmts[id]) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_reset(st);
	/* Bound strings are borrowed from the caller; drop them so that no dangling pointer
	 * stays attached to a cached statement. */
	sqlite3_clear_bindings(st);
}

void store__now(struct store *s, char out[26])
{
	if (s->tx_time[0])
		memcpy(out, s->tx_time, sizeof s->tx_time);
	else
		clock_timestamp(out);
}

int store__bind_text(sqlite3_stmt *st, int idx, const char *v)
{
	return sqlite3_bind_text(st, idx, v ? v : "", -1, SQLITE_STATIC);
}

const char *store__column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	return v ? (const char *)v : "";
}

void store__column_copy(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	snprintf(dst, size, "%s", store__column_text(st, col));
}

/* ---- opening ---------------------------------------------------------------------- */

/* The file path named by a url: "sqlite:PATH", "sqlite://PATH" or a plain path.  Returns
 * NULL (with e filled) for schemes this backend cannot open. */
static const char *store_url_path(const char *url, struct err *e)
{
	if (!url || !*url) {
		url = getenv("XINYONG_DB");
		if (!url || !*url)
			return STORE_DEFAULT_PATH;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		url += 7;
		/* sqlite:///srv/x.db is an absolute path, as in other tools' URLs. */
		if (strncmp(url, "//", 2) == 0)
			url += 2;
	} else if (strncmp(url, "postgres:", 9) == 0 || strncmp(url, "postgresql:", 11) == 0) {
		err_set(e, "store.error", "此版本尚不支持 PostgreSQL 数据库：%s，请使用 SQLite 文件路径",
			url);
		return NULL;
	}
	if (!*url) {
		err_set(e, "store.error", "数据库地址为空，请给出 SQLite 文件路径");
		return NULL;
	}
	return url;
}

/* Creates the file's parent directory when it is missing (one level: `var/` of the
 * default path), so that a fresh checkout runs without a setup step. */
static int store_make_parent(const char *path, struct err *e)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir;
	int rc = 0;

	if (!slash || slash == path || strcmp(path, ":memory:") == 0)
		return 0;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return err_set(e, "store.error", "内存不足");
	if (stat(dir, &st) != 0 && mkdir(dir, 0755) != 0 && errno != EEXIST)
		rc = err_set(e, "store.error", "无法创建数据库目录 %s：%s", dir, strerror(errno));
	free(dir);
	return rc;
}

/* The version number a migration file name starts with ("002_search.sql" -> 2), or -1. */
static long store_migration_version(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);

	return end != name && *end == '_' && v > 0 ? v : -1;
}

/* Applies one migration in its own transaction.  The check for "already applied" is
 * repeated under the write lock, because another process may have opened the same new
 * file at the same moment. */
static int store_migration_apply(struct store *s, const struct embedded_file *m, long version,
				 struct err *e)
{
	static const char check_sql[] = "SELECT 1 FROM schema_migrations WHERE version = ?1";
	static const char insert_sql[] =
		"INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *st = NULL;
	char now[26], *msg = NULL;
	int rc;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store__fail(s, e, "开始数据库迁移");
	if (sqlite3_prepare_v2(s->db, check_sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, version);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_ROW) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_exec(s->db, m->data, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, "store.error", "执行数据库迁移 %s 失败：%s", m->name,
			msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	clock_timestamp(now);
	if (sqlite3_prepare_v2(s->db, insert_sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, version);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	store__fail(s, e, "记录数据库迁移");
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Brings the schema up to date.  Applied versions are read first without a write lock,
 * so that opening an up-to-date database (every server pool handle) stays read-only. */
static int store_migrate(struct store *s, struct err *e)
{
	static const char create_sql[] =
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		"version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
	static const char applied_sql[] = "SELECT coalesce(max(version), 0), count(*) "
					  "FROM schema_migrations";
	const struct embedded_file *m;
	sqlite3_stmt *st = NULL;
	long applied_max = 0, applied_count = 0, known_max = 0, known_count = 0, v;

	if (sqlite3_exec(s->db, create_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store__fail(s, e, "创建迁移记录表");
	if (sqlite3_prepare_v2(s->db, applied_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store__fail(s, e, "读取迁移记录");
	}
	applied_max = (long)sqlite3_column_int64(st, 0);
	applied_count = (long)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);

	for (m = embedded_migrations; m->name; m++) {
		v = store_migration_version(m->name);
		if (v <= known_max)
			return err_set(e, "store.error",
				       "迁移文件名 %s 无效：应以递增的编号开头，如 003_name.sql", m->name);
		known_max = v;
		known_count++;
	}
	if (applied_max > known_max)
		return err_set(e, "store.error",
			       "数据库 %s 的结构版本（%ld）比本程序支持的（%ld）更新，请升级程序",
			       s->location, applied_max, known_max);
	/* Migrations are numbered without gaps in practice, so equal counts and maxima mean
	 * nothing is pending; otherwise each one is checked under the write lock. */
	if (applied_max == known_max && applied_count == known_count)
		return 0;
	for (m = embedded_migrations; m->name; m++)
		if (store_migration_apply(s, m, store_migration_version(m->name), e) < 0)
			return -1;
	return 0;
}

int store_open(const char *url, struct store **out, struct err *e)
{
	const char *path;
	struct store *s;
	char *msg = NULL;

	*out = NULL;
	path = store_url_path(url, e);
	if (!path || store_make_parent(path, e) < 0)
		return -1;
	s = calloc(1, sizeof *s);
	if (!s || !(s->location = strdup(path))) {
		free(s);
		return err_set(e, "store.error", "内存不足");
	}
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		err_set(e, "store.error", "无法打开数据库 %s：%s", path,
			s->db ? sqlite3_errmsg(s->db) : "内存不足");
		goto fail;
	}
	/* The timeout comes first: switching to WAL needs a lock another process may hold. */
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if (sqlite3_exec(s->db, store_pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, "store.error", "无法设置数据库 %s：%s", path,
			msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		goto fail;
	}
	if (store_migrate(s, e) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < STORE_STMT_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	/* Every statement is finalized, so close cannot be refused; an open transaction is
	 * rolled back by SQLite. */
	sqlite3_close(s->db);
	free(s->location);
	free(s);
}

const char *store_location(const struct store *s)
{
	return s->location;
}

/* ---- transactions ----------------------------------------------------------------- */

static int store_exec_cached(struct store *s, enum store_stmt_id id, const char *sql,
			     const char *what, struct err *e)
{
	sqlite3_stmt *st = store__stmt(s, id, sql, e);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__fail(s, e, what);
	store__stmt_done(s, id, st);
	return rc;
}

int store_begin(struct store *s, struct err *e)
{
	/* IMMEDIATE takes the write lock now: a batch is a writer, and taking the lock
	 * late (on its first insert) could fail with SQLITE_BUSY mid-batch without the busy
	 * timeout helping, when another writer committed in between. */
	int rc;

	/* A batch waits as long as another writer's batch may take, not the 5 s a reader
	 * waits: two departments submitting at once should queue, not fail. */
	sqlite3_busy_timeout(s->db, STORE_WRITER_WAIT_MS);
	rc = store_exec_cached(s, STORE_STMT_BEGIN, "BEGIN IMMEDIATE", "开始事务", e);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if (rc < 0)
		return -1;
	clock_timestamp(s->tx_time);
	return 0;
}

int store_commit(struct store *s, struct err *e)
{
	if (store__index_subjects(s, e) < 0)
		return -1;
	if (store_exec_cached(s, STORE_STMT_COMMIT, "COMMIT", "提交事务", e) < 0)
		return -1;
	s->tx_time[0] = '\0';
	return 0;
}

void store_rollback(struct store *s)
{
	if (!s)
		return;
	s->tx_time[0] = '\0';
	s->unindexed_from = 0;
	/* Rolling back when nothing is open (a failed BEGIN, or SQLite already rolled back
	 * after an error) is not an error worth reporting. */
	if (sqlite3_get_autocommit(s->db))
		return;
	store_exec_cached(s, STORE_STMT_ROLLBACK, "ROLLBACK", "回滚事务", NULL);
}
