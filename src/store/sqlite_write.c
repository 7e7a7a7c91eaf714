/*
 * sqlite_write.c - what the SQLite backend does its own way: per-row subject, record and
 * problem writes (an embedded database has no round trip to save, so each row is one
 * prepared statement), the FTS5 search index, and name search.
 *
 * Search cost.  An exact code is one lookup in the unique index on subjects.code.  A key
 * of three or more characters is an FTS5 trigram phrase query: the index yields exactly
 * the subjects whose name_key contains the key, and only those are read and ranked.
 * Ranking needs all of them (the shortest names come first), so the time is linear in
 * the number of matching subjects, with memory bounded by `limit` (SQLite keeps a top-N
 * sorter).  A two-character key has no trigram to look up and falls back to instr() over
 * every name_key: one full scan of the subjects table, linear in the number of subjects
 * whatever the key.  Measured with one million subjects (release build, warm cache):
 * a specific 4-6 character key 1-6 ms, "肇庆市星湖" (18% of names) ~85 ms, "有限公司"
 * (every name) ~275 ms; two characters 160 ms ("星湖", 18%) to 270 ms ("有限", all).
 */
#include "sqlite_int.h"

#include "core/err.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite_subject_insert(struct store *s, const struct store_subject *subj,
			  const char *name_key, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	char now[26];
	struct store_param p[7] = {
		STORE_TEXT(subj->code),	       STORE_TEXT(subj->kind),
		STORE_TEXT(subj->subject_type), STORE_TEXT(subj->name),
		STORE_TEXT(name_key),	       STORE_TEXT(subj->region_code),
		STORE_TEXT(now),
	};

	store__now(s, now);
	if (s->be->query(s, SQL_SUBJECT_INSERT, p, 7, NULL, NULL, NULL, e) < 0)
		return -1;
	if (!q->unindexed_from)
		q->unindexed_from = sqlite3_last_insert_rowid(q->db);
	/* Outside a transaction nobody will commit for us: index at once. */
	return s->tx_time[0] ? 0 : sqlite_index_subjects(s, e);
}

int sqlite_index_subjects(struct store *s, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	struct store_param p[1] = { STORE_NUM(q->unindexed_from) };

	if (!q->unindexed_from)
		return 0;
	if (s->be->query(s, SQL_SEARCH_INDEX, p, 1, NULL, NULL, NULL, e) < 0)
		return -1;
	q->unindexed_from = 0;
	return 0;
}

/* Who holds the record the upsert left alone: `owner` gets the department, "" when the
 * key has no record.  Returns 0 or -1. */
static int sqlite_record_owner(struct store *s, const struct store_record *rec,
			       char owner[CODE_MAX], struct err *e)
{
	sqlite3_stmt *st = sqlite_stmt(s, SQL_RECORD_OWNER, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rec->subject_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rec->business_key, -1, SQLITE_STATIC);
	owner[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(owner, CODE_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(s, e, "查询记录的报送部门");
	sqlite_stmt_done(s, SQL_RECORD_OWNER, st);
	return rc;
}

/* The ingest hot path: binds directly rather than through store_param, and tells the
 * outcomes apart without a second statement in the common cases: sqlite3_changes() is 0
 * only when the upsert's WHERE kept the stored row (the same content, or another
 * department's record), and sqlite3_last_insert_rowid() moves only when a row is
 * inserted, not when the upsert takes its UPDATE branch.  It is zeroed before each step.
 * Only a row that changed nothing pays a second lookup, to learn which of the two it
 * was.  A SELECT-first variant and a RETURNING variant measured no faster (the SELECT)
 * or about a third slower on inserts (RETURNING); test_store.c pins the behaviour this
 * relies on (the version trigger's insert does not move either value). */
int sqlite_record_put(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		      struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	sqlite3_stmt *st = sqlite_stmt(s, SQL_RECORD_PUT_LITE, e);
	char now[26];
	int rc = 0;

	if (!st)
		return -1;
	store__now(s, now);
	sqlite3_bind_text(st, 1, rec->subject_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rec->business_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->batch_id);
	sqlite3_bind_text(st, 5, rec->dept_code ? rec->dept_code : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, rec->data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, rec->content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, rec->decision_date ? rec->decision_date : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, rec->publicity_end ? rec->publicity_end : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, rec->flags);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
	sqlite3_set_last_insert_rowid(q->db, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sqlite_fail(s, e, "写入记录");
	else if (sqlite3_changes(q->db) == 0)
		rc = 2;
	else if (sqlite3_last_insert_rowid(q->db))
		s->put_counts.inserted++;
	else
		s->put_counts.updated++;
	sqlite_stmt_done(s, SQL_RECORD_PUT_LITE, st);
	if (rc != 2)
		return rc;
	if (sqlite_record_owner(s, rec, owner, e) < 0)
		return -1;
	if (owner[0] && strcmp(owner, rec->dept_code ? rec->dept_code : "") != 0)
		return STORE_PUT_OTHER_DEPT;
	owner[0] = '\0';
	s->put_counts.duplicates++;
	return 0;
}

int sqlite_problem_add(struct store *s, const struct store_problem *p, struct err *e)
{
	struct store_param v[6] = {
		STORE_NUM(p->batch_id),	 STORE_NUM(p->row),	 STORE_TEXT(p->field),
		STORE_TEXT(p->reason), STORE_TEXT(p->message), STORE_NUM(p->warning != 0),
	};

	return s->be->query(s, SQL_PROBLEM_ADD, v, 6, NULL, NULL, NULL, e);
}

/* ---- search ----------------------------------------------------------------------- */

/* The key as one FTS5 phrase: wrapped in double quotes, inner quotes doubled. */
static char *sqlite_search_phrase(const char *key)
{
	size_t n = 2, i = 0;
	const char *p;
	char *out;

	for (p = key; *p; p++)
		n += *p == '"' ? 2 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	out[i++] = '"';
	for (p = key; *p; p++) {
		out[i++] = *p;
		if (*p == '"')
			out[i++] = '"';
	}
	out[i++] = '"';
	out[i] = '\0';
	return out;
}

/* Prepares the search's statement (`count`: its count) for q, bound: *phrase is the
 * caller's to free after the statement is done. */
static sqlite3_stmt *sqlite_search_stmt(struct store *s, const struct store_search *q,
					int count, long limit, enum store_sql_id *id, char **phrase,
					struct err *e)
{
	sqlite3_stmt *st;

	*phrase = NULL;
	if (sqlite_index_subjects(s, e) < 0)
		return NULL;
	/* The trigram index can only answer keys that contain at least one trigram. */
	if (text_utf8_length(q->key) >= 3) {
		if (!(*phrase = sqlite_search_phrase(q->key))) {
			err_set(e, "store.error", "内存不足");
			return NULL;
		}
		*id = count ? SQL_SEARCH_COUNT_FTS : SQL_SEARCH_FTS;
	} else {
		*id = count ? SQL_SEARCH_COUNT_SCAN : SQL_SEARCH_SCAN;
	}
	if (!(st = sqlite_stmt(s, *id, e))) {
		free(*phrase);
		*phrase = NULL;
		return NULL;
	}
	if (q->code)
		sqlite3_bind_text(st, 1, q->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->key, -1, SQLITE_STATIC);
	if (*phrase)
		sqlite3_bind_text(st, 3, *phrase, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, q->include_persons != 0);
	sqlite3_bind_int64(st, 5, limit);
	sqlite3_bind_text(st, 6, q->region ? q->region : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, q->subject_type ? q->subject_type : "", -1, SQLITE_STATIC);
	if (!count) {
		sqlite3_bind_int(st, 8, q->after_match);
		sqlite3_bind_int(st, 9, q->after_name_chars);
		sqlite3_bind_text(st, 10, q->after_code ? q->after_code : "", -1, SQLITE_STATIC);
	}
	return st;
}

int sqlite_search(struct store *s, const struct store_search *q,
		  int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
		  struct err *e)
{
	enum store_sql_id id;
	struct store_search_hit hit;
	sqlite3_stmt *st;
	char *phrase;
	int rc;

	if (!(st = sqlite_search_stmt(s, q, 0, q->limit, &id, &phrase, e)))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hit.code = (const char *)sqlite3_column_text(st, 0);
		hit.name = (const char *)sqlite3_column_text(st, 1);
		hit.kind = (const char *)sqlite3_column_text(st, 2);
		hit.subject_type = (const char *)sqlite3_column_text(st, 3);
		hit.region_code = (const char *)sqlite3_column_text(st, 4);
		hit.match = sqlite3_column_int(st, 5);
		if (cb(ctx, &hit) != 0)
			break;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(s, e, "查询信用主体");
	sqlite_stmt_done(s, id, st);
	free(phrase);
	return rc;
}

int sqlite_search_count(struct store *s, const struct store_search *q, long cap, long *total,
			struct err *e)
{
	enum store_sql_id id;
	sqlite3_stmt *st;
	char *phrase;
	int rc;

	*total = 0;
	if (!(st = sqlite_search_stmt(s, q, 1, cap, &id, &phrase, e)))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*total = (long)sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_fail(s, e, "统计匹配的信用主体");
	sqlite_stmt_done(s, id, st);
	free(phrase);
	return rc;
}
