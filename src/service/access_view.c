/* access_view.c - see access_view.h. */
#include "access_view.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "core/clock.h"
#include "core/err.h"
#include "principal.h"
#include "store/store.h"

#define ACCESS_BIT(d) (1u << (d))

/* The authorization in force that `who`'s organisation holds from subject `code`. */
static int access_authorization(struct store *s, const struct principal *who, const char *code,
				struct store_authorization *a, struct err *e)
{
	const char *org = principal_org_code(who);
	char now[26];

	if (!*org || !access_may(who, ACCESS_SUBJECT_READ_AUTHORIZED, NULL))
		return 0;
	clock_timestamp(now);
	return store_authorization_active(s, code, org, now, a, e);
}

int access_view_of(struct store *s, const struct principal *who, const char *code, int person,
		   struct access_view *v, struct err *e)
{
	const struct access_target subject = { code, NULL };
	struct store_authorization a;
	int held;

	memset(v, 0, sizeof *v);
	v->exists = !person;
	v->disclosures = ACCESS_BIT(DISCLOSURE_PUBLIC);
	snprintf(v->purpose, sizeof v->purpose, "%s", who->purpose);
	snprintf(v->dept, sizeof v->dept, "%s", who->dept_code);
	v->repaired = who->subject_code[0] && strcmp(who->subject_code, code) == 0;

	if (access_may(who, ACCESS_SUBJECT_READ_OWN, &subject)) {
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
	/* Not a government body: it sees what the public sees, and what it is authorized
	 * to.  A government body without a purpose is refused, authorization or not: the
	 * request's own purpose is what the rule asks for. */
	switch (access_judge(who, ACCESS_SUBJECT_READ_SHARED, NULL)) {
	case ACCESS_ALLOWED:
		v->exists = 1;
		v->disclosures |= ACCESS_BIT(DISCLOSURE_SHARED);
		v->ended = v->nonpublic = 1;
		v->full_ids |= access_may(who, ACCESS_SUBJECT_FULL_IDS, NULL);
		return 0;
	case ACCESS_NO_PURPOSE:
		return access_check(who, ACCESS_SUBJECT_READ_SHARED, NULL, e);
	default:
		return 0;
	}
}
