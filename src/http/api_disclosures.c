/*
 * api_disclosures.c - the public portal's numbers and its latest 双公示
 * (src/service/disclosures.h), public:
 *   GET /api/v1/disclosures?category=license|penalty[&dept=CODE][&from=D][&to=D]
 *       [&cursor=NEXT][&limit=N]   the latest the public sees, newest decision first
 *   GET /api/v1/stats              {"subjects", "records", "month", "this_month"}
 */
#include "http/http_int.h"

#include <errno.h>
#include <stdlib.h>

#include "core/err.h"
#include "service/disclosures.h"

int api_disclosures_list(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *limit_text = http_request_arg(req, "limit");
	struct disclosures_query q = { 0 };
	struct store *s;
	json_t *doc = NULL;

	if (limit_text) {
		char *end;
		long n;

		errno = 0;
		n = strtol(limit_text, &end, 10);
		if (errno || end == limit_text || *end || n < 1 || n > DISCLOSURES_MAX_LIMIT)
			return err_set_field(e, "request.invalid", "limit",
					     "limit 应为 1 到 %d 之间的整数", DISCLOSURES_MAX_LIMIT);
		q.limit = (int)n;
	}
	q.category = http_request_arg(req, "category");
	q.dept = http_request_arg(req, "dept");
	q.from = http_request_arg(req, "from");
	q.to = http_request_arg(req, "to");
	q.cursor = http_request_arg(req, "cursor");
	if (!(s = http_request_store(req, e)) || disclosures_list(s, &q, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}

int api_stats(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store *s = http_request_store(req, e);
	json_t *doc = NULL;

	if (!s || disclosures_totals(s, &doc, e) < 0)
		return -1;
	return http_reply_json(res, 200, doc, e);
}
