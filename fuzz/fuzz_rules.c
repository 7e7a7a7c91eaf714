/*
 * fuzz_rules.c - libFuzzer target for case rules files (src/core/case_rules.c):
 * case_rules_parse, which reads the file an operator imports (`xinyong rules import`),
 * then every lookup on what it accepts.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when case_rules.h's
 * promises break: an accepted machine whose initial state is final or missing, a
 * transition out of a final state or into no state, two transitions of one action from
 * one state, a party outside CASE_PARTY_ALL, days outside 0..365, a listing that shows an
 * action lookups refuse; a refusal without its reason or with a message that is not
 * UTF-8.
 */
#include "core/case_rules.h"
#include "core/err.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check(const struct case_rules *r)
{
	size_t i, k;
	unsigned p;

	FUZZ_ASSERT(r->initial && !r->initial->final);
	FUZZ_ASSERT(case_rules_state(r, r->initial->id) == r->initial);
	for (i = 0; i < r->nstates; i++) {
		const struct case_state *s = &r->states[i];

		FUZZ_ASSERT(case_rules_state(r, s->id) == s);
		FUZZ_ASSERT(s->due_days >= -1 && s->due_days <= CASE_RULES_DAYS_MAX);
		FUZZ_ASSERT(s->review_days >= -1 && s->review_days <= CASE_RULES_DAYS_MAX);
		FUZZ_ASSERT(case_turn_name(s->party) != NULL);
		FUZZ_ASSERT(s->final == (case_rules_next(r, s->id, CASE_PARTY_ALL, NULL) == NULL));
		for (p = 1; p <= CASE_PARTY_ALL; p++) {
			const struct case_transition *t;

			for (t = case_rules_next(r, s->id, p, NULL); t; t = case_rules_next(r, s->id, p, t))
				FUZZ_ASSERT(case_rules_transition(r, s->id, t->action, p) == t);
		}
	}
	for (k = 0; k < r->ntransitions; k++) {
		const struct case_transition *t = &r->transitions[k];

		FUZZ_ASSERT(t->from && t->to && !t->from->final);
		FUZZ_ASSERT(t->by != 0 && (t->by & ~CASE_PARTY_ALL) == 0);
		FUZZ_ASSERT(case_rules_transition(r, t->from->id, t->action, CASE_PARTY_ALL) == t);
		FUZZ_ASSERT((case_rules_parties_of(r, t->action) & t->by) == t->by);
		FUZZ_ASSERT(!t->within || case_state_days(t->from, t->within) >= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser takes NUL-terminated text. */
	char *s = malloc(size + 1);
	struct case_rules *r = NULL;
	struct err e;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	err_clear(&e);
	if (case_rules_parse(s, &r, &e) == 0) {
		FUZZ_ASSERT(r != NULL && e.reason[0] == '\0');
		fuzz_check(r);
		case_rules_free(r);
	} else {
		FUZZ_ASSERT(r == NULL);
		FUZZ_ASSERT(strcmp(e.reason, "rules.invalid") == 0 ||
			    strcmp(e.reason, "internal.error") == 0);
		FUZZ_ASSERT(e.message[0] != '\0');
		FUZZ_ASSERT(text_is_utf8(e.message, strlen(e.message)));
		FUZZ_ASSERT(text_is_utf8(e.field, strlen(e.field)));
		FUZZ_ASSERT(case_rules_parse(s, &r, NULL) == -1 && r == NULL);
	}
	free(s);
	return 0;
}
