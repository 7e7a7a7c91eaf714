/*
 * api_audit.c - the audit trail, for auditors (who change nothing):
 *   GET /api/v1/audit?after=SEQ&limit=N   entries in chain order (audit_trail_list)
 *   GET /api/v1/audit/verify              recomputes the chain and checks the signed
 *                                         checkpoints (audit_trail_verify)
 */
#include "http/http_int.h"

#include <errno.h>
#include <stdlib.h>

#include "core/err.h"
#include "service/audit_trail.h"

static int api_audit_number(struct http_request *req, const char *name, long long fallback,
			    long long *out, struct err *e)
{
	const char *text = http_request_arg(req, name);
	char *end;

	*out = fallback;
	if (!text)
		return 0;
	errno = 0;
	*out = strtoll(text, &end, 10);
	if (errno || end == text || *end || *out < 0)
		return err_set_field(e, "request.invalid", name, "%s 应为非负整数", name);
	return 0;
}

int api_audit_list(struct http_request *req, struct http_response *res, struct err *e)
{
	long long after, limit;
	struct store *s;
	json_t *doc;

	if (api_audit_number(req, "after", 0, &after, e) < 0 ||
	    api_audit_number(req, "limit", 100, &limit, e) < 0 ||
	    !(s = http_request_store(req, e)) || audit_trail_list(s, &req->who, after, limit, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_audit_verify(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *report;

	/* The server trusts the keys the checkpoints carry; `xinyong audit verify --key`
	 * checks them against a key kept apart from the database. */
	if (!s || audit_trail_verify(s, NULL, NULL, &report, e) < 0)
		return -1;
	return http_reply_json(res, 200, report, e);
}
