/*
 * err.h - the one error convention of Xinyong.
 *
 * Every fallible function returns 0 on success or a negative value on failure and, on
 * failure, fills a caller-owned `struct err` with a stable reason code (see reasons.def)
 * and a message in Simplified Chinese that tells a person what to fix.  Passing NULL for
 * the error struct is allowed: the details are then dropped.
 */
#ifndef XY_ERR_H
#define XY_ERR_H

#include <stddef.h>

#define ERR_REASON_MAX 48
#define ERR_FIELD_MAX 128
#define ERR_MESSAGE_MAX 512

struct err {
	char reason[ERR_REASON_MAX];   /* stable reason code, "" when none */
	char field[ERR_FIELD_MAX];     /* field involved as the input named it, "" when none */
	char message[ERR_MESSAGE_MAX]; /* human message, Simplified Chinese */
};

void err_clear(struct err *e);

/* Sets reason and a printf-style message; clears the field.  Always returns -1 so that
 * callers can write `return err_set(e, "x.y", "...")`. */
int err_set(struct err *e, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same as err_set, and records the field name too. */
int err_set_field(struct err *e, const char *reason, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
