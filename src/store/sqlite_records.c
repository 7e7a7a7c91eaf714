/*
 * sqlite_records.c - records of the SQLite backend (see store.h).
 *
 * store_record_put is the ingest hot path: one prepared upsert per row, no read first.
 */
#include "sqlite_int.h"

#include "core/err.h"

/* A new key inserts; an existing key with a different content hash is replaced; the same
 * hash matches the DO UPDATE's WHERE to false, so nothing is written.
 *
 * Telling the three apart without a second statement: sqlite3_changes() is 0 only for
 * the duplicate, and sqlite3_last_insert_rowid() moves only when a row is inserted, not
 * when the upsert takes its UPDATE branch.  The caller zeroes it before each step.  A
 * SELECT-first variant and a RETURNING variant measured no faster (the SELECT) or about
 * a third slower on inserts (RETURNING); test_store.c pins the behaviour this relies
 * on. */
static const char store_record_put_sql[] =
	"INSERT INTO records(subject_code, category, business_key, batch_id, dept_code, data, "
	"content_hash, decision_date, publicity_end, flags, created_at, updated_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) "
	"ON CONFLICT(subject_code, category, business_key) DO UPDATE SET "
	"data = excluded.data, content_hash = excluded.content_hash, "
	"batch_id = excluded.batch_id, dept_code = excluded.dept_code, "
	"decision_date = excluded.decision_date, publicity_end = excluded.publicity_end, "
	"flags = excluded.flags, updated_at = excluded.updated_at "
	"WHERE content_hash <> excluded.content_hash";

int store_record_put(struct store *s, const struct store_record *rec, struct err *e)
{
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_RECORD_PUT, store_record_put_sql, e);
	char now[26];
	int rc;

	if (!st)
		return -1;
	store__now(s, now);
	sqlite3_bind_text(st, 1, rec->subject_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rec->business_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->batch_id);
	store__bind_text(st, 5, rec->dept_code);
	sqlite3_bind_text(st, 6, rec->data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, rec->content_hash, -1, SQLITE_STATIC);
	store__bind_text(st, 8, rec->decision_date);
	store__bind_text(st, 9, rec->publicity_end);
	sqlite3_bind_int(st, 10, rec->flags);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
	sqlite3_set_last_insert_rowid(s->db, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store__fail(s, e, "写入记录");
	else if (sqlite3_changes(s->db) == 0)
		rc = STORE_PUT_DUPLICATE;
	else
		rc = sqlite3_last_insert_rowid(s->db) ? STORE_PUT_INSERTED : STORE_PUT_UPDATED;
	store__stmt_done(s, STORE_STMT_RECORD_PUT, st);
	return rc;
}

int store_records_of_subject(struct store *s, const char *subject_code,
			     int (*cb)(void *ctx, const struct store_record *rec), void *ctx,
			     struct err *e)
{
	/* The UNIQUE(subject_code, ...) index finds the rows; one subject's records are few,
	 * so sorting them costs less than a second index would cost every insert. */
	static const char sql[] =
		"SELECT id, batch_id, category, subject_code, dept_code, business_key, data, "
		"content_hash, decision_date, publicity_end, flags, created_at, updated_at "
		"FROM records WHERE subject_code = ?1 "
		"ORDER BY category, decision_date DESC, id";
	sqlite3_stmt *st = store__stmt(s, STORE_STMT_RECORDS_OF_SUBJECT, sql, e);
	struct store_record rec;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, subject_code, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rec.id = sqlite3_column_int64(st, 0);
		rec.batch_id = sqlite3_column_int64(st, 1);
		rec.category = store__column_text(st, 2);
		rec.subject_code = store__column_text(st, 3);
		rec.dept_code = store__column_text(st, 4);
		rec.business_key = store__column_text(st, 5);
		rec.data = store__column_text(st, 6);
		rec.content_hash = store__column_text(st, 7);
		rec.decision_date = store__column_text(st, 8);
		rec.publicity_end = store__column_text(st, 9);
		rec.flags = sqlite3_column_int(st, 10);
		rec.created_at = store__column_text(st, 11);
		rec.updated_at = store__column_text(st, 12);
		if (cb(ctx, &rec) != 0)
			break;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__fail(s, e, "读取主体的记录");
	store__stmt_done(s, STORE_STMT_RECORDS_OF_SUBJECT, st);
	return rc;
}
