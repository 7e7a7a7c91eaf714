/* cases.c - the case engine; see cases.h. */
#include "cases.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit_trail.h"
#include "calendar.h"
#include "core/attachment.h"
#include "core/case_rules.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/json_input.h"
#include "objection.h"
#include "repair.h"
#include "principal.h"
#include "rules.h"

#define CASES_NOTE_MAX_CHARS 1000

/* Every kind of case the platform runs: a new kind is a row here, its rules file and its
 * own hooks file. */
static const struct case_kind *const kinds[] = { &objection_kind, &repair_kind };

static const struct case_kind *cases_kind_of(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i]->kind, kind) == 0)
			return kinds[i];
	return NULL;
}

void cases_ctx_init(struct case_ctx *x, struct store *s, const struct principal *who,
		    const struct workday_calendar *cal)
{
	x->s = s;
	x->who = who;
	x->cal = cal;
	clock_today(x->today);
}

/* ---- who the caller is on a case ---------------------------------------------------- */

static unsigned cases_parties(const struct principal *who, const struct store_case *c)
{
	struct access_target t = { c->subject_code, c->dept_code[0] ? c->dept_code : NULL };
	unsigned p = 0;

	/* The applicant is the subject's own accounts; a walk-in applicant is served at the
	 * window, by the operators. */
	if (access_may(who, ACCESS_CASE_ACT_APPLICANT, &t) ||
	    (strcmp(c->channel, "window") == 0 && access_may(who, ACCESS_CASE_ACT_WALK_IN, &t)))
		p |= CASE_PARTY_APPLICANT;
	if (access_may(who, ACCESS_CASE_ACT_OPERATOR, &t))
		p |= CASE_PARTY_OPERATOR;
	if (access_may(who, ACCESS_CASE_ACT_DEPT, &t))
		p |= CASE_PARTY_DEPT;
	return p;
}

/* Whether who may see case c at all: a party, or platform staff. */
static int cases_visible(const struct principal *who, const struct store_case *c)
{
	return cases_parties(who, c) != 0 || access_may(who, ACCESS_CASE_LIST_ALL, NULL);
}

/* The access row a refused party would have needed, for its message. */
static int cases_refuse(const struct principal *who, unsigned parties,
			const struct store_case *c, struct err *e)
{
	struct access_target t = { c->subject_code, c->dept_code[0] ? c->dept_code : NULL };
	enum access_action act = (parties & CASE_PARTY_DEPT)	 ? ACCESS_CASE_ACT_DEPT :
				 (parties & CASE_PARTY_OPERATOR) ? ACCESS_CASE_ACT_OPERATOR :
								   ACCESS_CASE_ACT_APPLICANT;

	if (access_check(who, act, &t, e) == 0)
		err_set(e, "auth.forbidden", "当前身份无权执行该操作");
	return -1;
}

/* ---- dates ------------------------------------------------------------------------ */

/* `days` working days after `from` (a date or a timestamp), as YYYY-MM-DD. */
static int cases_workdays(const struct case_ctx *x, const char *from, int days, char out[11],
			  struct err *e)
{
	struct date d, r;
	char day[11];

	snprintf(day, sizeof day, "%.10s", from);
	if (date_parse_iso(day, &d) < 0)
		return err_set(e, "internal.error", "日期“%s”无法识别", day);
	if (calendar_add_workdays(x->cal, d, days, &r, NULL, e) < 0)
		return -1;
	date_format(r, out);
	return 0;
}

/* The due date of a case entering `st` today: "" when nobody but the applicant acts. */
static int cases_due_of(const struct case_ctx *x, const struct case_state *st, char out[11],
			struct err *e)
{
	out[0] = '\0';
	if (st->due_days < 0 || st->party == CASE_TURN_APPLICANT || st->final)
		return 0;
	return cases_workdays(x, x->today, st->due_days, out, e);
}

/* ---- the JSON of a case ----------------------------------------------------------- */

struct steps_json {
	json_t *list;
	long count;
	const char *count_action; /* counts the steps of this action, when not NULL */
	long action_count;
};

static json_t *cases_parse_object(const char *text)
{
	json_t *v = text && text[0] ? json_loads(text, 0, NULL) : NULL;

	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

static int cases_step_json(void *ctx, const struct store_case_step *st)
{
	struct steps_json *sj = ctx;
	json_t *detail = cases_parse_object(st->detail);
	json_t *step = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s, s:s?}", "seq", (int)st->seq,
				 "at", st->at, "actor", st->actor, "action", st->action, "from",
				 st->from_status[0] ? st->from_status : NULL, "to", st->to_status,
				 "note", st->note[0] ? st->note : NULL);

	if (sj->count_action && strcmp(st->action, sj->count_action) == 0)
		sj->action_count++;
	sj->count = st->seq > sj->count ? st->seq : sj->count;
	if (!step) {
		json_decref(detail);
		return 1;
	}
	json_object_set_new(step, "attachments", json_array());
	if (detail)
		json_object_update_missing(step, detail);
	json_decref(detail);
	json_array_append_new(sj->list, step);
	return 0;
}

static json_t *cases_attachment_json(const struct store_attachment *a)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:i, s:s, s:s}", "id", (json_int_t)a->id,
			 "digest", a->digest, "type", a->media_type, "size", (json_int_t)a->size,
			 "name", a->name, "step", (int)a->step_seq, "added_by", a->added_by,
			 "added_at", a->added_at);
}

struct attachments_json {
	json_t *list;
	json_t *steps;
};

static int cases_attachment_row(void *ctx, const struct store_attachment *a)
{
	struct attachments_json *aj = ctx;
	size_t i;
	json_t *step;

	json_array_append_new(aj->list, cases_attachment_json(a));
	json_array_foreach (aj->steps, i, step)
		if (json_integer_value(json_object_get(step, "seq")) == a->step_seq)
			json_array_append_new(json_object_get(step, "attachments"),
					      json_string(a->digest));
	return 0;
}

static int cases_check_window(const struct case_ctx *x, const struct case_transition *t,
			      const struct store_case *c, long times_taken, struct err *e);

/* The actions `parties` may take in the case's state now, by id: not one whose `once`
 * is used up or whose `within` has passed (`steps`: the case's history). */
static json_t *cases_actions_json(const struct case_ctx *x, const struct case_rules *rules,
				  const struct store_case *c, unsigned parties,
				  const json_t *steps)
{
	json_t *list = json_array();
	const struct case_transition *t;

	for (t = case_rules_next(rules, c->status, parties, NULL); t;
	     t = case_rules_next(rules, c->status, parties, t)) {
		struct err ignored;
		long taken = 0;
		size_t i;
		json_t *step;

		json_array_foreach ((json_t *)steps, i, step) {
			const char *action = json_string_value(json_object_get(step, "action"));

			if (action && strcmp(action, t->action) == 0)
				taken++;
		}
		err_clear(&ignored);
		if (cases_check_window(x, t, c, taken, &ignored) == 0)
			json_array_append_new(list, json_string(t->action));
	}
	return list;
}

/* The case as `x->who` may see it.  `full` adds history, attachments and actions. */
static int cases_json(const struct case_ctx *x, const struct case_rules *rules,
		      const struct store_case *c, int full, json_t **out, struct err *e)
{
	const struct case_state *st = case_rules_state(rules, c->status);
	json_t *doc, *data = cases_parse_object(c->data), *outcome = cases_parse_object(c->outcome);
	char review_until[11] = "";
	const struct case_kind *k = cases_kind_of(c->kind);

	if (st && st->review_days >= 0 &&
	    cases_workdays(x, c->entered_at, st->review_days, review_until, e) < 0) {
		json_decref(data);
		json_decref(outcome);
		return -1;
	}
	doc = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s?, s:b, s:s, s:s, "
			"s:s, s:s, s:i, s:s?, s:o}",
			"id", (json_int_t)c->id, "kind", c->kind, "status", c->status,
			"status_name", st ? st->name : c->status, "subject", c->subject_code,
			"record", c->record_id ? json_integer((json_int_t)c->record_id) : json_null(),
			"dept", c->dept_code, "applicant", c->applicant, "channel", c->channel,
			"due", c->due_date[0] ? c->due_date : NULL, "overdue",
			c->due_date[0] && strcmp(c->due_date, x->today) < 0, "rules_from",
			c->rules_from, "entered_at", c->entered_at, "created_at", c->created_at,
			"updated_at", c->updated_at, "reviews", (int)c->reviews, "review_until",
			review_until[0] ? review_until : NULL, "outcome",
			outcome ? outcome : json_null());
	if (!doc) {
		json_decref(data);
		return err_set(e, "internal.error", "内存不足，无法输出申请");
	}
	/* What was applied for (grounds, text, contact, ...) sits beside the case's own
	 * members, which it never overrides. */
	if (data)
		json_object_update_missing(doc, data);
	json_decref(data);
	if (k && k->describe && k->describe(x, c, doc, e) < 0)
		goto fail;
	if (full) {
		struct steps_json sj = { json_array(), 0, NULL, 0 };
		struct attachments_json aj = { json_array(), sj.list };

		json_object_set_new(doc, "history", sj.list);
		json_object_set_new(doc, "attachments", aj.list);
		if (store_case_steps(x->s, c->subject_code, c->id, cases_step_json, &sj, e) < 0 ||
		    store_attachments_of_case(x->s, c->subject_code, c->id, cases_attachment_row,
					      &aj, e) < 0)
			goto fail;
		json_object_set_new(doc, "actions",
				    cases_actions_json(x, rules, c, cases_parties(x->who, c),
						       sj.list));
	}
	*out = doc;
	return 0;
fail:
	json_decref(doc);
	return -1;
}

/* ---- loading ---------------------------------------------------------------------- */

static int cases_not_found(int64_t id, struct err *e)
{
	return err_set(e, "case.not_found", "申请 %lld 不存在：请检查申请编号", (long long)id);
}

/* Case `id` and its rules, for a caller who may see it. */
static int cases_load(const struct case_ctx *x, int64_t id, struct store_case *c,
		      struct case_rules **rules, struct err *e)
{
	int found = store_case_get(x->s, id, c, e);

	*rules = NULL;
	if (found < 0)
		return -1;
	if (!found)
		return cases_not_found(id, e);
	if (!cases_visible(x->who, c)) {
		store_case_clear(c);
		return err_set(e, "auth.forbidden",
			       "无权查看申请 %lld：只有申请人、承办部门的经办人和平台运营人员可以查看",
			       (long long)id);
	}
	if (rules_of_case(x->s, c->kind, c->rules_from, rules, e) < 0) {
		store_case_clear(c);
		return -1;
	}
	return 0;
}

/* The audit entry of a step, in the step's transaction. */
static int cases_audit(const struct case_ctx *x, const char *what, const struct store_case *c,
		       const char *from, const char *note, const json_t *extra, struct err *e)
{
	char action[64];
	json_t *detail = json_pack("{s:I, s:s, s:s?, s:s, s:s?}", "case", (json_int_t)c->id,
				   "kind", c->kind, "from", from && from[0] ? from : NULL, "to",
				   c->status, "note", note && note[0] ? note : NULL);
	int rc;

	if (c->record_id)
		json_object_set_new(detail, "record", json_integer((json_int_t)c->record_id));
	/* What the step did (an outcome and its fields), as its history says. */
	if (extra && json_is_object(extra))
		json_object_update_missing(detail, (json_t *)extra);
	snprintf(action, sizeof action, "case.%s", what);
	rc = audit_trail_record(x->s, x->who, action, c->subject_code, detail, e);
	json_decref(detail);
	return rc;
}

static int cases_note(const json_t *body, const char **note, struct err *e)
{
	*note = NULL;
	if (!body)
		return 0;
	return json_input_string(body, "note", 0, CASES_NOTE_MAX_CHARS, note, e);
}

/* ---- filing ----------------------------------------------------------------------- */

int cases_file(const struct case_ctx *x, const json_t *body, const struct err *body_err,
	       json_t **out, struct err *e)
{
	const struct case_kind *k;
	struct case_rules *rules = NULL;
	struct store_case c;
	struct store_case_step step;
	struct access_target t = { NULL, NULL };
	const char *kind = NULL, *note = NULL;
	char actor[96];
	int rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof c);
	/* Who may file at all comes before what is filed. */
	if (access_judge(x->who, ACCESS_CASE_FILE, NULL) == ACCESS_REFUSED)
		return access_check(x->who, ACCESS_CASE_FILE, NULL, e);
	if (body_err) {
		*e = *body_err;
		return -1;
	}
	if (json_input_string(body, "kind", JSON_INPUT_REQUIRED, 32, &kind, e) < 0 ||
	    cases_note(body, &note, e) < 0)
		return -1;
	if (!(k = cases_kind_of(kind)))
		return err_set_field(e, "case.kind_unknown", "kind",
				     "不支持的申请类型“%s”：目前可以提出的是 objection（异议）", kind);
	if (rules_in_force(x->s, kind, x->today, &rules, e) < 0)
		return -1;
	if (store_begin(x->s, e) < 0)
		goto out;
	if (k->target(x, body, &c, e) < 0)
		goto rollback;
	t.subject_code = c.subject_code;
	if (access_check(x->who, ACCESS_CASE_FILE, &t, e) < 0 || k->file(x, body, &c, e) < 0)
		goto rollback;
	principal_actor(x->who, actor, sizeof actor);
	snprintf(c.kind, sizeof c.kind, "%s", kind);
	snprintf(c.status, sizeof c.status, "%s", rules->initial->id);
	date_format(rules->effective_from, c.rules_from);
	snprintf(c.applicant, sizeof c.applicant, "%s", actor);
	/* A subject files online; anyone else (an operator at the window, the console)
	 * enters it for a walk-in applicant. */
	snprintf(c.channel, sizeof c.channel, "%s",
		 x->who->kind == PRINCIPAL_USER && x->who->subject_code[0] ? "online" : "window");
	if (!c.outcome && !(c.outcome = strdup(""))) {
		err_set(e, "internal.error", "内存不足");
		goto rollback;
	}
	if (cases_due_of(x, rules->initial, c.due_date, e) < 0 ||
	    store_case_insert(x->s, &c, e) < 0)
		goto rollback;
	memset(&step, 0, sizeof step);
	step.case_id = c.id;
	step.seq = 1;
	step.actor = actor;
	step.action = "file";
	step.from_status = "";
	step.to_status = c.status;
	step.note = note ? note : "";
	step.detail = "{}";
	if (store_case_step_add(x->s, c.subject_code, &step, e) < 0 ||
	    cases_audit(x, "file", &c, NULL, note, NULL, e) < 0 || store_commit(x->s, e) < 0)
		goto rollback;
	rc = cases_json(x, rules, &c, 1, out, e);
	goto out;
rollback:
	store_rollback(x->s);
out:
	store_case_clear(&c);
	case_rules_free(rules);
	return rc;
}

/* ---- showing and listing ------------------------------------------------------------ */

int cases_show(const struct case_ctx *x, int64_t id, json_t **out, struct err *e)
{
	struct case_rules *rules;
	struct store_case c;
	int rc;

	*out = NULL;
	if (cases_load(x, id, &c, &rules, e) < 0)
		return -1;
	/* A case holds what the applicant wrote and may attach: reading it is recorded
	 * like every look at non-public data. */
	rc = cases_audit(x, "read", &c, NULL, NULL, NULL, e);
	if (rc == 0)
		rc = cases_json(x, rules, &c, 1, out, e);
	store_case_clear(&c);
	case_rules_free(rules);
	return rc;
}

struct list_ctx {
	const struct case_ctx *x;
	json_t *list;
	long limit;
	int64_t last;
	int more;
	struct err *e;
	int failed;
	struct case_rules *rules; /* the last case's, reused while kind and date repeat */
};

static int cases_list_row(void *ctx, const struct store_case *c)
{
	struct list_ctx *l = ctx;
	json_t *doc;

	if ((long)json_array_size(l->list) == l->limit) {
		l->more = 1;
		return 1;
	}
	if (!l->rules || strcmp(l->rules->kind, c->kind) != 0) {
		case_rules_free(l->rules);
		l->rules = NULL;
	}
	if (l->rules) {
		char from[11];

		date_format(l->rules->effective_from, from);
		if (strcmp(from, c->rules_from) != 0) {
			case_rules_free(l->rules);
			l->rules = NULL;
		}
	}
	if ((!l->rules && rules_of_case(l->x->s, c->kind, c->rules_from, &l->rules, l->e) < 0) ||
	    cases_json(l->x, l->rules, c, 0, &doc, l->e) < 0) {
		l->failed = 1;
		return 1;
	}
	json_array_append_new(l->list, doc);
	l->last = c->id;
	return 0;
}

/* 1 when `status` is a state of some kind's rules in force, 0 (with the reason) when
 * none has it, -1 when the rules could not be read: a misspelt filter is an error, not an
 * empty list. */
static int cases_status_known(const struct case_ctx *x, const char *status, struct err *e)
{
	char names[256] = "";
	size_t i, j, used = 0;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct case_rules *r;
		int known;

		if (rules_in_force(x->s, kinds[i]->kind, x->today, &r, e) < 0)
			return -1;
		known = case_rules_state(r, status) != NULL;
		for (j = 0; j < r->nstates && used < sizeof names; j++)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
						 used ? "、" : "", r->states[j].id);
		case_rules_free(r);
		if (known)
			return 1;
	}
	err_set_field(e, "request.invalid", "status", "状态“%s”无法识别：请使用 %s", status,
		      names);
	return 0;
}

int cases_list(const struct case_ctx *x, const struct cases_query *q, json_t **out,
	       struct err *e)
{
	const struct principal *who = x->who;
	struct store_case_filter f;
	struct access_target own;
	struct list_ctx l = { x, NULL, 0, 0, 0, e, 0, NULL };
	char next[24];
	int rc;

	*out = NULL;
	memset(&f, 0, sizeof f);
	f.kind = q->kind;
	f.status = q->status;
	f.dept_code = q->dept;
	f.overdue_on = q->overdue ? x->today : NULL;
	f.before_id = q->after;
	l.limit = q->limit > 0 ? q->limit : CASES_LIST_DEFAULT;
	if (l.limit > CASES_LIST_MAX)
		return err_set_field(e, "request.invalid", "limit", "limit 最大为 %d",
				     CASES_LIST_MAX);
	f.limit = l.limit + 1;
	if ((q->kind && q->kind[0] && !cases_kind_of(q->kind)) ||
	    (q->status && q->status[0] && cases_status_known(x, q->status, e) <= 0))
		return q->kind && q->kind[0] && !cases_kind_of(q->kind) ?
			       err_set_field(e, "request.invalid", "kind",
					     "申请类型“%s”无法识别：目前有 objection（异议）", q->kind) :
			       -1;
	own.subject_code = who->subject_code[0] ? who->subject_code : NULL;
	own.dept_code = who->dept_code[0] ? who->dept_code : NULL;
	if (access_may(who, ACCESS_CASE_LIST_ALL, NULL)) {
		/* every case */
	} else if (access_may(who, ACCESS_CASE_LIST_SUBJECT, &own)) {
		f.subject_code = who->subject_code;
		if (q->dept && q->dept[0])
			return err_set_field(e, "request.invalid", "dept",
					     "信用主体只能查看本主体的申请，不能按部门筛选");
	} else if (access_may(who, ACCESS_CASE_LIST_DEPT, &own)) {
		if (q->dept && q->dept[0] && strcmp(q->dept, who->dept_code) != 0)
			return err_set(e, "auth.forbidden", "只能查看本部门承办的申请");
		f.dept_code = who->dept_code;
	} else {
		return err_set(e, "auth.forbidden",
			       "只有信用主体本人、承办部门的经办人和平台运营人员可以查看申请");
	}
	l.list = json_array();
	rc = store_case_list(x->s, &f, cases_list_row, &l, e);
	case_rules_free(l.rules);
	if (rc < 0 || l.failed) {
		json_decref(l.list);
		return -1;
	}
	/* A list shows what applicants wrote (text, contact): the look is recorded. */
	{
		json_t *detail = json_pack("{s:s?, s:s?, s:s?, s:b, s:i}", "kind", q->kind, "status",
					   q->status, "dept", f.dept_code, "overdue", q->overdue,
					   "cases", (int)json_array_size(l.list));

		rc = audit_trail_record(x->s, who, "case.list", f.subject_code, detail, e);
		json_decref(detail);
		if (rc < 0) {
			json_decref(l.list);
			return -1;
		}
	}
	snprintf(next, sizeof next, "%lld", (long long)l.last);
	*out = json_pack("{s:o, s:s?}", "cases", l.list, "next", l.more ? next : NULL);
	return *out ? 0 : err_set(e, "internal.error", "内存不足");
}

/* ---- acting ----------------------------------------------------------------------- */

/* Whether transition t may still be taken on c: `once` and `within` (409 otherwise). */
static int cases_check_window(const struct case_ctx *x, const struct case_transition *t,
			      const struct store_case *c, long times_taken, struct err *e)
{
	if (t->once && times_taken > 0)
		return err_set(e, "case.review_closed", "“%s”只能申请一次，本申请已经申请过", t->name);
	if (t->within) {
		int days = case_state_days(t->from, t->within);
		char until[11];

		if (days >= 0) {
			if (cases_workdays(x, c->entered_at, days, until, e) < 0)
				return -1;
			if (strcmp(x->today, until) > 0)
				return err_set(e, "case.review_closed",
					       "“%s”须在 %s 之前（%d 个工作日内）提出，已经超过期限",
					       t->name, until, days);
		}
	}
	return 0;
}

static int cases_check_required(const struct case_transition *t, const json_t *body,
				struct err *e)
{
	size_t i;

	for (i = 0; i < t->nrequires; i++) {
		const char *member = t->requires[i];
		const json_t *v = body ? json_object_get(body, member) : NULL;

		if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)))
			return err_set_field(e, "request.invalid", member, "“%s”须填写 %s",
					     t->name, member);
	}
	return 0;
}

int cases_act(const struct case_ctx *x, int64_t id, const char *action, const json_t *body,
	      const struct err *body_err, json_t **out, struct err *e)
{
	struct case_rules *rules = NULL;
	const struct case_transition *t;
	const struct case_kind *k;
	struct store_case c;
	struct store_case_step step;
	struct steps_json sj = { NULL, 0, action, 0 };
	json_t *detail = NULL;
	char *detail_text = NULL, actor[96], from[32];
	const char *note = NULL;
	unsigned parties;
	int rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof c);
	if (store_begin(x->s, e) < 0)
		return -1;
	if (cases_load(x, id, &c, &rules, e) < 0)
		goto rollback;
	k = cases_kind_of(c.kind);
	parties = cases_parties(x->who, &c);
	/* 403 before 409: a caller who could never take this action hears so, whatever
	 * the case's state. */
	if (!case_rules_action_known(rules, action)) {
		err_set(e, "case.invalid_action", "申请类型“%s”没有“%s”操作", c.kind, action);
		goto rollback;
	}
	if (!(case_rules_parties_of(rules, action) & parties)) {
		cases_refuse(x->who, case_rules_parties_of(rules, action), &c, e);
		goto rollback;
	}
	t = case_rules_transition(rules, c.status, action, parties);
	if (!t) {
		const struct case_state *st = case_rules_state(rules, c.status);

		err_set(e, "case.invalid_action", "申请目前为“%s”，不能执行“%s”",
			st ? st->name : c.status, action);
		goto rollback;
	}
	sj.list = json_array();
	if (store_case_steps(x->s, c.subject_code, c.id, cases_step_json, &sj, e) < 0 ||
	    cases_check_window(x, t, &c, sj.action_count, e) < 0)
		goto rollback;
	if (body_err) {
		*e = *body_err;
		goto rollback;
	}
	if (cases_note(body, &note, e) < 0 || cases_check_required(t, body, e) < 0)
		goto rollback;
	snprintf(from, sizeof from, "%s", c.status);
	if (k && k->act && k->act(x, t, body, &c, &detail, e) < 0)
		goto rollback;
	snprintf(c.status, sizeof c.status, "%s", t->to->id);
	clock_timestamp(c.entered_at);
	if (cases_due_of(x, t->to, c.due_date, e) < 0)
		goto rollback;
	/* Two parties acting at once (PostgreSQL runs them side by side): the second finds
	 * the case moved on and is told so, rather than writing over the first. */
	switch (store_case_update(x->s, &c, from, e)) {
	case 1:
		break;
	case 0:
		err_set(e, "case.invalid_action", "申请 %lld 刚刚已被他人办理：请刷新后再操作",
			(long long)c.id);
		/* fall through */
	default:
		goto rollback;
	}
	/* The step's time is the store's: the entry time read back is the one stored. */
	principal_actor(x->who, actor, sizeof actor);
	detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	memset(&step, 0, sizeof step);
	step.case_id = c.id;
	step.seq = sj.count + 1;
	step.actor = actor;
	step.action = action;
	step.from_status = from;
	step.to_status = c.status;
	step.note = note ? note : "";
	step.detail = detail_text ? detail_text : "{}";
	if (store_case_step_add(x->s, c.subject_code, &step, e) < 0 ||
	    cases_audit(x, action, &c, from, note, detail, e) < 0 || store_commit(x->s, e) < 0)
		goto rollback;
	rc = cases_json(x, rules, &c, 1, out, e);
	goto out;
rollback:
	store_rollback(x->s);
out:
	free(detail_text);
	json_decref(detail);
	json_decref(sj.list);
	store_case_clear(&c);
	case_rules_free(rules);
	return rc;
}

/* ---- attachments ------------------------------------------------------------------ */

struct attach_count {
	long step;
	long n;
};

static int cases_count_attachment(void *ctx, const struct store_attachment *a)
{
	struct attach_count *ac = ctx;

	if (a->step_seq == ac->step)
		ac->n++;
	return 0;
}

int cases_attach(const struct case_ctx *x, int64_t id, const unsigned char *data, size_t len,
		 const char *name, json_t **out, struct err *e)
{
	struct case_rules *rules = NULL;
	struct store_case c;
	struct steps_json sj = { NULL, 0, NULL, 0 };
	struct attach_count ac = { 0, 0 };
	struct store_attachment a;
	const struct case_state *st;
	const char *type;
	char digest[ATTACHMENT_DIGEST_HEX], clean[ATTACHMENT_NAME_SIZE], actor[96], now[26];
	char *b64 = NULL;
	json_t *detail;
	int64_t aid;
	int found, rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof c);
	if (store_begin(x->s, e) < 0)
		return -1;
	if (cases_load(x, id, &c, &rules, e) < 0)
		goto rollback;
	/* Attachments at once on one step take turns: the case, its steps and the step's
	 * count are read again under the subject's lock and still so at the commit. */
	if (store_case_lock(x->s, c.subject_code, e) < 0)
		goto rollback;
	store_case_clear(&c);
	found = store_case_get(x->s, id, &c, e);
	if (found <= 0) {
		if (found == 0)
			cases_not_found(id, e);
		goto rollback;
	}
	if (!cases_parties(x->who, &c)) {
		cases_refuse(x->who, CASE_PARTY_ALL, &c, e);
		goto rollback;
	}
	st = case_rules_state(rules, c.status);
	if (st && st->final) {
		err_set(e, "case.invalid_action", "申请已经%s，不能再添加附件", st->name);
		goto rollback;
	}
	sj.list = json_array();
	if (store_case_steps(x->s, c.subject_code, c.id, cases_step_json, &sj, e) < 0)
		goto rollback;
	ac.step = sj.count;
	if (store_attachments_of_case(x->s, c.subject_code, c.id, cases_count_attachment, &ac,
				      e) < 0)
		goto rollback;
	if (attachment_check_count((size_t)ac.n, e) < 0 || attachment_check(data, len, &type, e) < 0)
		goto rollback;
	attachment_digest(data, len, digest);
	if (attachment_name_clean(name ? name : "", clean, sizeof clean) < 0)
		clean[0] = '\0';
	b64 = malloc(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL));
	if (!b64) {
		err_set(e, "internal.error", "内存不足，无法保存附件");
		goto rollback;
	}
	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL),
			  data, len, sodium_base64_VARIANT_ORIGINAL);
	principal_actor(x->who, actor, sizeof actor);
	clock_timestamp(now);
	memset(&a, 0, sizeof a);
	a.case_id = c.id;
	a.step_seq = ac.step;
	a.digest = digest;
	a.media_type = type;
	a.size = (long long)len;
	a.name = clean;
	a.added_by = actor;
	a.added_at = now;
	if (store_attachment_add(x->s, c.subject_code, &a, b64, &aid, e) < 0)
		goto rollback;
	a.id = aid;
	detail = json_pack("{s:I, s:s, s:s, s:I, s:i}", "case", (json_int_t)c.id, "digest",
			   digest, "type", type, "size", (json_int_t)len, "step", (int)ac.step);
	rc = audit_trail_record(x->s, x->who, "case.attach", c.subject_code, detail, e);
	json_decref(detail);
	if (rc < 0 || store_commit(x->s, e) < 0) {
		rc = -1;
		goto rollback;
	}
	*out = json_pack("{s:o}", "attachment", cases_attachment_json(&a));
	rc = 0;
	goto out;
rollback:
	store_rollback(x->s);
out:
	free(b64);
	json_decref(sj.list);
	store_case_clear(&c);
	case_rules_free(rules);
	return rc;
}

struct content_ctx {
	unsigned char *data;
	size_t len;
	char *type;
	char *name;
	int bad;
};

static int cases_content(void *ctx, const struct store_attachment *a, const char *b64)
{
	struct content_ctx *cc = ctx;
	size_t b64len = strlen(b64), cap = b64len / 4 * 3 + 3;

	snprintf(cc->type, 32, "%s", a->media_type);
	snprintf(cc->name, 256, "%s", a->name);
	cc->data = malloc(cap ? cap : 1);
	if (!cc->data ||
	    sodium_base642bin(cc->data, cap, b64, b64len, NULL, &cc->len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		cc->bad = 1;
	return 1;
}

int cases_attachment_get(const struct case_ctx *x, int64_t id, const char *digest,
			 unsigned char **data, size_t *len, char media_type[32],
			 char name[256], struct err *e)
{
	struct case_rules *rules = NULL;
	struct store_case c;
	struct content_ctx cc = { NULL, 0, media_type, name, 0 };
	json_t *detail;
	int found, rc = -1;

	*data = NULL;
	*len = 0;
	if (cases_load(x, id, &c, &rules, e) < 0)
		return -1;
	if (!cases_parties(x->who, &c)) {
		cases_refuse(x->who, CASE_PARTY_ALL, &c, e);
		goto out;
	}
	found = store_attachment_content(x->s, c.subject_code, c.id, digest, cases_content, &cc,
					 e);
	if (found < 0)
		goto out;
	if (!found) {
		err_set(e, "case.not_found", "申请 %lld 没有摘要为 %.16s… 的附件", (long long)id,
			digest);
		goto out;
	}
	if (cc.bad) {
		err_set(e, "internal.error", "附件内容无法读取");
		goto out;
	}
	detail = json_pack("{s:I, s:s}", "case", (json_int_t)c.id, "digest", digest);
	rc = audit_trail_record(x->s, x->who, "case.attachment.read", c.subject_code, detail, e);
	json_decref(detail);
	if (rc == 0) {
		*data = cc.data;
		*len = cc.len;
		cc.data = NULL;
	}
out:
	free(cc.data);
	store_case_clear(&c);
	case_rules_free(rules);
	return rc;
}

/* ---- events from elsewhere -------------------------------------------------------- */

int cases_add_event(const struct case_ctx *x, const struct store_case *c, const char *action,
		    const json_t *detail, struct err *e)
{
	struct steps_json sj = { json_array(), 0, NULL, 0 };
	struct store_case_step step;
	char actor[96], *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	int rc = -1;

	if (store_case_steps(x->s, c->subject_code, c->id, cases_step_json, &sj, e) < 0)
		goto out;
	principal_actor(x->who, actor, sizeof actor);
	memset(&step, 0, sizeof step);
	step.case_id = c->id;
	step.seq = sj.count + 1;
	step.actor = actor;
	step.action = action;
	step.from_status = c->status;
	step.to_status = c->status;
	step.note = "";
	step.detail = text ? text : "{}";
	if (store_case_step_add(x->s, c->subject_code, &step, e) < 0 ||
	    cases_audit(x, action, c, c->status, NULL, detail, e) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	json_decref(sj.list);
	return rc;
}

int cases_on_batch(struct store *s, const struct principal *who, const struct store_batch *b,
		   struct err *e)
{
	struct case_ctx x;
	size_t i;

	cases_ctx_init(&x, s, who, NULL);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i]->on_batch && kinds[i]->on_batch(&x, b, e) < 0)
			return -1;
	return 0;
}
