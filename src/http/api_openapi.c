/*
 * api_openapi.c - GET /api/v1/openapi.json: the API's OpenAPI description.
 *
 * The document is docs/openapi.json, compiled into the program (scripts/embed.py, see
 * src/http/meson.build), so the server needs no docs folder at run time and always
 * describes the routes it was built with.
 */
#include "http/http_int.h"

#include "core/embedded.h"
#include "core/err.h"

int api_openapi(struct http_request *req, struct http_response *res, struct err *e)
{
	const struct embedded_file *doc = &embedded_openapi[0];

	if (!doc->name)
		return err_set(e, "internal.error", "内部错误：接口说明文档未编入程序");
	buf_reset(&res->body);
	if (buf_append(&res->body, doc->data, doc->size) < 0 || buf_failed(&res->body)) {
		buf_reset(&res->body);
		return err_set(e, "internal.error", "内部错误：内存不足");
	}
	res->status = 200;
	res->content_type = "application/json; charset=utf-8";
	return 0;
}
