/*
 * text.c - UTF-8 validation, trimming, NFKC and the normalised matching keys; see text.h.
 *
 * The validator is hand-written because the reader runs it over every chunk of files that
 * may be gigabytes long; normalisation is left to utf8proc, which tracks the Unicode tables.
 */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

size_t text_utf8_valid_prefix(const char *s, size_t n, size_t *incomplete)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, k, avail;
	unsigned char c, lo, hi;
	uint64_t w;

	if (incomplete)
		*incomplete = 0;
	while (i < n) {
		c = p[i];
		if (c < 0x80) {
			/* Most data (codes, dates, digits, delimiters) is ASCII: skip it eight
			 * bytes at a time. */
			while (i + 8 <= n) {
				memcpy(&w, p + i, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				i += 8;
			}
			while (i < n && p[i] < 0x80)
				i++;
			continue;
		}
		/* The ranges of the second byte follow Unicode table 3-7 "Well-Formed UTF-8
		 * Byte Sequences": they exclude overlong forms (C0, C1, E0 80..9F,
		 * F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF. */
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c == 0xE0) {
			len = 3;
			lo = 0xA0;
		} else if (c == 0xED) {
			len = 3;
			hi = 0x9F;
		} else if (c >= 0xE1 && c <= 0xEF) {
			len = 3;
		} else if (c == 0xF0) {
			len = 4;
			lo = 0x90;
		} else if (c >= 0xF1 && c <= 0xF3) {
			len = 4;
		} else if (c == 0xF4) {
			len = 4;
			hi = 0x8F;
		} else {
			return i;
		}
		avail = n - i;
		if (avail < 2)
			goto cut;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (k = 2; k < len; k++) {
			if (k >= avail)
				goto cut;
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
		}
		i += len;
	}
	return i;

cut:
	/* Every byte present was checked above, so the tail is a valid beginning that the
	 * next chunk may complete. */
	if (incomplete)
		*incomplete = avail;
	return i;
}

int text_is_utf8(const char *s, size_t n)
{
	return text_utf8_valid_prefix(s, n, NULL) == n;
}

/* Length of the trimmable character at s (0 when none).  Only the characters named in
 * text.h are trimmed: they are what spreadsheets and Windows editors leave around cells. */
static size_t text_trim_char_len(const unsigned char *s)
{
	if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		return 1;
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
		return 3;
	if (s[0] == 0xC2 && s[1] == 0xA0) /* U+00A0 */
		return 2;
	if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) /* U+FEFF */
		return 3;
	return 0;
}

/* Same as text_trim_char_len, for the character that ends just before `end`. */
static size_t text_trim_char_len_back(const unsigned char *start, const unsigned char *end)
{
	size_t avail = (size_t)(end - start);

	if (avail >= 1 && text_trim_char_len(end - 1) == 1)
		return 1;
	if (avail >= 2 && text_trim_char_len(end - 2) == 2)
		return 2;
	if (avail >= 3 && text_trim_char_len(end - 3) == 3)
		return 3;
	return 0;
}

char *text_trim(char *s)
{
	unsigned char *start = (unsigned char *)s, *end;
	size_t k;

	/* text_trim_char_len reads at most up to the terminating NUL: each comparison
	 * fails on NUL before the next byte is looked at. */
	while ((k = text_trim_char_len(start)) > 0)
		start += k;
	end = start + strlen((char *)start);
	while ((k = text_trim_char_len_back(start, end)) > 0)
		end -= k;
	*end = '\0';
	if ((char *)start != s)
		memmove(s, start, (size_t)(end - start) + 1);
	return s;
}

/* Decodes one code point from valid UTF-8 and returns its length. */
static size_t text_decode(const unsigned char *s, int32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xE0) {
		*cp = ((s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (s[0] < 0xF0) {
		*cp = ((s[0] & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	*cp = ((s[0] & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	return 4;
}

/* Whitespace as the keys understand it: Unicode White_Space, plus the invisible
 * characters (zero-width space, word joiner, BOM) that copy-paste and Excel exports
 * leave inside header cells and that a person cannot see to remove. */
static int text_key_space(int32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= '\t' && cp <= '\r');
	switch (cp) {
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
	case 0x205F: case 0x3000: case 0x200B: case 0x2060: case 0xFEFF:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

/* Maps every bracket kind that departments use interchangeably in names and column
 * titles to '(' or ')'; 0 for other characters.  Full-width （）［］ are already ASCII
 * after NFKC; the CJK ones (【】〔〕〖〗) have no compatibility mapping. */
static int text_key_bracket(int32_t cp)
{
	switch (cp) {
	case '(': case '[': case 0x3010: case 0x3014: case 0x3016: case 0xFF08: case 0xFF3B:
		return '(';
	case ')': case ']': case 0x3011: case 0x3015: case 0x3017: case 0xFF09: case 0xFF3D:
		return ')';
	default:
		return 0;
	}
}

/* Copies s without key whitespace into a new string; NULL on invalid UTF-8 or no memory.
 * Removing before NFKC matters: a space between a base letter and a combining mark (or a
 * half-width kana and its voicing mark) would otherwise keep them from composing. */
static char *text_strip_space(const char *s)
{
	size_t n = strlen(s), i = 0, k, o = 0;
	char *out;
	int32_t cp;

	if (!text_is_utf8(s, n))
		return NULL;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	while (i < n) {
		k = text_decode((const unsigned char *)s + i, &cp);
		if (!text_key_space(cp)) {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	return out;
}

/* Runs utf8proc with `options`; NULL on invalid UTF-8 or no memory.  The result comes
 * from malloc (utf8proc allocates with malloc), so callers free it with free(). */
static char *text_map(const char *s, utf8proc_option_t options)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t rc;

	rc = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
			  (utf8proc_option_t)(options | UTF8PROC_NULLTERM));
	if (rc < 0)
		return NULL;
	return (char *)out;
}

/* True when s holds only printable ASCII and CJK Unified Ideographs (U+4E00-U+9FFF):
 * none of these has a compatibility decomposition or combines with a neighbour, so NFKC
 * leaves such a string as it is.  Most names are of this kind, and the check is far
 * cheaper than utf8proc's decompose-and-recompose. */
static int text_is_nfkc_stable(const unsigned char *p)
{
	for (; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			continue;
		/* E4 B8 80 .. E9 BF BF is U+4E00 .. U+9FFF. */
		if (*p >= 0xe4 && *p <= 0xe9 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
		    (*p != 0xe4 || p[1] >= 0xb8)) {
			p += 2;
			continue;
		}
		return 0;
	}
	return 1;
}

char *text_nfkc(const char *s)
{
	/* Checked with the same strict rules as the reader, so that every function of this
	 * module agrees on what valid UTF-8 is, whatever utf8proc version is linked. */
	if (!text_is_utf8(s, strlen(s)))
		return NULL;
	if (text_is_nfkc_stable((const unsigned char *)s))
		return strdup(s);
	return text_map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
}

/* Builds a key: strip spaces, map with utf8proc, then in place remove the spaces NFKC
 * produced (U+3000 and friends become U+0020), map brackets and, when asked, lower-case
 * ASCII.  Every rewrite shortens or keeps the length, so in-place is safe. */
static char *text_key(const char *s, utf8proc_option_t options, int ascii_lower)
{
	char *stripped, *key;
	unsigned char *r, *w;
	int32_t cp;
	size_t k;
	int br;

	stripped = text_strip_space(s);
	if (!stripped)
		return NULL;
	key = text_map(stripped, options);
	free(stripped);
	if (!key)
		return NULL;
	r = w = (unsigned char *)key;
	while (*r) {
		k = text_decode(r, &cp);
		if (text_key_space(cp)) {
			r += k;
			continue;
		}
		br = text_key_bracket(cp);
		if (br) {
			*w++ = (unsigned char)br;
			r += k;
			continue;
		}
		if (ascii_lower && cp >= 'A' && cp <= 'Z') {
			*w++ = (unsigned char)(cp - 'A' + 'a');
			r++;
			continue;
		}
		memmove(w, r, k);
		w += k;
		r += k;
	}
	*w = '\0';
	return key;
}

char *text_header_key(const char *s)
{
	return text_key(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT, 1);
}

char *text_search_key(const char *s)
{
	return text_key(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
			   UTF8PROC_CASEFOLD, 0);
}

size_t text_utf8_length(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t count = 0;

	/* Counts lead bytes: every byte that is not a continuation byte starts a code
	 * point in valid UTF-8. */
	for (; *p; p++)
		count += (*p & 0xC0) != 0x80;
	return count;
}

char *text_utf8_clip(char *s)
{
	size_t n = strlen(s), incomplete = 0;
	size_t valid = text_utf8_valid_prefix(s, n, &incomplete);

	/* Only a sequence cut at the very end is ours to repair; invalid bytes elsewhere
	 * are the caller's input and stay as they are. */
	if (valid + incomplete == n && incomplete > 0)
		s[valid] = '\0';
	return s;
}

void text_quote(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s), keep;

	keep = n > outsz - 4 ? outsz - 4 : n;
	keep = text_utf8_valid_prefix(s, keep, NULL);
	memcpy(out, s, keep);
	if (keep < n) {
		memcpy(out + keep, "…", 3);
		keep += 3;
	}
	out[keep] = '\0';
}
