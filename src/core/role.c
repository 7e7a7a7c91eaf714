/*
 * role.c - role and scope names, lists and binding rules; see role.h.
 *
 * Roles and scopes share one parser and formatter driven by a name table each: the two
 * lists differ only in their names and in the field an error points at.
 */
#include "role.h"

#include <string.h>

#include "err.h"
#include "text.h"

struct role_table {
	const char *const *names; /* names[i] is the name of bit 1u << i */
	unsigned count;
	const char *field;   /* the request field an error points at */
	const char *what;    /* what the names are, for messages */
	const char *valid;   /* every name, for messages */
};

static const char *const role_names[] = {
	"subject", "submitter", "handler", "dept_admin", "operator", "admin", "auditor",
};

static const char *const scope_names[] = {
	"subjects:read", "batches:read", "batches:write", "checks:write",
};

static const struct role_table role_roles = {
	role_names, sizeof role_names / sizeof role_names[0], "roles", "角色",
	"subject、submitter、handler、dept_admin、operator、admin、auditor",
};

static const struct role_table role_scopes = {
	scope_names, sizeof scope_names / sizeof scope_names[0], "scopes", "权限范围",
	"subjects:read、batches:read、batches:write、checks:write",
};

_Static_assert(sizeof role_names / sizeof role_names[0] == 7, "one name per enum role bit");
_Static_assert(ROLES_ALL == (1u << 7) - 1, "ROLES_ALL covers every role");
_Static_assert(sizeof scope_names / sizeof scope_names[0] == 4, "one name per scope bit");
_Static_assert(SCOPES_ALL == (1u << 4) - 1, "SCOPES_ALL covers every scope");

/* Longest name worth looking up; longer items are unknown anyway. */
#define ROLE_NAME_MAX 32

static int role_space(char c)
{
	return c == ' ' || c == '\t';
}

static int role_parse(const struct role_table *t, const char *text, unsigned *out,
		      struct err *e)
{
	unsigned bits = 0, i;
	const char *p = text ? text : "", *start, *end;
	char name[ROLE_NAME_MAX], quoted[64];
	size_t n;

	while (*p) {
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		if (*p == ',')
			p++;
		while (start < end && role_space(*start))
			start++;
		while (end > start && role_space(end[-1]))
			end--;
		if (start == end)
			continue;
		n = (size_t)(end - start);
		for (i = 0; i < t->count; i++)
			if (strlen(t->names[i]) == n && memcmp(t->names[i], start, n) == 0)
				break;
		if (i == t->count) {
			if (!e)
				return -1;
			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, start, n);
			name[n] = '\0';
			text_quote(name, quoted, sizeof quoted);
			return err_set_field(e, "request.invalid", t->field,
					     "未知的%s“%s”；可用的%s为：%s", t->what, quoted, t->what,
					     t->valid);
		}
		bits |= 1u << i;
	}
	if (bits == 0)
		return err_set_field(e, "request.invalid", t->field,
				     "至少需要一个%s；可用的%s为：%s", t->what, t->what, t->valid);
	*out = bits;
	return 0;
}

static void role_format(const struct role_table *t, unsigned bits, char *out, size_t size)
{
	size_t len = 0, n;
	unsigned i;

	if (size == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < t->count; i++) {
		if (!(bits & (1u << i)))
			continue;
		n = strlen(t->names[i]);
		if (len + (len > 0) + n + 1 > size)
			return;
		if (len > 0)
			out[len++] = ',';
		memcpy(out + len, t->names[i], n + 1);
		len += n;
	}
}

static const char *role_one_name(const struct role_table *t, unsigned bit)
{
	unsigned i;

	for (i = 0; i < t->count; i++)
		if (bit == 1u << i)
			return t->names[i];
	return NULL;
}

int role_parse_list(const char *text, unsigned *out, struct err *e)
{
	return role_parse(&role_roles, text, out, e);
}

int scope_parse_list(const char *text, unsigned *out, struct err *e)
{
	return role_parse(&role_scopes, text, out, e);
}

void role_format_list(unsigned roles, char *out, size_t size)
{
	role_format(&role_roles, roles, out, size);
}

void scope_format_list(unsigned scopes, char *out, size_t size)
{
	role_format(&role_scopes, scopes, out, size);
}

const char *role_name(unsigned one_role_bit)
{
	return role_one_name(&role_roles, one_role_bit);
}

const char *scope_name(unsigned one_scope_bit)
{
	return role_one_name(&role_scopes, one_scope_bit);
}

static int role_fail(struct err *e, const char *message)
{
	return err_set_field(e, "request.invalid", "roles", "%s", message);
}

int role_check_binding(unsigned roles, int has_dept, int has_subject, struct err *e)
{
	if (roles == 0)
		return role_fail(e, "至少需要一个角色");
	if (roles & ~(unsigned)ROLES_ALL)
		return role_fail(e, "含有未知的角色");
	if (roles & ROLE_SUBJECT) {
		if (roles != ROLE_SUBJECT)
			return role_fail(e, "subject（信用主体）角色不能与其他角色同时授予");
		if (!has_subject)
			return role_fail(e, "subject（信用主体）角色须绑定主体代码");
		if (has_dept)
			return role_fail(e, "subject（信用主体）角色不能绑定部门");
		return 0;
	}
	if ((roles & ROLES_DEPT) && (roles & ROLES_PLATFORM))
		return role_fail(e, "部门角色（submitter、handler、dept_admin）不能与平台角色"
				    "（operator、admin、auditor）同时授予");
	if (roles & ROLES_DEPT) {
		if (!has_dept)
			return role_fail(e, "部门角色（submitter、handler、dept_admin）须绑定部门代码");
		if (has_subject)
			return role_fail(e, "部门角色（submitter、handler、dept_admin）不能绑定主体代码");
		return 0;
	}
	if (has_dept)
		return role_fail(e, "平台角色（operator、admin、auditor）不能绑定部门");
	if (has_subject)
		return role_fail(e, "平台角色（operator、admin、auditor）不能绑定主体代码");
	return 0;
}
