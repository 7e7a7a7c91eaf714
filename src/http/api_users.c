/*
 * api_users.c - accounts, for admins (everyone), department admins (their department's
 * department roles) and operators (subject accounts):
 *   GET  /api/v1/users                   {"users": [...]}
 *   POST /api/v1/users                   {"name", "roles", "dept", "subject", "display_name"}
 *                                        -> 201 {"user", "activation_code", ...}: accounts
 *                                        made here start with a one-time activation code
 *   POST /api/v1/users/{name}/disable    -> 200 {"name", "disabled": true}
 */
#include "http/http_int.h"

#include "core/err.h"
#include "core/json_input.h"
#include "service/accounts.h"

static const char *const USER_FIELDS[] = { "name", "roles", "dept", "subject", "display_name",
					   NULL };

int api_users_list(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc;

	if (!s || accounts_list(s, &req->who, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_users_create(struct http_request *req, struct http_response *res, struct err *e)
{
	struct account_new n = { NULL, NULL, NULL, NULL, NULL, NULL };
	json_t *body = NULL, *doc;
	struct store *s;
	int rc = -1;

	if (http_request_json(req, &body, e) < 0)
		return -1;
	/* No password over the API: the person sets it with the activation code, so that
	 * nobody else ever knows it. */
	if (json_input_only(body, USER_FIELDS, e) == 0 &&
	    json_input_string(body, "name", JSON_INPUT_REQUIRED, 32, &n.name, e) == 0 &&
	    json_input_string(body, "roles", JSON_INPUT_REQUIRED, 96, &n.roles, e) == 0 &&
	    json_input_string(body, "dept", 0, 32, &n.dept_code, e) == 0 &&
	    json_input_string(body, "subject", 0, 32, &n.subject_code, e) == 0 &&
	    json_input_string(body, "display_name", 0, 40, &n.display_name, e) == 0 &&
	    (s = http_request_store(req, e)) && accounts_add(s, &req->who, &n, &doc, e) == 0)
		rc = http_reply_json(res, 201, doc, e);
	json_decref(body);
	return rc;
}

int api_users_disable(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);

	if (!s || accounts_disable(s, &req->who, req->params[0], e) < 0)
		return -1;
	return http_reply_json(res, 200, json_pack("{s:s, s:b}", "name", req->params[0],
						   "disabled", 1),
			       e);
}
