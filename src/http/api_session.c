/*
 * api_session.c - logging in and out, and the caller's own account:
 *   POST   /api/v1/session        {"name", "password"} -> 201, Set-Cookie, {"user",
 *                                 "csrf_token", "expires_at", "since_last_login":
 *                                 {"failed_logins", "locked_until": TS|null}}
 *   DELETE /api/v1/session        ends the cookie's session
 *   POST   /api/v1/activate       {"name", "code", "password"}: first password
 *   GET    /api/v1/me             {"kind": "user"|"token", "user"|"token": {...},
 *                                 "csrf_token" (cookie sessions)}
 *   POST   /api/v1/me/password    {"current", "password"}
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/json_input.h"
#include "core/password.h"
#include "service/accounts.h"
#include "service/tokens.h"
#include "store/store.h"

static const char *const LOGIN_FIELDS[] = { "name", "password", NULL };
static const char *const ACTIVATE_FIELDS[] = { "name", "code", "password", NULL };
static const char *const PASSWORD_FIELDS[] = { "current", "password", NULL };

/* Whether the request says its body is JSON: "application/json", any case, optionally
 * followed by parameters ("; charset=utf-8"). */
static int session_body_is_json(const struct http_request *req)
{
	static const char json_type[] = "application/json";
	const char *type = http_request_header(req, "Content-Type");
	size_t n = sizeof json_type - 1;

	if (!type)
		return 0;
	type += strspn(type, " \t");
	if (strncasecmp(type, json_type, n) != 0)
		return 0;
	type += n;
	type += strspn(type, " \t");
	return *type == '\0' || *type == ';';
}

int api_session_create(struct http_request *req, struct http_response *res, struct err *e)
{
	struct account_session session;
	const char *name, *password;
	json_t *body = NULL, *user = NULL;
	struct store *s;
	int rc = -1;

	/* A page of another origin can send a form (text/plain, urlencoded, multipart)
	 * without asking, but not a JSON body: requiring one keeps a cross-site form from
	 * logging the visitor into an account the attacker chose (login CSRF). */
	if (!session_body_is_json(req))
		return err_set(e, "request.media_type",
			       "登录请求的 Content-Type 应为 application/json");
	if (http_request_json(req, &body, e) < 0)
		return -1;
	if (json_input_only(body, LOGIN_FIELDS, e) < 0 ||
	    json_input_string(body, "name", JSON_INPUT_REQUIRED, 64, &name, e) < 0 ||
	    json_input_string(body, "password", JSON_INPUT_REQUIRED, PASSWORD_MAX_BYTES, &password,
			      e) < 0 ||
	    !(s = http_request_store(req, e)) ||
	    accounts_login(s, name, password, req->who.client, &session, &user, e) < 0)
		goto out;
	http_auth_cookie(req, session.token, ACCOUNTS_SESSION_SECONDS, res->set_cookie,
			 sizeof res->set_cookie);
	rc = http_reply_json(res, 201,
			     json_pack("{s:o, s:s, s:s, s:{s:i, s:s?}}", "user", user, "csrf_token",
				       session.csrf, "expires_at", session.expires_at,
				       "since_last_login", "failed_logins", session.failed_logins,
				       "locked_until",
				       session.locked_until[0] ? session.locked_until : NULL),
			     e);
out:
	memset(&session, 0, sizeof session);
	json_decref(body);
	return rc;
}

int api_session_delete(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);

	if (!s)
		return -1;
	if (req->session_token[0] && accounts_logout(s, &req->who, req->session_token, e) < 0)
		return -1;
	http_auth_cookie(req, NULL, 0, res->set_cookie, sizeof res->set_cookie);
	return http_reply_json(res, 200, json_pack("{s:b}", "logged_out", 1), e);
}

int api_activate(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *name, *code, *password;
	json_t *body = NULL;
	struct store *s;
	int rc = -1;

	if (http_request_json(req, &body, e) < 0)
		return -1;
	if (json_input_only(body, ACTIVATE_FIELDS, e) == 0 &&
	    json_input_string(body, "name", JSON_INPUT_REQUIRED, 64, &name, e) == 0 &&
	    json_input_string(body, "code", JSON_INPUT_REQUIRED, 32, &code, e) == 0 &&
	    json_input_string(body, "password", JSON_INPUT_REQUIRED, PASSWORD_MAX_BYTES, &password,
			      e) == 0 &&
	    (s = http_request_store(req, e)) &&
	    accounts_activate(s, name, code, password, req->who.client, e) == 0)
		rc = http_reply_json(res, 200, json_pack("{s:b}", "activated", 1), e);
	json_decref(body);
	return rc;
}

int api_me_show(struct http_request *req, struct http_response *res, struct err *e)
{
	const struct principal *who = &req->who;
	struct store *s = http_request_store(req, e);
	json_t *doc;

	if (!s)
		return -1;
	if (who->kind == PRINCIPAL_USER) {
		struct store_user u;
		char csrf[SECRET_HASH_HEX];

		if (store_user_get_id(s, who->id, &u, e) <= 0)
			return err_set(e, "auth.invalid", "登录已失效，请重新登录");
		doc = json_pack("{s:s, s:o}", "kind", "user", "user", accounts_user_json(&u));
		if (req->session_token[0]) {
			accounts_session_csrf(req->session_token, csrf);
			json_object_set_new(doc, "csrf_token", json_string(csrf));
		}
	} else {
		doc = json_pack("{s:s, s:{s:I, s:s, s:s, s:o}}", "kind", "token", "token", "id",
				(json_int_t)who->id, "owner_kind", who->dept_code[0] ? "dept" : "agency",
				"owner", principal_org_code(who), "scopes",
				tokens_scopes_json(who->scopes));
	}
	return http_reply_json(res, 200, doc, e);
}

int api_me_password(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *current, *password;
	json_t *body = NULL;
	struct store *s;
	int rc = -1;

	if (http_request_json(req, &body, e) < 0)
		return -1;
	if (json_input_only(body, PASSWORD_FIELDS, e) == 0 &&
	    json_input_string(body, "current", JSON_INPUT_REQUIRED, PASSWORD_MAX_BYTES, &current,
			      e) == 0 &&
	    json_input_string(body, "password", JSON_INPUT_REQUIRED, PASSWORD_MAX_BYTES, &password,
			      e) == 0 &&
	    (s = http_request_store(req, e)) &&
	    accounts_change_password(s, &req->who, current, password, e) == 0) {
		/* Every session ended with the change, this one too: log in again. */
		http_auth_cookie(req, NULL, 0, res->set_cookie, sizeof res->set_cookie);
		rc = http_reply_json(res, 200, json_pack("{s:b}", "changed", 1), e);
	}
	json_decref(body);
	return rc;
}
