/*
 * server_lifecycle.c - the life of a request, as libmicrohttpd's callbacks see it.
 *
 * libmicrohttpd calls us in this order:
 *   1. server_on_uri: as soon as the request line is read; we allocate the request
 *      context here because it is the only place that sees the raw, undecoded path.
 *   2. server_on_request, first call: headers are complete; we route.  Routing errors
 *      (404, 405, a declared body over the route's limit, a full spool) are answered at
 *      once, which is the only moment besides the end that libmicrohttpd accepts a
 *      response.
 *   3. server_on_request with body data: an upload is spooled (server_body.c), a JSON
 *      body kept in memory; past the route's limit the connection is cut.
 *   4. server_on_request, last call (no data): run the handler and queue its response.
 *   5. server_on_completed: log line, delete the spool file, give the store back, free.
 * server_on_connection tells the connection guard (conn_guard.h) of every connection,
 * which gives request heads and kept-alive connections their deadlines.
 *
 * Handlers run in the daemon's threads and are short (a search, an archive), except an
 * upload's: ingesting a department's file takes seconds to minutes, so it runs in a
 * thread of its own while its connection is suspended (server_start_upload).
 */
#include "http/server_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "http/conn_guard.h"
#include "http/http_log.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/request_head.h"

/* The connection's ticket in the guard (conn_guard.h), kept as its socket context. */
static void *server_ticket(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

void server_on_connection(void *cls, struct MHD_Connection *conn,
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

void *server_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
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
		return server_response_queue_error(ctx, conn, &e, NULL);
	}
	if (server_head_too_large(ctx, conn, &e) < 0)
		return server_response_queue_error(ctx, conn, &e, NULL);
	if (!http_head_method_ok(method)) {
		/* Answered before routing: the 405 message would quote the method, and a
		 * method that is not UTF-8 cannot go into a JSON document. */
		err_set(&e, "request.invalid", "请求方法无效");
		return server_response_queue_error(ctx, conn, &e, NULL);
	}
	if (ctx->raw_nul || url[0] != '/') {
		err_set(&e, "request.invalid", "请求路径无效");
		return server_response_queue_error(ctx, conn, &e, NULL);
	}
	switch (router_match(method, ctx->scratch, &ctx->route, ctx->params, &ctx->nparams, allow,
			     sizeof allow)) {
	case ROUTE_NOT_FOUND:
		err_set(&e, "route.not_found", "接口不存在：请检查请求路径");
		return server_response_queue_error(ctx, conn, &e, NULL);
	case ROUTE_BAD_METHOD:
		err_set(&e, "method.not_allowed", "该地址不支持 %s 请求，允许的方法：%s", ctx->method,
			allow);
		return server_response_queue_error(ctx, conn, &e, allow);
	case ROUTE_FOUND:
		break;
	}
	/* Credentials and the route's rule are settled before a byte of the body is read:
	 * nobody uploads 500 MB only to hear 401. */
	if (server_admit(ctx, conn, &e) < 0)
		return server_response_queue_error(ctx, conn, &e, NULL);
	return server_body_begin(ctx, conn);
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
	server_body_drop(ctx);
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
		server_body_full(ctx->srv, &e);
		return server_response_queue_error(ctx, conn, &e, NULL);
	}
	if (ctx->spool_failed) {
		char why[128];

		err_set(&e, "internal.error", "无法保存上传的文件：%s",
			strerror_r(ctx->spool_failed, why, sizeof why));
		return server_response_queue_error(ctx, conn, &e, NULL);
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
	return server_response_queue(ctx, conn, &res);
}

enum MHD_Result server_on_request(void *cls, struct MHD_Connection *conn,
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
		return server_response_queue(ctx, conn, &ctx->res);
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

/* The row's index in the route table, or -1. */
static int server_route_index(const struct route *r)
{
	size_t n;
	const struct route *table = router_table(&n);

	return r && r >= table && r < table + n ? (int)(r - table) : -1;
}

void server_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
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
	server_body_drop(ctx);
	server_response_clear(&ctx->res);
	if (ctx->req.store)
		server_pool_give(ctx->srv, ctx->req.store);
	free(ctx->path);
	free(ctx->scratch);
	buf_free(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}
