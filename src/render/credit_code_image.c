/*
 * credit_code_image.c - the credit code's card (credit_code_image.h).
 */
#include "credit_code_image.h"

#include "core/buf.h"
#include "core/err.h"
#include "markup.h"
#include "qr.h"

#include <string.h>

#define CARD_W 300
#define CARD_H 428
#define CARD_QR 240
/* A name longer than this many characters is squeezed to the card's width. */
#define CARD_NAME_CHARS 17

static const uint32_t colour_rgb[] = { 0x1a7f37u, 0xb26a00u, 0xc62828u };

uint32_t credit_colour_rgb(enum credit_colour c)
{
	return colour_rgb[c];
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void card_text(struct buf *out, int y, int size, const char *weight, uint32_t fill,
		      const char *text, int squeeze)
{
	buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" fill=\"#%06x\" "
		   "text-anchor=\"middle\"", CARD_W / 2, y, size, weight, (unsigned)fill);
	if (squeeze)
		buf_printf(out, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", CARD_W - 30);
	buf_putc(out, '>');
	markup_text(out, text);
	buf_puts(out, "</text>");
}

int credit_card_svg(const struct credit_card *c, struct buf *out, struct err *e)
{
	uint32_t rgb = credit_colour_rgb(c->colour);
	char status[256];
	int modules;

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" role=\"img\" aria-label=\"信用码：", CARD_W, CARD_H, CARD_W, CARD_H);
	markup_text(out, c->name);
	buf_printf(out, "，%s\" font-family=\"'Noto Sans CJK SC','Source Han Sans SC',"
		   "'PingFang SC','Microsoft YaHei',sans-serif\">", credit_colour_label(c->colour));
	buf_printf(out, "<rect x=\"2\" y=\"2\" width=\"%d\" height=\"%d\" rx=\"14\" fill=\"#fff\" "
		   "stroke=\"#%06x\" stroke-width=\"4\"/>", CARD_W - 4, CARD_H - 4, (unsigned)rgb);
	/* The band: the card's top with both corners rounded like its border. */
	buf_printf(out, "<path d=\"M2 16a14 14 0 0 1 14-14h%da14 14 0 0 1 14 14v40H2z\" "
		   "fill=\"#%06x\"/>", CARD_W - 32, (unsigned)rgb);
	card_text(out, 38, 22, "700", 0xffffffu, "信用码", 0);
	/* The code in modules, scaled to its square; crisp edges keep modules sharp. */
	buf_puts(out, "<g shape-rendering=\"crispEdges\"");
	{
		struct buf path;

		buf_init(&path, 0);
		if (qr_svg_path(c->url, rgb, &path, &modules, e) < 0) {
			buf_free(&path);
			return -1;
		}
		buf_printf(out, " transform=\"translate(%d 66) scale(%.4f)\">",
			   (CARD_W - CARD_QR) / 2, (double)CARD_QR / modules);
		buf_append(out, path.data, path.len);
		buf_free(&path);
	}
	buf_puts(out, "</g>");
	card_text(out, 330, 16, "700", 0x1f2328u, c->name,
		  utf8_chars(c->name) > CARD_NAME_CHARS);
	card_text(out, 352, 13, "400", 0x57606au, c->code, 0);
	snprintf(status, sizeof status, "%s · %s", credit_colour_label(c->colour),
		 credit_colour_meaning(c->colour));
	card_text(out, 380, 15, "700", rgb, status, 0);
	snprintf(status, sizeof status, "%s 生成 · 扫码查看实时信用信息", c->date);
	card_text(out, 402, 12, "400", 0x57606au, status, 0);
	card_text(out, 418, 11, "400", 0x57606au, c->issuer, utf8_chars(c->issuer) > 24);
	buf_puts(out, "</svg>\n");
	if (buf_failed(out))
		return err_set(e, "internal.error", "内存不足，无法生成信用码");
	return 0;
}

int credit_card_png(const struct credit_card *c, int scale, struct buf *out, struct err *e)
{
	return qr_png(c->url, scale, credit_colour_rgb(c->colour), out, e);
}
