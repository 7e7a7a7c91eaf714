/*
 * case_rules.h - a kind of case (objection, ...) as a state machine read from its rules
 * file (data/rules/<kind>.json; docs/data-formats.md describes the format).  Pure: no
 * store, no clock, no calendar.
 *
 * The rules say which states a case of the kind passes through, who must act in each
 * (and within how many working days), and which actions lead from one state to another,
 * who may take each and what a request for it must carry.  Nothing here knows what an
 * objection is: the engine (service/cases.c) asks these tables and does the rest —
 * counting deadlines, `once`, `within` and what an outcome changes.
 *
 * An action id may appear in several rows of the file, with different `from` and `by`
 * (`decide` from `accepted` by the operator, from `forwarded` by the department), but
 * from one state an action has at most one row, so that (state, action) names a single
 * transition whoever asks.  Each row is expanded into one transition per `from` state.
 */
#ifndef XY_CASE_RULES_H
#define XY_CASE_RULES_H

#include <stddef.h>

#include "date.h"

struct err;

/* Who may take an action, as bit flags; a caller may be several at once (the console is
 * all of them). */
#define CASE_PARTY_APPLICANT 0x1u /* the case's subject's accounts; walk-in: the operator */
#define CASE_PARTY_OPERATOR 0x2u  /* the platform's operators */
#define CASE_PARTY_DEPT 0x4u      /* handlers of the department responsible now */
#define CASE_PARTY_ALL (CASE_PARTY_APPLICANT | CASE_PARTY_OPERATOR | CASE_PARTY_DEPT)

/* Limits on a rules file; it comes from an operator's `rules import`. */
#define CASE_RULES_MAX_STATES 32
#define CASE_RULES_MAX_ROWS 64   /* rows of "actions" */
#define CASE_RULES_ID_MAX 32     /* bytes of a kind, state or action id: [a-z][a-z0-9_]* */
#define CASE_RULES_NAME_MAX 32   /* characters of a name */
#define CASE_RULES_DAYS_MAX 365  /* due_days, review_days */

/* Who must act while a case is in a state (the state's "party"). */
enum case_turn {
	CASE_TURN_NONE,      /* "none": nobody; final states */
	CASE_TURN_PLATFORM,  /* "platform": the operators */
	CASE_TURN_DEPT,      /* "dept": the department responsible */
	CASE_TURN_APPLICANT, /* "applicant": the applicant may act (never due) */
};

struct case_state {
	char *id;
	char *name;
	enum case_turn party;
	int due_days;    /* working days the party has, -1 when none (always none for
			  * applicant and final states) */
	int review_days; /* days the applicant may ask for a review, -1 when none */
	int final;       /* no action leaves it */
	int marks_record; /* the record the case is about shows the case while it is here
			   * (an objection's dispute mark); never on a final state */
};

struct case_transition {
	char *action; /* the action id, as in a URL's /actions/{action} */
	char *name;   /* its Chinese name; every row of one id has the same */
	const struct case_state *from; /* into the rules' states */
	const struct case_state *to;
	unsigned by;                   /* CASE_PARTY_* that may take it */
	char **requires;               /* request members that must be non-empty */
	size_t nrequires;
	int once;     /* at most once in a case's life */
	char *within; /* NULL, or the member of `from` ("review_days", "due_days") whose
		       * days bound when the action may be taken */
};

struct case_rules {
	char *kind;
	char *name;
	char *description; /* NULL when the file has none */
	struct date effective_from;
	const struct case_state *initial; /* into states */
	struct case_state *states;        /* in the file's order */
	size_t nstates;
	struct case_transition *transitions; /* the rows' order, each row by its from order */
	size_t ntransitions;
	int result_days;   /* working days from acceptance to the result; -1 when none */
	int repeat_months; /* months before the subject may apply again; -1 when none */
};

/* Parses and checks a rules file (NUL-terminated JSON text, which stays the caller's).
 * On success *out is the caller's: case_rules_free.  On failure *out is NULL and e has
 * `rules.invalid` (out of memory: `internal.error`), with field naming the member
 * ("actions[2].to") and a Chinese message saying what is wrong with it.  Refused: not
 * one JSON object, a duplicate key, an unknown member, a missing or empty kind, name,
 * effective_from (not YYYY-MM-DD), initial, states or actions; a state or action id that
 * is not [a-z][a-z0-9_]*, a duplicate state, an initial that is not a state or is final;
 * a party other than platform|dept|applicant (states) or applicant|operator|dept (`by`);
 * due_days or review_days outside 0..365, due_days on an applicant state, anything but a
 * name on a final state; a non-final state without a party or without an action out of
 * it, a state that cannot be reached from initial; an action whose from or to is not a
 * state, that leaves a final state, that has two rows from one state or two names;
 * `requires` other than note|reason|outcome|fields; `within` other than
 * due_days|review_days or naming a member that a from-state lacks. */
int case_rules_parse(const char *json, struct case_rules **out, struct err *e);
void case_rules_free(struct case_rules *rules);

/* The built-in rules text of a kind (data/rules/<kind>.json, compiled in; see
 * core/embedded.h for the whole list), or NULL when there is none.  Static storage. */
const char *case_rules_builtin(const char *kind);

/* The state with this id, or NULL.  Borrowed from rules. */
const struct case_state *case_rules_state(const struct case_rules *rules, const char *id);

/* The transition of `action` out of `state` that a caller being `party` (CASE_PARTY_*
 * bits; CASE_PARTY_ALL for the console) may take, or NULL: no such action from that
 * state, or none of party's bits may take it.  Borrowed from rules. */
const struct case_transition *case_rules_transition(const struct case_rules *rules,
						    const char *state, const char *action,
						    unsigned party);

/* Whether any row has this action id (unknown action vs. not now). */
int case_rules_action_known(const struct case_rules *rules, const char *action);

/* Every party that may take `action` out of some state (0 when the action is unknown):
 * a caller with none of these bits is refused (403) before the case's state is looked
 * at (409). */
unsigned case_rules_parties_of(const struct case_rules *rules, const char *action);

/* Walks the actions `party` may take in `state`: pass NULL first, then the previous
 * answer; NULL at the end.  In the file's order; an action id appears at most once.
 *   for (t = case_rules_next(r, st, p, NULL); t; t = case_rules_next(r, st, p, t)) */
const struct case_transition *case_rules_next(const struct case_rules *rules,
					      const char *state, unsigned party,
					      const struct case_transition *prev);

/* Whether a request for t must carry member `member` ("reason"). */
int case_transition_requires(const struct case_transition *t, const char *member);

/* The days of a state's window member ("due_days", "review_days"; what a transition's
 * `within` names): -1 when the state has none or the member is not a window. */
int case_state_days(const struct case_state *s, const char *member);

/* "applicant", "operator", "dept" for one CASE_PARTY_* bit; NULL otherwise. */
const char *case_party_name(unsigned party);
/* The CASE_PARTY_* bit of a name, 0 when unknown. */
unsigned case_party_parse(const char *name);
/* "none", "platform", "dept", "applicant". */
const char *case_turn_name(enum case_turn turn);

#endif
