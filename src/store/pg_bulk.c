/*
 * pg_bulk.c - how the PostgreSQL backend writes a batch without a round trip per row.
 *
 * On SQLite a row costs one prepared statement in the same process.  Across a network
 * the same would cost a round trip per row, so here writes are buffered in the client:
 *   - records, in COPY text format, are copied into a temporary staging table and merged
 *     into records by one statement (sql.def: STAGE_RECORDS_MERGE), which judges every
 *     row as inserted, updated or duplicate exactly as the SQLite per-row upsert would,
 *     in the order the rows were put;
 *   - problems are copied straight into batch_problems;
 *   - new subjects are sent as one array per column in one INSERT (a window of rows has
 *     a few hundred at most: a COPY and a merge would cost three round trips).
 * Buffers are sent before any read through the handle, at commit, and when they pass
 * PG_FLUSH_BYTES, so memory stays bounded and reads always see earlier writes.
 *
 * The writer also has to look subjects up: each row's code, to link it or to register a
 * new subject.  store_subjects_prefetch fetches the subjects of the next window of rows
 * in one statement into a small cache that store_subject_get answers from, so a batch
 * costs a few round trips per window of rows rather than one per subject.
 */
#include "pg_int.h"

#include "core/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Above this much buffered text a buffer is sent: a batch's merge then works on ~20,000
 * records at a time, large enough that the per-statement cost vanishes.
 * $XINYONG_PG_FLUSH_BYTES overrides it, so that tests can make a small batch span many
 * merges. */
#define PG_FLUSH_BYTES ((size_t)8 << 20)

void pg_bulk_init(struct store *s)
{
	struct pg_store *q = pg_of(s);
	const char *v = getenv("XINYONG_PG_FLUSH_BYTES");
	int i;

	q->flush_bytes = v && atol(v) > 0 ? (size_t)atol(v) : PG_FLUSH_BYTES;
	for (i = 0; i < PG_SUBJECT_COLUMNS; i++)
		buf_init(&q->subjects.col[i], 0);
	buf_init(&q->records.data, 0);
	buf_init(&q->problems.data, 0);
}

/* ---- COPY text format --------------------------------------------------------------- */

/* Appends one field: backslash, tab, newline and carriage return are escaped. */
static void pg_copy_text(struct buf *b, const char *v, int last)
{
	const char *run = v ? v : "", *p;

	for (p = run; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n"
			       : *p == '\r' ? "\\r" : NULL;

		if (!esc)
			continue;
		buf_append(b, run, (size_t)(p - run));
		buf_puts(b, esc);
		run = p + 1;
	}
	buf_puts(b, run);
	buf_putc(b, last ? '\n' : '\t');
}

static void pg_copy_num(struct buf *b, long long v, int last)
{
	buf_printf(b, "%lld%c", v, last ? '\n' : '\t');
}

/* Sends a buffer with the COPY statement `id`. */
static int pg_copy_send(struct store *s, enum store_sql_id id, struct pg_copy *c, struct err *e)
{
	struct pg_store *q = pg_of(s);
	PGresult *res;
	int ok;

	if (buf_failed(&c->data))
		return err_set(e, "store.error", "内存不足：批量写入缓冲区分配失败");
	res = PQexec(q->conn, store_sql[id].text);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_fail(s, e, "批量写入", res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	ok = PQputCopyData(q->conn, c->data.data, (int)c->data.len) == 1 &&
	     PQputCopyEnd(q->conn, NULL) == 1;
	res = PQgetResult(q->conn);
	if (!ok || PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(s, e, "批量写入", ok ? res : NULL);
		ok = 0;
	}
	PQclear(res);
	/* The COPY is over only once libpq has handed back its last result. */
	while ((res = PQgetResult(q->conn)) != NULL)
		PQclear(res);
	buf_reset(&c->data);
	c->rows = 0;
	return ok ? 0 : -1;
}

static int pg_staging_ready(struct store *s, struct err *e)
{
	struct pg_store *q = pg_of(s);

	if (q->staging_ready)
		return 0;
	if (pg_exec(s, store_sql[SQL_STAGE_CREATE].text, "创建暂存表", e) < 0)
		return -1;
	q->staging_ready = 1;
	return 0;
}

/* ---- flushing ------------------------------------------------------------------------ */

int pg_flush_subjects(struct store *s, struct err *e)
{
	struct pg_store *q = pg_of(s);
	struct store_param p[PG_SUBJECT_COLUMNS + 1];
	char now[26];
	int i, failed = 0, rc;

	if (!q->subjects.rows)
		return 0;
	for (i = 0; i < PG_SUBJECT_COLUMNS; i++) {
		buf_putc(&q->subjects.col[i], '}');
		failed |= buf_failed(&q->subjects.col[i]);
		p[i] = (struct store_param)STORE_TEXT(q->subjects.col[i].data);
	}
	store__now(s, now);
	p[i] = (struct store_param)STORE_TEXT(now);
	rc = failed ? err_set(e, "store.error", "内存不足：批量写入缓冲区分配失败")
		    : pg_run(s, SQL_SUBJECTS_INSERT_MANY, p, PG_SUBJECT_COLUMNS + 1, NULL, NULL,
			     NULL, e);
	for (i = 0; i < PG_SUBJECT_COLUMNS; i++)
		buf_reset(&q->subjects.col[i]);
	q->subjects.rows = 0;
	return rc;
}

struct merge_counts {
	long long inserted, duplicates;
};

static int pg_merge_row(void *ctx, const struct store_row *row)
{
	struct merge_counts *m = ctx;

	m->inserted = store__num(row, 0);
	m->duplicates = store__num(row, 1);
	return 1;
}

static int pg_flush_records(struct store *s, struct err *e)
{
	struct pg_store *q = pg_of(s);
	struct merge_counts m = { 0, 0 };
	long rows = q->records.rows;

	if (!rows)
		return 0;
	if (pg_staging_ready(s, e) < 0 || pg_copy_send(s, SQL_STAGE_RECORDS_COPY, &q->records, e) < 0 ||
	    pg_run(s, SQL_STAGE_RECORDS_MERGE, NULL, 0, pg_merge_row, &m, NULL, e) < 0 ||
	    pg_run(s, SQL_STAGE_RECORDS_CLEAR, NULL, 0, NULL, NULL, NULL, e) < 0)
		return -1;
	s->put_counts.inserted += m.inserted;
	s->put_counts.duplicates += m.duplicates;
	s->put_counts.updated += rows - m.inserted - m.duplicates;
	return 0;
}

int pg_flush(struct store *s, struct err *e)
{
	struct pg_store *q = pg_of(s);

	if (pg_flush_subjects(s, e) < 0 || pg_flush_records(s, e) < 0)
		return -1;
	return q->problems.rows ? pg_copy_send(s, SQL_PROBLEMS_COPY, &q->problems, e) : 0;
}

/* Outside a transaction nobody will commit: a write is sent at once (the server runs
 * it in a transaction of its own).  Inside one, a buffer is sent when it grows large. */
static int pg_after_write(struct store *s, size_t buffered, struct err *e)
{
	struct pg_store *q = pg_of(s);

	if (!q->in_tx || buffered >= q->flush_bytes)
		return pg_flush(s, e);
	return 0;
}

/* ---- the prefetch cache -------------------------------------------------------------- */

static size_t pg_cache_hash(const char *code)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *code; code++)
		h = (h ^ (unsigned char)*code) * 16777619u;
	return h & (PG_CACHE_SLOTS - 1);
}

/* The slot holding `code`, or the free slot where it would go; NULL when the cache is
 * off or full. */
static struct pg_cached *pg_cache_slot(struct store *s, const char *code)
{
	struct pg_store *q = pg_of(s);
	size_t i, n;

	if (!q->cache)
		return NULL;
	for (i = pg_cache_hash(code), n = 0; n < PG_CACHE_SLOTS; i = (i + 1) & (PG_CACHE_SLOTS - 1), n++) {
		if (!q->cache[i].code[0] || strcmp(q->cache[i].code, code) == 0)
			return &q->cache[i];
	}
	return NULL;
}

/* Records what is known of `code`: found with `subj` (copied), or absent (subj NULL).
 * The cache only ever holds half its slots, so probes stay short; beyond that a code
 * simply is not cached and its lookup goes to the database. */
static int pg_cache_put(struct store *s, const char *code, const struct store_subject *subj)
{
	struct pg_store *q = pg_of(s);
	struct pg_cached *c = pg_cache_slot(s, code);
	char *name = NULL;

	if (!c || strlen(code) >= sizeof c->code)
		return 0;
	if (subj && !(name = strdup(subj->name ? subj->name : "")))
		return -1;
	if (!c->code[0]) {
		if (q->cached >= PG_CACHE_SLOTS / 2) {
			free(name);
			return 0;
		}
		q->cached++;
		snprintf(c->code, sizeof c->code, "%s", code);
	}
	free(c->subj.name);
	memset(&c->subj, 0, sizeof c->subj);
	c->found = subj != NULL;
	if (subj) {
		c->subj = *subj;
		c->subj.name = name;
	}
	return 0;
}

void pg_cache_clear(struct store *s)
{
	struct pg_store *q = pg_of(s);
	size_t i;

	if (!q->cache || !q->cached)
		return;
	for (i = 0; i < PG_CACHE_SLOTS; i++) {
		free(q->cache[i].subj.name);
		memset(&q->cache[i], 0, sizeof q->cache[i]);
	}
	q->cached = 0;
}

int pg_subject_cached(struct store *s, const char *code, struct store_subject *out,
		      struct err *e)
{
	struct pg_store *q = pg_of(s);
	struct pg_cached *c;

	if (!q->cached || !(c = pg_cache_slot(s, code)) || !c->code[0])
		return -2;
	if (!c->found)
		return 0;
	*out = c->subj;
	out->name = strdup(c->subj.name);
	return out->name ? 1 : err_set(e, "store.error", "内存不足");
}

/* Appends `v` to a PostgreSQL array literal as a quoted element, opening the literal
 * or adding a comma as needed (the caller closes it with '}'). */
void pg_array_element(struct buf *b, const char *v)
{
	buf_putc(b, b->len ? ',' : '{');
	buf_putc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *v);
	}
	buf_putc(b, '"');
}

struct prefetch_ctx {
	struct store *s;
	int failed;
};

static int pg_prefetch_row(void *ctx, const struct store_row *row)
{
	struct prefetch_ctx *c = ctx;
	struct store_subject subj;

	memset(&subj, 0, sizeof subj);
	store__copy(row, 0, subj.code, sizeof subj.code);
	store__copy(row, 1, subj.kind, sizeof subj.kind);
	store__copy(row, 2, subj.subject_type, sizeof subj.subject_type);
	store__copy(row, 4, subj.region_code, sizeof subj.region_code);
	store__copy(row, 5, subj.created_at, sizeof subj.created_at);
	store__copy(row, 6, subj.updated_at, sizeof subj.updated_at);
	subj.name = (char *)store__text(row, 3);
	if (pg_cache_put(c->s, subj.code, &subj) < 0)
		return c->failed = 1;
	return 0;
}

int pg_subjects_prefetch(struct store *s, const char *const *codes, size_t n, struct err *e)
{
	struct pg_store *q = pg_of(s);
	struct prefetch_ctx ctx = { s, 0 };
	struct store_param p[1];
	struct buf array;
	size_t i;
	int rc;

	pg_cache_clear(s);
	if (!q->cache && !(q->cache = calloc(PG_CACHE_SLOTS, sizeof *q->cache)))
		return err_set(e, "store.error", "内存不足");
	if (n > PG_CACHE_SLOTS / 2)
		n = PG_CACHE_SLOTS / 2;
	buf_init(&array, 0);
	for (i = 0; i < n; i++)
		pg_array_element(&array, codes[i]);
	buf_puts(&array, n ? "}" : "{}");
	if (buf_failed(&array)) {
		buf_free(&array);
		return err_set(e, "store.error", "内存不足");
	}
	p[0] = (struct store_param)STORE_TEXT(array.data);
	rc = s->be->query(s, SQL_SUBJECTS_GET_MANY, p, 1, pg_prefetch_row, &ctx, NULL, e);
	buf_free(&array);
	if (rc == 0 && ctx.failed)
		rc = err_set(e, "store.error", "内存不足");
	if (rc < 0) {
		pg_cache_clear(s);
		return -1;
	}
	/* Every code asked for and not found is known to be absent. */
	for (i = 0; i < n; i++) {
		struct pg_cached *c = pg_cache_slot(s, codes[i]);

		if (c && !c->code[0] && pg_cache_put(s, codes[i], NULL) < 0)
			return err_set(e, "store.error", "内存不足");
	}
	return 0;
}

/* ---- buffered writes ----------------------------------------------------------------- */

int pg_subject_insert(struct store *s, const struct store_subject *subj, const char *name_key,
		      struct err *e)
{
	struct pg_store *q = pg_of(s);
	const char *values[PG_SUBJECT_COLUMNS] = { subj->code, subj->kind, subj->subject_type,
						   subj->name ? subj->name : "", name_key,
						   subj->region_code };
	struct store_subject cached;
	char now[26];
	int i;

	store__now(s, now);
	for (i = 0; i < PG_SUBJECT_COLUMNS; i++)
		pg_array_element(&q->subjects.col[i], values[i]);
	q->subjects.rows++;
	/* A later row of the same window finds the subject without a round trip. */
	if (q->cached) {
		cached = *subj;
		memcpy(cached.created_at, now, sizeof now);
		memcpy(cached.updated_at, now, sizeof now);
		if (pg_cache_put(s, subj->code, &cached) < 0)
			return err_set(e, "store.error", "内存不足");
	}
	return pg_after_write(s, q->subjects.col[3].len, e);
}

int pg_record_put(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		  struct err *e)
{
	struct pg_store *q = pg_of(s);
	struct buf *b = &q->records.data;
	char now[26];
	int held = pg_owner_of(s, rec, owner, e);

	if (held)
		return held < 0 ? -1 : STORE_PUT_OTHER_DEPT;

	store__now(s, now);
	pg_copy_num(b, ++q->seq, 0);
	pg_copy_text(b, rec->subject_code, 0);
	pg_copy_text(b, rec->category, 0);
	pg_copy_text(b, rec->business_key, 0);
	pg_copy_num(b, rec->batch_id, 0);
	pg_copy_text(b, rec->dept_code, 0);
	pg_copy_text(b, rec->data, 0);
	pg_copy_text(b, rec->content_hash, 0);
	pg_copy_text(b, rec->decision_date, 0);
	pg_copy_text(b, rec->publicity_end, 0);
	pg_copy_num(b, rec->flags, 0);
	pg_copy_text(b, now, 1);
	q->records.rows++;
	return pg_after_write(s, q->records.data.len, e);
}

int pg_problem_add(struct store *s, const struct store_problem *p, struct err *e)
{
	struct pg_store *q = pg_of(s);
	struct buf *b = &q->problems.data;

	pg_copy_num(b, p->batch_id, 0);
	pg_copy_num(b, p->row, 0);
	pg_copy_text(b, p->field, 0);
	pg_copy_text(b, p->reason, 0);
	pg_copy_text(b, p->message, 0);
	pg_copy_num(b, p->warning != 0, 1);
	q->problems.rows++;
	return pg_after_write(s, q->problems.data.len, e);
}

void pg_bulk_discard(struct store *s)
{
	struct pg_store *q = pg_of(s);

	int i;

	for (i = 0; i < PG_SUBJECT_COLUMNS; i++)
		buf_reset(&q->subjects.col[i]);
	buf_reset(&q->records.data);
	buf_reset(&q->problems.data);
	q->subjects.rows = q->records.rows = q->problems.rows = 0;
	pg_cache_clear(s);
	pg_owners_clear(s);
}

void pg_bulk_free(struct store *s)
{
	struct pg_store *q = pg_of(s);

	int i;

	pg_cache_clear(s);
	free(q->cache);
	pg_owners_free(s);

	for (i = 0; i < PG_SUBJECT_COLUMNS; i++)
		buf_free(&q->subjects.col[i]);
	buf_free(&q->records.data);
	buf_free(&q->problems.data);
}
