/*
 * server.c - the libmicrohttpd glue: daemon start and stop, the per-request life cycle
 * (route, spool the body, run the handler, queue the response), response headers, the
 * pool of store handles and the request log.
 *
 * Life of a request.  libmicrohttpd calls us in this order:
 *   1. server_on_uri: as soon as the request line is read; we allocate the request
 *      context here because it is the only place that sees the raw, undecoded path.
 *   2. server_on_request, first call: headers are complete; we route.  Routing errors
 *      (404, 405, a declared body over the route's limit, a full spool) are answered at
 *      once, which is the only moment besides the end that libmicrohttpd accepts a
 *      response.
 *   3. server_on_request with body data: an upload is spooled (spool.h), a JSON body
 *      kept in memory; past the route's limit the connection is cut.
 *   4. server_on_request, last call (no data): run the handler and queue its response.
 *   5. server_on_completed: log line, delete the spool file, give the store back, free.
 *
 * Threads.  A pool of daemon threads (MHD_OPTION_THREAD_POOL_SIZE), each watching its
 * connections with epoll: a thousand connections, most of them idle or slow, cost
 * sockets and memory pools, not threads.  Handlers run in the daemon's threads and are
 * short (a search, an archive), except an upload's: ingesting a department's file takes
 * seconds to minutes, so it runs in a thread of its own while its connection is
 * suspended (server_start_upload).  The connection guard (conn_guard.h) gives request
 * heads and kept-alive connections their deadlines, which the daemon's inactivity
 * timeout cannot, and decides whom to drop when the table is full.
 *
 * Store handles.  A SQLite connection must not be used from two threads at once, and
 * one global mutex around every handler would make every search wait behind an ingest.
 * So the server keeps a pool: a request checks a handle out when its handler first asks
 * for one and gives it back on completion, and handles are only opened when none is
 * free.  The pool never holds more than db_pool handles; readers run concurrently
 * under SQLite's WAL mode while an ingest writes.
 */
#include "http/http.h"
#include "http/http_int.h"
#include "http/conn_guard.h"
#include "http/http_log.h"
#include "http/metrics.h"
#include "http/request_head.h"
#include "http/ratelimit.h"
#include "http/spool.h"
#include "http/tls.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/json_input.h"
#include "core/reasons.h"
#include "store/store.h"

#define SERVER_CSP "default-src 'self'; frame-ancestors 'none'"
#define SERVER_TIMEOUT_SECONDS 120u
/* How long a request waits for a database handle when every pooled one is busy. */
#define SERVER_POOL_WAIT_SECONDS 10
/* A request head (request line and headers) may take SERVER_HEAD_MAX bytes, its request
 * line SERVER_URI_MAX; over them the server answers 431 or 414 itself, with its error
 * document and security headers.  libmicrohttpd keeps a connection's head in one memory
 * pool, and answers a head that does not fit with a fixed page of its own that no
 * callback can add headers to; the pool is twice our limit, so that only heads of more
 * than about 60 KiB meet that page.  Bodies do not count: they are handed over piece by
 * piece. */
#define SERVER_HEAD_MAX ((size_t)32 << 10)
#define SERVER_URI_MAX ((size_t)8 << 10)
#define SERVER_MEMORY_LIMIT (2 * SERVER_HEAD_MAX)
/* TLS 1.2 and 1.3 only: every browser that can run the web page speaks them. */
#define SERVER_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct http_server {
	struct MHD_Daemon *daemon;
	int tls; /* 1 when serving HTTPS */
	/* The PEM texts given to libmicrohttpd, which keeps the pointers: they live until
	 * the daemon stopped, then the key is wiped (server_free). */
	struct tls_pair tls_pair;
	char *web_root; /* canonical (realpath) */
	unsigned long long max_body;
	uint16_t port;
	struct store *seed; /* borrowed from the caller: never closed here */
	struct ratelimit *anon_limit; /* ROUTE_LIMITED routes, anonymous callers; NULL: off */
	struct spool *spool;          /* where uploads wait (BODY_UPLOAD routes only) */
	struct conn_guard *guard;     /* head and idle deadlines, the connection table */
	struct metrics *metrics;      /* counters for GET /metrics */
	/* Upload handlers run in threads of their own (server_finish); stopping waits for
	 * them, since the daemon may not stop while a connection is suspended. */
	pthread_mutex_t work_lock;
	pthread_cond_t work_done;
	unsigned working;
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_freed; /* a handle was given back */
	struct store **pool; /* free handles */
	size_t npool;
	size_t nopen; /* handles opened so far, seed included */
	size_t pool_cap;
	/* 0 once a handle could not be had (every one busy for the whole wait, or the
	 * database refused a new one) until one is had again: /healthz reports it. */
	int store_ok;
};

enum ctx_state {
	CTX_NEW,  /* no call of the access handler yet */
	CTX_BODY, /* routed; receiving (or discarding) the body */
	CTX_WORKING, /* an upload's handler runs in its own thread; the connection is suspended */
	CTX_READY,   /* that handler is done: its response waits in ctx->res */
	CTX_DONE, /* a response is queued */
};

/* One request.  Allocated by server_on_uri, freed by server_on_completed. */
struct http_ctx {
	struct http_server *srv;
	struct timespec started;
	enum ctx_state state;
	char method[HTTP_METHOD_MAX + 1];
	int raw_nul;    /* the raw path holds an encoded NUL (%00) */
	size_t uri_len; /* of the request target as sent, query included */
	char *path;     /* decoded */
	char *scratch;  /* decoded copy the router cuts parameters out of */
	const struct route *route;
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	unsigned long long body_max; /* the route's limit, BODY_UPLOAD resolved */
	int spool_fd;
	char spool_path[PATH_MAX];
	unsigned long long reserved; /* bytes of the spool quota this upload holds */
	struct buf body;             /* the body of a BODY_JSON route */
	unsigned long long received;
	int spool_full;  /* the quota ran out mid-body: the rest is discarded, then 507 */
	int spool_failed;
	unsigned status; /* 0 until a response is queued */
	unsigned retry_after; /* for a 429 */
	/* The handler's view of the request, filled once routed; its store handle goes
	 * back to the pool on completion. */
	struct http_request req;
	struct http_response res; /* an upload handler's answer (CTX_READY) */
};

/* ---- store pool ------------------------------------------------------------------- */

static void metrics_request_wait(struct http_server *srv, const struct timespec *began,
				 const struct timespec *ended, int timed_out)
{
	metrics_pool_wait(srv->metrics,
			  (double)(ended->tv_sec - began->tv_sec) +
				  (double)(ended->tv_nsec - began->tv_nsec) / 1e9,
			  timed_out);
}

/* A free handle, a new one while fewer than pool_cap are open, or, when all are busy,
 * the first one given back within SERVER_POOL_WAIT_SECONDS. */
static struct store *server_pool_take(struct http_server *srv, struct err *e)
{
	struct store *s = NULL;
	struct timespec deadline, began, ended;
	int may_open = 0, waited = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SERVER_POOL_WAIT_SECONDS;
	pthread_mutex_lock(&srv->pool_lock);
	for (;;) {
		if (srv->npool) {
			s = srv->pool[--srv->npool];
			break;
		}
		if (srv->nopen < srv->pool_cap) {
			/* Count the handle before opening it so that concurrent openers cannot
			 * pass the cap; undone below when the open fails. */
			srv->nopen++;
			may_open = 1;
			break;
		}
		if (!waited) {
			waited = 1;
			clock_gettime(CLOCK_MONOTONIC, &began);
		}
		if (pthread_cond_timedwait(&srv->pool_freed, &srv->pool_lock, &deadline) != 0)
			break;
	}
	if (s)
		srv->store_ok = 1;
	else if (!may_open)
		srv->store_ok = 0;
	pthread_mutex_unlock(&srv->pool_lock);
	if (waited) {
		clock_gettime(CLOCK_MONOTONIC, &ended);
		metrics_request_wait(srv, &began, &ended, !s && !may_open);
	}
	if (s || !may_open) {
		if (!s)
			err_set(e, "store.unavailable",
				"服务器繁忙：%zu 个数据库连接都在使用中，请稍后重试", srv->pool_cap);
		return s;
	}
	if (store_open_another(srv->seed, &s, e) < 0) {
		store_close(s);
		pthread_mutex_lock(&srv->pool_lock);
		srv->nopen--;
		srv->store_ok = 0;
		pthread_mutex_unlock(&srv->pool_lock);
		return NULL;
	}
	pthread_mutex_lock(&srv->pool_lock);
	srv->store_ok = 1;
	pthread_mutex_unlock(&srv->pool_lock);
	return s;
}

static void server_pool_give(struct http_server *srv, struct store *s)
{
	pthread_mutex_lock(&srv->pool_lock);
	/* Cannot overflow: at most pool_cap handles exist, and the array holds pool_cap. */
	srv->pool[srv->npool++] = s;
	pthread_cond_signal(&srv->pool_freed);
	pthread_mutex_unlock(&srv->pool_lock);
}

/* ---- helpers for handlers ---------------------------------------------------------- */

const char *http_request_arg(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct store *http_request_store(struct http_request *req, struct err *e)
{
	if (!req->store)
		req->store = server_pool_take(req->srv, e);
	return req->store;
}

int http_request_json(struct http_request *req, json_t **out, struct err *e)
{
	*out = NULL;
	if (!req->body)
		return err_set(e, "request.invalid", "请求体应为 JSON 对象");
	return json_input_parse(req->body, req->body_len, out, e);
}

void http_request_client(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;
	socklen_t len = sizeof(struct sockaddr_in6);

	if (size)
		out[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0 && size)
		out[0] = '\0';
}

const char *http_server_web_root(const struct http_server *srv)
{
	return srv->web_root;
}

struct metrics *http_server_metrics(const struct http_server *srv)
{
	return srv->metrics;
}

void http_server_get_status(struct http_server *srv, struct http_server_status *out)
{
	struct conn_guard_stats g;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&srv->pool_lock);
	out->store_ok = srv->store_ok;
	out->handles_open = srv->nopen;
	out->handles_free = srv->npool;
	out->handles_max = srv->pool_cap;
	pthread_mutex_unlock(&srv->pool_lock);
	conn_guard_get_stats(srv->guard, &g);
	out->connections_open = g.open;
	out->head_timeouts = g.head_timeouts;
	out->idle_timeouts = g.idle_timeouts;
	out->evicted = g.evicted;
	out->refused = g.refused;
	out->spool_used = spool_used(srv->spool);
	out->spool_quota = spool_quota(srv->spool);
}

static int server_dump_cb(const char *p, size_t n, void *ctx)
{
	return buf_append(ctx, p, n);
}

int http_reply_json(struct http_response *res, unsigned status, json_t *doc, struct err *e)
{
	int rc;

	if (!doc)
		return err_set(e, "internal.error", "内部错误：无法生成响应");
	buf_reset(&res->body);
	rc = json_dump_callback(doc, server_dump_cb, &res->body,
				JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc < 0 || buf_putc(&res->body, '\n') < 0) {
		buf_reset(&res->body);
		return err_set(e, "internal.error", "内部错误：响应过大或内存不足");
	}
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	return 0;
}

void http_reply_error(struct http_response *res, const struct err *e)
{
	const char *reason = e && e->reason[0] ? e->reason : "internal.error";
	const char *message = e && e->message[0] ? e->message : NULL;
	const struct reason_info *info;
	struct err dump_err;
	json_t *details, *doc;

	if (!message) {
		info = reasons_find(reason);
		message = info ? info->summary : "内部错误";
	}
	details = json_array();
	if (e && e->field[0])
		json_array_append_new(details, json_pack("{s:s}", "field", e->field));
	doc = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", reason, "message", message,
			"details", details);
	if (res->fd >= 0) {
		close(res->fd);
		res->fd = -1;
	}
	if (http_reply_json(res, reasons_http_status(reason), doc, &dump_err) < 0) {
		/* Only when memory is exhausted: a constant document still tells the client. */
		buf_reset(&res->body);
		buf_puts(&res->body, "{\"error\":{\"code\":\"internal.error\",\"message\":\"内部错误\","
				     "\"details\":[]}}\n");
		res->status = 500;
		res->content_type = "application/json; charset=utf-8";
	}
}

/* ---- responses --------------------------------------------------------------------- */

static void server_response_init(struct http_response *res)
{
	memset(res, 0, sizeof *res);
	buf_init(&res->body, 0);
	res->fd = -1;
}

static void server_response_clear(struct http_response *res)
{
	buf_free(&res->body);
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
}

/* Queues `res` on the connection; res is cleared either way. */
static enum MHD_Result server_queue(struct http_ctx *ctx, struct MHD_Connection *conn,
				    struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (res->fd >= 0) {
		r = MHD_create_response_from_fd64(res->fd_size, res->fd);
		if (r)
			res->fd = -1; /* the response owns it now */
	} else {
		size_t len = res->body.len;
		char *body = buf_detach(&res->body);

		r = body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
			 : NULL;
		if (!r)
			free(body);
	}
	if (!r) {
		server_response_clear(res);
		return MHD_NO;
	}
	if (res->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", SERVER_CSP);
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				res->cache_control ? res->cache_control : "no-store");
	if (res->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
	if (res->last_modified[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, res->last_modified);
	if (res->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", res->disposition);
	if (res->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	if (res->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
	if (res->retry_after) {
		char secs[16];

		snprintf(secs, sizeof secs, "%u", res->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	if (res->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"xinyong\"");
	if (ctx->srv->tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	ok = MHD_queue_response(conn, res->status, r);
	MHD_destroy_response(r);
	server_response_clear(res);
	if (ok == MHD_YES) {
		ctx->status = res->status;
		ctx->state = CTX_DONE;
	}
	return ok;
}

static enum MHD_Result server_queue_error(struct http_ctx *ctx, struct MHD_Connection *conn,
					  const struct err *e, const char *allow)
{
	struct http_response res;

	server_response_init(&res);
	http_reply_error(&res, e);
	if (allow)
		snprintf(res.allow, sizeof res.allow, "%s", allow);
	res.retry_after = ctx->retry_after;
	return server_queue(ctx, conn, &res);
}

/* ---- body spooling ----------------------------------------------------------------- */

/* The extension the spool file gets, so that the reader's READER_AUTO can go by it: the
 * one of ?name= when it is a known one, else one implied by Content-Type, else none
 * (the reader then judges by content). */
static const char *server_spool_suffix(struct MHD_Connection *conn)
{
	static const char *const known[] = { ".csv", ".json", ".ndjson", ".jsonl" };
	const char *name = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
	const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t i, n;

	if (name) {
		n = strlen(name);
		for (i = 0; i < sizeof known / sizeof *known; i++) {
			size_t k = strlen(known[i]);

			if (n > k && strcasecmp(name + n - k, known[i]) == 0)
				return known[i];
		}
	}
	if (type) {
		if (strncasecmp(type, "text/csv", 8) == 0)
			return ".csv";
		if (strncasecmp(type, "application/x-ndjson", 20) == 0 ||
		    strncasecmp(type, "application/jsonl", 17) == 0)
			return ".ndjson";
		if (strncasecmp(type, "application/json", 16) == 0)
			return ".json";
	}
	return "";
}

static int server_spool_open(struct http_ctx *ctx, struct MHD_Connection *conn,
			     struct err *e)
{
	ctx->spool_fd = spool_create(ctx->srv->spool, server_spool_suffix(conn), ctx->spool_path,
				     sizeof ctx->spool_path, e);
	return ctx->spool_fd < 0 ? -1 : 0;
}

static void server_spool_drop(struct http_ctx *ctx)
{
	if (ctx->spool_fd >= 0)
		close(ctx->spool_fd);
	ctx->spool_fd = -1;
	if (ctx->spool_path[0])
		unlink(ctx->spool_path);
	ctx->spool_path[0] = '\0';
	if (ctx->reserved)
		spool_release(ctx->srv->spool, ctx->reserved);
	ctx->reserved = 0;
}

static int server_spool_full(const struct http_server *srv, struct err *e)
{
	return err_set(e, "spool.full",
		       "服务器的上传暂存空间已满（上限 %llu 字节，正被其他上传占用），请稍后重试",
		       spool_quota(srv->spool));
}

/* Takes one piece of an upload.  Memory stays bounded: every piece goes to disk at once.
 * When the quota runs out mid-body (a chunked upload, whose size was not declared), the
 * rest is read and thrown away and the answer is 507: the body is already bounded by
 * the route's limit. */
static void server_spool_write(struct http_ctx *ctx, const char *data, size_t n)
{
	if (ctx->spool_full || ctx->spool_failed)
		return;
	if (ctx->received > ctx->reserved) {
		unsigned long long more = ctx->received - ctx->reserved;

		if (spool_reserve(ctx->srv->spool, more) < 0) {
			ctx->spool_full = 1;
			server_spool_drop(ctx);
			return;
		}
		ctx->reserved += more;
	}
	while (n) {
		ssize_t w = write(ctx->spool_fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int why = w < 0 ? errno : ENOSPC;

			/* A full disk is the same condition as a full quota for the client. */
			if (why == ENOSPC || why == EDQUOT)
				ctx->spool_full = 1;
			else
				ctx->spool_failed = why;
			server_spool_drop(ctx);
			break;
		}
		data += w;
		n -= (size_t)w;
	}
}

/* Takes one piece of the body.  Returns 0, or -1 when the body passed the route's
 * limit: the caller cuts the connection (libmicrohttpd only lets a response be queued
 * before the body or after all of it, and reading the rest would be the very disk or
 * memory fill the limit is there to stop). */
static int server_body_take(struct http_ctx *ctx, const char *data, size_t n)
{
	if (!ctx->route || n > ctx->body_max - ctx->received) {
		ctx->status = 413;
		server_spool_drop(ctx);
		return -1;
	}
	ctx->received += n;
	if (ctx->route->body_max == BODY_UPLOAD)
		server_spool_write(ctx, data, n);
	else
		buf_append(&ctx->body, data, n);
	return 0;
}

/* ---- the request life cycle -------------------------------------------------------- */

/* The connection's ticket in the guard (conn_guard.h), kept as its socket context. */
static void *server_ticket(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void server_on_connection(void *cls, struct MHD_Connection *conn,
				 void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = info ? conn_guard_open(srv->guard, info->connect_fd) : NULL;
	} else {
		conn_guard_close(srv->guard, *socket_context);
		*socket_context = NULL;
	}
}

static void *server_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_ctx *ctx = calloc(1, sizeof *ctx);
	size_t len = strcspn(uri, "?");

	if (!ctx)
		return NULL;
	ctx->srv = cls;
	ctx->spool_fd = -1;
	buf_init(&ctx->body, 0);
	server_response_init(&ctx->res);
	conn_guard_line(ctx->srv->guard, server_ticket(conn));
	clock_gettime(CLOCK_MONOTONIC, &ctx->started);
	/* libmicrohttpd decodes %00 into a NUL that silently cuts the path; the raw form is
	 * the only place the attempt is visible. */
	ctx->raw_nul = memmem(uri, len, "%00", 3) != NULL;
	ctx->uri_len = strlen(uri);
	return ctx;
}

static unsigned long long server_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000u + (unsigned long long)t.tv_nsec / 1000000u;
}

/* Fills the handler's request, identifies the caller (auth.c), applies the route's
 * rule and, for anonymous callers of a limited route, the rate limit. */
static int server_admit(struct http_ctx *ctx, struct MHD_Connection *conn, struct err *e)
{
	struct http_request *req = &ctx->req;

	req->conn = conn;
	req->srv = ctx->srv;
	req->method = ctx->method;
	req->path = ctx->path;
	memcpy(req->params, ctx->params, sizeof req->params);
	req->nparams = ctx->nparams;
	if (http_auth_identify(req, ctx->route, e) < 0)
		return -1;
	if (req->who.kind == PRINCIPAL_ANONYMOUS && (ctx->route->flags & ROUTE_LIMITED) &&
	    ctx->srv->anon_limit &&
	    !ratelimit_take(ctx->srv->anon_limit, req->who.client, server_now_ms(),
			    &ctx->retry_after))
		return err_set(e, "rate.limited", "请求过于频繁，请 %u 秒后再试", ctx->retry_after);
	return http_auth_permit(req, ctx->route, e);
}

static enum MHD_Result server_refuse_size(struct http_ctx *ctx, struct MHD_Connection *conn)
{
	struct err e;

	if (ctx->route->body_max == BODY_UPLOAD)
		err_set(&e, "request.too_large", "上传文件过大：不得超过 %llu 字节", ctx->body_max);
	else if (ctx->body_max == BODY_NONE)
		err_set(&e, "request.too_large", "该接口不接受请求体");
	else
		err_set(&e, "request.too_large", "请求体过大：该接口的请求体不得超过 %llu 字节",
			ctx->body_max);
	return server_queue_error(ctx, conn, &e, NULL);
}

/* Settles the body on the request head: its limit, a declared length over it (413
 * before a byte is read), the spool quota for an upload of declared length (507), and
 * where the body will go. */
static enum MHD_Result server_begin_body(struct http_ctx *ctx, struct MHD_Connection *conn)
{
	const struct route *r = ctx->route;
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = 0;
	struct err e;

	err_clear(&e);
	ctx->body_max = r->body_max == BODY_UPLOAD ? ctx->srv->max_body : r->body_max;
	if (length) {
		int rc = http_head_parse_length(length, &declared);

		if (rc < 0) {
			err_set(&e, "request.invalid", "Content-Length 无效");
			return server_queue_error(ctx, conn, &e, NULL);
		}
		if (rc > 0 || declared > ctx->body_max)
			return server_refuse_size(ctx, conn);
	}
	if (r->body_max == BODY_NONE)
		return MHD_YES;
	if (r->body_max != BODY_UPLOAD) {
		/* Room for the whole body and its NUL: the buffer never grows past it. */
		buf_free(&ctx->body);
		buf_init(&ctx->body, (size_t)ctx->body_max + 1);
		return MHD_YES;
	}
	if (declared) {
		if (spool_reserve(ctx->srv->spool, declared) < 0) {
			server_spool_full(ctx->srv, &e);
			return server_queue_error(ctx, conn, &e, NULL);
		}
		ctx->reserved = declared;
	}
	if (server_spool_open(ctx, conn, &e) < 0)
		return server_queue_error(ctx, conn, &e, NULL);
	return MHD_YES;
}

/* Refuses a request line over SERVER_URI_MAX (414) or a head over SERVER_HEAD_MAX (431). */
static int server_head_too_large(const struct http_ctx *ctx, struct MHD_Connection *conn,
				 struct err *e)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);

	if (ctx->uri_len > SERVER_URI_MAX)
		return err_set(e, "request.uri_too_long", "请求地址过长：不得超过 %zu 字节",
			       SERVER_URI_MAX);
	if (info && info->header_size > SERVER_HEAD_MAX)
		return err_set(e, "request.head_too_large",
			       "请求头过大：请求行和请求头合计不得超过 %zu 字节", SERVER_HEAD_MAX);
	return 0;
}

static enum MHD_Result server_begin(struct http_ctx *ctx, struct MHD_Connection *conn,
				    const char *url, const char *method)
{
	struct err e;
	char allow[40];

	err_clear(&e);
	conn_guard_busy(ctx->srv->guard, server_ticket(conn));
	snprintf(ctx->method, sizeof ctx->method, "%s", method);
	ctx->state = CTX_BODY;
	ctx->path = strdup(url);
	ctx->scratch = strdup(url);
	if (!ctx->path || !ctx->scratch) {
		err_set(&e, "internal.error", "内部错误：内存不足");
		return server_queue_error(ctx, conn, &e, NULL);
	}
	if (server_head_too_large(ctx, conn, &e) < 0)
		return server_queue_error(ctx, conn, &e, NULL);
	if (!http_head_method_ok(method)) {
		/* Answered before routing: the 405 message would quote the method, and a
		 * method that is not UTF-8 cannot go into a JSON document. */
		err_set(&e, "request.invalid", "请求方法无效");
		return server_queue_error(ctx, conn, &e, NULL);
	}
	if (ctx->raw_nul || url[0] != '/') {
		err_set(&e, "request.invalid", "请求路径无效");
		return server_queue_error(ctx, conn, &e, NULL);
	}
	switch (router_match(method, ctx->scratch, &ctx->route, ctx->params, &ctx->nparams, allow,
			     sizeof allow)) {
	case ROUTE_NOT_FOUND:
		err_set(&e, "route.not_found", "接口不存在：请检查请求路径");
		return server_queue_error(ctx, conn, &e, NULL);
	case ROUTE_BAD_METHOD:
		err_set(&e, "method.not_allowed", "该地址不支持 %s 请求，允许的方法：%s", ctx->method,
			allow);
		return server_queue_error(ctx, conn, &e, allow);
	case ROUTE_FOUND:
		break;
	}
	/* Credentials and the route's rule are settled before a byte of the body is read:
	 * nobody uploads 500 MB only to hear 401. */
	if (server_admit(ctx, conn, &e) < 0)
		return server_queue_error(ctx, conn, &e, NULL);
	return server_begin_body(ctx, conn);
}

/* Runs the route's handler; its answer (or error document) is left in res. */
static void server_run_handler(struct http_ctx *ctx, struct http_response *res)
{
	struct err e;

	err_clear(&e);
	server_response_init(res);
	if (ctx->route->handler(&ctx->req, res, &e) < 0) {
		server_response_clear(res);
		server_response_init(res);
		http_reply_error(res, &e);
	}
	/* The upload is no longer needed: delete it before the client hears back, so that
	 * disk space is freed as soon as possible. */
	server_spool_drop(ctx);
}

/* An upload's handler, in its own thread.  After MHD_resume_connection the daemon may
 * complete (and free) the request at any moment: nothing of ctx is touched after it. */
static void *server_upload_thread(void *arg)
{
	struct http_ctx *ctx = arg;
	struct http_server *srv = ctx->srv;

	server_run_handler(ctx, &ctx->res);
	ctx->state = CTX_READY;
	MHD_resume_connection(ctx->req.conn);
	pthread_mutex_lock(&srv->work_lock);
	srv->working--;
	pthread_cond_broadcast(&srv->work_done);
	pthread_mutex_unlock(&srv->work_lock);
	return NULL;
}

/* Ingesting an upload takes seconds to minutes, and the daemon's threads each serve
 * many connections: the handler runs in a thread of its own while the connection is
 * suspended, so that no search waits behind an ingest.  Returns 0, or -1 when no thread
 * could be started (the caller then runs the handler itself). */
static int server_start_upload(struct http_ctx *ctx, struct MHD_Connection *conn)
{
	struct http_server *srv = ctx->srv;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	ctx->state = CTX_WORKING;
	pthread_mutex_lock(&srv->work_lock);
	srv->working++;
	pthread_mutex_unlock(&srv->work_lock);
	MHD_suspend_connection(conn);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, server_upload_thread, ctx);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return 0;
	MHD_resume_connection(conn);
	pthread_mutex_lock(&srv->work_lock);
	srv->working--;
	pthread_mutex_unlock(&srv->work_lock);
	ctx->state = CTX_BODY;
	return -1;
}

static enum MHD_Result server_finish(struct http_ctx *ctx, struct MHD_Connection *conn)
{
	struct http_request *req = &ctx->req;
	struct http_response res;
	struct err e;

	err_clear(&e);
	if (ctx->spool_full) {
		server_spool_full(ctx->srv, &e);
		return server_queue_error(ctx, conn, &e, NULL);
	}
	if (ctx->spool_failed) {
		char why[128];

		err_set(&e, "internal.error", "无法保存上传的文件：%s",
			strerror_r(ctx->spool_failed, why, sizeof why));
		return server_queue_error(ctx, conn, &e, NULL);
	}
	if (ctx->spool_fd >= 0) {
		/* The reader opens the file by name: close our descriptor so that everything
		 * written is visible and no descriptor is held twice. */
		close(ctx->spool_fd);
		ctx->spool_fd = -1;
		req->body_path = ctx->spool_path;
		req->body_size = ctx->received;
		if (server_start_upload(ctx, conn) == 0)
			return MHD_YES;
	} else if (ctx->received) {
		req->body = buf_cstr(&ctx->body);
		req->body_len = ctx->body.len;
	}
	server_run_handler(ctx, &res);
	/* The store handle (ctx->req.store) goes back to the pool on completion, which runs
	 * on every path, even when queueing fails below. */
	return server_queue(ctx, conn, &res);
}

static enum MHD_Result server_on_request(void *cls, struct MHD_Connection *conn,
					 const char *url, const char *method,
					 const char *version, const char *upload_data,
					 size_t *upload_data_size, void **con_cls)
{
	struct http_ctx *ctx = *con_cls;

	if (!ctx) {
		/* server_on_uri could not allocate: give up on this connection. */
		return MHD_NO;
	}
	if (ctx->state == CTX_NEW)
		return server_begin(ctx, conn, url, method);
	if (ctx->state == CTX_WORKING)
		return MHD_YES; /* not called while suspended; harmless if it were */
	if (ctx->state == CTX_READY)
		return server_queue(ctx, conn, &ctx->res);
	if (*upload_data_size) {
		/* After an early answer (401, 413) libmicrohttpd may still hand over what the
		 * client sent: it is not ours to keep. */
		if (ctx->state == CTX_BODY && server_body_take(ctx, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (ctx->state == CTX_DONE)
		return MHD_YES;
	return server_finish(ctx, conn);
}

/* ---- the request log: http_log.h -------------------------------------------------- */

/* The row's index in the route table, or -1. */
static int server_route_index(const struct route *r)
{
	size_t n;
	const struct route *table = router_table(&n);

	return r && r >= table && r < table + n ? (int)(r - table) : -1;
}

static void server_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
				enum MHD_RequestTerminationCode toe)
{
	struct http_ctx *ctx = *con_cls;
	struct timespec now;
	double ms;

	conn_guard_idle(((struct http_server *)cls)->guard, server_ticket(conn));
	if (!ctx)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - ctx->started.tv_sec) * 1e3 +
	     (double)(now.tv_nsec - ctx->started.tv_nsec) / 1e6;
	/* One line per request, by route pattern: never the path or the query string,
	 * which may hold a name or number someone searched for. */
	http_log_request(ctx->method, ctx->route ? ctx->route->pattern : NULL, ctx->status, ms,
			 toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	metrics_request(ctx->srv->metrics, server_route_index(ctx->route), ctx->status, ms / 1e3);
	server_spool_drop(ctx);
	server_response_clear(&ctx->res);
	if (ctx->req.store)
		server_pool_give(ctx->srv, ctx->req.store);
	free(ctx->path);
	free(ctx->scratch);
	buf_free(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

static void server_on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	http_log_library(msg);
}

/* ---- start and stop ---------------------------------------------------------------- */

/* Splits "host:port" or "[v6]:port" and resolves it (numeric or a local name). */
static int server_resolve(const char *listen, struct addrinfo **out, struct err *e)
{
	struct addrinfo hints;
	char host[256];
	const char *start = listen, *end, *port;
	int rc;

	if (listen[0] == '[') {
		start = listen + 1;
		end = strchr(start, ']');
		if (!end || end[1] != ':')
			goto bad;
		port = end + 2;
	} else {
		end = strrchr(listen, ':');
		if (!end)
			goto bad;
		port = end + 1;
	}
	if (end == start || (size_t)(end - start) >= sizeof host || !*port || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535)
		goto bad;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, out);
	if (rc != 0)
		return err_set(e, "request.invalid", "无法解析监听地址“%s”：%s", listen,
			       gai_strerror(rc));
	return 0;
bad:
	return err_set(e, "request.invalid", "监听地址“%s”无效，应为“主机:端口”，例如 127.0.0.1:8080",
		       listen);
}

static void server_free(struct http_server *srv)
{
	size_t i;

	if (!srv)
		return;
	for (i = 0; i < srv->npool; i++)
		if (srv->pool[i] != srv->seed)
			store_close(srv->pool[i]);
	pthread_cond_destroy(&srv->pool_freed);
	pthread_mutex_destroy(&srv->pool_lock);
	pthread_cond_destroy(&srv->work_done);
	pthread_mutex_destroy(&srv->work_lock);
	conn_guard_free(srv->guard);
	metrics_free(srv->metrics);
	free(srv->pool);
	free(srv->web_root);
	ratelimit_free(srv->anon_limit);
	spool_free(srv->spool);
	tls_clear_pair(&srv->tls_pair);
	free(srv);
}

/* Loads the certificate and key when the configuration names them and fills `opts`
 * (room for 4) with the daemon options that serve them; with neither, opts holds only
 * the end marker. */
static int server_tls_options(struct http_server *srv, const struct http_config *cfg,
			      struct MHD_OptionItem *opts, unsigned *flags, struct err *e)
{
	size_t n = 0;

	if (cfg->tls_cert || cfg->tls_key) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return err_set(e, "config.tls",
				       "本程序使用的 libmicrohttpd 不支持 HTTPS：请去掉 --tls-cert 和 "
				       "--tls-key，或由反向代理提供 HTTPS");
		if (tls_load_pair(cfg->tls_cert, cfg->tls_key, &srv->tls_pair, e) < 0)
			return -1;
		srv->tls = 1;
		*flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_pair.key };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						     srv->tls_pair.cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     (void *)SERVER_TLS_PRIORITIES };
	}
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return 0;
}

/* Each connection is a descriptor: raise the soft limit towards the hard one so that
 * the table's `conns` (and the daemon's room beyond them, the database, the spool) fit.
 * When the hard limit is lower, the server still runs, with the kernel's limit. */
static void server_raise_fd_limit(unsigned conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)conns * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		fprintf(stderr, "event=config warning=fd_limit limit=%llu wanted=%llu\n",
			(unsigned long long)rl.rlim_cur, (unsigned long long)want);
}

/* Opens the spool directory.  A quota smaller than one upload could never be met: that
 * is a configuration mistake, said at start rather than as 507 on every large upload. */
static int server_spool_start(struct http_server *srv, const struct http_config *cfg,
			      struct err *e)
{
	unsigned long long quota = cfg->spool_quota ? cfg->spool_quota : HTTP_DEFAULT_SPOOL_QUOTA;
	char dir[PATH_MAX];

	if (quota < srv->max_body)
		return err_set(e, "config.spool",
			       "上传暂存配额（%llu 字节）小于单个上传的上限 --max-body（%llu 字节）",
			       quota, srv->max_body);
	if (cfg->spool_dir && *cfg->spool_dir)
		snprintf(dir, sizeof dir, "%s", cfg->spool_dir);
	else
		spool_default_dir(dir, sizeof dir);
	return spool_open(dir, quota, &srv->spool, e);
}

int http_server_start(struct store *store, const struct http_config *cfg,
		      struct http_server **out, struct err *e)
{
	struct http_server *srv;
	struct addrinfo *ai = NULL;
	struct stat st;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem tls_opts[4];
	unsigned conns = cfg->max_connections ? cfg->max_connections : HTTP_DEFAULT_CONNECTIONS;
	unsigned per_addr = cfg->max_per_address ? cfg->max_per_address : HTTP_DEFAULT_PER_ADDRESS;
	unsigned threads = cfg->threads ? cfg->threads : HTTP_DEFAULT_THREADS;
	unsigned head_s = cfg->head_timeout ? cfg->head_timeout : HTTP_DEFAULT_HEAD_TIMEOUT;
	unsigned idle_s = cfg->idle_timeout ? cfg->idle_timeout : HTTP_DEFAULT_IDLE_TIMEOUT;
	/* A few threads, each watching many connections with epoll: a connection costs a
	 * socket and a memory pool, not a thread, so idle or slow ones are cheap. */
	unsigned flags = (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES
				  ? MHD_USE_EPOLL_INTERNAL_THREAD
				  : MHD_USE_POLL_INTERNAL_THREAD) |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	unsigned rate;
	size_t nroutes;

	*out = NULL;
	srv = calloc(1, sizeof *srv);
	if (!srv)
		return err_set(e, "internal.error", "内存不足");
	pthread_mutex_init(&srv->pool_lock, NULL);
	pthread_cond_init(&srv->pool_freed, NULL);
	pthread_mutex_init(&srv->work_lock, NULL);
	pthread_cond_init(&srv->work_done, NULL);
	srv->seed = store;
	srv->max_body = cfg->max_body ? cfg->max_body : HTTP_DEFAULT_MAX_BODY;
	/* More handles than connections could never be used at once. */
	srv->pool_cap = cfg->db_pool ? cfg->db_pool : HTTP_DEFAULT_DB_POOL;
	if (srv->pool_cap > (size_t)conns + 1)
		srv->pool_cap = (size_t)conns + 1;
	if (conn_guard_create(conns, head_s * 1000u, idle_s * 1000u, &srv->guard) < 0) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足或无法创建线程");
	}
	server_raise_fd_limit(conns);
	srv->pool = calloc(srv->pool_cap, sizeof *srv->pool);
	if (!srv->pool) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足");
	}
	srv->pool[srv->npool++] = store;
	srv->nopen = 1;
	srv->store_ok = 1;
	router_table(&nroutes);
	if (metrics_create(nroutes, &srv->metrics) < 0) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足");
	}
	rate = cfg->rate_limit_set ? cfg->rate_limit : HTTP_DEFAULT_RATE_LIMIT;
	/* 4096 addresses: a city's simultaneous searchers fit; beyond, the stalest go. */
	if (rate && ratelimit_create(rate, rate, 4096, &srv->anon_limit) < 0) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足");
	}

	if (server_spool_start(srv, cfg, e) < 0) {
		server_free(srv);
		return -1;
	}
	srv->web_root = realpath(cfg->web_root, NULL);
	if (!srv->web_root || stat(srv->web_root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, "request.invalid", "网站目录“%s”不存在或不是目录", cfg->web_root);
		server_free(srv);
		return -1;
	}
	if (server_tls_options(srv, cfg, tls_opts, &flags, e) < 0) {
		server_free(srv);
		return -1;
	}
	if (server_resolve(cfg->listen ? cfg->listen : HTTP_DEFAULT_LISTEN, &ai, e) < 0) {
		server_free(srv);
		return -1;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, server_on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
		server_on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_URI_LOG_CALLBACK, server_on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED,
		server_on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, server_on_connection, srv,
		/* The guard keeps the real table of `conns`; the daemon's own limit leaves room
		 * for connections the guard dropped and the daemon has not yet closed, so that
		 * a newcomer reaches the guard (which picks whom to drop) instead of being
		 * refused by the daemon. */
		MHD_OPTION_CONNECTION_LIMIT, 2 * conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, SERVER_TIMEOUT_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, SERVER_MEMORY_LIMIT, MHD_OPTION_ARRAY, tls_opts,
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!srv->daemon) {
		err_set(e, "internal.error", "无法在 %s 上启动服务（地址无效或端口已被占用）",
			cfg->listen ? cfg->listen : HTTP_DEFAULT_LISTEN);
		server_free(srv);
		return -1;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	*out = srv;
	return 0;
}

uint16_t http_server_port(const struct http_server *srv)
{
	return srv->port;
}

int http_server_is_tls(const struct http_server *srv)
{
	return srv->tls;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* Uploads being ingested finish first: their connections are suspended, and the
	 * daemon may only stop once none is. */
	pthread_mutex_lock(&srv->work_lock);
	while (srv->working)
		pthread_cond_wait(&srv->work_done, &srv->work_lock);
	pthread_mutex_unlock(&srv->work_lock);
	/* Joins the daemon's threads; the completion callbacks give the store handles back,
	 * so after this the pool holds every handle that was opened. */
	MHD_stop_daemon(srv->daemon);
	server_free(srv);
}

int http_parse_size(const char *text, unsigned long long *out, struct err *e)
{
	unsigned long long n, mult = 1;
	char *end;

	errno = 0;
	if (!text || !isdigit((unsigned char)*text))
		goto bad;
	n = strtoull(text, &end, 10);
	if (errno)
		goto bad;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': mult = 1ULL << 10; end++; break;
	case 'M': mult = 1ULL << 20; end++; break;
	case 'G': mult = 1ULL << 30; end++; break;
	default: goto bad;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || n == 0 || n > ULLONG_MAX / mult)
		goto bad;
	*out = n * mult;
	return 0;
bad:
	return err_set(e, "request.invalid", "大小“%s”无效，应为正整数，可带 K、M、G 单位",
		       text ? text : "");
}
