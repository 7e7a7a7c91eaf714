/*
 * text.h - UTF-8 text: validation, trimming, NFKC normalisation (utf8proc) and the
 * normalised keys used to match column names and search names.
 */
#ifndef XY_TEXT_H
#define XY_TEXT_H

#include <stddef.h>

/* Returns the length of the longest valid UTF-8 prefix of s[0..n). When the input ends
 * in the middle of a multi-byte sequence that is otherwise valid, *incomplete (may be
 * NULL) is set to the number of trailing bytes that could start a valid sequence. */
size_t text_utf8_valid_prefix(const char *s, size_t n, size_t *incomplete);

int text_is_utf8(const char *s, size_t n);

/* Cuts, in place, a multi-byte sequence left incomplete at the end of s (as snprintf
 * leaves when it truncates), so that a truncated message stays valid UTF-8.  Returns s. */
char *text_utf8_clip(char *s);

/* Trims, in place, leading and trailing ASCII whitespace, U+3000 (ideographic space),
 * U+00A0 (no-break space) and U+FEFF (BOM).  Returns s. */
char *text_trim(char *s);

/* NFKC normalisation (full-width letters, digits and brackets become half-width...).
 * Returns a malloc'd string (caller frees), or NULL when s is not valid UTF-8. */
char *text_nfkc(const char *s);

/* A key for matching column names: NFKC, ASCII lower case, every whitespace removed,
 * and all bracket kinds (（）【】[]〔〕) mapped to "(" and ")".
 * `行政相对人代码_1（统一社会信用代码）` and `行政相对人代码_1(统一社会信用代码)` give the same
 * key.  Returns a malloc'd string or NULL on invalid UTF-8. */
char *text_header_key(const char *s);

/* A key for searching names: NFKC, case-folded, whitespace removed, and every kind of
 * bracket mapped to "(" / ")".  Returns a malloc'd string or NULL on invalid UTF-8. */
char *text_search_key(const char *s);

/* Copies an excerpt of s for a message into out (outsz >= 8): at most outsz - 4 bytes,
 * cut on a character boundary and followed by "…" when shortened, so that a message
 * quoting a long or damaged value stays valid UTF-8. */
void text_quote(const char *s, char *out, size_t outsz);

/* Number of Unicode code points in a valid UTF-8 string. */
size_t text_utf8_length(const char *s);

#endif
