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

#include "core/err.h"


static const struct route routes[] = {
	{ "GET", "/healthz", api_health, 0 },
	{ "GET", "/api/v1/subjects", api_subjects_search, 0 },
	{ "GET", "/api/v1/subjects/{code}", api_subjects_show, 0 },
	{ "POST", "/api/v1/batches", api_batches_create, ROUTE_BODY },
	{ "GET", "/api/v1/batches/{id}", api_batches_show, 0 },
	{ "GET", "/api/v1/batches/{id}/rejects", api_batches_rejects, 0 },
	{ "GET", "/api/v1/openapi.json", api_openapi, 0 },
	/* Anything else under /api/ is an unknown API route (JSON 404), never a file. */
	{ NULL, "/api/*", api_not_found, 0 },
	/* Every other GET is a static file under the web root. */
	{ "GET", "/*", http_static_serve, 0 },
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

int api_not_found(struct http_request *req, struct http_response *res, struct err *e)
{
	return err_set(e, "route.not_found", "接口不存在：请检查请求路径（接口均以 /api/v1/ 开头）");
}
