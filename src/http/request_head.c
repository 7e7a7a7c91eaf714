/*
 * request_head.c - judging a request head (request_head.h).
 */
#include "http/request_head.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int http_head_method_ok(const char *method)
{
	static const char marks[] = "!#$%&'*+-.^_`|~";
	size_t n = strlen(method), i;

	if (n == 0 || n > HTTP_METHOD_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)method[i];
		int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

		if (!alnum && !strchr(marks, c))
			return 0;
	}
	return 1;
}

int http_head_parse_length(const char *text, unsigned long long *out)
{
	unsigned long long n;
	char *end;

	*out = 0;
	/* strtoull alone would take spaces, a sign and "0x". */
	if (!text[0] || strspn(text, "0123456789") != strlen(text))
		return -1;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno == ERANGE) {
		*out = ULLONG_MAX;
		return 1;
	}
	*out = n;
	return 0;
}

int http_head_static_path_ok(const char *path)
{
	const char *seg = path;

	if (path[0] != '/')
		return 0;
	while (*seg) {
		size_t len;

		seg++; /* past the slash */
		len = strcspn(seg, "/");
		if (len && seg[0] == '.')
			return 0; /* ".", "..", and hidden files */
		seg += len;
	}
	for (; *path; path++)
		if ((unsigned char)*path < 0x20 || *path == 0x7f || *path == '\\')
			return 0;
	return 1;
}
