/*
 * api_reports.c - the credit report (service/report.h):
 *   GET /api/v1/subjects/{code}/report?format=pdf|html|json[&purpose=..|view=public]
 *                                     [&from=YYYY-MM-DD][&chapters=1,2,4]
 *       the report the caller may have: the public's of a legal person to anyone, its
 *       own full report to the subject logged in, the shared one to a government user
 *       with a purpose; a person's is refused to the public like its page (404)
 *   GET /api/v1/reports/{number}?code=C   the online check: {"genuine", "number",
 *       "subject", "generated_at", "issuer", "view"}; 404 report.not_found
 *   GET /api/v1/subjects/{code}/credit-code?format=svg|png|json
 *       a legal person's credit code (信用码) as the public sees it today; a person's is
 *       404 like its page
 *   GET /.well-known/xinyong-keys.json    the public keys that sign reports and codes
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "service/credit_code.h"
#include "service/report.h"
#include "service/report_keys.h"
#include "service/report_output.h"

/* Where the verification page is: the signing key's address when the operator set one
 * (keys generate --url), else the address this request reached. */
static void api_report_base(const struct http_request *req, char *out, size_t size)
{
	const char *host = http_request_header(req, "Host");

	out[0] = '\0';
	if (host && *host && strcspn(host, " \"<>\\/") == strlen(host))
		snprintf(out, size, "%s://%s", http_server_tls(req->srv) ? "https" : "http", host);
}

int api_reports_issue(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	const char *view = http_request_arg(req, "view");
	const char *format = http_request_arg(req, "format");
	struct report_request rq = { req->params[0], format ? format : "pdf",
				     http_request_arg(req, "from"),
				     http_request_arg(req, "chapters") };
	struct principal public_view;
	const char *type = NULL;
	char base[300], url[512];
	json_t *doc = NULL;
	int rc;

	principal_anonymous(&public_view, req->who.client);
	if (view && strcmp(view, "public") != 0)
		return err_set_field(e, "request.invalid", "view", "view 只能为 public");
	if (!s || report_issue(s, view ? &public_view : &req->who, &rq, &doc, e) < 0)
		return -1;
	/* The key's address wins over the request's (report_verify_url); the request's is
	 * only the fallback. */
	report_verify_url(s, doc, NULL, url, sizeof url);
	api_report_base(req, base, sizeof base);
	rc = report_output(s, doc, rq.format, url[0] == '/' ? base : NULL, &res->body, &type, e);
	if (rc == 0) {
		res->status = 200;
		res->content_type = type;
		/* The HTML report is one self-contained page: its own style sheet inline, the
		 * QR code inline SVG, and no script that runs (the signed JSON sits in a
		 * non-executable <script type="application/json">). */
		if (strcmp(rq.format, "html") == 0)
			res->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
				   "frame-ancestors 'none'; form-action 'none'; base-uri 'none'";
		snprintf(res->disposition, sizeof res->disposition,
			 "%s; filename=\"credit-report-%s.%s\"",
			 strcmp(rq.format, "html") == 0 ? "inline" : "attachment",
			 json_string_value(json_object_get(doc, "number")), rq.format);
	}
	json_decref(doc);
	return rc;
}

int api_reports_check(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc = NULL;

	if (!s || report_check_online(s, req->params[0], http_request_arg(req, "code"), &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_reports_keys(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc = NULL;

	if (!s || report_keys_export(s, &doc, e) < 0)
		return -1;
	res->cache_control = "public, max-age=300";
	return http_reply_json(res, 200, doc, e);
}

int api_reports_credit_code(struct http_request *req, struct http_response *res,
			    struct err *e)
{
	struct store *s = http_request_store(req, e);
	const char *format = http_request_arg(req, "format");
	const char *type = NULL;
	json_t *meta = NULL;
	char base[300];

	if (!format)
		format = "svg";
	api_report_base(req, base, sizeof base);
	if (!s || credit_code_issue(s, req->params[0], format, base[0] ? base : NULL, &res->body,
				    &type, &meta, e) < 0)
		return -1;
	res->status = 200;
	res->content_type = type;
	if (strcmp(format, "json") != 0)
		snprintf(res->disposition, sizeof res->disposition,
			 "inline; filename=\"credit-code-%s.%s\"",
			 json_string_value(json_object_get(meta, "code")), format);
	json_decref(meta);
	return 0;
}
