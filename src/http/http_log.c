/*
 * http_log.c - escaping and writing the server's log lines (http_log.h).
 */
#include "http/http_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void http_log_escape(const char *in, size_t n, int keep_space, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!size)
		return;
	for (; n && o + 3 < size; in++, n--) {
		unsigned char c = (unsigned char)*in;

		if ((c > 0x20 && c < 0x7f && c != '"' && c != '%' && c != '\\') ||
		    (c == ' ' && keep_space)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

void http_log_request(const char *method, const char *route, unsigned status, double ms,
		      int aborted)
{
	char m[64];

	http_log_escape(method && *method ? method : "-", method && *method ? strlen(method) : 1,
			0, m, sizeof m);
	/* Route patterns are the table's own constants: nothing of the client in them. */
	fprintf(stderr, "event=http method=%s route=%s status=%u ms=%.1f%s\n", m,
		route ? route : "-", status, ms, aborted ? " aborted=1" : "");
}

void http_log_library(const char *message)
{
	char m[1024];
	size_t n = strlen(message);

	while (n && (message[n - 1] == '\n' || message[n - 1] == '\r'))
		n--;
	http_log_escape(message, n, 1, m, sizeof m);
	fprintf(stderr, "event=mhd message=\"%s\"\n", m);
}

void http_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	http_log_library(msg);
}
