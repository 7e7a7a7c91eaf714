/*
 * api_depts.c - the department directory, public (it is the government's own directory):
 *   GET /api/v1/depts          {"depts": [{code, name, short_name, region_code,
 *                              parent_code, contact, sector}]}, by code
 *   GET /api/v1/depts/{code}   one department, or 404 dept.not_found
 */
#include "http/http_int.h"

#include "core/err.h"
#include "service/depts.h"

int api_depts_list(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc = NULL;

	if (!s || depts_list_json(s, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_depts_show(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc = NULL;

	if (!s || depts_get_json(s, req->params[0], &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}
