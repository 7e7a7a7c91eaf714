/*
 * mask.c - masking document numbers and names for public output; see mask.h.
 *
 * Characters, not bytes, are counted and replaced: a masked name must not reveal through
 * the number of stars that it was written in CJK (three bytes a character) or ASCII.
 */
#include "mask.h"

#include <string.h>

#include "text.h"

#define MASK_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Length of the valid UTF-8 character at p, or 0 when the byte at p does not start one
 * (then it is taken as a one-byte character of its own). */
static size_t mask_char_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	/* strnlen stops at the NUL, so a sequence cut by the end of the string is refused
	 * without reading past it; the validator checks the byte ranges. */
	if (strnlen(p, len) < len || text_utf8_valid_prefix(p, len, NULL) != len)
		return 0;
	return len;
}

/* Number of characters in s, counting each invalid byte as one. */
static size_t mask_count(const char *s)
{
	size_t n = 0, k;

	while (*s) {
		k = mask_char_len(s);
		s += k ? k : 1;
		n++;
	}
	return n;
}

/* The output cursor: appends whole pieces only, so truncation never splits a character. */
struct mask_out {
	char *p;
	size_t size;
	size_t len;
	int full;
};

static void mask_put(struct mask_out *o, const char *piece, size_t n)
{
	if (o->full || o->len + n + 1 > o->size) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, piece, n);
	o->len += n;
	o->p[o->len] = '\0';
}

/* Copies s with the characters at positions [keep_head, count - keep_tail) replaced by
 * '*'.  The caller has made sure keep_head + keep_tail <= count. */
static void mask_apply(const char *s, size_t keep_head, size_t keep_tail, char *out,
		       size_t size)
{
	struct mask_out o = { out, size, 0, 0 };
	size_t count, i, k;

	if (size == 0)
		return;
	out[0] = '\0';
	if (!s)
		return;
	count = mask_count(s);
	for (i = 0; *s && !o.full; i++) {
		k = mask_char_len(s);
		if (i >= keep_head && i + keep_tail < count)
			mask_put(&o, "*", 1);
		else if (k)
			mask_put(&o, s, k);
		else
			mask_put(&o, MASK_REPLACEMENT, sizeof MASK_REPLACEMENT - 1);
		s += k ? k : 1;
	}
}

void mask_identifier(const char *id, char *out, size_t size)
{
	size_t count = id ? mask_count(id) : 0;
	size_t head, tail;

	if (count == 18) {
		head = 4; /* province, city */
		tail = 4; /* birth order and check character */
	} else if (count == 15) {
		head = 4;
		tail = 3; /* birth order (the old number has no check character) */
	} else if (count >= 8) {
		head = 2;
		tail = 2;
	} else if (count >= 2) {
		head = 0;
		tail = 1;
	} else {
		/* Keeping "the last character" of a one-character number would show all of it. */
		head = 0;
		tail = 0;
	}
	mask_apply(id, head, tail, out, size);
}

void mask_person_name(const char *name, char *out, size_t size)
{
	size_t count = name ? mask_count(name) : 0;

	mask_apply(name, count >= 2 ? 1 : 0, 0, out, size);
}
