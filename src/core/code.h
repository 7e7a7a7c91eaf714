/*
 * code.h - subject identifiers: the unified social credit code (GB 32100-2015) and the
 * resident ID number (GB 11643-1999).  Pure functions, no I/O.
 */
#ifndef XY_CODE_H
#define XY_CODE_H

#include <stddef.h>

#define CODE_MAX 64 /* normalized codes are truncated to CODE_MAX - 1 bytes */
#define CODE_MAX_WARNINGS 4

enum code_kind {
	CODE_KIND_AUTO = 0, /* only as an option: judge by shape */
	CODE_KIND_USCC,
	CODE_KIND_RESIDENT_ID,
	CODE_KIND_OTHER,
};

struct code_options {
	enum code_kind force; /* CODE_KIND_AUTO: judge the kind by the input's shape */
	/* Operator-maintained list of legally issued codes that fail the check character.
	 * Called with the normalized code; returns non-zero when it is a known exception.
	 * May be NULL. */
	int (*is_exception)(void *ctx, const char *normalized);
	void *ctx;
};

struct code_result {
	char normalized[CODE_MAX]; /* trimmed, full-width to half-width, upper case; an old
				      15-digit ID number is converted to 18 digits */
	enum code_kind kind;
	int valid;
	const char *reason; /* NULL when valid, else a reason code from reasons.def */
	char message[256];  /* why it is invalid, Simplified Chinese; "" when valid */
	const char *warnings[CODE_MAX_WARNINGS]; /* reason codes, static strings */
	int nwarnings;
	char region_code[7];     /* six-digit division code read from the code, "" if none */
	const char *region_name; /* NULL when the division is unknown */
	/* USCC only: registration authority and institution type (Chinese), or NULL. */
	const char *authority;
	const char *institution_type;
	/* Resident ID only: birth date "YYYY-MM-DD" and sex ("男"/"女"). */
	char birth_date[11];
	const char *sex;
};

/* Normalizes a code: trims ASCII and full-width spaces (and the no-break spaces, byte-order
 * marks and zero-width spaces that copying from documents leaves), converts full-width ASCII
 * to half-width, upper-cases ASCII letters.  Invalid UTF-8 bytes become U+FFFD, so the
 * result is always valid UTF-8.  Writes at most outsz bytes (always NUL-terminated when
 * outsz > 0); truncation never splits a character. */
void code_normalize(const char *in, char *out, size_t outsz);

/* Judges a code.  opts may be NULL (auto kind, no exceptions).  Always fills *out.
 *
 * Kind rule when opts->force is CODE_KIND_AUTO, applied to the normalized input:
 *   - empty: kind other, invalid, `code.empty` (a forced kind is kept, still `code.empty`);
 *   - 15 digits: an old resident ID number (converted to 18 digits);
 *   - 18 characters: a resident ID when shaped like one (17 digits then a digit or X, a
 *     province code at positions 1-2 - one of GB/T 2260 or 81-83 for the residence permits
 *     of Hong Kong, Macao and Taiwan residents - a year 1800-2100 at 7-10 and a month 01-12
 *     at 11-12), unless its ID check character fails while its USCC check character holds;
 *     every other 18-character input is a USCC;
 *   - 16-20 characters of [0-9A-Z] only: a mistyped code, invalid with `code.length`,
 *     judged a resident ID when shaped like one as above, otherwise a USCC;
 *   - anything else (passports such as E12345678, 15-character foreign permanent residence
 *     cards, permits): kind other, valid, no checks.
 * A forced kind judges with that kind's rules; kind other only fails when empty or longer
 * than CODE_MAX - 1 bytes (`code.length`).
 *
 * The exception callback is asked only about a code that passes every check but the last
 * character (for both kinds); such a code is valid with warning `code.known_exception`.
 * A USCC with the division "100000" (central-level bodies) gets region_name "中央" and no
 * `region.unknown` warning.  Warnings are reported even when the code is invalid. */
void code_check(const char *input, const struct code_options *opts, struct code_result *out);

/* The check character a USCC's first 17 characters call for, or 0 when they are not all
 * from the code's character set. */
char code_uscc_check_char(const char *first17);

/* The check character for a resident ID number's first 17 digits, or 0. */
char code_resident_id_check_char(const char *first17);

/* The GB 11714 check character (position 17 of a USCC) for the eight body characters of an
 * organisation code (USCC positions 9-16): '0'-'9' or 'X'; 0 when they are not all digits
 * or upper-case letters. */
char code_org_check_char(const char *body8);

/* "uscc", "resident_id" or "other". */
const char *code_kind_name(enum code_kind kind);

#endif
