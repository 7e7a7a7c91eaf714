/*
 * store_cases.c - cases, their steps and attachments, the subjects' statements, the
 * kinds' rules, and the rewrite of a record by a decided case (store.h, "cases").
 *
 * Everything here is shared SQL (sql.def): both backends run the same statements.
 */
#include "store_int.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rules ------------------------------------------------------------------------ */

int store_case_rules_put(struct store *s, const struct store_case_rules *r, struct err *e)
{
	char now[26];
	struct store_param p[5] = { STORE_TEXT(r->kind), STORE_TEXT(r->effective_from),
				    STORE_TEXT(r->body), STORE_TEXT(now),
				    STORE_TEXT(r->imported_by) };

	store__now(s, now);
	return store__query(s, SQL_CASE_RULES_PUT, p, 5, NULL, NULL, NULL, e);
}

struct rules_ctx {
	int (*cb)(void *ctx, const struct store_case_rules *r);
	void *ctx;
};

static int store_case_rules_row(void *ctx, const struct store_row *row)
{
	struct rules_ctx *c = ctx;
	struct store_case_rules r = { store__text(row, 0), store__text(row, 1),
				      store__text(row, 2), store__text(row, 3),
				      store__text(row, 4) };

	return c->cb(c->ctx, &r);
}

int store_case_rules_list(struct store *s,
			  int (*cb)(void *ctx, const struct store_case_rules *r), void *ctx,
			  struct err *e)
{
	struct rules_ctx c = { cb, ctx };

	return store__query(s, SQL_CASE_RULES_LIST, NULL, 0, store_case_rules_row, &c, NULL, e);
}

/* ---- cases ------------------------------------------------------------------------ */

int store_case_lock(struct store *s, const char *subject_code, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(subject_code) };

	if (s->be->dialect != SQL_PG)
		return 0;
	return store__query(s, SQL_CASE_LOCK, p, 1, NULL, NULL, NULL, e);
}

void store_case_clear(struct store_case *c)
{
	free(c->data);
	free(c->outcome);
	c->data = NULL;
	c->outcome = NULL;
}

/* Columns in the order of SQL_CASE_COLUMNS; the two texts are borrowed from the row. */
static void store_case_fill(struct store_case *c, const struct store_row *row,
			    const char **data, const char **outcome)
{
	memset(c, 0, sizeof *c);
	c->id = store__num(row, 0);
	store__copy(row, 1, c->subject_code, sizeof c->subject_code);
	store__copy(row, 2, c->kind, sizeof c->kind);
	c->record_id = store__num(row, 3);
	store__copy(row, 4, c->status, sizeof c->status);
	store__copy(row, 5, c->dept_code, sizeof c->dept_code);
	store__copy(row, 6, c->due_date, sizeof c->due_date);
	store__copy(row, 7, c->rules_from, sizeof c->rules_from);
	store__copy(row, 8, c->applicant, sizeof c->applicant);
	store__copy(row, 9, c->channel, sizeof c->channel);
	*data = store__text(row, 10);
	*outcome = store__text(row, 11);
	c->reviews = (long)store__num(row, 12);
	store__copy(row, 13, c->entered_at, sizeof c->entered_at);
	store__copy(row, 14, c->created_at, sizeof c->created_at);
	store__copy(row, 15, c->updated_at, sizeof c->updated_at);
}

int store_case_insert(struct store *s, struct store_case *c, struct err *e)
{
	char now[26];
	struct store_param p[13] = {
		STORE_TEXT(c->subject_code), STORE_TEXT(c->kind),	  STORE_NUM(c->record_id),
		STORE_TEXT(c->status),	     STORE_TEXT(c->dept_code),	  STORE_TEXT(c->due_date),
		STORE_TEXT(c->rules_from),   STORE_TEXT(c->applicant),	  STORE_TEXT(c->channel),
		STORE_TEXT(c->data),	     STORE_TEXT(c->outcome),	  STORE_NUM(c->reviews),
		STORE_TEXT(now),
	};
	int64_t id = 0;

	store__now(s, now);
	if (store__query(s, SQL_CASE_INSERT, p, 13, store__first_num, &id, NULL, e) < 0)
		return -1;
	if (id <= 0)
		return err_set(e, "store.error", "登记申请失败：数据库未返回编号");
	c->id = id;
	memcpy(c->created_at, now, sizeof now);
	memcpy(c->updated_at, now, sizeof now);
	memcpy(c->entered_at, now, sizeof now);
	return 0;
}

int store_case_update(struct store *s, struct store_case *c, const char *was, struct err *e)
{
	char now[26];
	struct store_param p[11] = {
		STORE_TEXT(c->subject_code), STORE_NUM(c->id),	      STORE_TEXT(c->status),
		STORE_TEXT(c->dept_code),    STORE_TEXT(c->due_date), STORE_TEXT(c->outcome),
		STORE_NUM(c->reviews),	     STORE_TEXT(c->entered_at), STORE_TEXT(now),
		STORE_TEXT(c->data),	     STORE_TEXT(was),
	};
	long long changes = 0;

	store__now(s, now);
	if (store__query(s, SQL_CASE_UPDATE, p, 11, NULL, NULL, &changes, e) < 0)
		return -1;
	memcpy(c->updated_at, now, sizeof now);
	return changes > 0;
}

struct case_get_ctx {
	struct store_case *out;
	int found;
	int oom;
};

static int store_case_get_row(void *ctx, const struct store_row *row)
{
	struct case_get_ctx *g = ctx;
	const char *data, *outcome;

	store_case_fill(g->out, row, &data, &outcome);
	g->out->data = strdup(data);
	g->out->outcome = strdup(outcome);
	g->oom = !g->out->data || !g->out->outcome;
	g->found = 1;
	return 1;
}

int store_case_get(struct store *s, int64_t id, struct store_case *out, struct err *e)
{
	struct store_param p[1] = { STORE_NUM(id) };
	struct case_get_ctx g = { out, 0, 0 };

	memset(out, 0, sizeof *out);
	if (store__query(s, SQL_CASE_GET, p, 1, store_case_get_row, &g, NULL, e) < 0)
		return -1;
	if (g.oom) {
		store_case_clear(out);
		return err_set(e, "internal.error", "内存不足，无法读取申请");
	}
	return g.found;
}

struct case_list_ctx {
	int (*cb)(void *ctx, const struct store_case *c);
	void *ctx;
};

static int store_case_list_row(void *ctx, const struct store_row *row)
{
	struct case_list_ctx *l = ctx;
	struct store_case c;
	const char *data, *outcome;

	store_case_fill(&c, row, &data, &outcome);
	/* Borrowed for the callback only, as store.h says; the cast drops nothing that is
	 * written through. */
	c.data = (char *)data;
	c.outcome = (char *)outcome;
	return l->cb(l->ctx, &c);
}

int store_case_list(struct store *s, const struct store_case_filter *f,
		    int (*cb)(void *ctx, const struct store_case *c), void *ctx, struct err *e)
{
	struct case_list_ctx l = { cb, ctx };
	int64_t before = f->before_id > 0 ? f->before_id : INT64_MAX;
	long limit = f->limit > 0 ? f->limit : 100;

	if (f->subject_code && f->subject_code[0]) {
		struct store_param p[6] = { STORE_TEXT(f->subject_code), STORE_TEXT(f->kind),
					    STORE_TEXT(f->status),	 STORE_TEXT(f->overdue_on),
					    STORE_NUM(before),		 STORE_NUM(limit) };

		/* No caller asks for one subject's cases of one department; refused rather
		 * than silently ignoring the department. */
		if (f->dept_code && f->dept_code[0])
			return err_set(e, "internal.error", "不支持同时按主体和部门筛选");
		return store__query(s, SQL_CASES_OF_SUBJECT, p, 6, store_case_list_row, &l,
				    NULL, e);
	} else {
		struct store_param p[6] = { STORE_TEXT(f->kind),       STORE_TEXT(f->status),
					    STORE_TEXT(f->dept_code),  STORE_TEXT(f->overdue_on),
					    STORE_NUM(before),	       STORE_NUM(limit) };

		return store__query(s, SQL_CASES_LIST, p, 6, store_case_list_row, &l, NULL, e);
	}
}

struct counts_ctx {
	int (*cb)(void *ctx, const char *kind, const char *status, long long n,
		  long long overdue);
	void *ctx;
};

static int store_case_counts_row(void *ctx, const struct store_row *row)
{
	struct counts_ctx *c = ctx;

	return c->cb(c->ctx, store__text(row, 0), store__text(row, 1), store__num(row, 2),
		     store__num(row, 3));
}

int store_case_counts(struct store *s, const char *today,
		      int (*cb)(void *ctx, const char *kind, const char *status, long long n,
				long long overdue),
		      void *ctx, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(today) };
	struct counts_ctx c = { cb, ctx };

	return store__query(s, SQL_CASE_COUNTS, p, 1, store_case_counts_row, &c, NULL, e);
}

/* ---- steps ------------------------------------------------------------------------ */

int store_case_step_add(struct store *s, const char *subject_code,
			const struct store_case_step *st, struct err *e)
{
	char now[26];
	struct store_param p[10] = {
		STORE_TEXT(subject_code), STORE_NUM(st->case_id),   STORE_NUM(st->seq),
		STORE_TEXT(now),	  STORE_TEXT(st->actor),     STORE_TEXT(st->action),
		STORE_TEXT(st->from_status), STORE_TEXT(st->to_status), STORE_TEXT(st->note),
		STORE_TEXT(st->detail ? st->detail : "{}"),
	};

	store__now(s, now);
	return store__query(s, SQL_CASE_STEP_ADD, p, 10, NULL, NULL, NULL, e);
}

struct steps_ctx {
	int (*cb)(void *ctx, const struct store_case_step *st);
	void *ctx;
};

static int store_case_step_row(void *ctx, const struct store_row *row)
{
	struct steps_ctx *c = ctx;
	struct store_case_step st = {
		.case_id = store__num(row, 0),	  .seq = (long)store__num(row, 1),
		.at = store__text(row, 2),	  .actor = store__text(row, 3),
		.action = store__text(row, 4),	  .from_status = store__text(row, 5),
		.to_status = store__text(row, 6), .note = store__text(row, 7),
		.detail = store__text(row, 8),
	};

	return c->cb(c->ctx, &st);
}

int store_case_steps(struct store *s, const char *subject_code, int64_t case_id,
		     int (*cb)(void *ctx, const struct store_case_step *st), void *ctx,
		     struct err *e)
{
	struct store_param p[2] = { STORE_TEXT(subject_code), STORE_NUM(case_id) };
	struct steps_ctx c = { cb, ctx };

	return store__query(s, SQL_CASE_STEPS_OF, p, 2, store_case_step_row, &c, NULL, e);
}

/* ---- attachments ------------------------------------------------------------------ */

int store_attachment_add(struct store *s, const char *subject_code,
			 const struct store_attachment *a, const char *content_b64, int64_t *id,
			 struct err *e)
{
	char now[26];
	struct store_param p[10] = {
		STORE_TEXT(subject_code),  STORE_NUM(a->case_id),   STORE_NUM(a->step_seq),
		STORE_TEXT(a->digest),	   STORE_TEXT(a->media_type), STORE_NUM(a->size),
		STORE_TEXT(a->name),	   STORE_TEXT(content_b64),   STORE_TEXT(a->added_by),
		STORE_TEXT(now),
	};

	*id = 0;
	store__now(s, now);
	if (store__query(s, SQL_CASE_ATTACHMENT_ADD, p, 10, store__first_num, id, NULL, e) < 0)
		return -1;
	if (*id <= 0)
		return err_set(e, "store.error", "保存附件失败：数据库未返回编号");
	return 0;
}

static void store_attachment_fill(struct store_attachment *a, const struct store_row *row)
{
	a->id = store__num(row, 0);
	a->case_id = store__num(row, 1);
	a->step_seq = (long)store__num(row, 2);
	a->digest = store__text(row, 3);
	a->media_type = store__text(row, 4);
	a->size = store__num(row, 5);
	a->name = store__text(row, 6);
	a->added_by = store__text(row, 7);
	a->added_at = store__text(row, 8);
}

struct attachments_ctx {
	int (*cb)(void *ctx, const struct store_attachment *a);
	int (*content_cb)(void *ctx, const struct store_attachment *a, const char *b64);
	void *ctx;
	int found;
};

static int store_attachment_row(void *ctx, const struct store_row *row)
{
	struct attachments_ctx *c = ctx;
	struct store_attachment a;

	store_attachment_fill(&a, row);
	c->found = 1;
	if (c->content_cb) {
		c->content_cb(c->ctx, &a, store__text(row, 9));
		return 1;
	}
	return c->cb(c->ctx, &a);
}

int store_attachments_of_case(struct store *s, const char *subject_code, int64_t case_id,
			      int (*cb)(void *ctx, const struct store_attachment *a), void *ctx,
			      struct err *e)
{
	struct store_param p[2] = { STORE_TEXT(subject_code), STORE_NUM(case_id) };
	struct attachments_ctx c = { cb, NULL, ctx, 0 };

	return store__query(s, SQL_CASE_ATTACHMENTS_OF, p, 2, store_attachment_row, &c, NULL, e);
}

int store_attachment_content(struct store *s, const char *subject_code, int64_t case_id,
			     const char *digest,
			     int (*cb)(void *ctx, const struct store_attachment *a,
				       const char *content_b64),
			     void *ctx, struct err *e)
{
	struct store_param p[3] = { STORE_TEXT(subject_code), STORE_NUM(case_id),
				    STORE_TEXT(digest) };
	struct attachments_ctx c = { NULL, cb, ctx, 0 };

	if (store__query(s, SQL_CASE_ATTACHMENT_CONTENT, p, 3, store_attachment_row, &c, NULL,
			 e) < 0)
		return -1;
	return c.found;
}

/* ---- statements ------------------------------------------------------------------- */

int store_statement_put(struct store *s, const char *subject_code, int64_t record_id,
			const char *text, const char *author, struct err *e)
{
	char now[26];
	struct store_param p[5] = { STORE_TEXT(subject_code), STORE_NUM(record_id),
				    STORE_TEXT(text), STORE_TEXT(author), STORE_TEXT(now) };

	store__now(s, now);
	if (!text || !text[0])
		return store__query(s, SQL_STATEMENT_DELETE, p, 2, NULL, NULL, NULL, e);
	return store__query(s, SQL_STATEMENT_PUT, p, 5, NULL, NULL, NULL, e);
}

struct statements_ctx {
	int (*cb)(void *ctx, int64_t record_id, const char *text, const char *author,
		  const char *updated_at);
	void *ctx;
};

static int store_statement_row(void *ctx, const struct store_row *row)
{
	struct statements_ctx *c = ctx;

	return c->cb(c->ctx, store__num(row, 0), store__text(row, 1), store__text(row, 2),
		     store__text(row, 3));
}

int store_statements_of_subject(struct store *s, const char *subject_code,
				int (*cb)(void *ctx, int64_t record_id, const char *text,
					  const char *author, const char *updated_at),
				void *ctx, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(subject_code) };
	struct statements_ctx c = { cb, ctx };

	return store__query(s, SQL_STATEMENTS_OF_SUBJECT, p, 1, store_statement_row, &c, NULL,
			    e);
}

/* ---- a record rewritten by a decision --------------------------------------------- */

/* The record as it is, copied out of its row for the move. */
struct amend_old {
	int found;
	char subject_code[CODE_MAX];
	int64_t batch_id;
	char *category, *dept_code, *business_key, *data, *content_hash;
	char decision_date[11], publicity_end[11];
	int flags;
	char created_at[26], updated_at[26];
};

static void amend_old_free(struct amend_old *o)
{
	free(o->category);
	free(o->dept_code);
	free(o->business_key);
	free(o->data);
	free(o->content_hash);
}

static int amend_old_keep(void *ctx, const struct store_record *r)
{
	struct amend_old *o = ctx;

	o->found = 1;
	snprintf(o->subject_code, sizeof o->subject_code, "%s", r->subject_code);
	o->batch_id = r->batch_id;
	o->category = strdup(r->category);
	o->dept_code = strdup(r->dept_code);
	o->business_key = strdup(r->business_key);
	o->data = strdup(r->data);
	o->content_hash = strdup(r->content_hash);
	snprintf(o->decision_date, sizeof o->decision_date, "%s", r->decision_date);
	snprintf(o->publicity_end, sizeof o->publicity_end, "%s", r->publicity_end);
	o->flags = r->flags;
	snprintf(o->created_at, sizeof o->created_at, "%s", r->created_at);
	snprintf(o->updated_at, sizeof o->updated_at, "%s", r->updated_at);
	return 1;
}

/* The versions of the record, read whole before they are deleted and written again
 * under the new subject (few per record). */
struct version_row {
	int64_t id;
	char *cols[14];
};

struct versions_keep {
	struct version_row *v;
	size_t n, cap;
	int oom;
};

static int amend_version_keep(void *ctx, const struct store_row *row)
{
	struct versions_keep *k = ctx;
	struct version_row *r;
	int i;

	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 8;
		struct version_row *v = realloc(k->v, cap * sizeof *v);

		if (!v) {
			k->oom = 1;
			return 1;
		}
		k->v = v;
		k->cap = cap;
	}
	r = &k->v[k->n++];
	r->id = store__num(row, 2);
	for (i = 0; i < 14; i++) {
		r->cols[i] = strdup(store__text(row, i));
		if (!r->cols[i])
			k->oom = 1;
	}
	return 0;
}

static void versions_keep_free(struct versions_keep *k)
{
	size_t i;
	int j;

	for (i = 0; i < k->n; i++)
		for (j = 0; j < 14; j++)
			free(k->v[i].cols[j]);
	free(k->v);
}

static int store_amend_holder(void *ctx, const struct store_row *row)
{
	store__copy(row, 0, ctx, CODE_MAX);
	return 1;
}

/* Moves record `id` with content `rec` from `from` to rec->subject_code: its versions are
 * re-inserted under the new subject, the content it had is added as one more version,
 * and the row itself is inserted there with the same id. */
static int store_record_move(struct store *s, const char *from, int64_t id,
			     const struct store_record *rec, const struct amend_old *o,
			     struct err *e)
{
	struct store_param key[2] = { STORE_TEXT(from), STORE_NUM(id) };
	struct versions_keep k = { NULL, 0, 0, 0 };
	char now[26];
	long long inserted = 0;
	size_t i;
	int rc = -1;

	store__now(s, now);
	{
		/* Asked first, so that a refused move changes nothing. */
		struct store_param q[3] = { STORE_TEXT(rec->subject_code), STORE_TEXT(o->category),
					    STORE_TEXT(rec->business_key) };
		char holder[CODE_MAX] = "";

		if (store__query(s, SQL_RECORD_OWNER, q, 3, store_amend_holder, holder, NULL,
				 e) < 0)
			goto out;
		if (holder[0]) {
			rc = STORE_AMEND_KEY_TAKEN;
			goto out;
		}
	}
	if (store__query(s, SQL_RECORD_VERSIONS_FULL_OF, key, 2, amend_version_keep, &k, NULL,
			 e) < 0)
		goto out;
	if (k.oom) {
		err_set(e, "internal.error", "内存不足，无法移动信用记录");
		goto out;
	}
	/* The old subject's statement on the record was its own word, not the new
	 * subject's: it goes. */
	if (store__query(s, SQL_RECORD_VERSIONS_DELETE, key, 2, NULL, NULL, NULL, e) < 0 ||
	    store__query(s, SQL_RECORD_DELETE, key, 2, NULL, NULL, NULL, e) < 0 ||
	    store__query(s, SQL_STATEMENT_DELETE, key, 2, NULL, NULL, NULL, e) < 0)
		goto out;
	{
		struct store_param p[13] = {
			STORE_NUM(id),
			STORE_NUM(o->batch_id),
			STORE_TEXT(o->category),
			STORE_TEXT(rec->subject_code),
			STORE_TEXT(o->dept_code),
			STORE_TEXT(rec->business_key),
			STORE_TEXT(rec->data),
			STORE_TEXT(rec->content_hash),
			STORE_TEXT(rec->decision_date),
			STORE_TEXT(rec->publicity_end),
			STORE_NUM(rec->flags),
			STORE_TEXT(o->created_at),
			STORE_TEXT(now),
		};

		if (store__query(s, SQL_COPY_RECORD, p, 13, NULL, NULL, &inserted, e) < 0)
			goto out;
		if (inserted == 0) {
			rc = STORE_AMEND_KEY_TAKEN;
			goto out;
		}
	}
	for (i = 0; i < k.n; i++) {
		struct store_param p[14];
		int j;

		for (j = 0; j < 14; j++) {
			p[j].text = k.v[i].cols[j];
			p[j].is_num = 0;
			p[j].num = 0;
		}
		p[0].text = rec->subject_code;
		/* record_id, id, batch_id and flags are integers. */
		p[1] = (struct store_param)STORE_NUM(id);
		p[2] = (struct store_param)STORE_NUM(k.v[i].id);
		p[5] = (struct store_param)STORE_NUM(strtoll(k.v[i].cols[5], NULL, 10));
		p[11] = (struct store_param)STORE_NUM(strtoll(k.v[i].cols[11], NULL, 10));
		if (store__query(s, SQL_COPY_RECORD_VERSION, p, 14, NULL, NULL, NULL, e) < 0)
			goto out;
	}
	{
		struct store_param p[13] = {
			STORE_TEXT(rec->subject_code), STORE_NUM(id),
			STORE_TEXT(o->category),       STORE_TEXT(o->business_key),
			STORE_NUM(o->batch_id),	       STORE_TEXT(o->dept_code),
			STORE_TEXT(o->data),	       STORE_TEXT(o->content_hash),
			STORE_TEXT(o->decision_date),  STORE_TEXT(o->publicity_end),
			STORE_NUM(o->flags),	       STORE_TEXT(o->updated_at),
			STORE_TEXT(now),
		};

		if (store__query(s, SQL_RECORD_VERSION_ADD, p, 13, NULL, NULL, NULL, e) < 0)
			goto out;
	}
	rc = 1;
out:
	versions_keep_free(&k);
	return rc;
}

int store_record_amend(struct store *s, const char *subject_code, int64_t id,
		       const struct store_record *rec, struct err *e)
{
	struct amend_old o;
	char now[26];
	int rc;

	memset(&o, 0, sizeof o);
	rc = store_record_get(s, id, amend_old_keep, &o, e);
	if (rc < 0)
		goto out;
	if (!o.found || strcmp(o.subject_code, subject_code) != 0) {
		rc = 0;
		goto out;
	}
	if (!o.category || !o.dept_code || !o.business_key || !o.data || !o.content_hash) {
		rc = err_set(e, "internal.error", "内存不足，无法修改信用记录");
		goto out;
	}
	if (strcmp(rec->subject_code, subject_code) != 0) {
		rc = store_record_move(s, subject_code, id, rec, &o, e);
		goto out;
	}
	if (strcmp(rec->business_key, o.business_key) != 0) {
		struct store_param q[3] = { STORE_TEXT(subject_code), STORE_TEXT(o.category),
					    STORE_TEXT(rec->business_key) };
		char holder[CODE_MAX] = "";

		if (store__query(s, SQL_RECORD_OWNER, q, 3, store_amend_holder, holder, NULL,
				 e) < 0) {
			rc = -1;
			goto out;
		}
		if (holder[0]) {
			rc = STORE_AMEND_KEY_TAKEN;
			goto out;
		}
	}
	store__now(s, now);
	{
		struct store_param p[9] = {
			STORE_TEXT(subject_code),	STORE_NUM(id),
			STORE_TEXT(rec->business_key),	STORE_TEXT(rec->data),
			STORE_TEXT(rec->content_hash),	STORE_TEXT(rec->decision_date),
			STORE_TEXT(rec->publicity_end), STORE_NUM(rec->flags),
			STORE_TEXT(now),
		};
		long long changes = 0;

		rc = store__query(s, SQL_RECORD_AMEND, p, 9, NULL, NULL, &changes, e);
		if (rc == 0)
			rc = changes > 0;
	}
out:
	amend_old_free(&o);
	return rc;
}
