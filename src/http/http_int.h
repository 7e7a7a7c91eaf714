/*
 * http_int.h - what the files of src/http share: the request and response seen by a
 * handler, the route table's row, and the response helpers.
 *
 * A handler reads `struct http_request`, calls one service and fills `struct
 * http_response`.  When it returns -1 it has filled the `struct err` instead, and the
 * server turns the reason into the API's error document, with the HTTP status that
 * reasons.def declares for it (reasons_http_status), so handlers never build errors by
 * hand.
 */
#ifndef XY_HTTP_INT_H
#define XY_HTTP_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/json_input.h"
#include "core/role.h"
#include "core/secret.h"
#include "service/principal.h"

struct err;
struct store;
struct http_server;
struct MHD_Connection;
struct workday_calendar;

#define HTTP_MAX_PARAMS 4

struct http_request {
	struct MHD_Connection *conn;
	struct http_server *srv;
	const char *method; /* as sent; HEAD is routed like GET */
	const char *path;   /* percent-decoded, without the query */
	/* Captured `{name}` segments of the route pattern, in order; point into the
	 * request's own copy of the path. */
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	/* For BODY_UPLOAD routes: the spooled body (a file of the spool directory that the
	 * server deletes when the request completes) and its size. */
	const char *body_path;
	unsigned long long body_size;
	/* For other routes with a body: the body in memory (NUL-terminated, at most the
	 * route's body_max), NULL when none was sent; owned by the server. */
	const char *body;
	size_t body_len;
	struct store *store; /* checked out lazily by http_request_store */
	/* Who is asking (auth.c): anonymous unless a session cookie or an API token was
	 * valid; `purpose` is the request's `purpose` argument. */
	struct principal who;
	/* The session token of the cookie that authenticated the request, "" otherwise. */
	char session_token[SECRET_TOKEN_MAX];
};

struct http_response {
	unsigned status;
	const char *content_type; /* static string */
	struct buf body;          /* used when fd < 0 */
	int fd;                   /* a file to send (owned: closed by the server), or -1 */
	uint64_t fd_size;
	const char *cache_control; /* static string; NULL selects "no-store" */
	const char *csp;           /* Content-Security-Policy, static; NULL: the site's */
	char etag[64];             /* "" for none */
	char last_modified[40];    /* "" for none */
	char disposition[160];     /* Content-Disposition, "" for none */
	char allow[40];            /* Allow, for 405 */
	char set_cookie[160];      /* Set-Cookie, "" for none */
	unsigned retry_after;      /* Retry-After seconds, for 429; 0 for none */
};

/* ---- router.c -------------------------------------------------------------------- */

#define ROUTE_LIMITED 2 /* anonymous calls are rate-limited per client address */
#define ROUTE_LOGIN 4   /* a login: session cookies are ignored (so no CSRF token applies) */
/* The handler never looks at the caller (files, health, the API description): the
 * session cookie a browser sends with every request is not looked up in the database.
 * A bearer token is still checked: a bad credential is refused everywhere. */
#define ROUTE_NO_SESSION 8

/* The body a route takes (the `body_max` of its row).  A declared Content-Length over
 * it is refused with 413 before a byte is read; a chunked body is cut (the connection
 * closed) as soon as it passes it, because libmicrohttpd cannot answer mid-body. */
#define BODY_NONE 0ULL                                   /* no body at all */
#define BODY_JSON ((unsigned long long)JSON_INPUT_MAX_BYTES) /* a JSON object, in memory */
/* A file upload: limited by the server's --max-body and spooled to the spool directory
 * (spool.h), the only body that ever touches the disk. */
#define BODY_UPLOAD (~0ULL)

/* Who may call a route (the `allow` of its row): role bits of core/role.h, plus: */
#define ALLOW_ANONYMOUS (1u << 16) /* the public, without credentials */
#define ALLOW_ANY_TOKEN (1u << 17) /* any valid API token, whatever its scopes */
#define ALLOW_PUBLIC (ALLOW_ANONYMOUS | ALLOW_ANY_TOKEN | ROLES_ALL)

struct route {
	const char *method;  /* NULL: any method */
	const char *pattern; /* "/a/{x}/b"; a final "*" matches the rest of the path */
	int (*handler)(struct http_request *req, struct http_response *res, struct err *e);
	int flags;
	unsigned long long body_max; /* BODY_NONE, BODY_JSON, BODY_UPLOAD or a byte count */
	/* The access rule.  A row whose allow is 0 lets nobody in: a route added without a
	 * rule is closed, and the route test (tests/http/test_access.py) fails on it. */
	unsigned allow;
	unsigned scope; /* API tokens with all of these scopes may call it (0: none may,
			   unless ALLOW_ANY_TOKEN) */
};

/* The route table, for `xinyong routes` and the tests. */
const struct route *router_table(size_t *count);

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Finds the route for method and path.  On ROUTE_FOUND *out is the row and req->params
 * are filled (req->path must be a modifiable copy: segments are cut into it).  On
 * ROUTE_BAD_METHOD `allow` holds the methods the path accepts ("GET, HEAD"). */
enum route_match router_match(const char *method, char *path, const struct route **out,
			      const char **params, size_t *nparams, char *allow,
			      size_t allow_size);

/* ---- http_request.c: what a handler asks of its request -------------------------- */

/* A query-string argument (decoded), or NULL. */
const char *http_request_arg(const struct http_request *req, const char *name);
/* Path parameter `index` as a positive integer id; `what` names it in the message
 * ("批次": 批次编号“x”无效).  -1 with `request.invalid` otherwise (params.c). */
int http_param_id(const struct http_request *req, size_t index, const char *what, int64_t *out,
		  struct err *e);
/* A request header, or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
/* The store for this request, checked out of the pool on first use.  NULL with
 * `store.error` when no handle could be opened. */
struct store *http_request_store(struct http_request *req, struct err *e);
/* The request body of a JSON route, parsed (core/json_input.h: one object, bounded in
 * size and depth).  *out is a new reference. */
int http_request_json(struct http_request *req, json_t **out, struct err *e);
/* The client's address as text ("127.0.0.1", "::1"). */
void http_request_client(struct MHD_Connection *conn, char *out, size_t size);

/* ---- server.c: what a handler asks of the server --------------------------------- */

const char *http_server_web_root(const struct http_server *srv);
/* 1 when the server speaks HTTPS. */
int http_server_tls(const struct http_server *srv);
/* The server's counters (metrics.h), for handlers that count (uploads) or show them. */
struct metrics *http_server_metrics(const struct http_server *srv);
/* The platform's holiday calendar as loaded when the server started (read-only). */
const struct workday_calendar *http_server_calendar(const struct http_server *srv);

/* The server's state as it is in memory now, for /healthz and /metrics. */
struct http_server_status {
	int store_ok; /* 0 since a handle could not be had, until one is again */
	size_t handles_open, handles_free, handles_max;
	size_t connections_open;
	unsigned long long head_timeouts, idle_timeouts, evicted, refused;
	unsigned long long spool_used, spool_quota;
};
void http_server_get_status(struct http_server *srv, struct http_server_status *out);

/* ---- server_response.c: replies -------------------------------------------------- */

/* Sets a JSON body and status.  Takes the reference of `doc` (decrefs it).  Returns
 * -1 with `internal.error` when the document cannot be serialised. */
int http_reply_json(struct http_response *res, unsigned status, json_t *doc,
		    struct err *e);
/* Writes the error document for e; the status is the one reasons.def declares for the
 * reason. */
void http_reply_error(struct http_response *res, const struct err *e);

/* ---- auth.c: credentials, the route rule, CSRF ----------------------------------- */

#define HTTP_SESSION_COOKIE "xy_session"

/* Fills req->who (and req->session_token) from the request's credentials: an
 * `Authorization: Bearer` API token, else the session cookie (ignored by ROUTE_LOGIN
 * and ROUTE_NO_SESSION routes).  A bearer token that is not valid fails with
 * `auth.invalid`; a stale cookie only leaves the caller anonymous, so that old cookies
 * never break public pages. */
int http_auth_identify(struct http_request *req, const struct route *r, struct err *e);
/* Applies the route's rule to req->who: `auth.required` (anonymous), `auth.scope` (a
 * token without the scope), `auth.forbidden`; and, for a state-changing request
 * authenticated by the cookie, the CSRF token (`auth.csrf`). */
int http_auth_permit(const struct http_request *req, const struct route *r, struct err *e);
/* The Set-Cookie value starting a session, or ending it (token NULL). */
void http_auth_cookie(const struct http_request *req, const char *token, unsigned max_age,
		      char *out, size_t size);

/* ---- handlers -------------------------------------------------------------------- */

int api_health(struct http_request *req, struct http_response *res, struct err *e);
/* api_metrics.c: GET /metrics, the operators' Prometheus text. */
int api_metrics(struct http_request *req, struct http_response *res, struct err *e);
int api_not_found(struct http_request *req, struct http_response *res, struct err *e);
int api_subjects_show(struct http_request *req, struct http_response *res, struct err *e);
int api_subjects_search(struct http_request *req, struct http_response *res,
			struct err *e);
int api_batches_list(struct http_request *req, struct http_response *res, struct err *e);
int api_batches_create(struct http_request *req, struct http_response *res, struct err *e);
int api_batches_show(struct http_request *req, struct http_response *res, struct err *e);
int api_batches_rejects(struct http_request *req, struct http_response *res,
			struct err *e);
/* api_session.c: logging in and out, activation, the caller's own account. */
int api_session_create(struct http_request *req, struct http_response *res, struct err *e);
int api_session_delete(struct http_request *req, struct http_response *res, struct err *e);
int api_activate(struct http_request *req, struct http_response *res, struct err *e);
int api_me_show(struct http_request *req, struct http_response *res, struct err *e);
int api_me_password(struct http_request *req, struct http_response *res, struct err *e);
/* api_me.c: a subject's own access log and authorizations. */
int api_me_access_log(struct http_request *req, struct http_response *res, struct err *e);
int api_me_authorizations(struct http_request *req, struct http_response *res, struct err *e);
int api_me_authorize(struct http_request *req, struct http_response *res, struct err *e);
int api_me_revoke(struct http_request *req, struct http_response *res, struct err *e);
/* api_users.c: account management for admins and department admins. */
int api_users_list(struct http_request *req, struct http_response *res, struct err *e);
int api_users_create(struct http_request *req, struct http_response *res, struct err *e);
int api_users_disable(struct http_request *req, struct http_response *res, struct err *e);
/* api_records.c: a record's history; an operator's transfer of a record. */
int api_records_history(struct http_request *req, struct http_response *res, struct err *e);
int api_records_transfer(struct http_request *req, struct http_response *res, struct err *e);
int api_records_statement(struct http_request *req, struct http_response *res, struct err *e);
int api_records_repair(struct http_request *req, struct http_response *res, struct err *e);
/* api_cases.c: cases (objections) and their attachments. */
int api_cases_create(struct http_request *req, struct http_response *res, struct err *e);
int api_cases_list(struct http_request *req, struct http_response *res, struct err *e);
int api_cases_show(struct http_request *req, struct http_response *res, struct err *e);
int api_cases_act(struct http_request *req, struct http_response *res, struct err *e);
int api_cases_attach(struct http_request *req, struct http_response *res, struct err *e);
int api_cases_attachment(struct http_request *req, struct http_response *res, struct err *e);
/* api_catalog.c: the catalog, for any logged-in user. */
int api_catalog_list(struct http_request *req, struct http_response *res, struct err *e);
int api_catalog_show(struct http_request *req, struct http_response *res, struct err *e);
/* api_disclosures.c: the portal's latest 双公示 and its totals (public). */
int api_disclosures_list(struct http_request *req, struct http_response *res, struct err *e);
int api_stats(struct http_request *req, struct http_response *res, struct err *e);
/* api_reports.c: credit reports, their online check, credit codes, the keys that sign
 * them. */
int api_reports_issue(struct http_request *req, struct http_response *res, struct err *e);
int api_reports_check(struct http_request *req, struct http_response *res, struct err *e);
int api_reports_keys(struct http_request *req, struct http_response *res, struct err *e);
int api_reports_credit_code(struct http_request *req, struct http_response *res,
			    struct err *e);

/* api_depts.c: the department directory (public). */
int api_depts_list(struct http_request *req, struct http_response *res, struct err *e);
int api_depts_show(struct http_request *req, struct http_response *res, struct err *e);
/* api_audit.c: the audit trail, for auditors. */
int api_audit_list(struct http_request *req, struct http_response *res, struct err *e);
int api_audit_verify(struct http_request *req, struct http_response *res, struct err *e);
/* api_openapi.c: the API's OpenAPI document, compiled in from docs/openapi.json. */
int api_openapi(struct http_request *req, struct http_response *res, struct err *e);
/* static.c: files under the web root. */
int http_static_serve(struct http_request *req, struct http_response *res, struct err *e);

#endif
