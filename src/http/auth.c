/*
 * auth.c - who is asking, and whether the route's rule lets them (docs/security.md).
 *
 * Two kinds of credential: an API token in `Authorization: Bearer`, for business systems
 * and agencies, and a session cookie (HttpOnly, SameSite=Strict) for people using the
 * web pages.  A cookie is sent by the browser on its own, so a state-changing request
 * authenticated by one must also carry the session's CSRF token in `X-CSRF-Token`, which
 * a page of another origin cannot read.  The token is derived from the session token
 * (accounts_session_csrf), so it needs no storage.
 */
#include "http/http.h"
#include "http/http_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/role.h"
#include "service/accounts.h"
#include "service/tokens.h"

static int auth_bearer(struct http_request *req, const char *header, struct err *e)
{
	struct store *s;
	int found;

	if (strncasecmp(header, "Bearer ", 7) != 0)
		return err_set(e, "auth.invalid",
			       "Authorization 头应为“Bearer 令牌”形式（令牌以 xyt_ 开头）");
	header += 7;
	while (*header == ' ')
		header++;
	if (!(s = http_request_store(req, e)))
		return -1;
	found = tokens_principal(s, header, &req->who, e);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, "auth.invalid", "访问令牌无效、已过期或已被吊销");
	return 0;
}

int http_auth_identify(struct http_request *req, const struct route *r, struct err *e)
{
	const char *bearer = http_request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie, *purpose;
	char client[sizeof req->who.client];
	struct store *s;
	int found;

	http_request_client(req->conn, client, sizeof client);
	principal_anonymous(&req->who, client);
	req->session_token[0] = '\0';
	if (bearer) {
		if (auth_bearer(req, bearer, e) < 0)
			return -1;
	} else if (!(r->flags & (ROUTE_LOGIN | ROUTE_NO_SESSION)) &&
		   (cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 HTTP_SESSION_COOKIE)) &&
		   *cookie && strlen(cookie) < sizeof req->session_token) {
		if (!(s = http_request_store(req, e)))
			return -1;
		found = accounts_session_principal(s, cookie, &req->who, e);
		if (found < 0)
			return -1;
		if (found)
			snprintf(req->session_token, sizeof req->session_token, "%s", cookie);
	}
	purpose = http_request_arg(req, "purpose");
	snprintf(req->who.purpose, sizeof req->who.purpose, "%s", purpose ? purpose : "");
	return 0;
}

static int auth_changes_state(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

int http_auth_permit(const struct http_request *req, const struct route *r, struct err *e)
{
	const struct principal *who = &req->who;

	switch (who->kind) {
	case PRINCIPAL_ANONYMOUS:
		if (r->allow & ALLOW_ANONYMOUS)
			return 0;
		return err_set(e, "auth.required",
			       "该接口需要登录（POST /api/v1/session）或提供访问令牌（Authorization: Bearer）");
	case PRINCIPAL_TOKEN:
		if ((r->allow & ALLOW_ANY_TOKEN) || (r->scope && (who->scopes & r->scope) == r->scope))
			return 0;
		if (r->scope) {
			char need[ROLE_LIST_MAX];

			scope_format_list(r->scope, need, sizeof need);
			return err_set(e, "auth.scope", "访问令牌缺少该接口所需的权限范围：%s", need);
		}
		return err_set(e, "auth.forbidden", "该接口不接受访问令牌，请以用户身份登录");
	case PRINCIPAL_USER:
		if (!(r->allow & who->roles))
			return err_set(e, "auth.forbidden", "当前账号的角色无权使用该接口");
		if (req->session_token[0] && auth_changes_state(req->method)) {
			const char *sent = http_request_header(req, "X-CSRF-Token");
			char expect[SECRET_HASH_HEX];

			accounts_session_csrf(req->session_token, expect);
			if (!secret_equal(sent, expect))
				return err_set(e, "auth.csrf",
					       "缺少或错误的 X-CSRF-Token：请使用登录时（或 GET /api/v1/me）返回的 csrf_token");
		}
		return 0;
	case PRINCIPAL_CLI:
	default:
		return err_set(e, "auth.forbidden", "无权使用该接口");
	}
}

void http_auth_cookie(const struct http_request *req, const char *token, unsigned max_age,
		      char *out, size_t size)
{
	/* Secure only over HTTPS: behind a TLS-terminating proxy the operator sets the
	 * attribute there (docs/operations.md). */
	snprintf(out, size, HTTP_SESSION_COOKIE "=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Strict%s",
		 token ? token : "", token ? max_age : 0,
		 http_server_is_tls(req->srv) ? "; Secure" : "");
}
