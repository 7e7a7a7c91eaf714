/*
 * pg_owners.c - which department holds a record, known before the PostgreSQL writer
 * buffers a row.
 *
 * A record belongs to the department that provided it (store.h, store_record_put).  On
 * SQLite the upsert itself refuses to touch another department's record.  Here rows are
 * buffered and merged later, so a row of another department's record must be refused
 * when it is put, while the pipeline can still report it against its row.  A round trip
 * per row would undo the bulk path, so store_records_prefetch_owners asks once per window
 * of rows for the records of the window's subjects that other departments hold (almost
 * always none), and puts for those subjects are judged from that answer.  A put for a
 * subject the hint did not cover asks the database directly.
 *
 * Another batch may create the same key between the hint and the merge; the merge's own
 * guard (sql.def: STAGE_RECORDS_MERGE updates only the holder's records) then leaves the
 * other department's record untouched.
 */
#include "pg_int.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_held {
	char *subject_code, *category, *business_key; /* owned */
	char owner[CODE_MAX];
};

static int pg_held_cmp_key(const char *subject, const char *category, const char *key,
			   const struct pg_held *h)
{
	int c = strcmp(subject, h->subject_code);

	if (!c)
		c = strcmp(category, h->category);
	return c ? c : strcmp(key, h->business_key);
}

static int pg_held_cmp(const void *a, const void *b)
{
	const struct pg_held *x = a;

	return pg_held_cmp_key(x->subject_code, x->category, x->business_key, b);
}

static int pg_code_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pg_owners_clear(struct store *s)
{
	struct pg_owners *o = &pg_of(s)->owners;
	size_t i;

	for (i = 0; i < o->ncodes; i++)
		free(o->codes[i]);
	for (i = 0; i < o->nheld; i++) {
		free(o->held[i].subject_code);
		free(o->held[i].category);
		free(o->held[i].business_key);
	}
	o->ncodes = o->nheld = 0;
	o->dept[0] = '\0';
}

void pg_owners_free(struct store *s)
{
	struct pg_owners *o = &pg_of(s)->owners;

	pg_owners_clear(s);
	free(o->codes);
	free(o->held);
	memset(o, 0, sizeof *o);
}

static int pg_owners_add(void *ctx, const struct store_row *row)
{
	struct store *s = ctx;
	struct pg_owners *o = &pg_of(s)->owners;
	struct pg_held *h;

	if (o->nheld == o->cap_held) {
		size_t cap = o->cap_held ? o->cap_held * 2 : 16;
		struct pg_held *v = realloc(o->held, cap * sizeof *v);

		if (!v)
			return o->failed = 1;
		o->held = v;
		o->cap_held = cap;
	}
	h = &o->held[o->nheld];
	h->subject_code = strdup(store__text(row, 0));
	h->category = strdup(store__text(row, 1));
	h->business_key = strdup(store__text(row, 2));
	store__copy(row, 3, h->owner, sizeof h->owner);
	o->nheld++;
	if (!h->subject_code || !h->category || !h->business_key)
		return o->failed = 1;
	return 0;
}

int pg_owners_prefetch(struct store *s, const char *const *codes, size_t n,
		       const char *dept_code, struct err *e)
{
	struct pg_owners *o = &pg_of(s)->owners;
	struct store_param p[2];
	struct buf array;
	size_t i;
	int rc;

	pg_owners_clear(s);
	if (n > o->cap_codes) {
		char **v = realloc(o->codes, n * sizeof *v);

		if (!v)
			return err_set(e, "store.error", "内存不足");
		o->codes = v;
		o->cap_codes = n;
	}
	buf_init(&array, 0);
	for (i = 0; i < n; i++) {
		pg_array_element(&array, codes[i]);
		if (!(o->codes[o->ncodes] = strdup(codes[i])))
			break;
		o->ncodes++;
	}
	buf_puts(&array, n ? "}" : "{}");
	o->failed = 0;
	if (o->ncodes < n || buf_failed(&array)) {
		buf_free(&array);
		pg_owners_clear(s);
		return err_set(e, "store.error", "内存不足");
	}
	p[0] = (struct store_param)STORE_TEXT(array.data);
	p[1] = (struct store_param)STORE_TEXT(dept_code);
	/* The rows buffered so far belong to dept_code: they need not be sent first. */
	rc = pg_run(s, SQL_RECORDS_FOREIGN_MANY, p, 2, pg_owners_add, s, NULL, e);
	buf_free(&array);
	if (rc == 0 && o->failed)
		rc = err_set(e, "store.error", "内存不足");
	if (rc < 0) {
		pg_owners_clear(s);
		return -1;
	}
	if (o->ncodes)
		qsort(o->codes, o->ncodes, sizeof *o->codes, pg_code_cmp);
	if (o->nheld)
		qsort(o->held, o->nheld, sizeof *o->held, pg_held_cmp);
	snprintf(o->dept, sizeof o->dept, "%s", dept_code);
	return 0;
}

struct owner_answer {
	char *owner;
};

static int pg_owner_row(void *ctx, const struct store_row *row)
{
	struct owner_answer *a = ctx;

	store__copy(row, 0, a->owner, CODE_MAX);
	return 1;
}

int pg_owner_of(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		struct err *e)
{
	struct pg_owners *o = &pg_of(s)->owners;
	const char *dept = rec->dept_code ? rec->dept_code : "";
	const char *code = rec->subject_code;

	owner[0] = '\0';
	if (o->dept[0] && strcmp(o->dept, dept) == 0 && o->ncodes &&
	    bsearch(&code, o->codes, o->ncodes, sizeof *o->codes, pg_code_cmp)) {
		struct pg_held key = { (char *)rec->subject_code, (char *)rec->category,
				       (char *)rec->business_key, "" };
		const struct pg_held *h = o->nheld ? bsearch(&key, o->held, o->nheld,
							     sizeof *o->held, pg_held_cmp)
						   : NULL;

		if (!h)
			return 0;
		snprintf(owner, CODE_MAX, "%s", h->owner);
		return 1;
	} else {
		struct store_param p[3] = { STORE_TEXT(rec->subject_code), STORE_TEXT(rec->category),
					    STORE_TEXT(rec->business_key) };
		struct owner_answer a = { owner };

		if (pg_run(s, SQL_RECORD_OWNER, p, 3, pg_owner_row, &a, NULL, e) < 0)
			return -1;
		if (owner[0] && strcmp(owner, dept) != 0)
			return 1;
		owner[0] = '\0';
		return 0;
	}
}
