/*
 * http_log.h - the server's log lines: one per request, and the HTTP library's own
 * messages.
 *
 * A log line must stay one line and hold nothing a client could use to forge another
 * (architecture.md: one `key=value` line per event), nor personal data.  So every field
 * that comes from a request is escaped (http_log_escape), and a request is logged by its
 * route pattern ("/api/v1/subjects/{code}"), never by its path: an ID number or name
 * written where a code belongs, in any form (full-width digits, percent-encoded, split
 * by slashes), never reaches the log.
 */
#ifndef XY_HTTP_LOG_H
#define XY_HTTP_LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Writes in[0..n) to out[size] with every byte outside printable ASCII, and '"', '%'
 * and '\\', as %XX; spaces too unless keep_space.  Cuts at a whole escape when out is
 * too small; out is always NUL-terminated (size > 0). */
void http_log_escape(const char *in, size_t n, int keep_space, char *out, size_t size);

/* One line per request: "event=http method=M route=R status=S ms=T[ aborted=1]".
 * method is the request's, escaped here; route is the matched pattern, or NULL when the
 * request matched none ("-"). */
void http_log_request(const char *method, const char *route, unsigned status, double ms,
		      int aborted);

/* A message of the HTTP library, which may quote the request: event=mhd message="...". */
void http_log_library(const char *message);

/* The daemon's logger (MHD_OPTION_EXTERNAL_LOGGER): formats the library's message and
 * writes it with http_log_library.  cls is unused. */
void http_log_mhd(void *cls, const char *fmt, va_list ap);

#endif
