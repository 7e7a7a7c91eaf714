/*
 * api_me.c - a subject's own records of who looked and whom it allows to look:
 *   GET    /api/v1/me/access-log              who read its non-public data, and why
 *   GET    /api/v1/me/authorizations          its authorizations
 *   POST   /api/v1/me/authorizations          {"grantee", "purpose", "expires"} -> 201
 *   DELETE /api/v1/me/authorizations/{id}     revokes one
 */
#include "http/http_int.h"

#include "core/err.h"
#include "core/json_input.h"
#include "service/audit_trail.h"
#include "service/authorizations.h"

static const char *const AUTHORIZE_FIELDS[] = { "grantee", "purpose", "expires", NULL };

int api_me_access_log(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	char self[96];
	json_t *doc;

	if (!s)
		return -1;
	principal_actor(&req->who, self, sizeof self);
	if (audit_trail_access_log(s, req->who.subject_code, self, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_me_authorizations(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc;

	if (!s || authorizations_list(s, &req->who, NULL, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_me_authorize(struct http_request *req, struct http_response *res, struct err *e)
{
	struct authorization_request r = { NULL, NULL, NULL, NULL };
	json_t *body = NULL, *doc;
	struct store *s;
	int rc = -1;

	if (http_request_json(req, &body, e) < 0)
		return -1;
	if (json_input_only(body, AUTHORIZE_FIELDS, e) == 0 &&
	    json_input_string(body, "grantee", JSON_INPUT_REQUIRED, 32, &r.grantee, e) == 0 &&
	    json_input_string(body, "purpose", JSON_INPUT_REQUIRED, 100, &r.purpose, e) == 0 &&
	    json_input_string(body, "expires", 0, 16, &r.expires, e) == 0 &&
	    (s = http_request_store(req, e)) && authorizations_grant(s, &req->who, &r, &doc, e) == 0)
		rc = http_reply_json(res, 201, doc, e);
	json_decref(body);
	return rc;
}

int api_me_revoke(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s;
	int64_t id;

	if (http_param_id(req, 0, "授权", &id, e) < 0 || !(s = http_request_store(req, e)) ||
	    authorizations_revoke(s, &req->who, NULL, id, e) < 0)
		return -1;
	return http_reply_json(res, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1),
			       e);
}
