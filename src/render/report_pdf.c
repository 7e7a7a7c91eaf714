/*
 * report_pdf.c - the credit report as an A4 PDF (report_pdf.h).
 *
 * Layout is done twice: a first pass into a PDF that is thrown away counts the pages,
 * so that every footer can say 第 N 页 共 M 页; the second pass is the document.  Text
 * is laid out by pango (real text, selectable and searchable), with Noto Sans CJK SC.
 *
 * The signed document rides in the PDF as an embedded file.  Cairo 1.16 cannot attach
 * files, so one is added as a PDF incremental update (ISO 32000-1 §7.5.6) after cairo's
 * output: a new /EmbeddedFile stream, its /Filespec, and a new version of the catalog
 * with a /Names tree pointing at it, then an xref section and a trailer with /Prev.
 * Readers see report.json as an attachment; report_pdf_extract finds the stream by the
 * mark /XyReport this writer puts in its dictionary.
 *
 * One font map serves the whole process, behind a mutex: pango font maps are not meant
 * to be shared between threads, and a map per thread would be lost (and leak) when a
 * server thread ends.
 */
#include "report_pdf.h"

#include "qr.h"

#include "core/buf.h"
#include "core/err.h"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 56.0
#define TOP (MARGIN + 22.0)
#define BOTTOM (PAGE_H - MARGIN - 16.0)
#define WIDTH (PAGE_W - 2 * MARGIN)
#define LABEL_W 120.0
#define PAD 4.0
#define FONT "Noto Sans CJK SC"
#define MARK "/XyReport true"

struct rgb {
	double r, g, b;
};

static const struct rgb ink = { 0.12, 0.16, 0.20 }, grey = { 0.42, 0.46, 0.52 },
			blue = { 0.114, 0.310, 0.569 }, pale = { 0.918, 0.945, 0.984 },
			rule = { 0.80, 0.82, 0.85 }, red = { 0.70, 0.14, 0.09 },
			green = { 0.12, 0.42, 0.23 };

struct pdf {
	cairo_t *cr;
	const json_t *doc;
	const char *url;
	double y;
	int page;
	int pages; /* the count of the first pass, 0 during it */
};

static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *pdf_fonts;

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A laid-out text of `width` points (0: one line), for measuring and drawing. */
static PangoLayout *pdf_layout(struct pdf *p, const char *text, double size, int bold,
			       double width)
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

static double pdf_height(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static double pdf_text_width(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)w / PANGO_SCALE;
}

static void pdf_draw(struct pdf *p, PangoLayout *l, double x, double y, struct rgb c)
{
	cairo_set_source_rgb(p->cr, c.r, c.g, c.b);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
}

/* Draws text at (x, y) and returns its height. */
static double pdf_text(struct pdf *p, const char *text, double x, double y, double size,
		       int bold, double width, struct rgb c)
{
	PangoLayout *l = pdf_layout(p, text, size, bold, width);
	double h = pdf_height(l);

	pdf_draw(p, l, x, y, c);
	g_object_unref(l);
	return h;
}

static void pdf_right(struct pdf *p, const char *text, double right, double y, double size,
		      struct rgb c)
{
	PangoLayout *l = pdf_layout(p, text, size, 0, 0);

	pdf_draw(p, l, right - pdf_text_width(l), y, c);
	g_object_unref(l);
}

static void pdf_line(struct pdf *p, double x0, double y0, double x1, double y1, double w,
		     struct rgb c)
{
	cairo_set_source_rgb(p->cr, c.r, c.g, c.b);
	cairo_set_line_width(p->cr, w);
	cairo_move_to(p->cr, x0, y0);
	cairo_line_to(p->cr, x1, y1);
	cairo_stroke(p->cr);
}

/* The running header and footer of the page being started. */
static void pdf_page_frame(struct pdf *p)
{
	char text[128], number[96];

	p->page++;
	snprintf(number, sizeof number, "报告编号：%s", str(p->doc, "number"));
	pdf_text(p, str(p->doc, "issuer"), MARGIN, MARGIN - 4, 8.5, 0, 0, grey);
	pdf_right(p, number, PAGE_W - MARGIN, MARGIN - 4, 8.5, grey);
	pdf_line(p, MARGIN, MARGIN + 10, PAGE_W - MARGIN, MARGIN + 10, 0.6, rule);
	pdf_line(p, MARGIN, PAGE_H - MARGIN, PAGE_W - MARGIN, PAGE_H - MARGIN, 0.6, rule);
	if (p->pages)
		snprintf(text, sizeof text, "第 %d 页 共 %d 页", p->page, p->pages);
	else
		snprintf(text, sizeof text, "第 %d 页 共 %d 页", p->page, 999);
	pdf_right(p, text, PAGE_W - MARGIN, PAGE_H - MARGIN + 4, 8.5, grey);
	pdf_text(p, p->url, MARGIN, PAGE_H - MARGIN + 4, 7.5, 0, WIDTH - 90, grey);
	p->y = TOP;
}

static void pdf_new_page(struct pdf *p)
{
	cairo_show_page(p->cr);
	pdf_page_frame(p);
}

/* Starts a new page unless h more points fit on this one. */
static int pdf_room(struct pdf *p, double h)
{
	if (p->y + h <= BOTTOM)
		return 0;
	pdf_new_page(p);
	return 1;
}

static void pdf_heading(struct pdf *p, const char *numeral, const char *title)
{
	char text[256];
	PangoLayout *l;
	double h;

	snprintf(text, sizeof text, "%s%s%s", numeral, *numeral ? "、" : "", title);
	l = pdf_layout(p, text, 13, 1, WIDTH);
	h = pdf_height(l);
	pdf_room(p, h + 60); /* a heading never ends a page alone */
	p->y += 10;
	cairo_set_source_rgb(p->cr, blue.r, blue.g, blue.b);
	cairo_rectangle(p->cr, MARGIN, p->y + 2, 4, h - 4);
	cairo_fill(p->cr);
	pdf_draw(p, l, MARGIN + 10, p->y, blue);
	g_object_unref(l);
	p->y += h + 2;
	pdf_line(p, MARGIN, p->y, PAGE_W - MARGIN, p->y, 0.8, blue);
	p->y += 6;
}

static void pdf_paragraph(struct pdf *p, const char *text, double size, struct rgb c)
{
	PangoLayout *l = pdf_layout(p, text, size, 0, WIDTH);
	double h = pdf_height(l);

	pdf_room(p, h);
	pdf_draw(p, l, MARGIN, p->y, c);
	g_object_unref(l);
	p->y += h + 4;
}

/* One label/value row of a bordered table; returns its height without drawing it when
 * `draw` is 0. */
static double pdf_row(struct pdf *p, const char *label, const char *value, int draw,
		      struct rgb value_ink)
{
	PangoLayout *ll = pdf_layout(p, label, 9, 0, LABEL_W - 2 * PAD);
	PangoLayout *vl = pdf_layout(p, value, 9, 0, WIDTH - LABEL_W - 2 * PAD);
	double h = pdf_height(ll), hv = pdf_height(vl);

	if (hv > h)
		h = hv;
	h += 2 * PAD;
	if (draw) {
		cairo_set_source_rgb(p->cr, pale.r, pale.g, pale.b);
		cairo_rectangle(p->cr, MARGIN, p->y, LABEL_W, h);
		cairo_fill(p->cr);
		cairo_set_source_rgb(p->cr, rule.r, rule.g, rule.b);
		cairo_set_line_width(p->cr, 0.5);
		cairo_rectangle(p->cr, MARGIN, p->y, LABEL_W, h);
		cairo_rectangle(p->cr, MARGIN + LABEL_W, p->y, WIDTH - LABEL_W, h);
		cairo_stroke(p->cr);
		pdf_draw(p, ll, MARGIN + PAD, p->y + PAD, grey);
		pdf_draw(p, vl, MARGIN + LABEL_W + PAD, p->y + PAD, value_ink);
	}
	g_object_unref(ll);
	g_object_unref(vl);
	return h;
}

/* The shaded head of a record's table: department, date, status and marks. */
static double pdf_item_head(struct pdf *p, const json_t *item, int draw, int continued)
{
	char text[1024];
	const json_t *m;
	size_t i;
	int n;
	PangoLayout *l;
	double h;

	n = snprintf(text, sizeof text, "%s%s%s%s%s%s", continued ? "（续）" : "", str(item, "dept"),
		     *str(item, "date") ? " · " : "", str(item, "date"), " · ",
		     str(item, "status_label"));
	json_array_foreach(json_object_get(item, "marks"), i, m)
		if (n > 0 && (size_t)n < sizeof text)
			n += snprintf(text + n, sizeof text - (size_t)n, " · %s",
				      json_string_value(m));
	l = pdf_layout(p, text, 9, 1, WIDTH - 2 * PAD);
	h = pdf_height(l) + 2 * PAD;
	if (draw) {
		cairo_set_source_rgb(p->cr, blue.r, blue.g, blue.b);
		cairo_rectangle(p->cr, MARGIN, p->y, WIDTH, h);
		cairo_fill(p->cr);
		pdf_draw(p, l, MARGIN + PAD, p->y + PAD, (struct rgb){ 1, 1, 1 });
	}
	g_object_unref(l);
	return h;
}

static void pdf_item(struct pdf *p, const json_t *item)
{
	const json_t *fields = json_object_get(item, "fields"), *f;
	const char *statement = str(item, "statement");
	double head = pdf_item_head(p, item, 0, 0);
	size_t i, n = json_array_size(fields);

	/* The head and the first row together, so a head never ends a page. */
	pdf_room(p, head + (n ? pdf_row(p, str(json_array_get(fields, 0), "label"),
					str(json_array_get(fields, 0), "value"), 0, ink)
			      : 0));
	p->y += pdf_item_head(p, item, 1, 0);
	for (i = 0; i <= n; i++) {
		const char *label = i < n ? str(json_array_get(fields, i), "label") : "主体说明";
		const char *value = i < n ? str(json_array_get(fields, i), "value") : statement;
		double h;

		if (i == n && !*statement)
			break;
		f = json_array_get(fields, i);
		(void)f;
		h = pdf_row(p, label, value, 0, ink);
		/* A row never splits; the table goes on under its head repeated. */
		if (pdf_room(p, h))
			p->y += pdf_item_head(p, item, 1, 1);
		p->y += pdf_row(p, label, value, 1, i == n ? red : ink);
	}
	p->y += 8;
}

static void pdf_tag(struct pdf *p, const char *text, double *x, double y)
{
	static const char *const bad[] = { "失信", "异常", "吊销", "注销", "撤销", "严重" };
	struct rgb fill = { 0.89, 0.91, 0.93 }, fg = ink;
	PangoLayout *l = pdf_layout(p, text, 9, 0, 0);
	double w = pdf_text_width(l) + 14, h = pdf_height(l) + 4;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (strstr(text, bad[i])) {
			fill = (struct rgb){ 0.99, 0.91, 0.91 };
			fg = red;
		}
	if (fg.r == ink.r && (strstr(text, "守信") || strstr(text, "存续"))) {
		fill = (struct rgb){ 0.89, 0.96, 0.92 };
		fg = green;
	}
	cairo_set_source_rgb(p->cr, fill.r, fill.g, fill.b);
	cairo_new_sub_path(p->cr);
	cairo_arc(p->cr, *x + h / 2, y + h / 2, h / 2, G_PI / 2, 3 * G_PI / 2);
	cairo_arc(p->cr, *x + w - h / 2, y + h / 2, h / 2, -G_PI / 2, G_PI / 2);
	cairo_close_path(p->cr);
	cairo_fill(p->cr);
	pdf_draw(p, l, *x + 7, y + 2, fg);
	g_object_unref(l);
	*x += w + 6;
}

static void pdf_qr(struct pdf *p, const char *text, double x, double y, double size)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	double m;

	if (!q)
		return;
	m = size / (q->width + 2);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				cairo_rectangle(p->cr, x + (c + 1) * m, y + (r + 1) * m, m, m);
	cairo_fill(p->cr);
	QRcode_free(q);
}

static void pdf_cover(struct pdf *p)
{
	const json_t *doc = p->doc, *subject = json_object_get(doc, "subject"), *v;
	const json_t *span = json_object_get(doc, "span");
	const char *keys[][2] = { { "报告编号", str(doc, "number") },
				  { "生成时间", str(doc, "generated_at") },
				  { "出具机构", str(doc, "issuer") },
				  { "报告版本", str(doc, "version") },
				  { "查询事由", str(doc, "purpose") } };
	char text[256], when[32];
	double qr = 86, x, y0;
	size_t i;

	/* "2026-12-03T11:15:00+08:00" as people write it. */
	snprintf(when, sizeof when, "%.19s", keys[1][1]);
	if (strlen(when) == 19 && when[10] == 'T')
		when[10] = ' ';
	keys[1][1] = when;
	p->y += pdf_text(p, "公共信用信息报告", MARGIN, p->y + 6, 24, 1, WIDTH - qr - 10, blue) + 8;
	snprintf(text, sizeof text, "（%s）", str(doc, "view_label"));
	p->y += pdf_text(p, text, MARGIN, p->y, 11, 0, 0, grey) + 10;
	y0 = TOP + 4;
	pdf_qr(p, p->url, PAGE_W - MARGIN - qr, y0, qr);
	pdf_text(p, "扫码验证", PAGE_W - MARGIN - qr + 22, y0 + qr, 8.5, 0, 0, grey);
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if (!*keys[i][1])
			continue;
		pdf_text(p, keys[i][0], MARGIN, p->y, 9.5, 0, 0, grey);
		p->y += pdf_text(p, keys[i][1], MARGIN + 64, p->y, 9.5, 0, WIDTH - 64 - qr, ink) + 2;
	}
	snprintf(text, sizeof text, "%s 至 %s", str(span, "from"), str(span, "to"));
	pdf_text(p, "信息时间范围", MARGIN, p->y, 9.5, 0, 0, grey);
	p->y += pdf_text(p, text, MARGIN + 64, p->y, 9.5, 0, 0, ink) + 2;
	pdf_text(p, "验证码", MARGIN, p->y, 9.5, 0, 0, grey);
	p->y += pdf_text(p, str(doc, "verification_code"), MARGIN + 64, p->y, 9.5, 1, 0, ink) + 12;
	pdf_line(p, MARGIN, p->y, PAGE_W - MARGIN, p->y, 1.5, blue);
	p->y += 12;
	p->y += pdf_text(p, str(subject, "name"), MARGIN, p->y, 17, 1, WIDTH, ink) + 6;
	x = MARGIN;
	json_array_foreach(json_object_get(subject, "labels"), i, v)
		pdf_tag(p, json_string_value(v), &x, p->y);
	if (json_array_size(json_object_get(subject, "labels")))
		p->y += 24;
	pdf_heading(p, "", "基本信息");
	json_array_foreach(json_object_get(subject, "basics"), i, v) {
		double h = pdf_row(p, str(v, "label"), str(v, "value"), 0, ink);

		pdf_room(p, h);
		p->y += pdf_row(p, str(v, "label"), str(v, "value"), 1, ink);
	}
	pdf_heading(p, "", "信用信息概要");
	json_array_foreach(json_object_get(doc, "summary"), i, v) {
		char title[160], count[48];
		double h;

		snprintf(title, sizeof title, "%s、%s", str(v, "numeral"), str(v, "title"));
		snprintf(count, sizeof count, "%s 条", str(v, "count"));
		h = pdf_row(p, title, count, 0, ink);
		pdf_room(p, h);
		p->y += pdf_row(p, title, count, 1, ink);
	}
}

static void pdf_body(struct pdf *p)
{
	const json_t *ch, *sec, *item, *a;
	size_t i, j, k;

	pdf_page_frame(p);
	pdf_cover(p);
	json_array_foreach(json_object_get(p->doc, "chapters"), i, ch) {
		const json_t *sections = json_object_get(ch, "sections");
		const json_t *advice = json_object_get(ch, "advice");

		pdf_heading(p, str(ch, "numeral"), str(ch, "title"));
		json_array_foreach(sections, j, sec) {
			char text[256];

			snprintf(text, sizeof text, "%s（%s 条）", str(sec, "name"), str(sec, "count"));
			pdf_room(p, 40);
			p->y += pdf_text(p, text, MARGIN, p->y, 10.5, 1, WIDTH, ink) + 4;
			json_array_foreach(json_object_get(sec, "items"), k, item)
				pdf_item(p, item);
		}
		json_array_foreach(advice, j, a)
			pdf_paragraph(p, json_string_value(a), 10, ink);
		if (!json_array_size(sections) && !json_array_size(advice))
			pdf_paragraph(p, "暂无信息", 10, grey);
	}
	pdf_heading(p, "", "报告说明");
	json_array_foreach(json_object_get(p->doc, "notes"), i, a)
		pdf_paragraph(p, json_string_value(a), 9, grey);
}

static cairo_status_t pdf_sink(void *closure, const unsigned char *data, unsigned int len)
{
	if (closure && buf_append(closure, data, len) < 0)
		return CAIRO_STATUS_WRITE_ERROR;
	return CAIRO_STATUS_SUCCESS;
}

/* One pass: into out, or counting pages only when out is NULL.  Returns the page count,
 * or -1. */
static int pdf_pass(const json_t *doc, const char *url, int pages, struct buf *out)
{
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(pdf_sink, out, PAGE_W, PAGE_H);
	struct pdf p = { NULL, doc, url, 0, 0, pages };
	char title[512];
	cairo_status_t st;

	snprintf(title, sizeof title, "公共信用信息报告 - %s",
		 str(json_object_get(doc, "subject"), "name"));
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Xinyong");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, str(doc, "issuer"));
	p.cr = cairo_create(surface);
	pdf_body(&p);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(surface);
	st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	return st == CAIRO_STATUS_SUCCESS ? p.page : -1;
}

/* ---- the embedded file, as an incremental update ------------------------------------ */

/* The last occurrence of needle in [data, data + len), or NULL. */
static const char *pdf_rfind(const char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
		if (memcmp(data + i, needle, n) == 0)
			return data + i;
	return NULL;
}

static const char *pdf_find(const char *data, size_t len, const char *needle)
{
	return memmem(data, len, needle, strlen(needle));
}

static int pdf_attach(struct buf *out, const char *json, struct err *e)
{
	const char *d = out->data, *trailer, *p, *cat, *dict_end;
	size_t len = out->len, jl = strlen(json);
	long size = 0, root = 0, info = 0, prev = 0, off_file, off_spec, off_cat, off_xref;
	char head[32];

	trailer = pdf_rfind(d, len, "trailer");
	p = pdf_rfind(d, len, "startxref");
	if (!trailer || !p || sscanf(p, "startxref %ld", &prev) != 1)
		return err_set(e, "internal.error", "PDF 结构异常：找不到 trailer");
	if ((p = pdf_find(trailer, len - (size_t)(trailer - d), "/Size")))
		sscanf(p, "/Size %ld", &size);
	if ((p = pdf_find(trailer, len - (size_t)(trailer - d), "/Root")))
		sscanf(p, "/Root %ld", &root);
	if ((p = pdf_find(trailer, len - (size_t)(trailer - d), "/Info")))
		sscanf(p, "/Info %ld", &info);
	snprintf(head, sizeof head, "\n%ld 0 obj", root);
	cat = pdf_find(d, len, head);
	dict_end = cat ? pdf_find(cat, len - (size_t)(cat - d), "endobj") : NULL;
	if (size <= 0 || root <= 0 || !cat || !dict_end)
		return err_set(e, "internal.error", "PDF 结构异常：找不到目录对象");
	cat = strstr(cat + 1, "<<");
	dict_end = pdf_rfind(cat, (size_t)(dict_end - cat), ">>");
	if (!cat || !dict_end || pdf_find(cat, (size_t)(dict_end - cat), "/Names"))
		return err_set(e, "internal.error", "PDF 结构异常：目录对象无法扩展");
	{
		/* The catalog's body, copied before out grows (which may move it). */
		size_t body_len = (size_t)(dict_end - cat) - 2;
		char *body = malloc(body_len + 1);

		if (!body)
			return err_set(e, "internal.error", "内存不足");
		memcpy(body, cat + 2, body_len);
		body[body_len] = '\0';
		if (out->data[out->len - 1] != '\n')
			buf_putc(out, '\n');
		off_file = (long)out->len;
		buf_printf(out,
			   "%ld 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fjson " MARK
			   " /Params << /Size %zu >> /Length %zu >>\nstream\n",
			   size, jl, jl);
		buf_append(out, json, jl);
		buf_puts(out, "\nendstream\nendobj\n");
		off_spec = (long)out->len;
		buf_printf(out,
			   "%ld 0 obj\n<< /Type /Filespec /F (report.json) /UF (report.json) "
			   "/Desc (signed report) /AFRelationship /Data /EF << /F %ld 0 R >> >>\nendobj\n",
			   size + 1, size);
		off_cat = (long)out->len;
		buf_printf(out,
			   "%ld 0 obj\n<<%s /Names << /EmbeddedFiles << /Names [(report.json) %ld 0 R] >> >>"
			   " >>\nendobj\n",
			   root, body, size + 1);
		free(body);
	}
	off_xref = (long)out->len;
	buf_printf(out, "xref\n0 1\n0000000000 65535 f \n%ld 1\n%010ld 00000 n \n%ld 2\n"
			"%010ld 00000 n \n%010ld 00000 n \n",
		   root, off_cat, size, off_file, off_spec);
	buf_printf(out, "trailer\n<< /Size %ld /Root %ld 0 R", size + 2, root);
	if (info > 0)
		buf_printf(out, " /Info %ld 0 R", info);
	buf_printf(out, " /Prev %ld >>\nstartxref\n%ld\n%%%%EOF\n", prev, off_xref);
	return buf_failed(out) ? err_set(e, "internal.error", "内存不足，无法输出 PDF") : 0;
}

int report_pdf_extract(const unsigned char *pdf, size_t len, char **json, struct err *e)
{
	const char *d = (const char *)pdf, *m, *p, *end = d + len;
	size_t n = 0;
	char *copy;

	*json = NULL;
	m = pdf_rfind(d, len, MARK);
	if (!m)
		return err_set(e, "report.invalid", "PDF 中没有平台签名的报告内容（report.json）："
						    "它不是本平台或互认平台出具的信用报告");
	p = pdf_find(m, (size_t)(end - m), "/Length ");
	if (!p || sscanf(p, "/Length %zu", &n) != 1)
		return err_set(e, "report.invalid", "PDF 中的报告内容不完整");
	p = pdf_find(p, (size_t)(end - p), "stream\n");
	if (!p || n > (size_t)(end - p) - 7 || (size_t)(end - p) < 7)
		return err_set(e, "report.invalid", "PDF 中的报告内容不完整（文件被截断？）");
	p += 7;
	if ((size_t)(end - p) < n + 10 || memcmp(p + n, "\nendstream", 10) != 0)
		return err_set(e, "report.invalid", "PDF 中的报告内容长度与声明不符：文件被改动或截断");
	copy = malloc(n + 1);
	if (!copy)
		return err_set(e, "internal.error", "内存不足");
	memcpy(copy, p, n);
	copy[n] = '\0';
	*json = copy;
	return 0;
}

/* At exit: the font map, cairo's font caches and fontconfig's, so that a leak checker
 * sees nothing left (they are caches, not leaks, but would hide real ones). */
static void pdf_fonts_release(void)
{
	pthread_mutex_lock(&pdf_lock);
	if (pdf_fonts) {
		pango_cairo_font_map_set_default(NULL);
		g_object_unref(pdf_fonts);
		pdf_fonts = NULL;
		cairo_debug_reset_static_data();
		FcFini();
	}
	pthread_mutex_unlock(&pdf_lock);
}

int report_pdf_render(const json_t *report, const char *verify_url, struct buf *out,
		      struct err *e)
{
	char *json = json_dumps(report, JSON_COMPACT);
	int pages, rc = 0;

	if (!json)
		return err_set(e, "internal.error", "内存不足，无法输出 PDF");
	pthread_mutex_lock(&pdf_lock);
	if (!pdf_fonts) {
		pdf_fonts = pango_cairo_font_map_new();
		pango_cairo_font_map_set_default(PANGO_CAIRO_FONT_MAP(pdf_fonts));
		atexit(pdf_fonts_release);
	}
	pages = pdf_pass(report, verify_url ? verify_url : "", 0, NULL);
	if (pages < 0 || pdf_pass(report, verify_url ? verify_url : "", pages, out) < 0)
		rc = err_set(e, "internal.error", "无法生成 PDF（字体或绘图库出错）");
	pthread_mutex_unlock(&pdf_lock);
	if (rc == 0)
		rc = pdf_attach(out, json, e);
	free(json);
	return rc;
}
