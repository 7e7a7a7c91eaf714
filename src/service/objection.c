/* objection.c - objections, the engine's first kind; see objection.h. */
#include "objection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_record.h"
#include "catalogs.h"
#include "core/case_rules.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/date.h"
#include "core/err.h"
#include "core/json_input.h"
#include "core/publicity_period.h"
#include "ingest/prepare.h"
#include "principal.h"
#include "rules.h"

#define OBJECTION_TEXT_MAX_CHARS 2000
#define OBJECTION_CONTACT_MAX_CHARS 100
#define OBJECTION_REASON_MAX_CHARS 500

static const char *const GROUNDS[] = { "error", "omission", "duplicate", "past_publicity",
				       "wrongly_listed", "other", NULL };
static const char *const OUTCOMES[] = { "correct", "supplement", "delete", "stop_publicity",
					"remove_from_list", "reject", NULL };

static int objection_listed(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* ---- the record an objection is about --------------------------------------------- */

/* ---- filing ----------------------------------------------------------------------- */

static const char *const FILE_MEMBERS[] = { "kind", "record", "grounds", "text", "contact",
					    "note", NULL };

/* The record a filing names, and so its subject. */
static int objection_target(const struct case_ctx *x, const json_t *body, struct store_case *c,
			    struct err *e)
{
	return case_record_target(x->s, body, "提出异议", c, e);
}

static int objection_file(const struct case_ctx *x, const json_t *body, struct store_case *c,
			  struct err *e)
{
	const char *grounds = NULL, *text = NULL, *contact = NULL;
	struct case_record r;
	int64_t open;
	json_t *data;

	if (json_input_only(body, FILE_MEMBERS, e) < 0)
		return -1;
	if (json_input_string(body, "grounds", JSON_INPUT_REQUIRED, 32, &grounds, e) < 0)
		return -1;
	if (!objection_listed(GROUNDS, grounds))
		return err_set_field(e, "request.invalid", "grounds",
				     "异议理由“%s”无法识别：请选择 error（信息错误）、omission（信息遗漏）、"
				     "duplicate（信息重复）、past_publicity（超过公示期限）、"
				     "wrongly_listed（不应列入名单）或 other（其他）",
				     grounds);
	if (json_input_string(body, "text", JSON_INPUT_REQUIRED, OBJECTION_TEXT_MAX_CHARS, &text,
			      e) < 0 ||
	    json_input_string(body, "contact", 0, OBJECTION_CONTACT_MAX_CHARS, &contact, e) < 0)
		return -1;
	if (case_record_get(x->s, c->record_id, 0, &r, e) < 0)
		return -1;
	/* One objection at a time per record: a second would race the first's decision. */
	if (case_open_on_record(x->s, r.subject, "objection", r.id, 0, &open, e) < 0) {
		case_record_free(&r);
		return -1;
	}
	if (open) {
		case_record_free(&r);
		return err_set(e, "case.already_open",
			       "该信用记录已有正在办理的异议（申请 %lld）：请在“我的申请”中查看进度",
			       (long long)open);
	}
	data = json_pack("{s:s, s:s, s:s?, s:s, s:s}", "grounds", grounds, "text", text,
			 "contact", contact, "category", r.category, "record_dept", r.dept);
	c->dept_code[0] = '\0'; /* the platform accepts it first */
	c->data = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	case_record_free(&r);
	return c->data ? 0 : err_set(e, "internal.error", "内存不足");
}

/* ---- outcomes --------------------------------------------------------------------- */

/* What a decision asks for, read from the body. */
struct decision {
	const char *outcome;
	const char *reason;
	const json_t *fields; /* object, or NULL */
};

/* A field's value as the pipeline would have read it from a file: text. */
static char *objection_raw_value(const json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

/* The record's content with the decision's fields over it, prepared like a row of a new
 * submission (cleaned, validated, keyed, hashed, its publicity judged): 0 and *out, or
 * -1 with the first problem that rejects it (400, naming the field). */
static int objection_prepare(const struct case_ctx *x, const struct category *cat,
			     const json_t *content, struct prepared_row *out, struct err *e)
{
	struct code_options opts = { CODE_KIND_AUTO, store_code_exception_has, x->s };
	struct publicity_regimes regimes = { NULL, 0 };
	struct preparer p;
	char **raw;
	size_t i;
	int rc = -1;

	if (cat->publicity_by_rules && rules_publicity_regimes(x->s, &regimes, e) < 0)
		return -1;
	if (!(raw = calloc(cat->nfields ? cat->nfields : 1, sizeof *raw))) {
		publicity_regimes_free(&regimes);
		return err_set(e, "internal.error", "内存不足");
	}
	for (i = 0; i < cat->nfields; i++)
		raw[i] = objection_raw_value(json_object_get(content, cat->fields[i].id));
	if (preparer_init_values(&p, cat, &opts, e) < 0)
		goto out;
	p.regimes = &regimes;
	rc = preparer_values(&p, (const char *const *)raw, 1, out, e);
	preparer_free(&p);
	if (rc == 0 && out->kind != PREPARED_RECORD) {
		const struct prepared_problem *pr = out->nproblems ? &out->problems[0] : NULL;

		rc = pr ? err_set_field(e, pr->reason, prepared_str(out, pr->field),
					"更正后的记录不能通过校验：%s", prepared_str(out, pr->message)) :
			  err_set(e, "request.invalid", "更正后的记录不能通过校验");
	}
out:
	for (i = 0; i < cat->nfields; i++)
		free(raw[i]);
	free(raw);
	publicity_regimes_free(&regimes);
	return rc;
}

/* Rewrites the record with prepared content, moving it to the subject the content names
 * when that is another (a linking error corrected): the subject is registered first when
 * the platform does not know it. */
static int objection_rewrite(const struct case_ctx *x, const struct case_record *r,
			     const struct prepared_row *row, int flags, struct err *e)
{
	struct store_record rec;
	const char *code = prepared_str(row, row->code);
	int rc;

	if (strcmp(code, r->subject) != 0) {
		struct store_subject subj;
		int found = store_subject_get(x->s, code, &subj, e);

		if (found < 0)
			return -1;
		store_subject_clear(&subj);
		if (!found) {
			memset(&subj, 0, sizeof subj);
			snprintf(subj.code, sizeof subj.code, "%s", code);
			snprintf(subj.kind, sizeof subj.kind, "%s", prepared_str(row, row->kind_name));
			snprintf(subj.subject_type, sizeof subj.subject_type, "%s",
				 prepared_str(row, row->subject_type));
			snprintf(subj.region_code, sizeof subj.region_code, "%s",
				 prepared_str(row, row->region));
			subj.name = (char *)prepared_str(row, row->name);
			if (store_subject_insert(x->s, &subj, e) < 0)
				return -1;
		}
	}
	memset(&rec, 0, sizeof rec);
	rec.category = r->category;
	rec.subject_code = code;
	rec.dept_code = r->dept;
	rec.business_key = prepared_str(row, row->key);
	rec.data = prepared_str(row, row->data);
	rec.content_hash = prepared_str(row, row->hash);
	rec.decision_date = prepared_str(row, row->decision_date);
	rec.publicity_end = prepared_str(row, row->publicity_end);
	/* The corrected content is classed and dated anew; the other bits stay. */
	rec.flags = (flags & ~STORE_RECORD_PUBLICITY_BITS) | row->flags;
	rc = store_record_amend(x->s, r->subject, r->id, &rec, e);
	if (rc == 0)
		return err_set(e, "record.not_found", "信用记录 %lld 不存在", (long long)r->id);
	if (rc == STORE_AMEND_KEY_TAKEN)
		return err_set_field(e, "case.conflict", "fields",
				     "更正后的记录与已有的另一条记录重复（同一主体、同一业务编号）："
				     "请改用“删除”处理重复记录");
	return rc < 0 ? -1 : 0;
}

/* correct, supplement and remove_from_list: fields over the content, judged again. */
static int objection_refill(const struct case_ctx *x, const struct case_record *r,
			    const struct decision *d, struct err *e)
{
	struct category *cat = NULL;
	struct prepared_row row;
	json_t *content = json_loads(r->data, 0, NULL);
	const char *id;
	json_t *v;
	int rc = -1;

	prepared_row_init(&row);
	if (!content || !json_is_object(content)) {
		json_decref(content);
		return err_set(e, "internal.error", "信用记录 %lld 的内容无法读取", (long long)r->id);
	}
	if (catalogs_load(x->s, r->category, &cat, e) < 0)
		goto out;
	if (strcmp(d->outcome, "remove_from_list") == 0) {
		if (!cat->group || (!strstr(cat->group, "名单") && !strstr(cat->group, "名录")) ||
		    cat->publicity_end < 0) {
			rc = err_set_field(e, "request.invalid", "outcome",
					   "这条记录（%s）不是名单信息，不能“移出名单”：请改用“停止公示”或“删除”",
					   cat->name);
			goto out;
		}
		json_object_set_new(content, cat->fields[cat->publicity_end].id,
				    json_string(x->today));
	}
	json_object_foreach ((json_t *)d->fields, id, v) {
		int i = catalog_field_index(cat, id);
		const json_t *old = json_object_get(content, id);

		if (i < 0) {
			rc = err_set_field(e, "request.invalid", "fields",
					   "“%s”不是%s的字段：请使用记录中列出的字段编号", id, cat->name);
			goto out;
		}
		if (!json_is_string(v) && !json_is_null(v)) {
			rc = err_set_field(e, "request.invalid", "fields",
					   "字段“%s”（%s）的新值须是文字", id, cat->fields[i].name);
			goto out;
		}
		if (strcmp(d->outcome, "supplement") == 0 && old && !json_is_null(old) &&
		    !(json_is_string(old) && !json_string_length(old))) {
			rc = err_set_field(e, "request.invalid", "fields",
					   "字段“%s”（%s）已有内容，补充只能填写空缺的字段：要修改请选择“更正”",
					   id, cat->fields[i].name);
			goto out;
		}
		json_object_set(content, id, v);
	}
	if (objection_prepare(x, cat, content, &row, e) < 0 ||
	    objection_rewrite(x, r, &row, r->flags & ~STORE_RECORD_DELETED, e) < 0)
		goto out;
	rc = 0;
out:
	prepared_row_free(&row);
	catalog_free(cat);
	json_decref(content);
	return rc;
}

/* Applies an outcome to the record (one function per outcome, as objection.h lists). */
static int objection_apply(const struct case_ctx *x, const struct case_record *r,
			   const struct decision *d, struct err *e)
{
	if (strcmp(d->outcome, "reject") == 0)
		return 0;
	if (strcmp(d->outcome, "delete") == 0)
		return case_record_rewrite(x->s, r, r->flags | STORE_RECORD_DELETED,
					      r->publicity_end, e);
	if (strcmp(d->outcome, "stop_publicity") == 0) {
		struct date today;
		char yesterday[11];

		/* The end date is the last day shown (core/publicity.h): yesterday's end takes
		 * the record out of publicity from today. */
		if (date_parse_iso(x->today, &today) < 0)
			return err_set(e, "internal.error", "今天的日期无法识别");
		date_format(date_from_days(date_to_days(today) - 1), yesterday);
		return case_record_rewrite(x->s, r, r->flags, yesterday, e);
	}
	return objection_refill(x, r, d, e);
}

static int objection_decide(const struct case_ctx *x, const json_t *body, struct store_case *c,
			    json_t **detail, struct err *e)
{
	struct case_record r;
	struct decision d = { NULL, NULL, json_object_get(body, "fields") };
	int needs_fields;
	json_t *outcome;
	char actor[96], at[26];

	if (json_input_string(body, "outcome", JSON_INPUT_REQUIRED, 32, &d.outcome, e) < 0)
		return -1;
	if (!objection_listed(OUTCOMES, d.outcome))
		return err_set_field(e, "request.invalid", "outcome",
				     "处理结果“%s”无法识别：请选择 correct（更正）、supplement（补充）、"
				     "delete（删除）、stop_publicity（停止公示）、remove_from_list（移出名单）"
				     "或 reject（驳回异议）",
				     d.outcome);
	if (json_input_string(body, "reason", strcmp(d.outcome, "reject") == 0 ?
						   JSON_INPUT_REQUIRED : 0,
			      OBJECTION_REASON_MAX_CHARS, &d.reason, e) < 0)
		return strcmp(e->field, "reason") == 0 && !json_object_get(body, "reason") ?
			       err_set_field(e, "request.invalid", "reason",
					     "驳回异议须说明理由（reason），申请人会看到它") :
			       -1;
	needs_fields = strcmp(d.outcome, "correct") == 0 || strcmp(d.outcome, "supplement") == 0;
	if (d.fields && json_is_null(d.fields))
		d.fields = NULL;
	if (d.fields && !json_is_object(d.fields))
		return err_set_field(e, "request.invalid", "fields",
				     "fields 须是对象：{字段编号: 新值}");
	if (needs_fields && (!d.fields || json_object_size(d.fields) == 0))
		return err_set_field(e, "request.invalid", "fields",
				     "“%s”须在 fields 中写明要改的字段和新值，如 {\"amount\": \"5000\"}",
				     strcmp(d.outcome, "correct") == 0 ? "更正" : "补充");
	if (!needs_fields && d.fields && json_object_size(d.fields) > 0)
		return err_set_field(e, "request.invalid", "fields",
				     "只有“更正”和“补充”可以修改字段：其他处理结果请不要填写 fields");
	if (case_record_get(x->s, c->record_id, 1, &r, e) < 0)
		return -1;
	if (objection_apply(x, &r, &d, e) < 0) {
		case_record_free(&r);
		return -1;
	}
	case_record_free(&r);
	principal_actor(x->who, actor, sizeof actor);
	clock_timestamp(at);
	outcome = json_pack("{s:s, s:s?, s:O?, s:s, s:s}", "outcome", d.outcome, "reason",
			    d.reason, "fields", d.fields, "decided_at", at, "by", actor);
	free(c->outcome);
	c->outcome = outcome ? json_dumps(outcome, JSON_COMPACT) : NULL;
	*detail = json_pack("{s:s, s:s?, s:O?}", "outcome", d.outcome, "reason", d.reason,
			    "fields", d.fields);
	json_decref(outcome);
	return c->outcome ? 0 : err_set(e, "internal.error", "内存不足");
}

/* ---- the steps -------------------------------------------------------------------- */

static const char *const ACT_MEMBERS[] = { "note", "reason", "outcome", "fields", NULL };

/* The department that holds the record now: where a forwarded case goes. */
static int objection_route(const struct case_ctx *x, struct store_case *c, struct err *e)
{
	struct case_record r;

	if (case_record_get(x->s, c->record_id, 1, &r, e) < 0)
		return -1;
	snprintf(c->dept_code, sizeof c->dept_code, "%s", r.dept);
	case_record_free(&r);
	return 0;
}

static int objection_act(const struct case_ctx *x, const struct case_transition *t,
			 const json_t *body, struct store_case *c, json_t **detail,
			 struct err *e)
{
	const char *reason = NULL;

	if (body && json_input_only(body, ACT_MEMBERS, e) < 0)
		return -1;
	if (strcmp(t->action, "decide") == 0)
		return objection_decide(x, body, c, detail, e);
	if (body && json_input_string(body, "reason", 0, OBJECTION_REASON_MAX_CHARS, &reason, e) < 0)
		return -1;
	if (reason)
		*detail = json_pack("{s:s}", "reason", reason);
	if (strcmp(t->action, "review") == 0) {
		/* The decision under review stays in the history; the case waits for a new
		 * one. */
		c->reviews++;
		free(c->outcome);
		c->outcome = strdup("");
		if (!c->outcome)
			return err_set(e, "internal.error", "内存不足");
	}
	if (strcmp(t->action, "refuse") == 0 && reason) {
		json_t *outcome = json_pack("{s:s, s:s}", "outcome", "refused", "reason", reason);

		free(c->outcome);
		c->outcome = outcome ? json_dumps(outcome, JSON_COMPACT) : NULL;
		json_decref(outcome);
		if (!c->outcome)
			return err_set(e, "internal.error", "内存不足");
	}
	/* Into a department's hands: the department that holds the record now. */
	if (t->to->party == CASE_TURN_DEPT)
		return objection_route(x, c, e);
	return 0;
}

/* The subject's name beside its code, for lists that show whose case it is. */
static int objection_describe(const struct case_ctx *x, const struct store_case *c,
			      json_t *doc, struct err *e)
{
	struct store_subject subj;
	int found = store_subject_get(x->s, c->subject_code, &subj, e);

	if (found < 0)
		return -1;
	if (found && subj.name)
		json_object_set_new(doc, "subject_name", json_string(subj.name));
	store_subject_clear(&subj);
	return 0;
}

/* ---- a re-submission during the case ------------------------------------------------ */

/* What a batch found of the records open objections are about. */
struct resubmit_ctx {
	const struct case_ctx *x;
	const struct store_batch *b;
	struct store_case *open; /* copies of the cases under way (few) */
	size_t n, cap;
	int oom;
	struct case_rules_cache rc;
	struct err *e;
	int failed;
};

static int objection_collect_open(void *ctx, const struct store_case *c)
{
	struct resubmit_ctx *r = ctx;
	struct store_case *grown;
	const struct case_state *st;

	if (!c->record_id)
		return 0;
	st = case_rules_cache_state(&r->rc, c, r->e);
	if (!st && !r->rc.rules) {
		r->failed = 1;
		return 1;
	}
	if (!case_state_under_way(st))
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		grown = realloc(r->open, cap * sizeof *grown);
		if (!grown) {
			r->oom = 1;
			return 1;
		}
		r->open = grown;
		r->cap = cap;
	}
	r->open[r->n] = *c;
	/* Only the fixed members are used: the borrowed texts are dropped. */
	r->open[r->n].data = NULL;
	r->open[r->n].outcome = NULL;
	r->n++;
	return 0;
}

struct field_diff {
	json_t *now;
	json_t *changed;
	int seen;
};

/* The fields whose values differ between the newest earlier version and now. */
static int objection_diff_version(void *ctx, const struct store_record_version *v)
{
	struct field_diff *d = ctx;
	json_t *before = json_loads(v->data, 0, NULL);
	const char *key;
	json_t *value;

	d->seen = 1;
	json_object_foreach (d->now, key, value)
		if (!json_equal(value, json_object_get(before, key)))
			json_array_append_new(d->changed, json_string(key));
	json_object_foreach (before, key, value)
		if (!json_object_get(d->now, key))
			json_array_append_new(d->changed, json_string(key));
	json_decref(before);
	return 1; /* the newest only */
}

/* Records, in the batch's transaction, each open objection whose record this batch
 * rewrote: the mark stays, and the case's history says what changed. */
static int objection_on_batch(const struct case_ctx *x, const struct store_batch *b,
			      struct err *e)
{
	struct resubmit_ctx r;
	struct store_case_filter f;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof r);
	r.x = x;
	r.b = b;
	if (b->accepted == 0)
		return 0;
	memset(&f, 0, sizeof f);
	f.kind = "objection";
	f.limit = 100000;
	r.rc.s = x->s;
	r.e = e;
	if (store_case_list(x->s, &f, objection_collect_open, &r, e) < 0 || r.failed)
		goto out;
	if (r.oom) {
		err_set(e, "internal.error", "内存不足");
		goto out;
	}
	for (i = 0; i < r.n; i++) {
		struct case_record rec;
		struct field_diff d;
		json_t *detail;
		int found;

		memset(&rec, 0, sizeof rec);
		found = store_record_get(x->s, r.open[i].record_id, case_record_keep, &rec, e);
		if (found < 0)
			goto out;
		if (!found || rec.batch_id != b->id || !rec.data) {
			case_record_free(&rec);
			continue;
		}
		d.now = json_loads(rec.data, 0, NULL);
		d.changed = json_array();
		d.seen = 0;
		if (d.now && store_record_versions(x->s, rec.subject, rec.id, objection_diff_version,
						   &d, e) < 0) {
			json_decref(d.now);
			json_decref(d.changed);
			case_record_free(&rec);
			goto out;
		}
		detail = json_pack("{s:I, s:o}", "batch", (json_int_t)b->id, "fields", d.changed);
		json_decref(d.now);
		case_record_free(&rec);
		found = cases_add_event(x, &r.open[i], "resubmit", detail, e);
		json_decref(detail);
		if (found < 0)
			goto out;
	}
	rc = 0;
out:
	case_rules_free(r.rc.rules);
	free(r.open);
	return rc;
}

const struct case_kind objection_kind = {
	.kind = "objection",
	.target = objection_target,
	.file = objection_file,
	.act = objection_act,
	.describe = objection_describe,
	.on_batch = objection_on_batch,
};

/* ---- dispute marks ---------------------------------------------------------------- */

struct disputes_ctx {
	int (*cb)(void *ctx, int64_t record_id, int64_t case_id);
	void *ctx;
	struct case_rules_cache rc;
	struct err *e;
	int failed;
};

static int objection_dispute_row(void *ctx, const struct store_case *c)
{
	struct disputes_ctx *d = ctx;
	const struct case_state *st;

	if (!c->record_id)
		return 0;
	st = case_rules_cache_state(&d->rc, c, d->e);
	if (!st && !d->rc.rules) {
		d->failed = 1;
		return 1;
	}
	if (st && st->marks_record)
		return d->cb(d->ctx, c->record_id, c->id);
	return 0;
}

int objection_disputes_of_subject(struct store *s, const char *subject_code,
				  int (*cb)(void *ctx, int64_t record_id, int64_t case_id),
				  void *ctx, struct err *e)
{
	struct store_case_filter f;
	struct disputes_ctx d;
	int rc;

	memset(&d, 0, sizeof d);
	d.cb = cb;
	d.ctx = ctx;
	d.rc.s = s;
	d.e = e;
	memset(&f, 0, sizeof f);
	f.subject_code = subject_code;
	f.kind = "objection";
	f.limit = 1000;
	rc = store_case_list(s, &f, objection_dispute_row, &d, e);
	case_rules_free(d.rc.rules);
	return rc < 0 || d.failed ? -1 : 0;
}
