/* rejects_csv.c - see rejects_csv.h. */
#include "rejects_csv.h"

#include <string.h>

int rejects_csv_is_formula(const char *text)
{
	return text && *text && strchr("=+-@\t\r", *text) != NULL;
}

/* A quoted text field, defused when it looks like a formula. */
static void rejects_csv_text(struct buf *out, const char *text)
{
	const char *p;

	text = text ? text : "";
	if (!rejects_csv_is_formula(text) && !text[strcspn(text, ",\"\r\n")]) {
		buf_puts(out, text);
		return;
	}
	buf_putc(out, '"');
	if (rejects_csv_is_formula(text))
		buf_putc(out, '\'');
	for (p = text; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

int rejects_csv_line(struct buf *out, long row, const char *field, const char *reason,
		     const char *message)
{
	buf_printf(out, "%ld,", row);
	rejects_csv_text(out, field);
	buf_putc(out, ',');
	rejects_csv_text(out, reason);
	buf_putc(out, ',');
	rejects_csv_text(out, message);
	buf_puts(out, "\r\n");
	return buf_failed(out) ? -1 : 0;
}
