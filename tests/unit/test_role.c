/* test_role.c - role and scope lists and the role binding rules (src/core/role.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "core/role.h"

Test(role, parse_lists)
{
	unsigned r = 0;
	struct err e;

	err_clear(&e);
	cr_assert_eq(role_parse_list("submitter, handler", &r, &e), 0, "%s", e.message);
	cr_assert_eq(r, ROLE_SUBMITTER | ROLE_HANDLER);
	cr_assert_eq(role_parse_list(" admin ,admin,auditor,", &r, &e), 0, "%s", e.message);
	cr_assert_eq(r, ROLE_ADMIN | ROLE_AUDITOR);
	cr_assert_eq(role_parse_list("subject", &r, &e), 0);
	cr_assert_eq(r, ROLE_SUBJECT);
	cr_assert_eq(role_parse_list(
			     "subject,submitter,handler,dept_admin,operator,admin,auditor", &r, &e),
		     0);
	cr_assert_eq(r, ROLES_ALL);
}

Test(role, parse_refuses)
{
	unsigned r = 77;
	struct err e;

	err_clear(&e);
	cr_assert_eq(role_parse_list("admin,root", &r, &e), -1);
	cr_assert_str_eq(e.reason, "request.invalid");
	cr_assert_str_eq(e.field, "roles");
	cr_assert(strstr(e.message, "root"), "%s", e.message);
	cr_assert(strstr(e.message, "dept_admin"), "message should list valid names: %s",
		  e.message);
	cr_assert_eq(r, 77);
	cr_assert_eq(role_parse_list("", &r, &e), -1);
	cr_assert_eq(role_parse_list(" , ", &r, &e), -1);
	cr_assert_eq(role_parse_list(NULL, &r, &e), -1);
	cr_assert_eq(role_parse_list("Admin", &r, &e), -1);
	cr_assert_eq(role_parse_list("admin auditor", &r, &e), -1);
	cr_assert_eq(r, 77);
}

Test(scope, parse_and_refuse)
{
	unsigned s = 0;
	struct err e;

	err_clear(&e);
	cr_assert_eq(scope_parse_list("subjects:read , batches:write", &s, &e), 0, "%s",
		     e.message);
	cr_assert_eq(s, SCOPE_SUBJECTS_READ | SCOPE_BATCHES_WRITE);
	cr_assert_eq(scope_parse_list("checks:write,batches:read,subjects:read,batches:write",
				      &s, &e), 0);
	cr_assert_eq(s, SCOPES_ALL);
	cr_assert_eq(scope_parse_list("subjects:write", &s, &e), -1);
	cr_assert_str_eq(e.field, "scopes");
	cr_assert(strstr(e.message, "checks:write"), "%s", e.message);
	cr_assert_eq(scope_parse_list("admin", &s, &e), -1, "a role is not a scope");
}

Test(role, format_lists)
{
	char out[ROLE_LIST_MAX];

	role_format_list(ROLE_AUDITOR | ROLE_SUBMITTER | ROLE_DEPT_ADMIN, out, sizeof out);
	cr_assert_str_eq(out, "submitter,dept_admin,auditor");
	role_format_list(0, out, sizeof out);
	cr_assert_str_eq(out, "");
	role_format_list(ROLES_ALL | (1u << 20), out, sizeof out);
	cr_assert_str_eq(out, "subject,submitter,handler,dept_admin,operator,admin,auditor");
	scope_format_list(SCOPES_ALL, out, sizeof out);
	cr_assert_str_eq(out, "subjects:read,batches:read,batches:write,checks:write");
	/* Too small: whole names only. */
	role_format_list(ROLE_SUBMITTER | ROLE_HANDLER, out, 12);
	cr_assert_str_eq(out, "submitter");
}

Test(role, format_parse_round_trip)
{
	char out[ROLE_LIST_MAX];
	unsigned bits, back;

	for (bits = 1; bits <= ROLES_ALL; bits++) {
		role_format_list(bits, out, sizeof out);
		cr_assert_eq(role_parse_list(out, &back, NULL), 0, "\"%s\"", out);
		cr_assert_eq(back, bits, "\"%s\"", out);
	}
}

Test(role, names)
{
	cr_assert_str_eq(role_name(ROLE_DEPT_ADMIN), "dept_admin");
	cr_assert_str_eq(role_name(ROLE_SUBJECT), "subject");
	cr_assert_str_eq(role_name(ROLE_AUDITOR), "auditor");
	cr_assert_null(role_name(0));
	cr_assert_null(role_name(ROLE_ADMIN | ROLE_AUDITOR));
	cr_assert_null(role_name(1u << 7));
	cr_assert_str_eq(scope_name(SCOPE_CHECKS_WRITE), "checks:write");
	cr_assert_null(scope_name(1u << 4));
}

static void binding_ok(unsigned roles, int dept, int subject)
{
	struct err e;

	err_clear(&e);
	cr_assert_eq(role_check_binding(roles, dept, subject, &e), 0,
		     "roles %#x dept %d subject %d: %s", roles, dept, subject, e.message);
}

static void binding_bad(unsigned roles, int dept, int subject, const char *needle)
{
	struct err e;

	err_clear(&e);
	cr_assert_eq(role_check_binding(roles, dept, subject, &e), -1,
		     "roles %#x dept %d subject %d should fail", roles, dept, subject);
	cr_assert_str_eq(e.reason, "request.invalid");
	cr_assert(strstr(e.message, needle), "message \"%s\" lacks \"%s\"", e.message, needle);
}

Test(role, binding_rules)
{
	binding_ok(ROLE_SUBJECT, 0, 1);
	binding_bad(ROLE_SUBJECT | ROLE_AUDITOR, 0, 1, "其他角色");
	binding_bad(ROLE_SUBJECT, 0, 0, "主体代码");
	binding_bad(ROLE_SUBJECT, 1, 1, "部门");

	binding_ok(ROLE_SUBMITTER | ROLE_HANDLER, 1, 0);
	binding_ok(ROLES_DEPT, 1, 0);
	binding_bad(ROLE_SUBMITTER, 0, 0, "须绑定部门");
	binding_bad(ROLE_HANDLER, 1, 1, "不能绑定主体");

	binding_ok(ROLES_PLATFORM, 0, 0);
	binding_ok(ROLE_AUDITOR, 0, 0);
	binding_bad(ROLE_ADMIN, 1, 0, "不能绑定部门");
	binding_bad(ROLE_OPERATOR, 0, 1, "不能绑定主体");

	binding_bad(ROLE_DEPT_ADMIN | ROLE_ADMIN, 1, 0, "不能与平台角色");
	binding_bad(0, 0, 0, "至少");
	binding_bad(ROLE_ADMIN | (1u << 9), 0, 0, "未知");
}
