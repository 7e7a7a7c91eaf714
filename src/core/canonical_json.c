/*
 * canonical_json.c - RFC 8785 serialization (canonical_json.h).
 */
#include "canonical_json.h"

#include "buf.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CANONICAL_MAX_DEPTH 64
#define CANONICAL_MAX_INT 9007199254740992LL /* 2^53 */

/* The next code point of a UTF-8 string, or -1 on a malformed sequence; *p advances. */
static long utf8_next(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	long cp;
	int n;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		n = 3;
	} else {
		return -1;
	}
	if (end - s <= n)
		return -1;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	*p = s + n + 1;
	return cp;
}

/* The first UTF-16 code unit of a code point: where UTF-16 order differs from code point
 * order (supplementary characters sort before U+E000..U+FFFF). */
static unsigned utf16_lead(long cp, unsigned *trail)
{
	if (cp < 0x10000) {
		*trail = 0;
		return (unsigned)cp;
	}
	cp -= 0x10000;
	*trail = 0xdc00 | (unsigned)(cp & 0x3ff);
	return 0xd800 | (unsigned)(cp >> 10);
}

/* Compares two valid UTF-8 names by their UTF-16 code units (RFC 8785 §3.2.3). */
static int name_compare(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
	const unsigned char *ea = pa + strlen(a), *eb = pb + strlen(b);

	while (*pa && *pb) {
		long ca = utf8_next(&pa, ea), cb = utf8_next(&pb, eb);
		unsigned ta, tb, ua, ub;

		if (ca < 0 || cb < 0)
			return strcmp((const char *)pa, (const char *)pb); /* refused later */
		ua = utf16_lead(ca, &ta);
		ub = utf16_lead(cb, &tb);
		if (ua != ub)
			return ua < ub ? -1 : 1;
		if (ta != tb)
			return ta < tb ? -1 : 1;
	}
	return (*pa != 0) - (*pb != 0);
}

static int write_string(struct buf *out, const char *s, size_t len, struct err *e)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	buf_putc(out, '"');
	while (p < end) {
		const unsigned char *start = p;
		long cp = utf8_next(&p, end);

		if (cp < 0)
			return err_set(e, "report.invalid", "文档含有不是 UTF-8 的文字，无法规范化");
		switch (cp) {
		case '"': buf_puts(out, "\\\""); break;
		case '\\': buf_puts(out, "\\\\"); break;
		case '\b': buf_puts(out, "\\b"); break;
		case '\t': buf_puts(out, "\\t"); break;
		case '\n': buf_puts(out, "\\n"); break;
		case '\f': buf_puts(out, "\\f"); break;
		case '\r': buf_puts(out, "\\r"); break;
		default:
			if (cp < 0x20) {
				char u[7] = { '\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 15], 0 };
				buf_puts(out, u);
			} else {
				buf_append(out, start, (size_t)(p - start));
			}
		}
	}
	return buf_putc(out, '"');
}

struct member {
	const char *name;
	json_t *value;
};

static int member_order(const void *a, const void *b)
{
	return name_compare(((const struct member *)a)->name, ((const struct member *)b)->name);
}

static int write_value(const json_t *v, struct buf *out, int depth, struct err *e);

static int write_object(const json_t *v, struct buf *out, int depth, struct err *e)
{
	size_t n = json_object_size(v), i = 0;
	struct member *m = n ? malloc(n * sizeof *m) : NULL;
	const char *name;
	json_t *value;
	int rc = 0;

	if (n && !m)
		return err_set(e, "internal.error", "内存不足");
	json_object_foreach((json_t *)v, name, value) {
		m[i].name = name;
		m[i++].value = value;
	}
	qsort(m, n, sizeof *m, member_order);
	buf_putc(out, '{');
	for (i = 0; i < n && rc == 0; i++) {
		if (i)
			buf_putc(out, ',');
		rc = write_string(out, m[i].name, strlen(m[i].name), e);
		buf_putc(out, ':');
		if (rc == 0)
			rc = write_value(m[i].value, out, depth + 1, e);
	}
	buf_putc(out, '}');
	free(m);
	return rc;
}

static int write_value(const json_t *v, struct buf *out, int depth, struct err *e)
{
	if (depth > CANONICAL_MAX_DEPTH)
		return err_set(e, "report.invalid", "文档嵌套超过 %d 层", CANONICAL_MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return write_object(v, out, depth, e);
	case JSON_ARRAY:
		buf_putc(out, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_putc(out, ',');
			if (write_value(json_array_get(v, i), out, depth + 1, e) < 0)
				return -1;
		}
		return buf_putc(out, ']');
	case JSON_STRING:
		return write_string(out, json_string_value(v), json_string_length(v), e);
	case JSON_INTEGER: {
		json_int_t n = json_integer_value(v);

		if (n > CANONICAL_MAX_INT || n < -CANONICAL_MAX_INT)
			return err_set(e, "report.invalid", "整数 %lld 超出可规范表示的范围，请以字符串表示",
				       (long long)n);
		return buf_printf(out, "%lld", (long long)n);
	}
	case JSON_REAL:
		return err_set(e, "report.invalid", "文档含有小数 %g：金额和其他数值须以字符串表示",
			       json_real_value(v));
	case JSON_TRUE:
		return buf_puts(out, "true");
	case JSON_FALSE:
		return buf_puts(out, "false");
	case JSON_NULL:
		return buf_puts(out, "null");
	}
	return err_set(e, "report.invalid", "未知的 JSON 值");
}

int canonical_json_write(const json_t *v, struct buf *out, struct err *e)
{
	if (write_value(v, out, 0, e) < 0)
		return -1;
	if (buf_failed(out))
		return err_set(e, "internal.error", "规范化文档超过长度上限或内存不足");
	return 0;
}
