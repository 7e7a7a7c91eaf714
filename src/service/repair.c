/* repair.c - credit repair, a kind of case; see repair.h. */
#include "repair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case_record.h"
#include "catalogs.h"
#include "core/case_rules.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/json_input.h"
#include "core/publicity_period.h"
#include "core/workday.h"
#include "principal.h"
#include "record_publicity.h"
#include "rules.h"

#define REPAIR_TEXT_MAX_CHARS 2000
#define REPAIR_CONTACT_MAX_CHARS 100
#define REPAIR_REASON_MAX_CHARS 500

const char REPAIR_COMMITMENT_TEXT[] =
	"本主体承诺：已纠正失信行为、履行相关法定义务；所提交的申请材料真实、准确、完整；"
	"如有虚假，自愿接受撤销信用修复、一年内不得再次申请及依法依规采取的其他惩戒措施。";

/* ---- eligibility ------------------------------------------------------------------ */

/* What repair_check found: each reason at most once, in the order checked. */
struct repair_verdict {
	const char *reasons[6];
	size_t n;
	char eligible_from[11]; /* the latest of the dates that lift time limits */
	int never;              /* a reason no date lifts */
};

static void verdict_add(struct repair_verdict *v, const char *reason, const char *from)
{
	v->reasons[v->n++] = reason;
	if (!from)
		v->never = 1;
	else if (strcmp(from, v->eligible_from) > 0)
		snprintf(v->eligible_from, sizeof v->eligible_from, "%s", from);
}

static const char *repair_message(const char *reason)
{
	if (strcmp(reason, "repair.too_early") == 0)
		return "最短公示期未满，期满后方可申请信用修复";
	if (strcmp(reason, "repair.not_allowed") == 0)
		return "该类处罚（如吊销、责令停产停业、责令关闭、限制从业、降低资质等级）不适用"
		       "提前修复，公示期满后自动停止公示";
	if (strcmp(reason, "repair.pending") == 0)
		return "该记录已有正在办理的信用修复申请，请在“我的申请”中查看进度";
	if (strcmp(reason, "repair.too_frequent") == 0)
		return "一年内已获准信用修复（或该记录的修复被撤销），届时方可再次申请";
	if (strcmp(reason, "repair.already_repaired") == 0)
		return "该记录已完成信用修复，不再公示";
	return "";
}

/* Walks the subject's repair cases for the repeat limit. */
struct repeat_walk {
	int64_t record_id, except;
	const char *since; /* YYYY-MM-DD: approvals on or after it count */
	int months;
	char until[11];    /* the day after which the subject may apply again */
};

static int repeat_row(void *ctx, const struct store_case *c)
{
	struct repeat_walk *w = ctx;
	json_t *o = c->outcome && *c->outcome ? json_loads(c->outcome, 0, NULL) : NULL;
	const char *outcome = json_string_value(json_object_get(o, "outcome"));
	const char *at = json_string_value(json_object_get(o, "decided_at"));
	const char *revoked = json_string_value(json_object_get(o, "revoked_at"));
	struct date d;

	/* An approval counts against the subject; a revocation against the record, from
	 * the day it was revoked. */
	if (c->id != w->except && outcome && strcmp(outcome, "approve") == 0 && at) {
		const char *from = revoked && c->record_id == w->record_id ? revoked : at;
		char day[11], next[11];

		snprintf(day, sizeof day, "%.10s", from);
		if (date_parse_iso(day, &d) == 0 && strcmp(day, w->since) >= 0) {
			date_format(date_add_months(d, w->months), next);
			if (strcmp(next, w->until) > 0)
				snprintf(w->until, sizeof w->until, "%s", next);
		}
	}
	json_decref(o);
	return 0;
}

/* The checks of repair.h on record r for a case other than `except` (0 when asking or
 * filing), inside the caller's transaction. */
static int repair_check(struct store *s, const char *today, const struct case_record *r,
			int64_t except, struct repair_verdict *v, struct err *e)
{
	struct publicity_regimes regimes = { NULL, 0 };
	struct case_rules *rules = NULL;
	struct category *cat = NULL;
	struct record_publicity facts;
	struct store_case_filter f;
	struct repeat_walk w;
	struct date d;
	int64_t open;
	char since[11];
	int rc = -1;

	memset(v, 0, sizeof *v);
	if (catalogs_load(s, r->category, &cat, e) < 0 ||
	    rules_in_force(s, "repair", today, &rules, e) < 0)
		goto out;
	if (r->flags & STORE_RECORD_REPAIRED) {
		verdict_add(v, "repair.already_repaired", NULL);
		rc = 0;
		goto out;
	}
	if (cat->nature != NATURE_NEGATIVE)
		verdict_add(v, "repair.not_allowed", NULL);
	if (cat->publicity_by_rules) {
		json_t *data = json_loads(r->data, 0, NULL);
		const char *types = cat->publicity_types >= 0 ?
			json_string_value(json_object_get(data, cat->fields[cat->publicity_types].id)) :
			NULL;

		if (rules_publicity_regimes(s, &regimes, e) < 0) {
			json_decref(data);
			goto out;
		}
		record_publicity_of(&regimes, r->decision_date, r->flags, &facts);
		if (facts.regime && publicity_types_forbid_repair(facts.regime, types))
			verdict_add(v, "repair.not_allowed", NULL);
		json_decref(data);
		if (facts.regime && strcmp(today, facts.repairable_from) < 0)
			verdict_add(v, "repair.too_early", facts.repairable_from);
	}
	if (case_open_on_record(s, r->subject, "repair", r->id, except, &open, e) < 0)
		goto out;
	if (open)
		verdict_add(v, "repair.pending", NULL);
	if (rules->repeat_months > 0 && date_parse_iso(today, &d) == 0) {
		date_format(date_add_months(d, -rules->repeat_months), since);
		memset(&w, 0, sizeof w);
		w.record_id = r->id;
		w.except = except;
		w.since = since;
		w.months = rules->repeat_months;
		memset(&f, 0, sizeof f);
		f.subject_code = r->subject;
		f.kind = "repair";
		f.limit = 1000;
		if (store_case_list(s, &f, repeat_row, &w, e) < 0)
			goto out;
		if (w.until[0] && strcmp(today, w.until) < 0)
			verdict_add(v, "repair.too_frequent", w.until);
	}
	rc = 0;
out:
	publicity_regimes_free(&regimes);
	case_rules_free(rules);
	catalog_free(cat);
	return rc;
}

/* The first reason as the error of a filing or a decision. */
static int repair_refuse(const struct repair_verdict *v, struct err *e)
{
	const char *reason = v->reasons[0];

	if (strcmp(reason, "repair.too_early") == 0 || strcmp(reason, "repair.too_frequent") == 0)
		return err_set_field(e, reason, "record", "%s（%s 起可申请）", repair_message(reason),
				     v->never ? "暂无日期" : v->eligible_from);
	return err_set_field(e, reason, "record", "%s", repair_message(reason));
}

static json_t *verdict_json(const struct repair_verdict *v)
{
	json_t *reasons = json_array(), *messages = json_array();

	for (size_t i = 0; i < v->n; i++) {
		json_array_append_new(reasons, json_string(v->reasons[i]));
		json_array_append_new(messages, json_string(repair_message(v->reasons[i])));
	}
	return json_pack("{s:b, s:s?, s:o, s:o, s:s}", "eligible", v->n == 0, "eligible_from",
			 v->never ? NULL : v->n == 0 ? NULL : v->eligible_from, "reasons", reasons,
			 "messages", messages, "commitment_text", REPAIR_COMMITMENT_TEXT);
}

int repair_eligibility(struct store *s, const struct principal *who, int64_t id, json_t **out,
		       struct err *e)
{
	struct access_target t = { NULL, NULL };
	struct repair_verdict v;
	struct case_record r;
	char today[11];
	int rc = -1;

	*out = NULL;
	clock_today(today);
	if (store_begin(s, e) < 0)
		return -1;
	if (case_record_get(s, id, 0, &r, e) < 0)
		goto out;
	t.subject_code = r.subject;
	/* Only whoever may file for the subject learns about its record; to anyone else
	 * the record does not exist, as a repaired one must not. */
	if (!access_may(who, ACCESS_CASE_FILE, &t) ||
	    ((r.flags & STORE_RECORD_REPAIRED) && !who->subject_code[0] &&
	     !access_may(who, ACCESS_CASE_ACT_OPERATOR, NULL))) {
		err_set(e, "record.not_found", "信用记录 %lld 不存在", (long long)id);
		case_record_free(&r);
		goto out;
	}
	if (repair_check(s, today, &r, 0, &v, e) == 0 && (*out = verdict_json(&v)))
		rc = 0;
	case_record_free(&r);
out:
	store_rollback(s);
	return rc;
}

/* ---- filing ----------------------------------------------------------------------- */

static const char *const FILE_MEMBERS[] = { "kind", "record", "text", "commitment", "contact",
					    "note", NULL };

static int repair_target(const struct case_ctx *x, const json_t *body, struct store_case *c,
			 struct err *e)
{
	return case_record_target(x->s, body, "申请信用修复", c, e);
}

static int repair_file(const struct case_ctx *x, const json_t *body, struct store_case *c,
		       struct err *e)
{
	const char *text = NULL, *contact = NULL;
	const json_t *commitment = json_object_get(body, "commitment");
	struct repair_verdict v;
	struct case_record r;
	json_t *data;

	if (json_input_only(body, FILE_MEMBERS, e) < 0 ||
	    json_input_string(body, "text", JSON_INPUT_REQUIRED, REPAIR_TEXT_MAX_CHARS, &text,
			      e) < 0 ||
	    json_input_string(body, "contact", 0, REPAIR_CONTACT_MAX_CHARS, &contact, e) < 0)
		return -1;
	if (!json_is_true(commitment))
		return err_set_field(e, "repair.commitment_required", "commitment",
				     "申请信用修复须签署信用承诺：请阅读承诺书后勾选同意"
				     "（commitment: true）");
	if (case_record_get(x->s, c->record_id, 0, &r, e) < 0)
		return -1;
	if (repair_check(x->s, x->today, &r, 0, &v, e) < 0) {
		case_record_free(&r);
		return -1;
	}
	if (v.n) {
		case_record_free(&r);
		return repair_refuse(&v, e);
	}
	data = json_pack("{s:s, s:s?, s:b, s:s, s:s, s:s}", "text", text, "contact", contact,
			 "commitment", 1, "commitment_text", REPAIR_COMMITMENT_TEXT, "category",
			 r.category, "record_dept", r.dept);
	c->dept_code[0] = '\0'; /* the platform's window takes it first */
	c->data = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	case_record_free(&r);
	return c->data ? 0 : err_set(e, "internal.error", "内存不足");
}

/* ---- the steps -------------------------------------------------------------------- */

static const char *const ACT_MEMBERS[] = { "note", "reason", "outcome", NULL };

/* Sets member `key` of the case's data (a JSON object text) to `value` (taken). */
static int repair_data_set(struct store_case *c, const char *key, json_t *value, struct err *e)
{
	json_t *data = c->data && *c->data ? json_loads(c->data, 0, NULL) : json_object();
	char *text;

	if (!data || !value || json_object_set_new(data, key, value) < 0) {
		json_decref(data);
		return err_set(e, "internal.error", "内存不足");
	}
	text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (!text)
		return err_set(e, "internal.error", "内存不足");
	free(c->data);
	c->data = text;
	return 0;
}

/* The applicant's result is due result_days working days after acceptance. */
static int repair_date_result(const struct case_ctx *x, struct store_case *c, struct err *e)
{
	struct case_rules *rules;
	struct date today, due;
	char text[11];
	int rc;

	if (rules_of_case(x->s, c->kind, c->rules_from, &rules, e) < 0)
		return -1;
	rc = rules->result_days;
	case_rules_free(rules);
	if (rc < 0)
		return 0;
	if (date_parse_iso(x->today, &today) < 0 || workday_add(x->cal, today, rc, &due, NULL) < 0)
		return err_set(e, "internal.error", "无法计算办结期限");
	date_format(due, text);
	return repair_data_set(c, "result_due", json_string(text), e);
}

/* Whether a department is on the platform: it has an account. */
static int repair_dept_row(void *ctx, const struct store_user *u)
{
	*(int *)ctx = 1;
	return 1;
}

/* 谁认定谁修复: the record's 处罚机关 when it is on the platform, else its provider. */
static int repair_route(const struct case_ctx *x, struct store_case *c, struct err *e)
{
	struct case_record r;
	const char *authority = NULL;
	json_t *data;
	int on = 0;

	if (case_record_get(x->s, c->record_id, 1, &r, e) < 0)
		return -1;
	snprintf(c->dept_code, sizeof c->dept_code, "%s", r.dept);
	data = json_loads(r.data, 0, NULL);
	authority = json_string_value(json_object_get(data, "authority_code"));
	if (authority && *authority && strcmp(authority, r.dept) != 0) {
		if (store_user_list(x->s, authority, repair_dept_row, &on, e) < 0) {
			json_decref(data);
			case_record_free(&r);
			return -1;
		}
		if (on)
			snprintf(c->dept_code, sizeof c->dept_code, "%s", authority);
	}
	json_decref(data);
	case_record_free(&r);
	return 0;
}

static int repair_outcome(struct store_case *c, json_t *outcome, struct err *e)
{
	free(c->outcome);
	c->outcome = outcome ? json_dumps(outcome, JSON_COMPACT) : NULL;
	json_decref(outcome);
	return c->outcome ? 0 : err_set(e, "internal.error", "内存不足");
}

static int repair_decide(const struct case_ctx *x, const json_t *body, struct store_case *c,
			 json_t **detail, struct err *e)
{
	const char *outcome = NULL, *reason = NULL;
	struct repair_verdict v;
	struct case_record r;
	char actor[96], at[26];
	int approve;

	if (json_input_string(body, "outcome", JSON_INPUT_REQUIRED, 16, &outcome, e) < 0)
		return -1;
	approve = strcmp(outcome, "approve") == 0;
	if (!approve && strcmp(outcome, "reject") != 0)
		return err_set_field(e, "request.invalid", "outcome",
				     "处理结果“%s”无法识别：请选择 approve（准予修复）或 reject（不予修复）",
				     outcome);
	if (json_input_string(body, "reason", 0, REPAIR_REASON_MAX_CHARS, &reason, e) < 0)
		return -1;
	if (!approve && (!reason || !*reason))
		return err_set_field(e, "request.invalid", "reason",
				     "不予修复须说明理由（reason），申请人会看到它");
	if (case_record_get(x->s, c->record_id, 1, &r, e) < 0)
		return -1;
	if (approve) {
		/* The record may have changed since the filing: judged again, the case
		 * itself not counting as a repair under way. */
		if (repair_check(x->s, x->today, &r, c->id, &v, e) < 0) {
			case_record_free(&r);
			return -1;
		}
		if (v.n) {
			case_record_free(&r);
			return repair_refuse(&v, e);
		}
		if (case_record_rewrite(x->s, &r, r.flags | STORE_RECORD_REPAIRED, r.publicity_end,
					e) < 0) {
			case_record_free(&r);
			return -1;
		}
	}
	case_record_free(&r);
	principal_actor(x->who, actor, sizeof actor);
	clock_timestamp(at);
	*detail = json_pack("{s:s, s:s?}", "outcome", outcome, "reason", reason);
	return repair_outcome(c,
			      json_pack("{s:s, s:s?, s:s, s:s}", "outcome", outcome, "reason",
					reason, "decided_at", at, "by", actor),
			      e);
}

static int repair_revoke(const struct case_ctx *x, const char *reason, struct store_case *c,
			 struct err *e)
{
	json_t *o = c->outcome && *c->outcome ? json_loads(c->outcome, 0, NULL) : NULL;
	const char *outcome = json_string_value(json_object_get(o, "outcome"));
	struct case_record r;
	char at[26];

	if (!outcome || strcmp(outcome, "approve") != 0) {
		json_decref(o);
		return err_set(e, "case.invalid_action", "只有准予修复的申请才能撤销修复");
	}
	if (case_record_get(x->s, c->record_id, 1, &r, e) < 0) {
		json_decref(o);
		return -1;
	}
	if (case_record_rewrite(x->s, &r, r.flags & ~STORE_RECORD_REPAIRED, r.publicity_end,
				e) < 0) {
		case_record_free(&r);
		json_decref(o);
		return -1;
	}
	case_record_free(&r);
	clock_timestamp(at);
	json_object_set_new(o, "revoked_at", json_string(at));
	json_object_set_new(o, "revoke_reason", json_string(reason));
	return repair_outcome(c, o, e);
}

static int repair_act(const struct case_ctx *x, const struct case_transition *t,
		      const json_t *body, struct store_case *c, json_t **detail, struct err *e)
{
	const char *reason = NULL;

	if (body && json_input_only(body, ACT_MEMBERS, e) < 0)
		return -1;
	if (strcmp(t->action, "decide") == 0)
		return repair_decide(x, body, c, detail, e);
	if (body && json_input_string(body, "reason", 0, REPAIR_REASON_MAX_CHARS, &reason, e) < 0)
		return -1;
	if (reason)
		*detail = json_pack("{s:s}", "reason", reason);
	if (strcmp(t->action, "accept") == 0)
		return repair_date_result(x, c, e);
	if (strcmp(t->action, "revoke") == 0)
		return repair_revoke(x, reason ? reason : "", c, e);
	if (strcmp(t->action, "refuse") == 0 && reason &&
	    repair_outcome(c, json_pack("{s:s, s:s}", "outcome", "refused", "reason", reason),
			   e) < 0)
		return -1;
	if (t->to->party == CASE_TURN_DEPT)
		return repair_route(x, c, e);
	return 0;
}

static int repair_describe(const struct case_ctx *x, const struct store_case *c, json_t *doc,
			   struct err *e)
{
	json_t *data = c->data && *c->data ? json_loads(c->data, 0, NULL) : NULL;
	const char *due = json_string_value(json_object_get(data, "result_due"));
	struct store_subject subj;
	int found = store_subject_get(x->s, c->subject_code, &subj, e);

	if (found < 0) {
		json_decref(data);
		return -1;
	}
	if (found && subj.name)
		json_object_set_new(doc, "subject_name", json_string(subj.name));
	store_subject_clear(&subj);
	json_object_set_new(doc, "result_due", due ? json_string(due) : json_null());
	/* Late when the result came after its due date, or is still to come past it. */
	if (due) {
		json_t *o = c->outcome && *c->outcome ? json_loads(c->outcome, 0, NULL) : NULL;
		const char *at = json_string_value(json_object_get(o, "decided_at"));
		char day[11];

		snprintf(day, sizeof day, "%.10s", at ? at : x->today);
		json_object_set_new(doc, "result_late", json_boolean(strcmp(day, due) > 0));
		json_decref(o);
	}
	json_decref(data);
	return 0;
}

const struct case_kind repair_kind = {
	"repair", repair_target, repair_file, repair_act, repair_describe, NULL,
};

/* ---- what views show of a repair ------------------------------------------------- */

struct approvals_walk {
	int (*cb)(void *ctx, int64_t record_id, int64_t case_id, const char *day);
	void *ctx;
};

static int approvals_row(void *ctx, const struct store_case *c)
{
	struct approvals_walk *w = ctx;
	json_t *o;
	const char *outcome, *at;
	char day[11];
	int rc = 0;

	if (strcmp(c->status, "decided") != 0 || !c->outcome || !*c->outcome)
		return 0;
	o = json_loads(c->outcome, 0, NULL);
	outcome = json_string_value(json_object_get(o, "outcome"));
	at = json_string_value(json_object_get(o, "decided_at"));
	if (outcome && strcmp(outcome, "approve") == 0 && at) {
		snprintf(day, sizeof day, "%.10s", at);
		rc = w->cb(w->ctx, c->record_id, c->id, day);
	}
	json_decref(o);
	return rc;
}

int repair_approvals_of_subject(struct store *s, const char *subject_code,
				int (*cb)(void *ctx, int64_t record_id, int64_t case_id,
					  const char *day),
				void *ctx, struct err *e)
{
	struct approvals_walk w = { cb, ctx };
	struct store_case_filter f;

	memset(&f, 0, sizeof f);
	f.subject_code = subject_code;
	f.kind = "repair";
	f.limit = 1000;
	return store_case_list(s, &f, approvals_row, &w, e);
}

struct results_walk {
	const char *today;
	long long dated, late;
	int64_t last_id;
	long seen;
};

static int results_row(void *ctx, const struct store_case *c)
{
	struct results_walk *w = ctx;
	json_t *data = c->data && *c->data ? json_loads(c->data, 0, NULL) : NULL;
	json_t *o = c->outcome && *c->outcome ? json_loads(c->outcome, 0, NULL) : NULL;
	const char *due = json_string_value(json_object_get(data, "result_due"));
	const char *at = json_string_value(json_object_get(o, "decided_at"));
	char day[11];

	w->last_id = c->id;
	w->seen++;
	/* Withdrawn or refused after acceptance: the applicant had its answer. */
	if (due && strcmp(c->status, "withdrawn") != 0 && strcmp(c->status, "refused") != 0) {
		snprintf(day, sizeof day, "%.10s", at ? at : w->today);
		w->dated++;
		w->late += strcmp(day, due) > 0;
	}
	json_decref(data);
	json_decref(o);
	return 0;
}

int repair_count_results(struct store *s, const char *today, long long *dated, long long *late,
			 struct err *e)
{
	struct results_walk w = { today, 0, 0, 0, 0 };
	struct store_case_filter f;

	memset(&f, 0, sizeof f);
	f.kind = "repair";
	f.limit = 1000;
	/* Newest first, a page at a time. */
	do {
		w.seen = 0;
		if (w.last_id)
			f.before_id = w.last_id;
		if (store_case_list(s, &f, results_row, &w, e) < 0)
			return -1;
	} while (w.seen == f.limit);
	*dated = w.dated;
	*late = w.late;
	return 0;
}
