/*
 * report_pdf.h - the credit report as an A4 PDF (cairo and pango with Noto Sans CJK SC),
 * carrying its signed document as the embedded file report.json.
 */
#ifndef XY_RENDER_REPORT_PDF_H
#define XY_RENDER_REPORT_PDF_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct err;

/* Renders the signed report document (service/report.h) into out.  verify_url is what
 * the QR code encodes and the footer prints. */
int report_pdf_render(const json_t *report, const char *verify_url, struct buf *out,
		      struct err *e);
/* The embedded report.json of a PDF made by report_pdf_render: a new malloc'd string in
 * *json (the caller frees).  Fails with `report.invalid` on any other bytes. */
int report_pdf_extract(const unsigned char *pdf, size_t len, char **json, struct err *e);

#endif
