/*
 * fuzz_calendar.c - libFuzzer target for the holiday calendar file (src/core/workday.c):
 * workday_csv_parse, which reads the file an operator imports each year
 * (`xinyong calendar import`), and the working-day arithmetic on what it accepts.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when workday.h's
 * promises break: an accepted calendar with a year out of range or no listed day, a
 * listed day judged against its kind, a `workday` on Monday-Friday, a count that does not
 * end on a working day; a refusal without its reason, or with a message that is not
 * UTF-8 or does not say where.
 */
#include "core/date.h"
#include "core/err.h"
#include "core/text.h"
#include "core/workday.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int fuzz_check_day(void *ctx, struct date d, enum workday_kind kind)
{
	const struct workday_calendar *cal = ctx;
	struct date out;
	int fell_back = -1;

	FUZZ_ASSERT(date_is_valid(d.y, d.m, d.d));
	FUZZ_ASSERT(workday_calendar_kind(cal, d) == kind);
	if (kind == WORKDAY_HOLIDAY)
		FUZZ_ASSERT(workday_is(cal, d) == 0);
	else {
		FUZZ_ASSERT(kind == WORKDAY_MAKEUP);
		FUZZ_ASSERT(workday_weekday(d) >= 6 && workday_is(cal, d) == 1);
	}
	/* The next working day is after d and is one. */
	FUZZ_ASSERT(workday_add(cal, d, 1, &out, &fell_back) == 0);
	FUZZ_ASSERT(date_cmp(out, d) > 0 && workday_is(cal, out));
	FUZZ_ASSERT(fell_back == 0 || fell_back == 1);
	FUZZ_ASSERT(workday_add(cal, d, 0, &out, NULL) == 0 && date_cmp(out, d) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct workday_calendar *cal = (struct workday_calendar *)&cal;
	/* An exact-size copy without a terminator: the parser takes a length. */
	char *s = malloc(size ? size : 1);
	struct err e;
	size_t i;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	err_clear(&e);
	if (workday_csv_parse(s, size, &cal, &e) == 0) {
		FUZZ_ASSERT(e.reason[0] == '\0');
		FUZZ_ASSERT(workday_calendar_year_count(cal) > 0);
		for (i = 0; i < workday_calendar_year_count(cal); i++) {
			int y = workday_calendar_year_at(cal, i);

			FUZZ_ASSERT(y >= WORKDAY_YEAR_MIN && y <= WORKDAY_YEAR_MAX);
			FUZZ_ASSERT(i == 0 || y > workday_calendar_year_at(cal, i - 1));
			FUZZ_ASSERT(workday_calendar_day_count(cal, y) > 0);
			FUZZ_ASSERT(workday_calendar_each(cal, y, fuzz_check_day, cal) == 0);
		}
		workday_calendar_free(cal);
	} else {
		FUZZ_ASSERT(cal == NULL);
		FUZZ_ASSERT(strcmp(e.reason, "calendar.invalid") == 0 ||
			    strcmp(e.reason, "internal.error") == 0);
		FUZZ_ASSERT(e.message[0] != '\0');
		FUZZ_ASSERT(text_is_utf8(e.message, strlen(e.message)));
		FUZZ_ASSERT(strstr(e.message, "行") != NULL || strstr(e.message, "为空") != NULL ||
			    strcmp(e.reason, "internal.error") == 0);
		FUZZ_ASSERT(workday_csv_parse(s, size, &cal, NULL) == -1);
	}
	free(s);
	return 0;
}
