/* tokens.c - see tokens.h. */
#include "tokens.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "audit_trail.h"
#include "codes.h"
#include "core/clock.h"
#include "core/duration.h"
#include "core/err.h"
#include "core/role.h"
#include "principal.h"
#include "store/store.h"

/* How many characters of a token a list shows: its prefix and four more, enough to tell
 * tokens apart and far too few to guess the rest. */
#define TOKENS_HINT_CHARS 8

json_t *tokens_scopes_json(unsigned scopes)
{
	json_t *names = json_array();
	unsigned bit;

	for (bit = 1; bit && bit <= SCOPES_ALL; bit <<= 1)
		if (scopes & bit)
			json_array_append_new(names, json_string(scope_name(bit)));
	return names;
}

static json_t *tokens_json(const struct store_token *t)
{
	char now[26];
	const char *state = "active";
	json_t *scopes;
	unsigned bits = 0;

	clock_timestamp(now);
	if (t->revoked_at[0])
		state = "revoked";
	else if (strcmp(t->expires_at, now) <= 0)
		state = "expired";
	scope_parse_list(t->scopes, &bits, NULL);
	scopes = tokens_scopes_json(bits);
	return json_pack("{s:I, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:s, s:s?, s:s}", "id",
			 (json_int_t)t->id, "hint", t->hint, "owner", "kind", t->owner_kind, "code",
			 t->owner_code, "scopes", scopes, "note", t->note, "created_at",
			 t->created_at, "expires_at", t->expires_at, "revoked_at",
			 t->revoked_at[0] ? t->revoked_at : NULL, "state", state);
}

static int tokens_record(struct store *s, const struct principal *who, const char *action,
			 const struct store_token *t, struct err *e)
{
	json_t *detail = json_pack("{s:I, s:s, s:s, s:s}", "token", (json_int_t)t->id, "owner",
				   t->owner_code, "scopes", t->scopes, "expires_at", t->expires_at);
	int rc = audit_trail_record(s, who, action, NULL, detail, e);

	json_decref(detail);
	return rc;
}

int tokens_issue(struct store *s, const struct principal *who, const struct token_request *r,
		 json_t **out, char secret[SECRET_TOKEN_MAX], struct err *e)
{
	struct store_token t;
	char hash[SECRET_HASH_HEX];
	long long lifetime;
	unsigned scopes;
	int has_dept = r->dept_code && *r->dept_code, has_agency = r->agency_code && *r->agency_code;

	*out = NULL;
	secret[0] = '\0';
	memset(&t, 0, sizeof t);
	if (access_check(who, ACCESS_TOKEN_ISSUE, NULL, e) < 0)
		return -1;
	if (has_dept == has_agency)
		return err_set_field(e, "request.invalid", "dept",
				     "令牌须绑定一个部门（--dept）或一个信用服务机构（--agency），二者选一");
	if (codes_require_valid(s, has_dept ? r->dept_code : r->agency_code, CODE_KIND_USCC,
				has_dept ? "dept" : "agency", t.owner_code, e) < 0 ||
	    scope_parse_list(r->scopes, &scopes, e) < 0 ||
	    duration_parse(r->expires ? r->expires : TOKENS_DEFAULT_LIFETIME, &lifetime, e) < 0)
		return -1;
	/* An agency is not a government body: it may read what subjects authorized it to,
	 * nothing else. */
	if (has_agency && (scopes & ~SCOPE_SUBJECTS_READ))
		return err_set_field(e, "request.invalid", "scopes",
				     "信用服务机构的令牌只能有 subjects:read 权限");
	snprintf(t.owner_kind, sizeof t.owner_kind, "%s", has_dept ? "dept" : "agency");
	scope_format_list(scopes, t.scopes, sizeof t.scopes);
	snprintf(t.note, sizeof t.note, "%s", r->note ? r->note : "");
	clock_timestamp_in(lifetime, t.expires_at);
	if (secret_api_token(secret) < 0)
		return err_set(e, "internal.error", "无法生成访问令牌");
	snprintf(t.hint, sizeof t.hint, "%.*s", TOKENS_HINT_CHARS, secret);
	secret_hash_hex(secret, hash);
	if (store_begin(s, e) < 0)
		goto fail;
	if (store_token_insert(s, hash, &t, e) < 0 || tokens_record(s, who, "token.issue", &t, e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		goto fail;
	}
	*out = tokens_json(&t);
	return 0;
fail:
	memset(secret, 0, SECRET_TOKEN_MAX);
	return -1;
}

int tokens_revoke(struct store *s, const struct principal *who, int64_t id, struct err *e)
{
	struct store_token t;
	int rc;

	if (access_check(who, ACCESS_TOKEN_REVOKE, NULL, e) < 0)
		return -1;
	if (store_begin(s, e) < 0)
		return -1;
	rc = store_token_revoke(s, id, e);
	if (rc == 0)
		err_set(e, "token.not_found", "没有编号为 %lld 且仍有效的访问令牌", (long long)id);
	if (rc <= 0 || store_token_get(s, id, &t, e) <= 0 ||
	    tokens_record(s, who, "token.revoke", &t, e) < 0 || store_commit(s, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

static int tokens_list_row(void *ctx, const struct store_token *t)
{
	json_array_append_new(ctx, tokens_json(t));
	return 0;
}

int tokens_list(struct store *s, const struct principal *who, json_t **out, struct err *e)
{
	json_t *list;

	*out = NULL;
	if (access_check(who, ACCESS_TOKEN_LIST, NULL, e) < 0)
		return -1;
	list = json_array();
	if (store_token_list(s, tokens_list_row, list, e) < 0) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o}", "tokens", list);
	return 0;
}

int tokens_principal(struct store *s, const char *secret, struct principal *p, struct err *e)
{
	char hash[SECRET_HASH_HEX], now[26], client[sizeof p->client];
	struct store_token t;
	int found;

	secret_hash_hex(secret, hash);
	found = store_token_find(s, hash, &t, e);
	if (found <= 0)
		return found;
	clock_timestamp(now);
	if (t.revoked_at[0] || strcmp(t.expires_at, now) <= 0)
		return 0;
	snprintf(client, sizeof client, "%s", p->client);
	principal_anonymous(p, client);
	p->kind = PRINCIPAL_TOKEN;
	p->id = t.id;
	snprintf(p->name, sizeof p->name, "token:%lld", (long long)t.id);
	scope_parse_list(t.scopes, &p->scopes, NULL);
	if (strcmp(t.owner_kind, "agency") == 0)
		memcpy(p->agency_code, t.owner_code, sizeof p->agency_code);
	else
		memcpy(p->dept_code, t.owner_code, sizeof p->dept_code);
	return 1;
}
