/*
 * report_html.h - the credit report (service/report.h's signed document) as one
 * self-contained HTML page: inline styles, the QR code inline as SVG, printable on A4.
 * What the PDF says, for a browser; the signed document rides along in a
 * <script type="application/json" id="report"> element, so the page itself can be
 * verified like the JSON.
 */
#ifndef XY_RENDER_REPORT_HTML_H
#define XY_RENDER_REPORT_HTML_H

#include <jansson.h>

struct buf;
struct err;

int report_html_render(const json_t *report, const char *verify_url, struct buf *out,
		       struct err *e);

#endif
