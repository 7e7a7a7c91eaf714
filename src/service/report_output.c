/*
 * report_output.c - a signed report as JSON, HTML or PDF (report_output.h).
 */
#include "report_output.h"

#include "report_keys.h"

#include "core/buf.h"
#include "core/err.h"
#include "render/report_html.h"
#include "render/report_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void report_verify_url(struct store *s, const json_t *doc, const char *base, char *out,
		       size_t size)
{
	char own_url[256] = "";
	size_t n;

	if (!base || !*base) {
		struct report_keyring ring;

		if (s && report_keyring_load(s, &ring, NULL) == 0) {
			const struct report_key *k = report_keyring_find(
				&ring, json_string_value(json_object_get(doc, "key_id")));

			if (k)
				snprintf(own_url, sizeof own_url, "%s", k->url);
			report_keyring_free(&ring);
		}
		base = own_url;
	}
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	/* Numbers and codes are [0-9A-Z]: nothing to escape. */
	snprintf(out, size, "%.*s/verify.html?number=%s&code=%s", (int)n, base,
		 json_string_value(json_object_get(doc, "number")),
		 json_string_value(json_object_get(doc, "verification_code")));
}

int report_output(struct store *s, const json_t *doc, const char *format, const char *base,
		  struct buf *out, const char **content_type, struct err *e)
{
	char url[512];
	const char *type = "application/json";
	int rc = 0;

	if (!format || strcmp(format, "json") == 0) {
		char *text = json_dumps(doc, JSON_INDENT(2));

		if (!text || buf_puts(out, text) < 0 || buf_putc(out, '\n') < 0)
			rc = err_set(e, "internal.error", "内存不足，无法输出报告");
		free(text);
	} else {
		report_verify_url(s, doc, base, url, sizeof url);
		if (strcmp(format, "html") == 0) {
			type = "text/html; charset=utf-8";
			rc = report_html_render(doc, url, out, e);
		} else if (strcmp(format, "pdf") == 0) {
			type = "application/pdf";
			rc = report_pdf_render(doc, url, out, e);
		} else {
			rc = err_set_field(e, "report.invalid", "format",
					   "不支持的报告格式“%s”：可选 json、html、pdf", format);
		}
	}
	if (content_type)
		*content_type = type;
	return rc;
}
