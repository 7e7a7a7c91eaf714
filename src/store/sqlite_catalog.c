/*
 * sqlite_catalog.c - category definitions, code exceptions and table counts for the
 * SQLite backend (see store.h).
 */
#include "sqlite_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

/* ---- categories ------------------------------------------------------------------- */

int store_category_put(struct store *s, const char *id, const char *json, struct err *e)
{
	static const char sql[] =
		"INSERT INTO catalog_categories(id, definition, updated_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, "
		"updated_at = excluded.updated_at";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_CATEGORY_PUT, sql, e);
	char now[26];
	int rc;

	if (!st)
		return -1;
	store__now(s, now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__fail(s, e, "保存信息类定义");
	store__stmt_done(s, STORE_STMT_CATEGORY_PUT, st);
	return rc;
}

int store_category_get(struct store *s, const char *id, char **json_out, struct err *e)
{
	static const char sql[] = "SELECT definition FROM catalog_categories WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_CATEGORY_GET, sql, e);
	int rc;

	*json_out = NULL;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*json_out = strdup(store__column_text(st, 0));
		rc = *json_out ? 1 : err_set(e, "store.error", "内存不足");
	} else {
		rc = rc == SQLITE_DONE ? 0 : store__fail(s, e, "读取信息类定义");
	}
	store__stmt_done(s, STORE_STMT_CATEGORY_GET, st);
	return rc;
}

int store_category_list(struct store *s,
			int (*cb)(void *ctx, const char *id, const char *json), void *ctx,
			struct err *e)
{
	static const char sql[] = "SELECT id, definition FROM catalog_categories ORDER BY id";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_CATEGORY_LIST, sql, e);
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(ctx, store__column_text(st, 0), store__column_text(st, 1)) != 0)
			break;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__fail(s, e, "列出信息类");
	store__stmt_done(s, STORE_STMT_CATEGORY_LIST, st);
	return rc;
}

/* ---- code exceptions -------------------------------------------------------------- */

int store_code_exception_add(struct store *s, const char *code, const char *note,
			     struct err *e)
{
	/* Adding a listed code again updates its note and keeps the date it was first
	 * listed, so re-running an import is harmless. */
	static const char sql[] = "INSERT INTO code_exceptions(code, note, added_at) "
				  "VALUES (?1, ?2, ?3) "
				  "ON CONFLICT(code) DO UPDATE SET note = excluded.note";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_EXCEPTION_ADD, sql, e);
	char now[26];
	int rc;

	if (!st)
		return -1;
	store__now(s, now);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	store__bind_text(st, 2, note);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__fail(s, e, "登记代码例外");
	store__stmt_done(s, STORE_STMT_EXCEPTION_ADD, st);
	return rc;
}

int store_code_exception_has(void *store, const char *code)
{
	static const char sql[] = "SELECT 1 FROM code_exceptions WHERE code = ?1";
	struct store *s = store;
	sqlite3_stmt *st;
	int rc;

	/* A callback of code_check: it has no error channel, so a failed lookup counts as
	 * "not listed" and the code is judged on its check character alone. */
	if (!s || !code)
		return 0;
	st = store__stmt(s, STORE_STMT_EXCEPTION_HAS, sql, NULL);
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW;
	store__stmt_done(s, STORE_STMT_EXCEPTION_HAS, st);
	return rc;
}

int store_code_exception_list(struct store *s,
			      int (*cb)(void *ctx, const char *code, const char *note,
					const char *added_at),
			      void *ctx, struct err *e)
{
	static const char sql[] =
		"SELECT code, note, added_at FROM code_exceptions ORDER BY code";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_EXCEPTION_LIST, sql, e);
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(ctx, store__column_text(st, 0), store__column_text(st, 1),
		       store__column_text(st, 2)) != 0)
			break;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__fail(s, e, "列出代码例外");
	store__stmt_done(s, STORE_STMT_EXCEPTION_LIST, st);
	return rc;
}

/* ---- counts ----------------------------------------------------------------------- */

int store_counts(struct store *s, struct store_counts *out, struct err *e)
{
	/* count(*) walks each table's smallest index: linear in the rows, fine for a status
	 * page, not for a per-request path. */
	static const char sql[] = "SELECT (SELECT count(*) FROM subjects), "
				  "(SELECT count(*) FROM records), "
				  "(SELECT count(*) FROM batches), "
				  "(SELECT count(*) FROM catalog_categories)";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_COUNTS, sql, e);
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->subjects = sqlite3_column_int64(st, 0);
		out->records = sqlite3_column_int64(st, 1);
		out->batches = sqlite3_column_int64(st, 2);
		out->categories = sqlite3_column_int64(st, 3);
		rc = 0;
	} else {
		store__fail(s, e, "统计数据");
	}
	store__stmt_done(s, STORE_STMT_COUNTS, st);
	return rc;
}
