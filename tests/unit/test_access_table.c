/* test_access_table.c - the table of who may do what (src/service/access.c), walked row
 * by row: its shape, then every row's verdict for a caller of every kind and role, on a
 * target of its own, of someone else, and of nobody, with and without a purpose.
 *
 * The expectations below are this test's own copy of the rules (docs/security.md): a
 * change to a row must be made here too, which is the point. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/role.h"
#include "service/access.h"
#include "service/principal.h"

/* ---- the callers ------------------------------------------------------------------- */

#define OWN_SUBJECT "91440300MA5F000001"
#define OWN_DEPT "11441200MB2C12348J"
#define OWN_AGENCY "91440300MA5FXXXXXX"

struct caller {
	const char *name;
	enum principal_kind kind;
	unsigned roles;
	unsigned scopes;
	const char *dept;
	const char *agency;
	const char *subject;
};

static const struct caller callers[] = {
	{ "anonymous", PRINCIPAL_ANONYMOUS, 0, 0, NULL, NULL, NULL },
	{ "cli", PRINCIPAL_CLI, 0, 0, NULL, NULL, NULL },
	{ "subject", PRINCIPAL_USER, ROLE_SUBJECT, 0, NULL, NULL, OWN_SUBJECT },
	{ "submitter", PRINCIPAL_USER, ROLE_SUBMITTER, 0, OWN_DEPT, NULL, NULL },
	{ "handler", PRINCIPAL_USER, ROLE_HANDLER, 0, OWN_DEPT, NULL, NULL },
	{ "dept_admin", PRINCIPAL_USER, ROLE_DEPT_ADMIN, 0, OWN_DEPT, NULL, NULL },
	{ "operator", PRINCIPAL_USER, ROLE_OPERATOR, 0, NULL, NULL, NULL },
	{ "admin", PRINCIPAL_USER, ROLE_ADMIN, 0, NULL, NULL, NULL },
	{ "auditor", PRINCIPAL_USER, ROLE_AUDITOR, 0, NULL, NULL, NULL },
	{ "token:subjects:read", PRINCIPAL_TOKEN, 0, SCOPE_SUBJECTS_READ, OWN_DEPT, NULL, NULL },
	{ "token:batches:read", PRINCIPAL_TOKEN, 0, SCOPE_BATCHES_READ, OWN_DEPT, NULL, NULL },
	{ "token:batches:write", PRINCIPAL_TOKEN, 0, SCOPE_BATCHES_WRITE, OWN_DEPT, NULL, NULL },
	{ "token:checks:write", PRINCIPAL_TOKEN, 0, SCOPE_CHECKS_WRITE, OWN_DEPT, NULL, NULL },
	{ "agency:subjects:read", PRINCIPAL_TOKEN, 0, SCOPE_SUBJECTS_READ, NULL, OWN_AGENCY, NULL },
};

#define NCALLERS (sizeof callers / sizeof callers[0])

static void caller_principal(const struct caller *c, const char *purpose, struct principal *p)
{
	if (c->kind == PRINCIPAL_CLI) {
		principal_cli(p, purpose);
		return;
	}
	principal_anonymous(p, "192.0.2.1");
	p->kind = c->kind;
	p->id = c->kind == PRINCIPAL_ANONYMOUS ? 0 : 7;
	p->roles = c->roles;
	p->scopes = c->scopes;
	snprintf(p->dept_code, sizeof p->dept_code, "%s", c->dept ? c->dept : "");
	snprintf(p->agency_code, sizeof p->agency_code, "%s", c->agency ? c->agency : "");
	snprintf(p->subject_code, sizeof p->subject_code, "%s", c->subject ? c->subject : "");
	snprintf(p->purpose, sizeof p->purpose, "%s", purpose ? purpose : "");
}

/* ---- the expectations ------------------------------------------------------------- */

#define GOVERNMENT "cli submitter handler dept_admin operator admin token:subjects:read"
#define BATCH_READERS "cli submitter handler dept_admin operator admin token:batches:read"
#define USERS "subject submitter handler dept_admin operator admin auditor"

struct expected {
	const char *name;
	const char *own;        /* allowed on a target of their own, with a purpose */
	const char *other;      /* allowed on someone else's target (and on nobody's) */
	const char *no_purpose; /* allowed on their own without a purpose; NULL: as `own` */
};

static const struct expected expectations[] = {
	{ "user.manage.dept", "cli dept_admin admin", "cli admin", NULL },
	{ "user.manage.subject", "cli operator admin", "cli operator admin", NULL },
	{ "user.manage.platform", "cli admin", "cli admin", NULL },
	{ "user.password.set", "cli admin", "cli admin", NULL },
	{ "user.password.change", USERS, USERS, NULL },
	{ "user.list", "cli dept_admin admin", "cli admin", NULL },
	{ "token.issue", "cli admin", "cli admin", NULL },
	{ "token.revoke", "cli admin", "cli admin", NULL },
	{ "token.list", "cli admin", "cli admin", NULL },
	{ "authorization.grant", "cli subject operator", "cli operator", NULL },
	{ "authorization.revoke", "cli subject operator", "cli operator", NULL },
	{ "authorization.list", "cli subject operator", "cli operator", NULL },
	{ "batch.submit", "cli submitter token:batches:write", "cli", NULL },
	{ "batch.read", BATCH_READERS, "cli operator admin", NULL },
	{ "record.history", BATCH_READERS, "cli operator admin", NULL },
	{ "record.transfer", "cli operator", "cli operator", NULL },
	{ "subject.read.own", "cli subject", "cli", NULL },
	{ "subject.read.authorized",
	  "submitter handler dept_admin token:subjects:read agency:subjects:read",
	  "submitter handler dept_admin token:subjects:read agency:subjects:read", NULL },
	{ "subject.read.shared", GOVERNMENT, GOVERNMENT, "cli" },
	{ "subject.full_ids", "cli handler token:subjects:read agency:subjects:read",
	  "cli handler token:subjects:read agency:subjects:read", NULL },
	{ "subject.find_persons", GOVERNMENT, GOVERNMENT, "cli" },
	{ "rules.import", "cli", "cli", NULL },
	{ "case.file", "cli subject operator", "cli operator", NULL },
	{ "case.act.applicant", "cli subject", "cli", NULL },
	{ "case.act.walk_in", "cli operator", "cli operator", NULL },
	{ "case.act.operator", "cli operator", "cli operator", NULL },
	{ "case.act.dept", "cli handler", "cli", NULL },
	{ "case.list.all", "cli operator admin", "cli operator admin", NULL },
	{ "case.list.subject", "cli subject", "cli", NULL },
	{ "case.list.dept", "cli handler", "cli", NULL },
	{ "statement.put", "cli subject operator", "cli operator", NULL },
};

#define NEXPECTED (sizeof expectations / sizeof expectations[0])

/* Whether `name` is one of the space-separated words of `list`. */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static const struct expected *expected_of(const char *name)
{
	size_t i;

	for (i = 0; i < NEXPECTED; i++)
		if (strcmp(expectations[i].name, name) == 0)
			return &expectations[i];
	return NULL;
}

/* ---- the table's shape -------------------------------------------------------------- */

Test(access_table, every_action_has_exactly_one_row)
{
	size_t n, i, j;
	const struct access_rule *rules = access_table(&n);
	int act;

	cr_assert_eq(n, (size_t)ACCESS_ACTION_COUNT);
	for (act = 0; act < ACCESS_ACTION_COUNT; act++) {
		int rows = 0;

		for (i = 0; i < n; i++)
			rows += rules[i].action == (enum access_action)act;
		cr_assert_eq(rows, 1, "action %d has %d rows", act, rows);
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			cr_assert_str_neq(rules[i].name, rules[j].name);
}

Test(access_table, every_row_names_someone_and_says_why_not)
{
	size_t n, i;
	const struct access_rule *rules = access_table(&n);

	for (i = 0; i < n; i++) {
		const struct access_rule *r = &rules[i];

		cr_assert(r->name && *r->name);
		cr_assert(r->roles || r->dept_scopes || r->agency_scopes || r->console,
			  "%s names nobody", r->name);
		cr_assert((r->roles & ~ROLES_ALL) == 0, "%s: unknown roles", r->name);
		cr_assert(((r->dept_scopes | r->agency_scopes) & ~SCOPES_ALL) == 0,
			  "%s: unknown scopes", r->name);
		/* `anywhere` lifts an owner from roles the row names, nothing else. */
		cr_assert((r->anywhere & ~r->roles) == 0, "%s: anywhere outside roles", r->name);
		cr_assert(!r->anywhere || r->owner != ACCESS_OWNER_NONE, "%s", r->name);
		cr_assert(!r->not_own || r->owner != ACCESS_OWNER_NONE, "%s", r->name);
		cr_assert(r->refused && *r->refused, "%s has no refusal", r->name);
		cr_assert(!r->purpose || *r->purpose, "%s", r->name);
	}
}

Test(access_table, this_test_knows_every_row)
{
	size_t n, i;
	const struct access_rule *rules = access_table(&n);

	for (i = 0; i < n; i++)
		cr_assert_not_null(expected_of(rules[i].name), "no expectation for %s",
				   rules[i].name);
	cr_assert_eq(NEXPECTED, n, "an expectation names no row");
}

/* ---- every row, every caller ------------------------------------------------------- */

Test(access_table, every_row_allows_exactly_whom_it_should)
{
	const struct access_target own = { OWN_SUBJECT, OWN_DEPT };
	const struct access_target other = { "91440300MA5F000002", "11441200MB2C99999X" };
	const struct access_target nobody = { NULL, NULL };
	size_t n, i, k;
	const struct access_rule *rules = access_table(&n);

	for (i = 0; i < n; i++) {
		const struct access_rule *r = &rules[i];
		const struct expected *x = expected_of(r->name);

		cr_assert_not_null(x);
		for (k = 0; k < NCALLERS; k++) {
			const struct caller *c = &callers[k];
			struct principal with, without;
			const char *no_purpose = x->no_purpose ? x->no_purpose : x->own;

			caller_principal(c, "行政许可审查", &with);
			caller_principal(c, NULL, &without);
			cr_expect_eq(access_may(&with, r->action, &own), listed(x->own, c->name),
				     "%s by %s on its own", r->name, c->name);
			cr_expect_eq(access_may(&with, r->action, &other), listed(x->other, c->name),
				     "%s by %s on another's", r->name, c->name);
			cr_expect_eq(access_may(&with, r->action, &nobody),
				     listed(x->other, c->name), "%s by %s on nobody's", r->name,
				     c->name);
			cr_expect_eq(access_may(&with, r->action, NULL), listed(x->other, c->name),
				     "%s by %s without a target", r->name, c->name);
			cr_expect_eq(access_may(&without, r->action, &own),
				     listed(no_purpose, c->name), "%s by %s without a purpose",
				     r->name, c->name);
		}
	}
}

/* ---- the answers ------------------------------------------------------------------- */

static struct principal as(const char *name, const char *purpose)
{
	struct principal p;
	size_t k;

	for (k = 0; k < NCALLERS; k++)
		if (strcmp(callers[k].name, name) == 0)
			break;
	cr_assert_lt(k, NCALLERS);
	caller_principal(&callers[k], purpose, &p);
	return p;
}

Test(access_table, answers_carry_the_rows_reasons_and_messages)
{
	const struct access_target own = { OWN_SUBJECT, OWN_DEPT };
	const struct access_target other = { "91440300MA5F000002", "11441200MB2C99999X" };
	struct principal subject = as("subject", NULL), auditor = as("auditor", NULL);
	struct principal handler = as("handler", NULL), cli = as("cli", NULL);
	struct principal dept_admin = as("dept_admin", NULL), submitter = as("submitter", NULL);
	struct principal anonymous = as("anonymous", NULL);
	struct err e;

	err_clear(&e);
	cr_assert_eq(access_check(&subject, ACCESS_AUTHORIZATION_GRANT, &own, &e), 0);
	cr_assert_eq(access_check(&subject, ACCESS_AUTHORIZATION_GRANT, &other, &e), -1);
	cr_assert_str_eq(e.reason, "auth.forbidden");
	cr_assert_str_eq(e.message, "只能管理本主体的授权");
	cr_assert_eq(access_check(&auditor, ACCESS_AUTHORIZATION_GRANT, &own, &e), -1);
	cr_assert_str_eq(e.reason, "auth.forbidden");
	cr_assert_str_eq(e.message, "只有信用主体本人或平台运营人员可以登记授权");
	/* A row without a message of its own for another's target repeats its refusal. */
	cr_assert_eq(access_check(&dept_admin, ACCESS_USER_LIST, &other, &e), -1);
	cr_assert_str_eq(e.message, "只有管理员和部门管理员可以查看账号列表");

	cr_assert_eq(access_judge(&handler, ACCESS_SUBJECT_READ_SHARED, NULL), ACCESS_NO_PURPOSE);
	cr_assert_eq(access_check(&handler, ACCESS_SUBJECT_READ_SHARED, NULL, &e), -1);
	cr_assert_str_eq(e.reason, "access.purpose_required");
	cr_assert_str_eq(e.field, "purpose");
	cr_assert(strstr(e.message, "view=public"));
	/* The console owes no reason, and no owner binds it. */
	cr_assert_eq(access_judge(&cli, ACCESS_SUBJECT_READ_SHARED, NULL), ACCESS_ALLOWED);
	cr_assert_eq(access_judge(&cli, ACCESS_BATCH_SUBMIT, &other), ACCESS_ALLOWED);
	cr_assert_eq(access_judge(&submitter, ACCESS_BATCH_SUBMIT, &other), ACCESS_NOT_OWN);
	cr_assert_eq(access_judge(&anonymous, ACCESS_BATCH_SUBMIT, &own), ACCESS_REFUSED);
}

Test(access_table, an_action_without_a_row_is_refused)
{
	struct principal cli = as("cli", NULL);
	struct err e;

	cr_assert_eq(access_judge(&cli, ACCESS_ACTION_COUNT, NULL), ACCESS_REFUSED);
	cr_assert_eq(access_check(&cli, ACCESS_ACTION_COUNT, NULL, &e), -1);
	cr_assert_str_eq(e.reason, "auth.forbidden");
}
