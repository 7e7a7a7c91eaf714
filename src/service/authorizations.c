/* authorizations.c - see authorizations.h. */
#include "authorizations.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "audit_trail.h"
#include "codes.h"
#include "core/clock.h"
#include "core/duration.h"
#include "core/err.h"
#include "core/text.h"
#include "principal.h"
#include "store/store.h"

#define AUTHORIZATIONS_PURPOSE_MAX_CHARS 100

/* The subject `who` acts for in `act`: its own (`subject` NULL or its own code), or the
 * one named, for whom no subject binds (the console, operators).  Writes the normalized
 * code. */
static int authorizations_subject(struct store *s, const struct principal *who,
				  enum access_action act, const char *subject, char out[CODE_MAX],
				  struct err *e)
{
	const struct access_target t = { subject && *subject ? subject : who->subject_code,
					 NULL };

	if (access_check(who, act, &t, e) < 0)
		return -1;
	/* Its own subject: the account's code, normalized when the account was made. */
	if (who->subject_code[0] && strcmp(t.subject_code, who->subject_code) == 0) {
		memcpy(out, who->subject_code, CODE_MAX);
		return 0;
	}
	return codes_require_valid(s, subject, CODE_KIND_AUTO, "subject", out, e);
}

static json_t *authorizations_json(const struct store_authorization *a)
{
	char now[26];
	const char *state = "active";

	clock_timestamp(now);
	if (a->revoked_at[0])
		state = "revoked";
	else if (strcmp(a->expires_at, now) <= 0)
		state = "expired";
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s}", "id",
			 (json_int_t)a->id, "subject", a->subject_code, "grantee", a->grantee_code,
			 "purpose", a->purpose, "granted_at", a->granted_at, "expires_at",
			 a->expires_at, "revoked_at", a->revoked_at[0] ? a->revoked_at : NULL,
			 "recorded_by", a->recorded_by, "state", state);
}

static int authorizations_audit(struct store *s, const struct principal *who, const char *action,
				const struct store_authorization *a, struct err *e)
{
	json_t *detail = json_pack("{s:I, s:s, s:s}", "authorization", (json_int_t)a->id,
				   "grantee", a->grantee_code, "expires_at", a->expires_at);
	int rc = audit_trail_record(s, who, action, a->subject_code, detail, e);

	json_decref(detail);
	return rc;
}

int authorizations_grant(struct store *s, const struct principal *who,
			 const struct authorization_request *r, json_t **out, struct err *e)
{
	struct store_authorization a;
	long long lifetime;
	size_t purpose_chars;

	*out = NULL;
	memset(&a, 0, sizeof a);
	if (authorizations_subject(s, who, ACCESS_AUTHORIZATION_GRANT, r->subject, a.subject_code,
				   e) < 0 ||
	    codes_require_valid(s, r->grantee, CODE_KIND_USCC, "grantee", a.grantee_code, e) < 0 ||
	    duration_parse(r->expires ? r->expires : AUTHORIZATIONS_DEFAULT_LIFETIME, &lifetime,
			   e) < 0)
		return -1;
	purpose_chars = r->purpose ? text_utf8_length(r->purpose) : 0;
	if (purpose_chars == 0 || purpose_chars > AUTHORIZATIONS_PURPOSE_MAX_CHARS)
		return err_set_field(e, "request.invalid", "purpose",
				     "请填写授权用途（1 到 %d 个字），如“贷款审批”",
				     AUTHORIZATIONS_PURPOSE_MAX_CHARS);
	if (strcmp(a.grantee_code, a.subject_code) == 0)
		return err_set_field(e, "request.invalid", "grantee", "不能授权给主体自己");
	snprintf(a.purpose, sizeof a.purpose, "%s", r->purpose);
	clock_timestamp_in(lifetime, a.expires_at);
	principal_actor(who, a.recorded_by, sizeof a.recorded_by);
	if (store_begin(s, e) < 0)
		return -1;
	if (store_authorization_insert(s, &a, e) < 0 ||
	    authorizations_audit(s, who, "authorization.grant", &a, e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		return -1;
	}
	*out = authorizations_json(&a);
	return 0;
}

int authorizations_revoke(struct store *s, const struct principal *who, const char *subject,
			  int64_t id, struct err *e)
{
	struct store_authorization a;
	int rc;

	memset(&a, 0, sizeof a);
	if (authorizations_subject(s, who, ACCESS_AUTHORIZATION_REVOKE, subject, a.subject_code,
				   e) < 0)
		return -1;
	a.id = id;
	if (store_begin(s, e) < 0)
		return -1;
	rc = store_authorization_revoke(s, a.subject_code, id, e);
	if (rc == 0)
		err_set(e, "authorization.not_found", "没有编号为 %lld 且仍有效的授权", (long long)id);
	if (rc <= 0 || authorizations_audit(s, who, "authorization.revoke", &a, e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

static int authorizations_row(void *ctx, const struct store_authorization *a)
{
	json_array_append_new(ctx, authorizations_json(a));
	return 0;
}

int authorizations_list(struct store *s, const struct principal *who, const char *subject,
			json_t **out, struct err *e)
{
	char code[CODE_MAX];
	json_t *list;

	*out = NULL;
	if (authorizations_subject(s, who, ACCESS_AUTHORIZATION_LIST, subject, code, e) < 0)
		return -1;
	list = json_array();
	if (store_authorizations_of_subject(s, code, authorizations_row, list, e) < 0) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:s, s:o}", "subject", code, "authorizations", list);
	return 0;
}
