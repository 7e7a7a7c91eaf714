/*
 * money.c - amounts in 万元 parsed to and formatted from integer 分; see money.h.
 *
 * Integer arithmetic only: a double cannot hold 0.1 exactly, and a fine published as
 * 0.1 万元 must come back as exactly 1000 元.
 */
#include "money.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "text.h"

/* Longest value worth parsing; a longer one cannot be a valid amount below INT64_MAX 分
 * with sensible separators, so it is refused without looking further. */
#define MONEY_TEXT_MAX 96

#define MONEY_HINT "应为以万元为单位的非负数，如 0.2 表示 2000 元；也可写作“0.2万元”或“2000元”"

static int money_fail(struct err *e, const char *s, const char *why)
{
	char quoted[64];

	if (!e)
		return -1;
	text_quote(s, quoted, sizeof quoted);
	return err_set(e, "money.invalid", "金额“%s”%s", quoted, why);
}

static int money_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Copies s into out as ASCII where it can: full-width digits, point and comma (typed with
 * a Chinese input method) become their ASCII forms, and the spaces text_trim trims are
 * dropped from both ends.  Returns the length, or -1 when s is too long to be an amount. */
static int money_normalise(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p) {
		unsigned char c = *p;

		if (o + 4 > outsz)
			return -1;
		if (c == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
			out[o++] = (char)('0' + (p[2] - 0x90)); /* U+FF10..U+FF19 */
			p += 3;
		} else if (c == 0xEF && p[1] == 0xBC && (p[2] == 0x8E || p[2] == 0x8C)) {
			out[o++] = p[2] == 0x8E ? '.' : ','; /* U+FF0E, U+FF0C */
			p += 3;
		} else if (c == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			out[o++] = ' '; /* U+3000 */
			p += 3;
		} else if (c == 0xC2 && p[1] == 0xA0) {
			out[o++] = ' '; /* U+00A0 */
			p += 2;
		} else if (c == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
			out[o++] = ' '; /* U+FEFF */
			p += 3;
		} else {
			out[o++] = (char)c;
			p++;
		}
	}
	while (o > 0 && money_space((unsigned char)out[o - 1]))
		o--;
	out[o] = '\0';
	return (int)o;
}

/* Removes `suffix` from the end of t (length *n) when it is there. */
static int money_strip_suffix(char *t, size_t *n, const char *suffix)
{
	size_t k = strlen(suffix);

	if (*n < k || memcmp(t + *n - k, suffix, k) != 0)
		return 0;
	*n -= k;
	while (*n > 0 && money_space((unsigned char)t[*n - 1]))
		(*n)--;
	t[*n] = '\0';
	return 1;
}

int money_parse_wan(const char *s, int64_t *fen_out, struct err *e)
{
	char t[MONEY_TEXT_MAX];
	const char *p;
	size_t n, digits = 0, group = 0, fdigits = 0;
	int len, scale = 6, commas = 0;
	uint64_t ip = 0, frac = 0, mult = 1;
	int k;

	if (!s)
		return money_fail(e, "", "为空，" MONEY_HINT);
	len = money_normalise(s, t, sizeof t);
	if (len < 0)
		return money_fail(e, s, "过长，" MONEY_HINT);
	n = (size_t)len;
	/* "万元" before "元": the longer unit first.  A bare "元" means yuan, so the scale
	 * drops from 6 to 2 decimals of precision. */
	if (!money_strip_suffix(t, &n, "万元") && !money_strip_suffix(t, &n, "万") &&
	    money_strip_suffix(t, &n, "元"))
		scale = 2;
	p = t;
	while (money_space((unsigned char)*p))
		p++;
	if (*p == '-')
		return money_fail(e, s, "为负数，" MONEY_HINT);
	for (; (*p >= '0' && *p <= '9') || *p == ','; p++) {
		if (*p == ',') {
			/* A comma only groups thousands: "1,234.5".  "1,5" might be a decimal
			 * comma, so it is refused rather than read as 15. */
			if (digits == 0 || group > 3 || (commas && group != 3))
				return money_fail(e, s, "的千位分隔符位置不对，" MONEY_HINT);
			commas = 1;
			group = 0;
			continue;
		}
		if (ip > (uint64_t)INT64_MAX / 10)
			return money_fail(e, s, "过大");
		ip = ip * 10 + (uint64_t)(*p - '0');
		digits++;
		group++;
	}
	if (commas && group != 3)
		return money_fail(e, s, "的千位分隔符位置不对，" MONEY_HINT);
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
			if (fdigits < (size_t)scale) {
				frac = frac * 10 + (uint64_t)(*p - '0');
			} else if (*p != '0') {
				/* Trailing zeros past 1 分 add no precision and are accepted. */
				return money_fail(e, s, scale == 6 ?
						  "精度超过 1 分（以万元为单位时最多 6 位小数）" :
						  "精度超过 1 分（以元为单位时最多 2 位小数）");
			}
		}
	}
	if (*p != '\0' || digits + fdigits == 0)
		return money_fail(e, s, "无法识别，" MONEY_HINT);
	for (k = 0; k < scale; k++)
		mult *= 10;
	for (; fdigits < (size_t)scale; fdigits++)
		frac *= 10;
	if (ip > ((uint64_t)INT64_MAX - frac) / mult)
		return money_fail(e, s, "过大");
	*fen_out = (int64_t)(ip * mult + frac);
	return 0;
}

void money_format_wan(int64_t fen, char *out, size_t outsz)
{
	/* The magnitude in unsigned arithmetic, so that INT64_MIN formats too. */
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	uint64_t whole = mag / 1000000, rem = mag % 1000000;
	char frac[8];
	int k = 6;

	if (outsz == 0)
		return;
	if (rem == 0) {
		snprintf(out, outsz, "%s%llu", fen < 0 ? "-" : "", (unsigned long long)whole);
		return;
	}
	frac[6] = '\0';
	while (k-- > 0) {
		frac[k] = (char)('0' + rem % 10);
		rem /= 10;
	}
	for (k = 5; frac[k] == '0'; k--)
		frac[k] = '\0';
	snprintf(out, outsz, "%s%llu.%s", fen < 0 ? "-" : "", (unsigned long long)whole, frac);
}
