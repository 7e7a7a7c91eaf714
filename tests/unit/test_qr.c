/* test_qr.c - the QR codes of the report and the credit code (src/render/qr.c): the SVG
 * draws exactly the modules libqrencode encodes for the text, with the quiet zone, in
 * the colour asked; a different text draws another code. */
#include <criterion/criterion.h>

#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "render/qr.h"

#define URL "https://xy.zhaoqing.gov.cn/verify.html?number=20261203101500A7K2Q9ZD&code=ABCDEFGHIJKLMNOP"

/* Paints the path's "Mx yhNv1h-Nz" runs into grid (side n); returns the modules painted. */
static int paint(const char *svg, unsigned char *grid, int n)
{
	const char *p = strstr(svg, " d=\"");
	int x, y, run, used, painted = 0;

	cr_assert_not_null(p);
	for (p += 4; sscanf(p, "M%d %dh%dv1h-%*dz%n", &x, &y, &run, &used) == 3; p += used) {
		for (int i = 0; i < run; i++) {
			cr_assert(x + i < n && y < n);
			cr_assert_eq(grid[y * n + x + i], 0, "painted twice");
			grid[y * n + x + i] = 1;
			painted++;
		}
	}
	cr_assert_eq(*p, '"', "the path ends where the runs end: %.20s", p);
	return painted;
}

Test(qr, the_svg_draws_the_encoded_modules)
{
	QRcode *q = QRcode_encodeString8bit(URL, 0, QR_ECLEVEL_M);
	struct buf b;
	struct err e;
	int n, dark = 0;
	unsigned char *grid;

	cr_assert_not_null(q);
	buf_init(&b, 0);
	cr_assert_eq(qr_svg_path(URL, 0x1a7f37u, &b, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n, q->width + 8, "4 modules of quiet zone each side");
	cr_assert(strstr(b.data, "fill=\"#1a7f37\""), "%s", b.data);
	grid = calloc((size_t)n * n, 1);
	cr_assert_not_null(grid);
	paint(b.data, grid, n);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			int inside = x >= 4 && y >= 4 && x < n - 4 && y < n - 4;
			int want = inside && (q->data[(y - 4) * q->width + (x - 4)] & 1);

			cr_assert_eq(grid[y * n + x], want, "module %d,%d", x, y);
			dark += want;
		}
	cr_assert_gt(dark, 100);
	free(grid);
	buf_free(&b);
	QRcode_free(q);
}

Test(qr, another_text_is_another_code_and_a_document_is_whole)
{
	struct buf a, b;
	struct err e;

	buf_init(&a, 0);
	buf_init(&b, 0);
	cr_assert_eq(qr_svg(URL, 120, 0, QR_BLACK, &a, &e), 0);
	cr_assert_eq(qr_svg(URL "X", 120, 0, QR_BLACK, &b, &e), 0);
	cr_assert(strncmp(a.data, "<?xml", 5) == 0);
	cr_assert(strstr(a.data, "width=\"120\"") && strstr(a.data, "fill=\"#000000\""));
	cr_assert_str_neq(a.data, b.data);
	buf_free(&a);
	buf_free(&b);
}

Test(qr, the_png_is_a_png_of_the_asked_size)
{
	QRcode *q = QRcode_encodeString8bit(URL, 0, QR_ECLEVEL_M);
	struct buf b;
	struct err e;
	unsigned w, h;

	buf_init(&b, 0);
	cr_assert_eq(qr_png(URL, 3, 0xc62828u, &b, &e), 0);
	cr_assert(b.len > 24 && memcmp(b.data, "\x89PNG\r\n\x1a\n", 8) == 0);
	w = (unsigned)(unsigned char)b.data[16] << 24 | (unsigned)(unsigned char)b.data[17] << 16 |
	    (unsigned)(unsigned char)b.data[18] << 8 | (unsigned char)b.data[19];
	h = (unsigned)(unsigned char)b.data[20] << 24 | (unsigned)(unsigned char)b.data[21] << 16 |
	    (unsigned)(unsigned char)b.data[22] << 8 | (unsigned char)b.data[23];
	cr_assert_eq(w, (unsigned)(q->width + 8) * 3);
	cr_assert_eq(h, w);
	buf_free(&b);
	QRcode_free(q);
}
