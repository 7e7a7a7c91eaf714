/*
 * qr.h - QR codes (libqrencode, error correction level M) as SVG and PNG: the credit
 * report's verification link and the credit code (信用码).
 */
#ifndef XY_RENDER_QR_H
#define XY_RENDER_QR_H

#include <stdint.h>

struct buf;
struct err;

/* The colour of the dark modules, 0xRRGGBB. */
#define QR_BLACK 0x000000u

/* Appends an SVG document (or, with `fragment`, an <svg> element to embed in HTML) of
 * the QR code of `text`, with a 4-module quiet zone, `size` CSS pixels wide, its dark
 * modules in `dark`. */
int qr_svg(const char *text, int size, int fragment, uint32_t dark, struct buf *out,
	   struct err *e);
/* Appends only the dark modules of that code as an SVG path, the quiet zone included,
 * in units of modules; *modules gets the side with the quiet zone.  For drawings that
 * place the code themselves (the credit code's card). */
int qr_svg_path(const char *text, uint32_t dark, struct buf *out, int *modules, struct err *e);
/* Appends a PNG of the QR code of `text`, `scale` pixels per module, dark modules in
 * `dark`. */
int qr_png(const char *text, int scale, uint32_t dark, struct buf *out, struct err *e);

#endif
