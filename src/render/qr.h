/*
 * qr.h - QR codes (libqrencode, error correction level M) as SVG and PNG: the credit
 * report's verification link and the credit code (信用码).
 */
#ifndef XY_RENDER_QR_H
#define XY_RENDER_QR_H

struct buf;
struct err;

/* Appends an SVG document (or, with `fragment`, an <svg> element to embed in HTML) of
 * the QR code of `text`, with a 4-module quiet zone, `size` CSS pixels wide. */
int qr_svg(const char *text, int size, int fragment, struct buf *out, struct err *e);
/* Appends a PNG of the QR code of `text`, `scale` pixels per module. */
int qr_png(const char *text, int scale, struct buf *out, struct err *e);

#endif
