/*
 * fuzz_date.c - libFuzzer target for the date parsers (src/core/date.c): date_parse, which
 * reads every format departments send, and date_parse_iso, the stored form.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when date.h's promises
 * break: an accepted date that does not exist, a stored form that does not read back as
 * the same date, a day count that does not convert back, a refusal without its reason.
 */
#include "core/date.h"
#include "core/err.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fuzz_same(struct date a, struct date b)
{
	return a.y == b.y && a.m == b.m && a.d == b.d;
}

/* A date accepted by either parser must exist and survive every conversion. */
static void fuzz_check_date(struct date d)
{
	struct date back;
	struct err e;
	char iso[11];

	FUZZ_ASSERT(date_is_valid(d.y, d.m, d.d));
	FUZZ_ASSERT(fuzz_same(date_from_days(date_to_days(d)), d));
	FUZZ_ASSERT(date_cmp(d, d) == 0);
	date_format(d, iso);
	FUZZ_ASSERT(date_parse_iso(iso, &back) == 0 && fuzz_same(back, d));
	FUZZ_ASSERT(date_parse(iso, &back, &e) == 0 && fuzz_same(back, d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct date d = { 0, 0, 0 }, again;
	struct err e;
	char *s = malloc(size + 1), iso[11];

	/* An exact-size copy, so that reading past the terminator is an ASan report. */
	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	err_clear(&e);
	if (date_parse(s, &d, &e) == 0) {
		FUZZ_ASSERT(e.reason[0] == '\0');
		fuzz_check_date(d);
		/* Without an error struct the answer is the same. */
		FUZZ_ASSERT(date_parse(s, &again, NULL) == 0 && fuzz_same(again, d));
	} else {
		FUZZ_ASSERT(strcmp(e.reason, "date.unparseable") == 0);
		FUZZ_ASSERT(e.message[0] != '\0');
		FUZZ_ASSERT(text_is_utf8(e.message, strlen(e.message)));
		FUZZ_ASSERT(date_parse(s, &again, NULL) == -1);
	}

	if (date_parse_iso(s, &d) == 0) {
		fuzz_check_date(d);
		date_format(d, iso);
		FUZZ_ASSERT(strcmp(iso, s) == 0);
	}
	free(s);
	return 0;
}
