/*
 * demo_cases.c - the demo's accounts and cases: a company with objections in every state
 * of the objection rules (one of them overdue), another whose walk-in objections were
 * refused, withdrawn and rejected, and a statement, so that `make run` shows the portal's
 * 我的申请 page and the console's inbox with something real in them.
 *
 * The cases go through the real engine (service/cases.h), acted on by principals of the
 * demo accounts, so every step is in the audit trail as a real one would be.  The one
 * overdue case is filed "earlier" by setting XINYONG_NOW while it is filed, exactly as
 * the tests move time (the engine, the store and the audit trail all read the one clock).
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "calendar.h"
#include "cases.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/role.h"
#include "core/workday.h"
#include "principal.h"
#include "records.h"
#include "repair.h"
#include "store/store.h"

#define DEMO_CASE_RECORDS 4

/* A subject with enough records of one department for the demo's cases. */
struct demo_pick {
	struct store *s;
	char code[CODE_MAX];
	char dept[CODE_MAX];
	int64_t records[DEMO_CASE_RECORDS];
	int n;
	int npenalties;
	char skip[CODE_MAX]; /* a subject already picked */
	struct err *e;
	int failed;
};

/* A subject's public records of one department: penalties (the demo corrects a fine)
 * and the others, kept apart so that penalties take the last places. */
struct demo_records {
	struct demo_pick *p;
	char dept[CODE_MAX];
	int64_t penalties[DEMO_CASE_RECORDS], others[DEMO_CASE_RECORDS];
	int npenalties, nothers;
};

static int demo_record_row(void *ctx, const struct store_record *rec)
{
	struct demo_records *r = ctx;
	int penalty = strcmp(rec->category, "penalty") == 0;

	/* Non-public records (arrears, utility bills) are no good for a public demo. */
	if (strcmp(rec->category, "social_insurance_arrears") == 0 ||
	    strcmp(rec->category, "utility_payment") == 0)
		return 0;
	if (!r->dept[0] && penalty)
		snprintf(r->dept, sizeof r->dept, "%s", rec->dept_code);
	if (penalty && r->npenalties < DEMO_CASE_RECORDS && strcmp(r->dept, rec->dept_code) == 0)
		r->penalties[r->npenalties++] = rec->id;
	else if (!penalty && r->nothers < DEMO_CASE_RECORDS)
		r->others[r->nothers++] = rec->id;
	return 0;
}

/* Others first, penalties last: the demo's later cases (decided ones) are on penalties. */
static int demo_records_take(const struct demo_records *r, int64_t out[DEMO_CASE_RECORDS])
{
	int64_t all[2 * DEMO_CASE_RECORDS];
	int n = 0, i, from;

	for (i = 0; i < r->nothers; i++)
		all[n++] = r->others[i];
	for (i = 0; i < r->npenalties; i++)
		all[n++] = r->penalties[i];
	from = n > DEMO_CASE_RECORDS ? n - DEMO_CASE_RECORDS : 0;
	for (i = from; i < n; i++)
		out[i - from] = all[i];
	return r->npenalties ? n - from : 0;
}

static int demo_pick_hit(void *ctx, const struct store_search_hit *hit)
{
	struct demo_pick *p = ctx;
	struct demo_records r;

	if (strcmp(hit->code, p->skip) == 0)
		return 0;
	memset(&r, 0, sizeof r);
	r.p = p;
	if (store_records_of_subject(p->s, hit->code, demo_record_row, &r, p->e) < 0) {
		p->failed = 1;
		return 1;
	}
	/* Most penalties first (the decided cases need two), then most records. */
	if (r.npenalties > p->npenalties ||
	    (r.npenalties == p->npenalties && r.npenalties + r.nothers > p->n)) {
		snprintf(p->code, sizeof p->code, "%s", hit->code);
		snprintf(p->dept, sizeof p->dept, "%s", r.dept);
		p->n = demo_records_take(&r, p->records);
		p->npenalties = r.npenalties;
	}
	return p->n == DEMO_CASE_RECORDS && p->npenalties >= 2;
}

/* The company with the most records of one department (up to DEMO_CASE_RECORDS) among
 * the first companies by name. */
static int demo_pick_subject(struct store *s, const char *skip, struct demo_pick *p,
			     struct err *e)
{
	struct store_search q;

	memset(p, 0, sizeof *p);
	p->s = s;
	p->e = e;
	snprintf(p->skip, sizeof p->skip, "%s", skip ? skip : "");
	store_search_init(&q, "有限公司", NULL, 60, 0);
	if (store_subject_search(s, &q, demo_pick_hit, p, e) < 0 || p->failed)
		return -1;
	return p->n;
}

/* ---- accounts --------------------------------------------------------------------- */

static int demo_account(struct store *s, const char *name, const char *roles, const char *dept,
			const char *subject, const char *display, struct err *e)
{
	struct principal cli;
	struct account_new n = { name, roles, dept, subject, display, DEMO_PASSWORD };
	json_t *out = NULL;
	int rc;

	principal_cli(&cli, NULL);
	rc = accounts_add(s, &cli, &n, &out, e);
	json_decref(out);
	return rc;
}

static void demo_user(struct principal *p, const char *name, unsigned roles, const char *dept,
		      const char *subject)
{
	principal_anonymous(p, "demo");
	p->kind = PRINCIPAL_USER;
	p->roles = roles;
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->dept_code, sizeof p->dept_code, "%s", dept ? dept : "");
	snprintf(p->subject_code, sizeof p->subject_code, "%s", subject ? subject : "");
}

/* ---- an attachment ---------------------------------------------------------------- */

/* A one-page PDF the demo company attaches to its accepted objection: small, valid, and
 * built with its cross-reference offsets counted here rather than hard-coded. */
static int demo_pdf(struct buf *b)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
		"/Resources << /Font << /F1 5 0 R >> >> >>",
		NULL, /* the content stream, below */
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	};
	static const char content[] = "BT /F1 18 Tf 72 760 Td (Payment receipt - Xinyong demo) Tj ET";
	size_t offsets[5], i, xref;

	buf_puts(b, "%PDF-1.4\n");
	for (i = 0; i < 5; i++) {
		offsets[i] = b->len;
		if (objs[i])
			buf_printf(b, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
		else
			buf_printf(b, "%zu 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n",
				   i + 1, sizeof content - 1, content);
	}
	xref = b->len;
	buf_puts(b, "xref\n0 6\n0000000000 65535 f \n");
	for (i = 0; i < 5; i++)
		buf_printf(b, "%010zu 00000 n \n", offsets[i]);
	buf_printf(b, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	return buf_failed(b) ? -1 : 0;
}

static int demo_attach(struct store *s, const struct principal *who,
		       const struct workday_calendar *cal, int64_t id, struct err *e)
{
	struct case_ctx x;
	struct buf pdf;
	json_t *doc = NULL;
	int rc;

	buf_init(&pdf, 0);
	if (demo_pdf(&pdf) < 0) {
		buf_free(&pdf);
		return err_set(e, "internal.error", "内存不足");
	}
	cases_ctx_init(&x, s, who, cal);
	rc = cases_attach(&x, id, (const unsigned char *)pdf.data, pdf.len, "缴款凭证.pdf", &doc, e);
	json_decref(doc);
	buf_free(&pdf);
	return rc;
}

/* ---- cases ------------------------------------------------------------------------ */

struct demo_step {
	const char *action;
	const char *body; /* JSON, or NULL */
	int by;           /* 0 the applicant, 1 the operator, 2 the handler */
};

struct demo_case {
	int subject;      /* 0 the online company, 1 the walk-in one */
	int record;       /* index into the subject's records */
	const char *grounds;
	const char *text;
	int back_days;    /* filed this many calendar days ago; 0 today */
	int attach;       /* the applicant attaches a receipt to its filing */
	struct demo_step steps[4];
};

static const struct demo_case DEMO_CASES[] = {
	{ 0, 0, "error", "处罚决定书中的罚款金额与实际缴纳金额不符，请核实更正。", 0, 0, { { NULL, NULL, 0 } } },
	{ 0, 1, "duplicate", "同一违法行为被重复公示了两条处罚信息，请删除重复的一条。", 0, 1,
	  { { "accept", "{\"note\":\"材料齐全，予以受理\"}", 1 } } },
	{ 0, 2, "past_publicity", "该处罚已超过公示期限，按规定应停止公示。", 30, 0,
	  { { "accept", NULL, 1 }, { "forward", "{\"note\":\"请市场监管局核实公示期限\"}", 1 } } },
	{ 0, 3, "error", "罚款金额录入错误，应为 2000 元。", 0, 0,
	  { { "accept", NULL, 1 },
	    { "forward", NULL, 1 },
	    { "decide",
	      "{\"outcome\":\"correct\",\"fields\":{\"fine\":\"0.2\"},"
	      "\"reason\":\"经核查，原记录罚款金额录入有误，已更正为 0.2 万元\"}",
	      2 } } },
	{ 1, 0, "other", "（窗口受理）申请人认为该记录有误，但未提供任何说明材料。", 0, 0,
	  { { "refuse", "{\"reason\":\"申请材料不全：请补充处罚决定书和缴款凭证后重新申请\"}", 1 } } },
	{ 1, 1, "error", "（窗口受理）申请人已与执法部门沟通，自愿撤回。", 0, 0,
	  { { "withdraw", "{\"note\":\"申请人来电撤回\"}", 1 } } },
	{ 1, 2, "wrongly_listed", "（窗口受理）申请人认为处罚依据引用有误。", 0, 0,
	  { { "accept", NULL, 1 },
	    { "forward", NULL, 1 },
	    { "decide", "{\"outcome\":\"reject\",\"reason\":\"经核查，处罚依据引用正确，维持原记录\"}",
	      2 } } },
};

#define NDEMO_CASES (sizeof DEMO_CASES / sizeof DEMO_CASES[0])

struct demo_cast {
	struct principal applicant[2]; /* the company's account; the console for the walk-in */
	struct principal op, handler;
	const struct workday_calendar *cal;
	struct demo_pick subject[2];
};

static int demo_case_file(struct store *s, const struct demo_cast *c, const struct demo_case *d,
			  struct err *e)
{
	const struct demo_pick *p = &c->subject[d->subject];
	struct case_ctx x;
	json_t *body, *doc = NULL;
	int64_t id;
	size_t i;
	int rc;

	if (d->record >= p->n)
		return 0;
	body = json_pack("{s:s, s:I, s:s, s:s, s:s}", "kind", "objection", "record",
			 (json_int_t)p->records[d->record], "grounds", d->grounds, "text", d->text,
			 "contact", "0758-2222333");
	cases_ctx_init(&x, s, &c->applicant[d->subject], c->cal);
	rc = cases_file(&x, body, NULL, &doc, e);
	json_decref(body);
	if (rc < 0)
		return -1;
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	if (d->attach && demo_attach(s, &c->applicant[d->subject], c->cal, id, e) < 0)
		return -1;
	for (i = 0; i < sizeof d->steps / sizeof d->steps[0] && d->steps[i].action; i++) {
		const struct demo_step *st = &d->steps[i];
		const struct principal *who = st->by == 0 ? &c->applicant[d->subject] :
					      st->by == 1 ? &c->op :
							    &c->handler;
		json_t *step_body = st->body ? json_loads(st->body, 0, NULL) : NULL;

		cases_ctx_init(&x, s, who, c->cal);
		rc = cases_act(&x, id, st->action, step_body, NULL, &doc, e);
		json_decref(step_body);
		json_decref(doc);
		doc = NULL;
		if (rc < 0)
			return -1;
	}
	return 1;
}

/* Files case d as of `back_days` ago: the one clock is moved for the filing and its
 * steps, then put back. */
static int demo_case_back_dated(struct store *s, const struct demo_cast *c,
				const struct demo_case *d, struct err *e)
{
	const char *was = getenv("XINYONG_NOW");
	char *saved = was ? strdup(was) : NULL;
	char today[11], then[11];
	struct date t;
	int rc;

	if (was && !saved)
		return err_set(e, "internal.error", "内存不足");
	clock_today(today);
	if (date_parse_iso(today, &t) < 0) {
		free(saved);
		return err_set(e, "internal.error", "今天的日期无法识别");
	}
	date_format(date_from_days(date_to_days(t) - d->back_days), then);
	setenv("XINYONG_NOW", then, 1);
	rc = demo_case_file(s, c, d, e);
	if (saved)
		setenv("XINYONG_NOW", saved, 1);
	else
		unsetenv("XINYONG_NOW");
	free(saved);
	return rc;
}

/* The demo's credit repairs, in this order (an approval bars the subject's next repair
 * for a year, so the walk-in company's refused one comes first): */
struct demo_repair {
	int subject; /* 0 the online company, 1 the walk-in one */
	const char *text;
	struct demo_step steps[3];
};

static const struct demo_repair DEMO_REPAIRS[] = {
	/* waiting in the handler's inbox */
	{ 0, "罚款已全额缴纳，违法行为已整改完毕，并建立了内部合规审查制度，特申请信用修复。",
	  { { "accept", NULL, 1 }, { "forward", NULL, 1 } } },
	{ 1, "（窗口受理）申请人称已缴清罚款，但未带缴款凭证。",
	  { { "refuse", "{\"reason\":\"未提交罚款缴纳凭证：请补充凭证后重新申请\"}", 1 } } },
	/* approved: the record is repaired, off the public page */
	{ 1, "（窗口受理）罚款已缴清，整改报告经现场复核。",
	  { { "accept", NULL, 1 }, { "forward", NULL, 1 },
	    { "decide", "{\"outcome\":\"approve\",\"note\":\"缴款凭证与整改报告核实无误\"}", 2 } } },
};

/* The first record of p that `who` could have repaired today, or 0. */
static int demo_repairable(struct store *s, const struct principal *who,
			   const struct demo_pick *p, int64_t *id, struct err *e)
{
	json_t *doc = NULL;

	*id = 0;
	for (int i = 0; i < p->n && !*id; i++) {
		if (repair_eligibility(s, who, p->records[i], &doc, e) < 0)
			return -1;
		if (json_is_true(json_object_get(doc, "eligible")))
			*id = p->records[i];
		json_decref(doc);
		doc = NULL;
	}
	return 0;
}

/* Files and moves the demo's repairs; how many were made (none when no record of the
 * demo's companies may be repaired yet: a small or recent demo). */
static int demo_repairs(struct store *s, const struct demo_cast *c, struct err *e)
{
	int made = 0;

	for (size_t k = 0; k < sizeof DEMO_REPAIRS / sizeof DEMO_REPAIRS[0]; k++) {
		const struct demo_repair *d = &DEMO_REPAIRS[k];
		const struct principal *applicant = &c->applicant[d->subject];
		struct case_ctx x;
		json_t *doc = NULL, *body;
		int64_t record, id;
		int rc;

		/* The decision needs the demo's handler, of the first company's department. */
		if (d->subject == 1 && strcmp(c->subject[1].dept, c->subject[0].dept) != 0)
			continue;
		if (demo_repairable(s, applicant, &c->subject[d->subject], &record, e) < 0)
			return -1;
		if (!record)
			continue;
		body = json_pack("{s:s, s:I, s:s, s:b, s:s}", "kind", "repair", "record",
				 (json_int_t)record, "text", d->text, "commitment", 1, "contact",
				 "0758-2222333");
		cases_ctx_init(&x, s, applicant, c->cal);
		rc = cases_file(&x, body, NULL, &doc, e);
		json_decref(body);
		if (rc < 0)
			return -1;
		id = json_integer_value(json_object_get(doc, "id"));
		json_decref(doc);
		for (size_t i = 0; i < sizeof d->steps / sizeof d->steps[0] && d->steps[i].action; i++) {
			const struct demo_step *st = &d->steps[i];
			json_t *step = st->body ? json_loads(st->body, 0, NULL) : NULL;

			cases_ctx_init(&x, s, st->by == 1 ? &c->op : &c->handler, c->cal);
			rc = cases_act(&x, id, st->action, step, NULL, &doc, e);
			json_decref(step);
			json_decref(doc);
			doc = NULL;
			if (rc < 0)
				return -1;
		}
		made++;
	}
	return made;
}

int demo_generate_cases(struct store *s, json_t *summary, struct err *e)
{
	struct workday_calendar *cal = NULL;
	struct demo_cast c;
	json_t *accounts, *made = json_array();
	size_t i;
	int rc = -1, n;

	memset(&c, 0, sizeof c);
	if (demo_pick_subject(s, NULL, &c.subject[0], e) < 0 ||
	    demo_pick_subject(s, c.subject[0].code, &c.subject[1], e) < 0)
		goto out;
	if (c.subject[0].n == 0) {
		rc = 0; /* too few subjects for cases: a tiny demo */
		goto out;
	}
	if (demo_account(s, "demo-company", "subject", NULL, c.subject[0].code, "演示企业", e) < 0 ||
	    demo_account(s, "demo-operator", "operator", NULL, NULL, "演示运营人员", e) < 0 ||
	    demo_account(s, "demo-handler", "handler", c.subject[0].dept, NULL, "演示经办人", e) < 0)
		goto out;
	demo_user(&c.applicant[0], "demo-company", ROLE_SUBJECT, NULL, c.subject[0].code);
	principal_cli(&c.applicant[1], NULL);
	demo_user(&c.op, "demo-operator", ROLE_OPERATOR, NULL, NULL);
	demo_user(&c.handler, "demo-handler", ROLE_HANDLER, c.subject[0].dept, NULL);
	if (calendar_load(s, &cal, e) < 0)
		goto out;
	c.cal = cal;
	for (i = 0; i < NDEMO_CASES; i++) {
		/* The walk-in company's records may be another department's: its decided case
		 * needs a handler there, which the demo has only for the first company's. */
		if (DEMO_CASES[i].subject == 1 && strcmp(c.subject[1].dept, c.subject[0].dept) != 0 &&
		    DEMO_CASES[i].steps[2].action)
			continue;
		n = DEMO_CASES[i].back_days ? demo_case_back_dated(s, &c, &DEMO_CASES[i], e) :
					      demo_case_file(s, &c, &DEMO_CASES[i], e);
		if (n < 0)
			goto out;
		if (n > 0)
			json_array_append_new(made, json_integer((json_int_t)i));
	}
	if ((n = demo_repairs(s, &c, e)) < 0)
		goto out;
	json_object_set_new(summary, "repairs", json_integer(n));
	/* The company's own word on one of its records, shown beside it. */
	if (c.subject[0].n > 1) {
		json_t *doc = NULL;

		if (records_statement(s, &c.applicant[0], c.subject[0].records[1],
				      "我公司已于 2025 年缴清全部罚款，并完成整改、建立了食品安全自查制度。",
				      &doc, e) < 0)
			goto out;
		json_decref(doc);
	}
	accounts = json_pack("{s:s, s:[s, s, s]}", "password", DEMO_PASSWORD, "names",
			     "demo-company", "demo-operator", "demo-handler");
	json_object_set_new(summary, "accounts", accounts);
	json_object_set_new(summary, "cases", json_integer((json_int_t)json_array_size(made)));
	rc = 0;
out:
	json_decref(made);
	workday_calendar_free(cal);
	return rc;
}
