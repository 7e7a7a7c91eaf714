/*
 * router.c - the route table and the matching of a request to one of its rows.
 *
 * The table below is the one place that says which URL reaches which handler.  Rows are
 * tried in order and the first row whose *pattern* matches the path decides: if another
 * row with the same pattern accepts the method, that row runs; otherwise the answer is
 * 405 with an Allow header.  This is why rows of one pattern sit together, and why the
 * catch-alls come last.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

#include "core/attachment.h"
#include "core/err.h"


/* Who may call what (docs/security.md has this table for people).  Shorthands: */
#define BATCH_READERS (ROLES_DEPT | ROLE_OPERATOR | ROLE_ADMIN)
#define ANY_USER ROLES_ALL
#define CASE_PARTIES (ROLE_SUBJECT | ROLE_HANDLER | ROLE_OPERATOR)
#define CASE_READERS (CASE_PARTIES | ROLE_ADMIN)

static const struct route routes[] = {
	{ "GET", "/healthz", api_health, ROUTE_NO_SESSION, BODY_NONE, ALLOW_PUBLIC, 0 },
	{ "GET", "/metrics", api_metrics, 0, BODY_NONE, ROLE_OPERATOR, 0 },
	{ "GET", "/api/v1/subjects", api_subjects_search, ROUTE_LIMITED, BODY_NONE, ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/subjects/{code}", api_subjects_show, ROUTE_LIMITED, BODY_NONE, ALLOW_PUBLIC, 0 },
	/* Reports: the service decides which report the caller may have (report.h). */
	{ "GET", "/api/v1/subjects/{code}/report", api_reports_issue, ROUTE_LIMITED, BODY_NONE,
	  ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/subjects/{code}/credit-code", api_reports_credit_code, ROUTE_LIMITED,
	  BODY_NONE, ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/reports/{number}", api_reports_check, ROUTE_LIMITED, BODY_NONE,
	  ALLOW_PUBLIC, 0 },
	{ "GET", "/.well-known/xinyong-keys.json", api_reports_keys, ROUTE_NO_SESSION, BODY_NONE,
	  ALLOW_PUBLIC, 0 },
	/* The department directory is the government's own: anyone may read it. */
	{ "GET", "/api/v1/depts", api_depts_list, ROUTE_LIMITED, BODY_NONE, ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/depts/{code}", api_depts_show, ROUTE_LIMITED, BODY_NONE, ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/disclosures", api_disclosures_list, ROUTE_LIMITED, BODY_NONE, ALLOW_PUBLIC,
	  0 },
	{ "GET", "/api/v1/stats", api_stats, ROUTE_LIMITED, BODY_NONE, ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/catalog", api_catalog_list, 0, BODY_NONE, ANY_USER, 0 },
	{ "GET", "/api/v1/catalog/{id}", api_catalog_show, 0, BODY_NONE, ANY_USER, 0 },
	{ "POST", "/api/v1/batches", api_batches_create, 0, BODY_UPLOAD, ROLE_SUBMITTER,
	  SCOPE_BATCHES_WRITE },
	{ "GET", "/api/v1/batches", api_batches_list, 0, BODY_NONE, BATCH_READERS, SCOPE_BATCHES_READ },
	{ "GET", "/api/v1/batches/{id}", api_batches_show, 0, BODY_NONE, BATCH_READERS, SCOPE_BATCHES_READ },
	{ "GET", "/api/v1/batches/{id}/rejects", api_batches_rejects, 0, BODY_NONE, BATCH_READERS,
	  SCOPE_BATCHES_READ },
	{ "GET", "/api/v1/records/{id}/history", api_records_history, 0, BODY_NONE, BATCH_READERS,
	  SCOPE_BATCHES_READ },
	{ "POST", "/api/v1/records/{id}/transfer", api_records_transfer, 0, BODY_JSON,
	  ROLE_OPERATOR, 0 },
	{ "POST", "/api/v1/records/{id}/statement", api_records_statement, 0, BODY_JSON,
	  ROLE_SUBJECT | ROLE_OPERATOR, 0 },
	{ "GET", "/api/v1/records/{id}/repair", api_records_repair, 0, BODY_NONE,
	  ROLE_SUBJECT | ROLE_OPERATOR, 0 },
	/* Cases: the service decides which party each caller is (service/cases.h). */
	{ "POST", "/api/v1/cases", api_cases_create, 0, BODY_JSON, ROLE_SUBJECT | ROLE_OPERATOR, 0 },
	{ "GET", "/api/v1/cases", api_cases_list, 0, BODY_NONE, CASE_READERS, 0 },
	{ "GET", "/api/v1/cases/{id}", api_cases_show, 0, BODY_NONE, CASE_READERS, 0 },
	{ "POST", "/api/v1/cases/{id}/actions/{action}", api_cases_act, 0, BODY_JSON, CASE_PARTIES,
	  0 },
	/* One byte over the limit reaches the service, which names the limit. */
	{ "POST", "/api/v1/cases/{id}/attachments", api_cases_attach, 0, ATTACHMENT_MAX_BYTES + 1ULL,
	  CASE_PARTIES, 0 },
	{ "GET", "/api/v1/cases/{id}/attachments/{digest}", api_cases_attachment, 0, BODY_NONE,
	  CASE_PARTIES, 0 },
	{ "POST", "/api/v1/session", api_session_create, ROUTE_LIMITED | ROUTE_LOGIN, BODY_JSON,
	  ALLOW_PUBLIC, 0 },
	{ "DELETE", "/api/v1/session", api_session_delete, 0, BODY_NONE, ANY_USER, 0 },
	{ "POST", "/api/v1/activate", api_activate, ROUTE_LIMITED | ROUTE_LOGIN, BODY_JSON,
	  ALLOW_PUBLIC, 0 },
	{ "GET", "/api/v1/me", api_me_show, 0, BODY_NONE, ANY_USER | ALLOW_ANY_TOKEN, 0 },
	{ "POST", "/api/v1/me/password", api_me_password, 0, BODY_JSON, ANY_USER, 0 },
	{ "GET", "/api/v1/me/access-log", api_me_access_log, 0, BODY_NONE, ROLE_SUBJECT, 0 },
	{ "GET", "/api/v1/me/authorizations", api_me_authorizations, 0, BODY_NONE, ROLE_SUBJECT, 0 },
	{ "POST", "/api/v1/me/authorizations", api_me_authorize, 0, BODY_JSON, ROLE_SUBJECT, 0 },
	{ "DELETE", "/api/v1/me/authorizations/{id}", api_me_revoke, 0, BODY_NONE, ROLE_SUBJECT, 0 },
	{ "GET", "/api/v1/users", api_users_list, 0, BODY_NONE, ROLE_DEPT_ADMIN | ROLE_ADMIN, 0 },
	{ "POST", "/api/v1/users", api_users_create, 0, BODY_JSON,
	  ROLE_DEPT_ADMIN | ROLE_ADMIN | ROLE_OPERATOR, 0 },
	{ "POST", "/api/v1/users/{name}/disable", api_users_disable, 0, BODY_NONE,
	  ROLE_DEPT_ADMIN | ROLE_ADMIN, 0 },
	{ "GET", "/api/v1/audit", api_audit_list, 0, BODY_NONE, ROLE_AUDITOR, 0 },
	{ "GET", "/api/v1/audit/verify", api_audit_verify, 0, BODY_NONE, ROLE_AUDITOR, 0 },
	{ "GET", "/api/v1/openapi.json", api_openapi, ROUTE_NO_SESSION, BODY_NONE, ALLOW_PUBLIC, 0 },
	/* Anything else under /api/ is an unknown API route (JSON 404), never a file.  It
	 * takes (and ignores) a JSON-sized body, so that a misspelt POST hears 404, not 413. */
	{ NULL, "/api/*", api_not_found, ROUTE_NO_SESSION, BODY_JSON, ALLOW_PUBLIC, 0 },
	/* Every other GET is a static file under the web root. */
	{ "GET", "/*", http_static_serve, ROUTE_NO_SESSION, BODY_NONE, ALLOW_PUBLIC, 0 },
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

struct capture {
	size_t off;
	size_t len;
};

/* Matches `path` against `pattern`.  `{name}` matches one non-empty segment; a final
 * `*` matches whatever is left, including nothing.  Returns the number of captures, or
 * -1 when the path does not match. */
static int route_pattern_match(const char *pattern, const char *path,
			       struct capture caps[HTTP_MAX_PARAMS])
{
	const char *p = pattern, *s = path;
	int ncaps = 0;

	while (*p) {
		if (p[0] == '*' && p[1] == '\0')
			return ncaps;
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t len = strcspn(s, "/");

			if (!close || len == 0 || ncaps == HTTP_MAX_PARAMS)
				return -1;
			caps[ncaps].off = (size_t)(s - path);
			caps[ncaps].len = len;
			ncaps++;
			s += len;
			p = close + 1;
			continue;
		}
		if (*p != *s)
			return -1;
		p++;
		s++;
	}
	return *s == '\0' ? ncaps : -1;
}

/* HEAD is answered like GET: libmicrohttpd leaves the body out by itself. */
static int route_method_accepts(const struct route *r, const char *method)
{
	if (!r->method)
		return 1;
	if (strcmp(r->method, method) == 0)
		return 1;
	return strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0;
}

static void route_allow_add(char *allow, size_t size, const char *method)
{
	size_t used = strlen(allow);

	snprintf(allow + used, size - used, "%s%s", used ? ", " : "", method);
}

enum route_match router_match(const char *method, char *path, const struct route **out,
			      const char **params, size_t *nparams, char *allow,
			      size_t allow_size)
{
	struct capture caps[HTTP_MAX_PARAMS];
	const struct route *first = NULL;
	size_t i;
	int ncaps = -1;

	*out = NULL;
	*nparams = 0;
	if (allow_size)
		allow[0] = '\0';
	for (i = 0; i < ROUTE_COUNT && !first; i++) {
		ncaps = route_pattern_match(routes[i].pattern, path, caps);
		if (ncaps >= 0)
			first = &routes[i];
	}
	if (!first)
		return ROUTE_NOT_FOUND;

	for (i = 0; i < ROUTE_COUNT; i++) {
		const struct route *r = &routes[i];

		if (strcmp(r->pattern, first->pattern) != 0)
			continue;
		if (route_method_accepts(r, method)) {
			*out = r;
			break;
		}
		route_allow_add(allow, allow_size, r->method);
		if (strcmp(r->method, "GET") == 0)
			route_allow_add(allow, allow_size, "HEAD");
	}
	if (!*out)
		return ROUTE_BAD_METHOD;

	/* Cut the captured segments out of the caller's copy only once the row is chosen,
	 * so that a failed match leaves the path intact. */
	for (i = 0; i < (size_t)ncaps; i++) {
		path[caps[i].off + caps[i].len] = '\0';
		params[i] = path + caps[i].off;
	}
	*nparams = (size_t)ncaps;
	return ROUTE_FOUND;
}

const struct route *router_table(size_t *count)
{
	*count = ROUTE_COUNT;
	return routes;
}

static json_t *route_bits_json(unsigned bits, unsigned all, const char *(*name)(unsigned))
{
	json_t *names = json_array();
	unsigned bit;

	for (bit = 1; bit && bit <= all; bit <<= 1)
		if (bits & bit & all)
			json_array_append_new(names, json_string(name(bit)));
	return names;
}

json_t *http_routes_json(void)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < ROUTE_COUNT; i++) {
		const struct route *r = &routes[i];

		json_array_append_new(
			list, json_pack("{s:s?, s:s, s:b, s:o, s:b, s:o}", "method", r->method, "path",
					r->pattern, "anonymous", (r->allow & ALLOW_ANONYMOUS) != 0,
					"roles", route_bits_json(r->allow, ROLES_ALL, role_name),
					"any_token", (r->allow & ALLOW_ANY_TOKEN) != 0, "scopes",
					route_bits_json(r->scope, SCOPES_ALL, scope_name)));
	}
	return list;
}

int api_not_found(struct http_request *req, struct http_response *res, struct err *e)
{
	return err_set(e, "route.not_found", "接口不存在：请检查请求路径（接口均以 /api/v1/ 开头）");
}
