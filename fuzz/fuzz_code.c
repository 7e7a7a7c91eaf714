/*
 * fuzz_code.c - libFuzzer target for the subject identifier checks (src/core/code.c):
 * code_normalize, code_check with every kind and with and without an exception list,
 * and the three check-character functions, on the input as a C string.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when code.h's promises
 * break: a normalized code that is not UTF-8, is too long or changes when normalized
 * again; a truncated one that splits a character or is no prefix of the whole; a valid
 * result with a wrong check character, or a result whose reason, message, warnings,
 * region or birth date are inconsistent.
 */
#include "core/code.h"
#include "core/date.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exception list of the fuzz run: says yes when ctx points at a non-zero int, and
 * checks it is only asked about codes of 18 ASCII characters. */
static int fuzz_is_exception(void *ctx, const char *normalized)
{
	size_t i;

	FUZZ_ASSERT(strlen(normalized) == 18);
	for (i = 0; i < 18; i++)
		FUZZ_ASSERT((unsigned char)normalized[i] < 0x80);
	return *(const int *)ctx;
}

static void fuzz_check_result(const struct code_result *r, enum code_kind force, int exception)
{
	struct date birth;
	int i, known = 0;

	FUZZ_ASSERT(r->kind == CODE_KIND_USCC || r->kind == CODE_KIND_RESIDENT_ID ||
		    r->kind == CODE_KIND_OTHER);
	FUZZ_ASSERT(force == CODE_KIND_AUTO || r->kind == force);
	FUZZ_ASSERT(strlen(r->normalized) < CODE_MAX);
	FUZZ_ASSERT(text_is_utf8(r->normalized, strlen(r->normalized)));
	FUZZ_ASSERT(text_is_utf8(r->message, strlen(r->message)));
	FUZZ_ASSERT(r->valid ? !r->reason && r->message[0] == '\0' :
			       r->reason && r->message[0] != '\0');
	FUZZ_ASSERT(r->nwarnings >= 0 && r->nwarnings <= CODE_MAX_WARNINGS);
	for (i = 0; i < r->nwarnings; i++) {
		FUZZ_ASSERT(r->warnings[i] != NULL);
		known |= strcmp(r->warnings[i], "code.known_exception") == 0;
	}
	FUZZ_ASSERT(!known || exception);
	FUZZ_ASSERT(strlen(r->region_code) == 0 || strlen(r->region_code) == 6);
	if (r->birth_date[0])
		FUZZ_ASSERT(date_parse_iso(r->birth_date, &birth) == 0);
	if (!r->valid || known)
		return;
	if (r->kind == CODE_KIND_USCC) {
		FUZZ_ASSERT(strlen(r->normalized) == 18);
		FUZZ_ASSERT(code_uscc_check_char(r->normalized) == r->normalized[17]);
	} else if (r->kind == CODE_KIND_RESIDENT_ID) {
		FUZZ_ASSERT(strlen(r->normalized) == 18);
		FUZZ_ASSERT(code_resident_id_check_char(r->normalized) == r->normalized[17]);
		FUZZ_ASSERT(r->birth_date[0] != '\0' && r->sex != NULL);
	}
}

static void fuzz_normalize(const char *s, size_t len)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 19, CODE_MAX };
	/* Every input byte gives at most 3 output bytes (an invalid one becomes U+FFFD). */
	size_t whole_sz = 3 * len + 1, i;
	char *whole = malloc(whole_sz), *again = malloc(whole_sz), part[CODE_MAX];

	FUZZ_ASSERT(whole && again);
	code_normalize(s, whole, whole_sz);
	FUZZ_ASSERT(strlen(whole) < whole_sz);
	FUZZ_ASSERT(text_is_utf8(whole, strlen(whole)));
	code_normalize(whole, again, whole_sz);
	FUZZ_ASSERT(strcmp(whole, again) == 0);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		memset(part, 'Q', sizeof part);
		code_normalize(s, part, sizes[i]);
		if (sizes[i] == 0) {
			FUZZ_ASSERT(part[0] == 'Q');
			continue;
		}
		FUZZ_ASSERT(strlen(part) < sizes[i]);
		FUZZ_ASSERT(text_is_utf8(part, strlen(part)));
		FUZZ_ASSERT(strncmp(part, whole, strlen(part)) == 0);
	}
	free(whole);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum code_kind kinds[] = { CODE_KIND_AUTO, CODE_KIND_USCC,
						CODE_KIND_RESIDENT_ID, CODE_KIND_OTHER };
	struct code_options opts;
	struct code_result r;
	char *s = malloc(size + 1);
	size_t k;
	int exception;

	/* An exact-size copy, so that reading past the terminator is an ASan report. */
	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_normalize(s, strlen(s));
	code_check(s, NULL, &r);
	fuzz_check_result(&r, CODE_KIND_AUTO, 0);
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		for (exception = 0; exception <= 1; exception++) {
			opts.force = kinds[k];
			opts.is_exception = fuzz_is_exception;
			opts.ctx = &exception;
			code_check(s, &opts, &r);
			fuzz_check_result(&r, kinds[k], exception);
		}
	}
	(void)code_uscc_check_char(s);
	(void)code_resident_id_check_char(s);
	(void)code_org_check_char(s);
	free(s);
	return 0;
}
