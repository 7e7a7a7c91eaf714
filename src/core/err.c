/* err.c - filling the caller-owned error struct; see err.h. */
#include "err.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->reason[0] = '\0';
	e->field[0] = '\0';
	e->message[0] = '\0';
}

static void err_vfill(struct err *e, const char *reason, const char *field, const char *fmt,
		      va_list ap)
{
	snprintf(e->reason, sizeof e->reason, "%s", reason);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	/* A field can be a client's own column or key name: cut to whole characters. */
	text_utf8_clip(e->field);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	text_utf8_clip(e->message);
}

int err_set(struct err *e, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	err_vfill(e, reason, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int err_set_field(struct err *e, const char *reason, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	err_vfill(e, reason, field, fmt, ap);
	va_end(ap);
	return -1;
}
