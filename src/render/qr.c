/*
 * qr.c - QR codes as SVG and PNG (qr.h).
 */
#include "qr.h"

#include "core/buf.h"
#include "core/err.h"

#include <cairo.h>
#include <qrencode.h>

#define QR_QUIET 4

static QRcode *qr_encode(const char *text, struct err *e)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);

	if (!q)
		err_set(e, "internal.error", "无法生成二维码（内容过长或内存不足）");
	return q;
}

/* The dark modules of q as one path of unit squares, runs merged: a few KB for a URL. */
static void qr_path(const QRcode *q, uint32_t dark, struct buf *out)
{
	buf_printf(out, "<path fill=\"#%06x\" d=\"", (unsigned)(dark & 0xffffffu));
	for (int y = 0; y < q->width; y++) {
		for (int x = 0; x < q->width; x++) {
			int run = 0;

			while (x + run < q->width && (q->data[y * q->width + x + run] & 1))
				run++;
			if (run) {
				buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run, run);
				x += run - 1;
			}
		}
	}
	buf_puts(out, "\"/>");
}

int qr_svg_path(const char *text, uint32_t dark, struct buf *out, int *modules, struct err *e)
{
	QRcode *q = qr_encode(text, e);

	if (!q)
		return -1;
	*modules = q->width + 2 * QR_QUIET;
	qr_path(q, dark, out);
	QRcode_free(q);
	if (buf_failed(out))
		return err_set(e, "internal.error", "内存不足，无法生成二维码");
	return 0;
}

int qr_svg(const char *text, int size, int fragment, uint32_t dark, struct buf *out,
	   struct err *e)
{
	QRcode *q = qr_encode(text, e);
	int n;

	if (!q)
		return -1;
	n = q->width + 2 * QR_QUIET;
	if (!fragment)
		buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"二维码\">"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>",
		   n, n, size, size, n, n);
	qr_path(q, dark, out);
	buf_puts(out, "</svg>");
	QRcode_free(q);
	if (buf_failed(out))
		return err_set(e, "internal.error", "内存不足，无法生成二维码");
	return 0;
}

static cairo_status_t qr_png_write(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_append(closure, data, len) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int qr_png(const char *text, int scale, uint32_t dark, struct buf *out, struct err *e)
{
	QRcode *q = qr_encode(text, e);
	cairo_surface_t *surface;
	cairo_t *cr;
	cairo_status_t st;
	int n;

	if (!q)
		return -1;
	n = (q->width + 2 * QR_QUIET) * scale;
	surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, n, n);
	cr = cairo_create(surface);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, ((dark >> 16) & 0xff) / 255.0, ((dark >> 8) & 0xff) / 255.0,
			     (dark & 0xff) / 255.0);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				cairo_rectangle(cr, (x + QR_QUIET) * scale, (y + QR_QUIET) * scale,
						scale, scale);
	cairo_fill(cr);
	cairo_destroy(cr);
	st = cairo_surface_write_to_png_stream(surface, qr_png_write, out);
	cairo_surface_destroy(surface);
	QRcode_free(q);
	if (st != CAIRO_STATUS_SUCCESS)
		return err_set(e, "internal.error", "无法生成二维码图片：%s", cairo_status_to_string(st));
	return 0;
}
