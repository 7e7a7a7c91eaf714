/*
 * api_records.c - one record and who holds it (src/service/records.h):
 *   GET  /api/v1/records/{id}/history     the record now and its earlier versions
 *   POST /api/v1/records/{id}/transfer    {"dept", "reason"}: an operator gives the record
 *                                         to another department
 *   GET  /api/v1/records/{id}/repair      whether the record may be repaired now
 *                                         (service/repair.h)
 */
#include "http/http_int.h"

#include "core/err.h"
#include "core/json_input.h"
#include "service/records.h"
#include "service/repair.h"

static const char *const TRANSFER_FIELDS[] = { "dept", "reason", NULL };

int api_records_history(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s;
	json_t *doc;
	int64_t id;

	if (http_param_id(req, 0, "记录", &id, e) < 0 || !(s = http_request_store(req, e)) ||
	    records_history(s, &req->who, id, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_records_transfer(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *dept = NULL, *reason = NULL;
	json_t *body = NULL, *doc;
	struct store *s;
	int64_t id;
	int rc = -1;

	if (http_param_id(req, 0, "记录", &id, e) < 0 || http_request_json(req, &body, e) < 0)
		return -1;
	if (json_input_only(body, TRANSFER_FIELDS, e) == 0 &&
	    json_input_string(body, "dept", JSON_INPUT_REQUIRED, 32, &dept, e) == 0 &&
	    json_input_string(body, "reason", JSON_INPUT_REQUIRED, 1024, &reason, e) == 0 &&
	    (s = http_request_store(req, e)) &&
	    records_transfer(s, &req->who, id, dept, reason, &doc, e) == 0)
		rc = http_reply_json(res, 200, doc, e);
	json_decref(body);
	return rc;
}

int api_records_repair(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s;
	json_t *doc;
	int64_t id;

	if (http_param_id(req, 0, "记录", &id, e) < 0 || !(s = http_request_store(req, e)) ||
	    repair_eligibility(s, &req->who, id, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}
