/*
 * sqlite_batches.c - batches and the problems found in them, for the SQLite backend
 * (see store.h).
 */
#include "sqlite_int.h"

#include "core/err.h"

#include <string.h>

int store_batch_insert(struct store *s, struct store_batch *b, struct err *e)
{
	static const char sql[] =
		"INSERT INTO batches(category, dept_code, source, format, encoding, rows, "
		"accepted, duplicates, rejected, warnings, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_BATCH_INSERT, sql, e);
	char now[26];
	int rc = -1;

	if (!st)
		return -1;
	store__now(s, now);
	sqlite3_bind_text(st, 1, b->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->dept_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->format, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->encoding, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, b->rows);
	sqlite3_bind_int64(st, 7, b->accepted);
	sqlite3_bind_int64(st, 8, b->duplicates);
	sqlite3_bind_int64(st, 9, b->rejected);
	sqlite3_bind_int64(st, 10, b->warnings);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE) {
		b->id = sqlite3_last_insert_rowid(s->db);
		memcpy(b->created_at, now, sizeof b->created_at);
		rc = 0;
	} else {
		store__fail(s, e, "登记批次");
	}
	store__stmt_done(s, STORE_STMT_BATCH_INSERT, st);
	return rc;
}

int store_batch_update(struct store *s, const struct store_batch *b, struct err *e)
{
	static const char sql[] = "UPDATE batches SET rows = ?2, accepted = ?3, duplicates = ?4, "
				  "rejected = ?5, warnings = ?6, encoding = ?7 WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_BATCH_UPDATE, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, b->id);
	sqlite3_bind_int64(st, 2, b->rows);
	sqlite3_bind_int64(st, 3, b->accepted);
	sqlite3_bind_int64(st, 4, b->duplicates);
	sqlite3_bind_int64(st, 5, b->rejected);
	sqlite3_bind_int64(st, 6, b->warnings);
	sqlite3_bind_text(st, 7, b->encoding, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store__fail(s, e, "更新批次统计");
	else if (sqlite3_changes(s->db) == 0)
		rc = err_set(e, "batch.not_found", "批次 %lld 不存在，无法更新统计", (long long)b->id);
	else
		rc = 0;
	store__stmt_done(s, STORE_STMT_BATCH_UPDATE, st);
	return rc;
}

int store_batch_get(struct store *s, int64_t id, struct store_batch *out, struct err *e)
{
	static const char sql[] =
		"SELECT id, category, dept_code, source, format, encoding, rows, accepted, "
		"duplicates, rejected, warnings, created_at FROM batches WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_BATCH_GET, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		store__column_copy(st, 1, out->category, sizeof out->category);
		store__column_copy(st, 2, out->dept_code, sizeof out->dept_code);
		store__column_copy(st, 3, out->source, sizeof out->source);
		store__column_copy(st, 4, out->format, sizeof out->format);
		store__column_copy(st, 5, out->encoding, sizeof out->encoding);
		out->rows = (long)sqlite3_column_int64(st, 6);
		out->accepted = (long)sqlite3_column_int64(st, 7);
		out->duplicates = (long)sqlite3_column_int64(st, 8);
		out->rejected = (long)sqlite3_column_int64(st, 9);
		out->warnings = (long)sqlite3_column_int64(st, 10);
		store__column_copy(st, 11, out->created_at, sizeof out->created_at);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store__fail(s, e, "读取批次");
	}
	store__stmt_done(s, STORE_STMT_BATCH_GET, st);
	return rc;
}

/* ---- problems --------------------------------------------------------------------- */

int store_problem_add(struct store *s, const struct store_problem *p, struct err *e)
{
	static const char sql[] = "INSERT INTO batch_problems(batch_id, row, field, reason, "
				  "message, warning) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_PROBLEM_ADD, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, p->batch_id);
	sqlite3_bind_int64(st, 2, p->row);
	store__bind_text(st, 3, p->field);
	store__bind_text(st, 4, p->reason);
	store__bind_text(st, 5, p->message);
	sqlite3_bind_int(st, 6, p->warning != 0);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__fail(s, e, "记录批次问题");
	store__stmt_done(s, STORE_STMT_PROBLEM_ADD, st);
	return rc;
}

int store_problems_list(struct store *s, int64_t batch_id, int warnings,
			int (*cb)(void *ctx, const struct store_problem *p), void *ctx,
			struct err *e)
{
	/* rowid is the insertion order, and the (batch_id, row) index carries it, so the
	 * order needs no sort. */
	static const char sql[] = "SELECT batch_id, row, field, reason, message, warning "
				  "FROM batch_problems WHERE batch_id = ?1 "
				  "AND (?2 = 2 OR warning = ?2) ORDER BY row, rowid";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_PROBLEMS_LIST, sql, e);
	struct store_problem p;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, batch_id);
	sqlite3_bind_int(st, 2, warnings == 0 || warnings == 1 ? warnings : 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p.batch_id = sqlite3_column_int64(st, 0);
		p.row = (long)sqlite3_column_int64(st, 1);
		p.field = store__column_text(st, 2);
		p.reason = store__column_text(st, 3);
		p.message = store__column_text(st, 4);
		p.warning = sqlite3_column_int(st, 5);
		if (cb(ctx, &p) != 0)
			break;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__fail(s, e, "列出批次问题");
	store__stmt_done(s, STORE_STMT_PROBLEMS_LIST, st);
	return rc;
}
