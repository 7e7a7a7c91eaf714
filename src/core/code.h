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

/* Normalizes a code: trims ASCII and full-width spaces, converts full-width ASCII to
 * half-width, upper-cases letters.  Writes at most outsz bytes (always NUL-terminated). */
void code_normalize(const char *in, char *out, size_t outsz);

/* Judges a code.  opts may be NULL (auto kind, no exceptions).  Always fills *out. */
void code_check(const char *input, const struct code_options *opts, struct code_result *out);

/* The check character a USCC's first 17 characters call for, or 0 when they are not all
 * from the code's character set. */
char code_uscc_check_char(const char *first17);

/* The check character for a resident ID number's first 17 digits, or 0. */
char code_resident_id_check_char(const char *first17);

/* "uscc", "resident_id" or "other". */
const char *code_kind_name(enum code_kind kind);

#endif
