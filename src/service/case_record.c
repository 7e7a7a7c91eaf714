/* case_record.c - the record a case is about; see case_record.h. */
#include "case_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/case_rules.h"
#include "core/err.h"
#include "rules.h"

void case_record_free(struct case_record *r)
{
	free(r->business_key);
	free(r->data);
	free(r->content_hash);
	memset(r, 0, sizeof *r);
}

int case_record_keep(void *ctx, const struct store_record *rec)
{
	struct case_record *r = ctx;

	r->found = 1;
	r->id = rec->id;
	r->batch_id = rec->batch_id;
	snprintf(r->subject, sizeof r->subject, "%s", rec->subject_code);
	snprintf(r->dept, sizeof r->dept, "%s", rec->dept_code);
	snprintf(r->category, sizeof r->category, "%s", rec->category);
	r->business_key = strdup(rec->business_key);
	r->data = strdup(rec->data);
	r->content_hash = strdup(rec->content_hash);
	snprintf(r->decision_date, sizeof r->decision_date, "%s", rec->decision_date);
	snprintf(r->publicity_end, sizeof r->publicity_end, "%s", rec->publicity_end);
	r->flags = rec->flags;
	return 1;
}

int case_record_get(struct store *s, int64_t id, int deleted_too, struct case_record *r,
		    struct err *e)
{
	int rc;

	memset(r, 0, sizeof *r);
	rc = store_record_get(s, id, case_record_keep, r, e);
	if (rc < 0)
		return -1;
	if (!r->found || (!deleted_too && (r->flags & STORE_RECORD_DELETED))) {
		case_record_free(r);
		return err_set_field(e, "record.not_found", "record", "信用记录 %lld 不存在",
				     (long long)id);
	}
	if (!r->business_key || !r->data || !r->content_hash) {
		case_record_free(r);
		return err_set(e, "internal.error", "内存不足");
	}
	return 0;
}

int case_record_target(struct store *s, const json_t *body, const char *what,
		       struct store_case *c, struct err *e)
{
	const json_t *record = json_object_get(body, "record");
	struct case_record r;

	if (!json_is_integer(record) || json_integer_value(record) <= 0)
		return err_set_field(e, "request.invalid", "record",
				     "请填写要%s的信用记录编号（record，正整数）", what);
	if (case_record_get(s, json_integer_value(record), 0, &r, e) < 0)
		return -1;
	snprintf(c->subject_code, sizeof c->subject_code, "%s", r.subject);
	c->record_id = r.id;
	case_record_free(&r);
	return 0;
}

int case_record_rewrite(struct store *s, const struct case_record *r, int flags,
			const char *publicity_end, struct err *e)
{
	struct store_record rec;
	int rc;

	memset(&rec, 0, sizeof rec);
	rec.category = r->category;
	rec.subject_code = r->subject;
	rec.dept_code = r->dept;
	rec.business_key = r->business_key;
	rec.data = r->data;
	rec.content_hash = r->content_hash;
	rec.decision_date = r->decision_date;
	rec.publicity_end = publicity_end;
	rec.flags = flags;
	rc = store_record_amend(s, r->subject, r->id, &rec, e);
	if (rc == 0)
		return err_set(e, "record.not_found", "信用记录 %lld 不存在", (long long)r->id);
	return rc < 0 ? -1 : 0;
}

const struct case_state *case_rules_cache_state(struct case_rules_cache *rc,
						const struct store_case *c, struct err *e)
{
	if (!rc->rules || strcmp(rc->kind, c->kind) != 0 || strcmp(rc->from, c->rules_from) != 0) {
		case_rules_free(rc->rules);
		rc->rules = NULL;
		if (rules_of_case(rc->s, c->kind, c->rules_from, &rc->rules, e) < 0)
			return NULL;
		snprintf(rc->kind, sizeof rc->kind, "%s", c->kind);
		snprintf(rc->from, sizeof rc->from, "%s", c->rules_from);
	}
	return case_rules_state(rc->rules, c->status);
}

int case_state_under_way(const struct case_state *st)
{
	return st && !st->final && st->party != CASE_TURN_APPLICANT;
}

struct open_case {
	int64_t record_id, except, found;
	struct case_rules_cache rc;
	struct err *e;
	int failed;
};

static int open_case_row(void *ctx, const struct store_case *c)
{
	struct open_case *o = ctx;
	const struct case_state *st;

	if (c->record_id != o->record_id || c->id == o->except)
		return 0;
	st = case_rules_cache_state(&o->rc, c, o->e);
	if (!st && o->rc.rules == NULL) {
		o->failed = 1;
		return 1;
	}
	if (case_state_under_way(st)) {
		o->found = c->id;
		return 1;
	}
	return 0;
}

int case_open_on_record(struct store *s, const char *subject, const char *kind,
			int64_t record_id, int64_t except, int64_t *found, struct err *e)
{
	struct store_case_filter f;
	struct open_case open;
	int rc = 0;

	*found = 0;
	if (store_case_lock(s, subject, e) < 0)
		return -1;
	memset(&f, 0, sizeof f);
	f.subject_code = subject;
	f.kind = kind;
	f.limit = 1000;
	memset(&open, 0, sizeof open);
	open.record_id = record_id;
	open.except = except;
	open.rc.s = s;
	open.e = e;
	if (store_case_list(s, &f, open_case_row, &open, e) < 0 || open.failed)
		rc = -1;
	case_rules_free(open.rc.rules);
	*found = open.found;
	return rc;
}
