/*
 * fuzz_publicity.c - libFuzzer target for publicity regime files
 * (src/core/publicity_period.c): publicity_rules_parse, which reads the file an operator
 * imports (`xinyong rules import`, kind "publicity"), then classification and the
 * period of every class on what it accepts.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when
 * publicity_period.h's promises break: an accepted file whose periods are outside
 * 0..PUBLICITY_RULES_MAX_MONTHS or have min > max, a table without rows or whose
 * classification answers a row outside it, a period whose dates are not valid; a refusal
 * without its reason or with a message that is not UTF-8.
 */
#include "core/date.h"
#include "core/err.h"
#include "core/publicity_period.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check(const struct publicity_rules *r)
{
	static const char *const types[] = { "", "警告", "警告;罚款", "吊销许可证件", "通报批评;警告" };
	const struct date decision = { 2026, 1, 31 };
	struct date d;

	FUZZ_ASSERT(r->name && r->nclasses >= 1 && r->special_sectors && r->no_early_repair);
	for (int s = SEVERITY_MINOR; s <= SEVERITY_SERIOUS; s++) {
		const struct publicity_period *p = &r->periods[s];

		FUZZ_ASSERT(p->min_months >= 0 && p->min_months <= p->max_months &&
			    p->max_months <= PUBLICITY_RULES_MAX_MONTHS);
		for (int special = 0; special < 2; special++) {
			struct publicity_period q = publicity_period_of(r, (enum severity)s, special);
			char until[11], from[11];

			FUZZ_ASSERT(q.min_months >= p->min_months);
			FUZZ_ASSERT(!q.published || q.min_months <= q.max_months);
			publicity_period_dates(decision, &q, "2026-03-01", until, from);
			FUZZ_ASSERT(date_parse_iso(from, &d) == 0);
			FUZZ_ASSERT(q.published ? date_parse_iso(until, &d) == 0 : until[0] == '\0');
		}
	}
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		for (int64_t fine = -1; fine <= 200000000; fine += 100000000) {
			int rule = -1;
			enum severity s = publicity_classify(r, types[i], fine, &rule);

			FUZZ_ASSERT(rule >= 1 && (size_t)rule <= r->nclasses);
			FUZZ_ASSERT(s == r->classes[rule - 1].severity && s != SEVERITY_NONE);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser takes NUL-terminated text. */
	char *s = malloc(size + 1);
	struct publicity_rules *r = NULL;
	struct err e;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	err_clear(&e);
	if (publicity_rules_parse(s, &r, &e) == 0) {
		FUZZ_ASSERT(r != NULL && e.reason[0] == '\0');
		fuzz_check(r);
		publicity_rules_free(r);
	} else {
		FUZZ_ASSERT(r == NULL);
		FUZZ_ASSERT(strcmp(e.reason, "rules.invalid") == 0 ||
			    strcmp(e.reason, "internal.error") == 0);
		FUZZ_ASSERT(e.message[0] != '\0');
		FUZZ_ASSERT(text_is_utf8(e.message, strlen(e.message)));
		FUZZ_ASSERT(text_is_utf8(e.field, strlen(e.field)));
	}
	free(s);
	return 0;
}
