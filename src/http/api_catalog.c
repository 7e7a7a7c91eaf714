/*
 * api_catalog.c - the catalog (信息资源目录) for the pages that need it, such as the
 * upload page suggesting a file's category from its header; any logged-in user:
 *   GET /api/v1/catalog        {"categories": [{"id","name","group","nature","disclosure",
 *                              "fields"}]}, by id (fields: how many)
 *   GET /api/v1/catalog/{id}   the category's definition as stored (its fields with
 *                              their names and aliases), or 404 catalog.unknown_category
 */
#include "http/http_int.h"

#include "core/err.h"
#include "service/catalogs.h"

int api_catalog_list(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *list = NULL;

	if (!s || catalogs_list(s, &list, e) < 0)
		return -1;
	return http_reply_json(res, 200, json_pack("{s:o}", "categories", list), e);
}

int api_catalog_show(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc = NULL;

	if (!s || catalogs_show(s, req->params[0], &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}
