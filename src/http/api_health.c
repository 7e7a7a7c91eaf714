/* api_health.c - GET /healthz: the server answers and its database can be read. */
#include "http/http_int.h"

#include "core/err.h"
#include "store/store.h"

int api_health(struct http_request *req, struct http_response *res, struct err *e)
{
	struct store_counts c;
	struct store *s = http_request_store(req, e);

	if (!s || store_counts(s, &c, e) < 0)
		return -1;
	return http_reply_json(res, 200,
			       json_pack("{s:s, s:{s:I, s:I, s:I, s:I}}", "status", "ok", "counts",
					 "subjects", (json_int_t)c.subjects, "records",
					 (json_int_t)c.records, "batches", (json_int_t)c.batches,
					 "categories", (json_int_t)c.categories),
			       e);
}
