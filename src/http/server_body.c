/*
 * server_body.c - the request body: its limit, and where it goes.  An upload
 * (BODY_UPLOAD) is written piece by piece to a file of the spool directory (spool.h)
 * within the spool quota; any other body is kept in memory, bounded by its route.
 */
#include "http/server_int.h"

#include <errno.h>
#include <microhttpd.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/err.h"
#include "http/spool.h"

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

void server_body_drop(struct http_ctx *ctx)
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

int server_body_full(const struct http_server *srv, struct err *e)
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
			server_body_drop(ctx);
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
			server_body_drop(ctx);
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
int server_body_take(struct http_ctx *ctx, const char *data, size_t n)
{
	if (!ctx->route || n > ctx->body_max - ctx->received) {
		ctx->status = 413;
		server_body_drop(ctx);
		return -1;
	}
	ctx->received += n;
	if (ctx->route->body_max == BODY_UPLOAD)
		server_spool_write(ctx, data, n);
	else
		buf_append(&ctx->body, data, n);
	return 0;
}

static enum MHD_Result server_body_refuse_size(struct http_ctx *ctx,
					       struct MHD_Connection *conn)
{
	struct err e;

	if (ctx->route->body_max == BODY_UPLOAD)
		err_set(&e, "request.too_large", "上传文件过大：不得超过 %llu 字节", ctx->body_max);
	else if (ctx->body_max == BODY_NONE)
		err_set(&e, "request.too_large", "该接口不接受请求体");
	else
		err_set(&e, "request.too_large", "请求体过大：该接口的请求体不得超过 %llu 字节",
			ctx->body_max);
	return server_response_queue_error(ctx, conn, &e, NULL);
}

enum MHD_Result server_body_begin(struct http_ctx *ctx, struct MHD_Connection *conn)
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
			return server_response_queue_error(ctx, conn, &e, NULL);
		}
		if (rc > 0 || declared > ctx->body_max)
			return server_body_refuse_size(ctx, conn);
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
			server_body_full(ctx->srv, &e);
			return server_response_queue_error(ctx, conn, &e, NULL);
		}
		ctx->reserved = declared;
	}
	if (server_spool_open(ctx, conn, &e) < 0)
		return server_response_queue_error(ctx, conn, &e, NULL);
	return MHD_YES;
}
