/*
 * pg_search.c - name search on PostgreSQL, with pg_trgm (migrations/postgresql/
 * 002_search.sql).
 *
 * The GIN trigram index answers name_key LIKE '%key%' for a key of three characters or
 * more by its trigrams; PostgreSQL rechecks each candidate, so the answer is exact.  A
 * two-character key has no trigram and the planner reads the whole table, as the SQLite
 * backend does.  Ranking is the same as on SQLite (sql.def: SEARCH_TRGM).
 */
#include "pg_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

/* The key as a LIKE pattern matching names that contain it: its own '%', '_' and the
 * escape character '\' are escaped, so that what a user types is matched literally. */
static char *pg_like_pattern(const char *key)
{
	struct buf b;

	buf_init(&b, 0);
	buf_putc(&b, '%');
	for (; *key; key++) {
		if (*key == '%' || *key == '_' || *key == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *key);
	}
	buf_putc(&b, '%');
	return buf_detach(&b);
}

struct search_ctx {
	int (*cb)(void *ctx, const struct store_search_hit *hit);
	void *ctx;
};

static int pg_search_row(void *ctx, const struct store_row *row)
{
	struct search_ctx *c = ctx;
	struct store_search_hit hit;

	hit.code = store__text(row, 0);
	hit.name = store__text(row, 1);
	hit.kind = store__text(row, 2);
	hit.subject_type = store__text(row, 3);
	hit.region_code = store__text(row, 4);
	hit.match = (int)store__num(row, 5);
	return c->cb(c->ctx, &hit);
}

/* The parameters both statements take (sql.def: SEARCH_TRGM): "" never equals a stored
 * code, so it stands for "no code to leave out", and for "any" in the filters. */
static void pg_search_params(const struct store_search *q, const char *pattern, long limit,
			     struct store_param p[10])
{
	struct store_param v[10] = {
		STORE_TEXT(q->code ? q->code : ""),
		STORE_TEXT(q->key),
		STORE_TEXT(pattern),
		STORE_NUM(q->include_persons != 0),
		STORE_NUM(limit),
		STORE_TEXT(q->region ? q->region : ""),
		STORE_TEXT(q->subject_type ? q->subject_type : ""),
		STORE_NUM(q->after_match),
		STORE_NUM(q->after_name_chars),
		STORE_TEXT(q->after_code ? q->after_code : ""),
	};

	memcpy(p, v, sizeof v);
}

int pg_search(struct store *s, const struct store_search *q,
	      int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
	      struct err *e)
{
	struct search_ctx c = { cb, ctx };
	struct store_param p[10];
	char *pattern = pg_like_pattern(q->key);
	int rc;

	if (!pattern)
		return err_set(e, "store.error", "内存不足");
	pg_search_params(q, pattern, q->limit, p);
	rc = s->be->query(s, SQL_SEARCH_TRGM, p, 10, pg_search_row, &c, NULL, e);
	free(pattern);
	return rc;
}

static int pg_count_row(void *ctx, const struct store_row *row)
{
	*(long *)ctx = (long)store__num(row, 0);
	return 0;
}

int pg_search_count(struct store *s, const struct store_search *q, long cap, long *total,
		    struct err *e)
{
	struct store_param p[10];
	char *pattern = pg_like_pattern(q->key);
	int rc;

	*total = 0;
	if (!pattern)
		return err_set(e, "store.error", "内存不足");
	pg_search_params(q, pattern, cap, p);
	rc = s->be->query(s, SQL_SEARCH_COUNT_TRGM, p, 7, pg_count_row, total, NULL, e);
	free(pattern);
	return rc;
}
