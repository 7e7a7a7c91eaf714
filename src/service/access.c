/* access.c - see access.h. */
#include "access.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/role.h"
#include "principal.h"
#include "store/store.h"

#define ACCESS_BIT(d) (1u << (d))

int access_full_ids(const struct principal *who)
{
	switch (who->kind) {
	case PRINCIPAL_CLI:
		return 1;
	case PRINCIPAL_TOKEN:
		return (who->scopes & SCOPE_SUBJECTS_READ) != 0;
	case PRINCIPAL_USER:
		return (who->roles & ROLE_HANDLER) != 0;
	case PRINCIPAL_ANONYMOUS:
	default:
		return 0;
	}
}

int access_sees_dept(const struct principal *who, const char *dept_code)
{
	if (who->kind == PRINCIPAL_CLI ||
	    (who->kind == PRINCIPAL_USER && (who->roles & (ROLE_OPERATOR | ROLE_ADMIN))))
		return 1;
	return who->dept_code[0] && strcmp(who->dept_code, dept_code) == 0;
}

/* The authorization in force that `who`'s organisation holds from subject `code`. */
static int access_authorization(struct store *s, const struct principal *who, const char *code,
				struct store_authorization *a, struct err *e)
{
	const char *org = principal_org_code(who);
	char now[26];

	if (!*org || (who->kind == PRINCIPAL_TOKEN && !(who->scopes & SCOPE_SUBJECTS_READ)))
		return 0;
	clock_timestamp(now);
	return store_authorization_active(s, code, org, now, a, e);
}

int access_view_of(struct store *s, const struct principal *who, const char *code, int person,
		   struct access_view *v, struct err *e)
{
	struct store_authorization a;
	int held;

	memset(v, 0, sizeof *v);
	v->exists = !person;
	v->disclosures = ACCESS_BIT(DISCLOSURE_PUBLIC);
	snprintf(v->purpose, sizeof v->purpose, "%s", who->purpose);

	if (who->kind == PRINCIPAL_CLI ||
	    (who->kind == PRINCIPAL_USER && (who->roles & ROLE_SUBJECT) &&
	     strcmp(who->subject_code, code) == 0)) {
		v->exists = 1;
		v->disclosures |= ACCESS_BIT(DISCLOSURE_SHARED) | ACCESS_BIT(DISCLOSURE_AUTHORIZED);
		v->ended = v->full_ids = v->nonpublic = 1;
		return 0;
	}
	held = access_authorization(s, who, code, &a, e);
	if (held < 0)
		return -1;
	if (held) {
		v->exists = 1;
		v->disclosures |= ACCESS_BIT(DISCLOSURE_AUTHORIZED);
		v->full_ids = v->nonpublic = 1;
		v->authorization = a.id;
		if (!v->purpose[0])
			snprintf(v->purpose, sizeof v->purpose, "%s", a.purpose);
	}
	if (principal_is_government(who)) {
		if (!who->purpose[0])
			return err_set_field(e, "access.purpose_required", "purpose",
					     "查看非公开信息须说明查询事由：请在 purpose 参数中填写（如“行政许可审查”）；"
					     "只看公开信息请加 view=public");
		v->exists = 1;
		v->disclosures |= ACCESS_BIT(DISCLOSURE_SHARED);
		v->ended = v->nonpublic = 1;
		v->full_ids |= access_full_ids(who);
	}
	return 0;
}
