/*
 * api_subjects.c - the public subject API:
 *   GET /api/v1/subjects/{code}[?purpose=..|view=public]  a subject's archive as the
 *                                        caller may see it (subjects_show, access.h)
 *   GET /api/v1/subjects?q=TEXT&limit=N[&purpose=..]      search by code or name
 */
#include "http/http_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "service/subjects.h"

int api_subjects_show(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	const char *view = http_request_arg(req, "view");
	struct principal public_view;
	json_t *doc = NULL;

	/* view=public: what the public sees, for a government user browsing without a
	 * purpose (access.h). */
	principal_anonymous(&public_view, req->who.client);
	if (view && strcmp(view, "public") != 0)
		return err_set_field(e, "request.invalid", "view", "view 只能为 public");
	if (!s || subjects_show(s, req->params[0], view ? &public_view : &req->who, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_subjects_search(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *q = http_request_arg(req, "q");
	const char *limit_text = http_request_arg(req, "limit");
	struct subjects_query query = { 0 };
	struct store *s;
	json_t *doc = NULL;
	long limit = 0;

	if (!q || !*q)
		return err_set_field(e, "request.invalid", "q",
				     "请提供查询内容 q：企业名称的一部分（至少两个字）或统一社会信用代码");
	if (limit_text) {
		char *end;

		errno = 0;
		limit = strtol(limit_text, &end, 10);
		if (errno || end == limit_text || *end || limit < 1 ||
		    limit > SUBJECTS_SEARCH_MAX_LIMIT)
			return err_set_field(e, "request.invalid", "limit",
					     "limit 应为 1 到 %d 之间的整数",
					     SUBJECTS_SEARCH_MAX_LIMIT);
	}
	query.text = q;
	query.limit = (int)limit;
	query.region = http_request_arg(req, "region");
	query.subject_type = http_request_arg(req, "type");
	query.cursor = http_request_arg(req, "cursor");
	s = http_request_store(req, e);
	/* Persons appear only for government users who give a purpose (subjects.h). */
	if (!s || subjects_search(s, &query, &req->who, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}
