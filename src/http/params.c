/* params.c - reading a route's path parameters (the {name} segments of router.c). */
#include "http/http_int.h"

#include <errno.h>
#include <stdlib.h>

#include "core/err.h"

int http_param_id(const struct http_request *req, size_t index, const char *what, int64_t *out,
		  struct err *e)
{
	const char *text = index < req->nparams ? req->params[index] : "";
	char *end;
	long long n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno || end == text || *end || n < 1 || text[0] == '+')
		return err_set_field(e, "request.invalid", "id", "%s编号“%s”无效，应为正整数",
				     what, text);
	*out = (int64_t)n;
	return 0;
}
