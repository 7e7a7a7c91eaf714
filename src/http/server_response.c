/*
 * server_response.c - responses: the JSON and error documents handlers reply with
 * (http_reply_json, http_reply_error; the status of an error is the one its reason
 * declares in reasons.def), and queueing a response on its connection with the headers
 * every answer carries.
 */
#include "http/server_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/reasons.h"

#define SERVER_CSP "default-src 'self'; frame-ancestors 'none'"

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

void server_response_init(struct http_response *res)
{
	memset(res, 0, sizeof *res);
	buf_init(&res->body, 0);
	res->fd = -1;
}

void server_response_clear(struct http_response *res)
{
	buf_free(&res->body);
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
}

enum MHD_Result server_response_queue(struct http_ctx *ctx, struct MHD_Connection *conn,
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
	MHD_add_response_header(r, "Content-Security-Policy", res->csp ? res->csp : SERVER_CSP);
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

enum MHD_Result server_response_queue_error(struct http_ctx *ctx,
					    struct MHD_Connection *conn, const struct err *e,
					    const char *allow)
{
	struct http_response res;

	server_response_init(&res);
	http_reply_error(&res, e);
	if (allow)
		snprintf(res.allow, sizeof res.allow, "%s", allow);
	res.retry_after = ctx->retry_after;
	return server_response_queue(ctx, conn, &res);
}
