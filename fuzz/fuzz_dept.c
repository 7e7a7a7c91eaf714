/*
 * fuzz_dept.c - libFuzzer target for the department directory file (src/core/dept.c):
 * dept_file_parse, which reads the CSV or JSON file an operator imports
 * (`xinyong dept import`).
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when dept.h's promises
 * break: an accepted file whose departments are not valid, normalized and unique (a code
 * that dept_from_values would not give back the same, a name missing, a text over its
 * limit, a parent equal to the department); a refusal without its reason, problems
 * beyond the kept maximum, or a message that is not UTF-8.
 */
#include "core/dept.h"
#include "core/err.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check_dept(const struct dept *d, const struct code_options *opts)
{
	const char *v[DEPT_FIELD_COUNT] = { d->code,	    d->name,	d->short_name, d->region_code,
					    d->parent_code, d->contact, d->sector };
	struct dept again;
	struct err e;

	FUZZ_ASSERT(d->code[0] && d->name[0]);
	FUZZ_ASSERT(strcmp(d->code, d->parent_code) != 0);
	FUZZ_ASSERT(text_utf8_length(d->name) <= DEPT_NAME_MAX_CHARS);
	FUZZ_ASSERT(text_utf8_length(d->sector) <= DEPT_SECTOR_MAX_CHARS);
	FUZZ_ASSERT(!d->region_code[0] || strlen(d->region_code) == 6);
	/* A kept department reads back as itself: validation is idempotent. */
	err_clear(&e);
	FUZZ_ASSERT(dept_from_values(v, opts, &again, &e) == 0);
	FUZZ_ASSERT(memcmp(&again, d, sizeof again) == 0 ||
		    (strcmp(again.code, d->code) == 0 && strcmp(again.name, d->name) == 0 &&
		     strcmp(again.contact, d->contact) == 0 && strcmp(again.sector, d->sector) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct code_options opts = { CODE_KIND_USCC, NULL, NULL };
	/* An exact-size copy without a terminator: the parser takes a length. */
	char *s = malloc(size ? size : 1);
	struct dept_file f;
	struct err e;
	size_t i, j;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	err_clear(&e);
	if (dept_file_parse(s, size, &opts, &f, &e) == 0) {
		FUZZ_ASSERT(e.reason[0] == '\0');
		FUZZ_ASSERT(f.n > 0 && f.problems_total == 0 && f.nproblems == 0);
		for (i = 0; i < f.n; i++) {
			fuzz_check_dept(&f.depts[i], &opts);
			for (j = 0; j < i; j++)
				FUZZ_ASSERT(strcmp(f.depts[i].code, f.depts[j].code) != 0);
		}
	} else {
		FUZZ_ASSERT(strcmp(e.reason, "directory.invalid") == 0 ||
			    strcmp(e.reason, "internal.error") == 0);
		FUZZ_ASSERT(e.message[0] != '\0' && text_is_utf8(e.message, strlen(e.message)));
		if (strcmp(e.reason, "directory.invalid") == 0) {
			FUZZ_ASSERT(f.problems_total > 0 && f.nproblems > 0);
			FUZZ_ASSERT(f.nproblems <= DEPT_FILE_PROBLEMS_MAX &&
				    f.nproblems <= f.problems_total);
			for (i = 0; i < f.nproblems; i++)
				FUZZ_ASSERT(text_is_utf8(f.problems[i].message,
							 strlen(f.problems[i].message)));
		}
	}
	dept_file_free(&f);
	free(s);
	return 0;
}
