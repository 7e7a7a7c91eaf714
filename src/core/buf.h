/*
 * buf.h - the one growable, bounded byte buffer used for all string building
 * (JSON, CSV, HTML, SQL fragments).
 *
 * The buffer owns its memory; `buf_free` releases it.  Every append that would pass the
 * buffer's maximum, or that fails to allocate, returns -1 and marks the buffer failed:
 * later appends are ignored, so a caller may append many times and check once with
 * `buf_failed`.  The content is always NUL-terminated once anything was appended.
 */
#ifndef XY_BUF_H
#define XY_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	int failed;
};

/* max == 0 selects BUF_DEFAULT_MAX. */
void buf_init(struct buf *b, size_t max);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included (s must be valid UTF-8). */
int buf_put_json_string(struct buf *b, const char *s);
/* Appends s as one CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
int buf_put_csv_field(struct buf *b, const char *s);
/* Never NULL: "" for an empty buffer. */
const char *buf_cstr(const struct buf *b);
int buf_failed(const struct buf *b);
/* Empties the buffer, keeps its memory and clears the failed mark. */
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hands the memory to the caller (free with free()); the buffer is left empty.
 * Returns NULL when the buffer failed. */
char *buf_detach(struct buf *b);

#endif
