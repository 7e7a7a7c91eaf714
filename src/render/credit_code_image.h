/*
 * credit_code_image.h - the credit code (信用码) as an image: an SVG card for shop
 * windows and service halls (a band in the status colour, the QR code in that colour,
 * the subject's name and code, the colour's meaning, the date and the issuer), or a PNG
 * of the coloured QR code alone for systems that place it themselves.
 */
#ifndef XY_RENDER_CREDIT_CODE_IMAGE_H
#define XY_RENDER_CREDIT_CODE_IMAGE_H

#include <stdint.h>

#include "core/credit_code.h"

struct buf;
struct err;

struct credit_card {
	const char *url;    /* what the QR code encodes: the public page with the token */
	const char *name;
	const char *code;
	enum credit_colour colour;
	const char *date;   /* "YYYY-MM-DD" */
	const char *issuer;
};

/* The colour of the band and the modules, 0xRRGGBB: dark enough on white for any
 * scanner (a light yellow would not scan). */
uint32_t credit_colour_rgb(enum credit_colour c);

int credit_card_svg(const struct credit_card *c, struct buf *out, struct err *e);
/* The QR code alone, `scale` pixels a module. */
int credit_card_png(const struct credit_card *c, int scale, struct buf *out, struct err *e);

#endif
