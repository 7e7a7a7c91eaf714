/*
 * fuzz_http_head.c - libFuzzer target for the server's own reading of a request head:
 * what it judges after libmicrohttpd has split and decoded the head, before any handler
 * runs (src/http/request_head.c, the route table's matching in router.c, the log's
 * escaping in http_log.c).
 *
 * The input is a request head as a client sends it: "METHOD TARGET VERSION" and header
 * lines.  The target splits it the way libmicrohttpd does (at spaces, the query cut off,
 * the path percent-decoded by MHD_http_unescape itself), then checks the promises:
 *   - an accepted method is an HTTP token, a refused one is not;
 *   - a Content-Length is accepted only as digits, and reads as their value;
 *   - a path the static route would open has no "." segment, backslash or control byte;
 *   - a route match captures non-empty segments inside the path, without a slash; a
 *     405 names the methods that are allowed;
 *   - a log field is printable ASCII without '"', spaces or '%' other than its escapes,
 *     never longer than its buffer, and decodes back to a prefix of what was logged.
 */
#include "http/http_int.h"
#include "http/http_log.h"
#include "http/request_head.h"
#include "fuzz.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fuzz_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Escapes in[0..n) into a small buffer and checks the escape's promises. */
static void fuzz_check_escape(const char *in, size_t n, int keep_space)
{
	char out[64];
	size_t i, o = 0, len;

	http_log_escape(in, n, keep_space, out, sizeof out);
	len = strlen(out);
	FUZZ_ASSERT(len < sizeof out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		FUZZ_ASSERT(c >= 0x20 && c < 0x7f && c != '"' && c != '\\');
		FUZZ_ASSERT(c != ' ' || keep_space);
		if (c == '%') {
			int hi, lo;

			FUZZ_ASSERT(i + 2 < len); /* only whole escapes are written */
			hi = fuzz_hex(out[i + 1]);
			lo = fuzz_hex(out[i + 2]);
			FUZZ_ASSERT(hi >= 0 && lo >= 0);
			FUZZ_ASSERT(o < n && (unsigned char)in[o] == (unsigned)(hi * 16 + lo));
			i += 2;
		} else {
			FUZZ_ASSERT(o < n && in[o] == out[i]);
		}
		o++;
	}
}

static void fuzz_check_method(const char *method)
{
	size_t n = strlen(method), i;
	int token = n >= 1 && n <= HTTP_METHOD_MAX;

	for (i = 0; i < n; i++)
		if (!strchr("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz", method[i]))
			token = 0;
	FUZZ_ASSERT(http_head_method_ok(method) == token);
	fuzz_check_escape(method, n, 0);
}

static void fuzz_check_path(const char *method, const char *target)
{
	char *path = strdup(target), *scratch, allow[40];
	const struct route *r;
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams, i;
	enum route_match m;

	FUZZ_ASSERT(path != NULL);
	path[strcspn(path, "?")] = '\0';
	fuzz_check_escape(path, strlen(path), 0);
	path[MHD_http_unescape(path)] = '\0';
	if (http_head_static_path_ok(path)) {
		FUZZ_ASSERT(path[0] == '/');
		FUZZ_ASSERT(!strstr(path, "/.") && !strchr(path, '\\'));
		for (i = 0; path[i]; i++)
			FUZZ_ASSERT((unsigned char)path[i] >= 0x20 && path[i] != 0x7f);
	}
	scratch = strdup(path);
	FUZZ_ASSERT(scratch != NULL);
	m = router_match(method, scratch, &r, params, &nparams, allow, sizeof allow);
	if (m == ROUTE_FOUND) {
		FUZZ_ASSERT(r != NULL && nparams <= HTTP_MAX_PARAMS);
		for (i = 0; i < nparams; i++) {
			FUZZ_ASSERT(params[i] >= scratch && params[i] < scratch + strlen(path));
			FUZZ_ASSERT(params[i][0] != '\0' && !strchr(params[i], '/'));
		}
	} else if (m == ROUTE_BAD_METHOD) {
		FUZZ_ASSERT(allow[0] != '\0');
		FUZZ_ASSERT(strcmp(scratch, path) == 0); /* a failed match leaves it intact */
	} else {
		FUZZ_ASSERT(strcmp(scratch, path) == 0);
	}
	free(scratch);
	free(path);
}

static void fuzz_check_length(const char *value)
{
	unsigned long long n = 0;
	int rc = http_head_parse_length(value, &n);
	int digits = value[0] && strspn(value, "0123456789") == strlen(value);

	FUZZ_ASSERT((rc >= 0) == digits);
	if (rc == 0)
		FUZZ_ASSERT(n == strtoull(value, NULL, 10));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *head = malloc(size + 1), *line, *next, *method, *target;

	FUZZ_ASSERT(head != NULL);
	memcpy(head, data, size);
	head[size] = '\0';
	next = strstr(head, "\r\n");
	if (next)
		*next = '\0';
	/* The request line, split at spaces as libmicrohttpd does. */
	method = head;
	target = strchr(head, ' ');
	if (target) {
		*target++ = '\0';
		target[strcspn(target, " ")] = '\0';
		fuzz_check_method(method);
		fuzz_check_path(method, target);
	}
	for (line = next ? next + 2 : NULL; line && *line; line = next ? next + 2 : NULL) {
		char *colon;

		next = strstr(line, "\r\n");
		if (next)
			*next = '\0';
		colon = strchr(line, ':');
		fuzz_check_escape(line, strlen(line), 1);
		if (colon && (size_t)(colon - line) == 14 && strncasecmp(line, "Content-Length", 14) == 0)
			fuzz_check_length(colon + 1 + strspn(colon + 1, " \t"));
	}
	free(head);
	return 0;
}
