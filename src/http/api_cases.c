/*
 * api_cases.c - cases (src/service/cases.h) and the subjects' statements:
 *   POST /api/v1/cases                                 file a case (an objection)
 *   GET  /api/v1/cases                                 list: kind, status, overdue, dept,
 *                                                      after, limit
 *   GET  /api/v1/cases/{id}                            one case, its history and actions
 *   POST /api/v1/cases/{id}/actions/{action}           take an action
 *   POST /api/v1/cases/{id}/attachments                add a file (the raw body)
 *   GET  /api/v1/cases/{id}/attachments/{digest}       read it back
 *   POST /api/v1/records/{id}/statement                {"text"}: the subject's statement
 *
 * A body that cannot be read is answered only after access and the case's state have
 * been judged (cases.h), so a caller who may not act hears 403, not 400.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachment.h"
#include "core/err.h"
#include "core/json_input.h"
#include "service/cases.h"
#include "service/records.h"

static const char *const STATEMENT_FIELDS[] = { "text", NULL };

static void api_cases_ctx(struct http_request *req, struct store *s, struct case_ctx *x)
{
	cases_ctx_init(x, s, &req->who, http_server_calendar(req->srv));
}

/* The body, when there is one: *body and 0; a body that cannot be read leaves *body NULL
 * and its reason in *body_err, for the service to answer in its turn. */
static void api_cases_body(struct http_request *req, json_t **body, struct err *body_err,
			   int *bad)
{
	*body = NULL;
	*bad = 0;
	err_clear(body_err);
	if (!req->body || req->body_len == 0)
		return;
	if (json_input_parse(req->body, req->body_len, body, body_err) < 0)
		*bad = 1;
}

int api_cases_create(struct http_request *req, struct http_response *res, struct err *e)
{
	struct err body_err;
	struct case_ctx x;
	struct store *s;
	json_t *body, *doc;
	int bad, rc = -1;

	api_cases_body(req, &body, &body_err, &bad);
	if (!bad && !body) {
		err_set(&body_err, "request.invalid",
			"请求体应为 JSON 对象，如 {\"kind\":\"objection\",\"record\":123,"
			"\"grounds\":\"error\",\"text\":\"...\"}");
		bad = 1;
	}
	if ((s = http_request_store(req, e))) {
		api_cases_ctx(req, s, &x);
		if (cases_file(&x, body, bad ? &body_err : NULL, &doc, e) == 0)
			rc = http_reply_json(res, 201, doc, e);
	}
	json_decref(body);
	return rc;
}

/* A query argument that must be a positive number, or absent (0). */
static int api_cases_number(struct http_request *req, const char *name, long long max,
			    long long *out, struct err *e)
{
	const char *v = http_request_arg(req, name);
	char *end;

	*out = 0;
	if (!v || !*v)
		return 0;
	*out = strtoll(v, &end, 10);
	if (*end || *out <= 0 || *out > max)
		return err_set_field(e, "request.invalid", name, "%s 应为 1 到 %lld 之间的整数", name,
				     max);
	return 0;
}

int api_cases_list(struct http_request *req, struct http_response *res, struct err *e)
{
	struct cases_query q;
	struct case_ctx x;
	struct store *s;
	const char *overdue = http_request_arg(req, "overdue");
	long long after, limit;
	json_t *doc;

	memset(&q, 0, sizeof q);
	q.kind = http_request_arg(req, "kind");
	q.status = http_request_arg(req, "status");
	q.dept = http_request_arg(req, "dept");
	if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
		return err_set_field(e, "request.invalid", "overdue", "overdue 应为 true 或 false");
	q.overdue = overdue && strcmp(overdue, "true") == 0;
	if (api_cases_number(req, "after", INT64_MAX, &after, e) < 0 ||
	    api_cases_number(req, "limit", CASES_LIST_MAX, &limit, e) < 0)
		return -1;
	q.after = after;
	q.limit = (long)limit;
	if (!(s = http_request_store(req, e)))
		return -1;
	api_cases_ctx(req, s, &x);
	if (cases_list(&x, &q, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_cases_show(struct http_request *req, struct http_response *res, struct err *e)
{
	struct case_ctx x;
	struct store *s;
	json_t *doc;
	int64_t id;

	if (http_param_id(req, 0, "申请", &id, e) < 0 || !(s = http_request_store(req, e)))
		return -1;
	api_cases_ctx(req, s, &x);
	if (cases_show(&x, id, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_cases_act(struct http_request *req, struct http_response *res, struct err *e)
{
	struct err body_err;
	struct case_ctx x;
	struct store *s;
	json_t *body, *doc;
	int64_t id;
	int bad, rc = -1;

	if (http_param_id(req, 0, "申请", &id, e) < 0)
		return -1;
	api_cases_body(req, &body, &body_err, &bad);
	if ((s = http_request_store(req, e))) {
		api_cases_ctx(req, s, &x);
		if (cases_act(&x, id, req->params[1], body, bad ? &body_err : NULL, &doc, e) == 0)
			rc = http_reply_json(res, 200, doc, e);
	}
	json_decref(body);
	return rc;
}

int api_cases_attach(struct http_request *req, struct http_response *res, struct err *e)
{
	struct case_ctx x;
	struct store *s;
	json_t *doc;
	int64_t id;

	if (http_param_id(req, 0, "申请", &id, e) < 0 || !(s = http_request_store(req, e)))
		return -1;
	api_cases_ctx(req, s, &x);
	if (cases_attach(&x, id, (const unsigned char *)(req->body ? req->body : ""),
			 req->body ? req->body_len : 0, http_request_header(req, "X-File-Name"),
			 &doc, e) < 0)
		return -1;
	return http_reply_json(res, 201, doc, e);
}

int api_cases_attachment(struct http_request *req, struct http_response *res, struct err *e)
{
	struct case_ctx x;
	struct store *s;
	unsigned char *data;
	size_t len;
	char type[32], name[256];
	const char *sniffed;
	int64_t id;
	int rc;

	if (http_param_id(req, 0, "申请", &id, e) < 0 || !(s = http_request_store(req, e)))
		return -1;
	api_cases_ctx(req, s, &x);
	if (cases_attachment_get(&x, id, req->params[1], &data, &len, type, name, e) < 0)
		return -1;
	/* The type is read from the content again (a static string, and never what a
	 * client once claimed). */
	sniffed = attachment_sniff(data, len);
	res->status = 200;
	res->content_type = sniffed ? sniffed : "application/octet-stream";
	snprintf(res->disposition, sizeof res->disposition,
		 "attachment; filename=\"case-%lld-%.12s%s\"", (long long)id, req->params[1],
		 !sniffed ? "" : strstr(sniffed, "pdf") ? ".pdf" : strstr(sniffed, "png") ? ".png" :
							      ".jpg");
	rc = buf_append(&res->body, data, len);
	free(data);
	return rc < 0 ? err_set(e, "internal.error", "内存不足，无法发送附件") : 0;
}

int api_records_statement(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *text = NULL;
	json_t *body = NULL, *doc;
	struct store *s;
	int64_t id;
	int rc = -1;

	if (http_param_id(req, 0, "记录", &id, e) < 0 || http_request_json(req, &body, e) < 0)
		return -1;
	if (json_input_only(body, STATEMENT_FIELDS, e) == 0 &&
	    json_input_string(body, "text", 0, 0, &text, e) == 0 &&
	    (s = http_request_store(req, e)) &&
	    records_statement(s, &req->who, id, text, &doc, e) == 0)
		rc = http_reply_json(res, 200, doc, e);
	json_decref(body);
	return rc;
}
