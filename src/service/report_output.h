/*
 * report_output.h - a signed report (report.h) in the format asked for: the JSON
 * document itself, the HTML page or the PDF, with the verification link the QR code
 * and the footer carry.
 */
#ifndef XY_SERVICE_REPORT_OUTPUT_H
#define XY_SERVICE_REPORT_OUTPUT_H

#include <jansson.h>

struct buf;
struct err;
struct store;

/* The verification link of a report: BASE/verify.html?number=N&code=C, where BASE is
 * `base` when given, else the address of the platform's signing key (`keys generate
 * --url`), else nothing (a relative link).  Writes at most size bytes. */
void report_verify_url(struct store *s, const json_t *doc, const char *base, char *out,
		       size_t size);

/* Appends the report in `format` (json, html or pdf) to out; *content_type (may be
 * NULL) gets its media type. */
int report_output(struct store *s, const json_t *doc, const char *format, const char *base,
		  struct buf *out, const char **content_type, struct err *e);

#endif
