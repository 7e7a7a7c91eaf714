/*
 * cases.h - the case engine: every workflow in which someone applies, a department
 * decides within working days and records change (objections now; credit repair,
 * listings and commitments later) is a case moved through its kind's rules.
 *
 * The engine is generic.  It reads the kind's state machine (service/rules.h,
 * core/case_rules.h), works out which parties the caller is on this case (the access
 * table's case rows, access.h), judges a request in the order the API promises —
 * authentication (the HTTP layer), access (403), the case's state (409), then the body
 * (400) — counts the next step's due date in working days (service/calendar.h), and
 * writes the step, the case and the step's audit entry in one transaction.  What a kind
 * means — what filing checks, what an outcome does to records — is the kind's own file
 * (service/objection.c), reached through struct case_kind below: a new kind is one
 * rules file, one such file, and one row of the kinds table in cases.c.
 *
 * Every function fills *out with a new JSON reference (the case as the caller may see
 * it, docs/api.md) on success and leaves it NULL on failure.
 */
#ifndef XY_SERVICE_CASES_H
#define XY_SERVICE_CASES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct case_rules;
struct case_transition;
struct err;
struct principal;
struct workday_calendar;

/* What the engine hands a kind's hooks. */
struct case_ctx {
	struct store *s;
	const struct principal *who;
	const struct workday_calendar *cal;
	char today[11];
};

/* A kind's own part.  Each hook runs inside the engine's transaction; a hook that fails
 * sets e and the whole step is rolled back. */
struct case_kind {
	const char *kind;
	/* Says what a filing `body` is about: fills c->subject_code and c->record_id from
	 * the member naming it (400 when that member is unusable, 404 when it names
	 * nothing).  The engine then checks that the caller may file about that subject
	 * (403) before anything else of the body is judged. */
	int (*target)(const struct case_ctx *x, const json_t *body, struct store_case *c,
		      struct err *e);
	/* Checks the rest of the filing (400, or 409 when the application clashes with one
	 * under way) and fills c->data (a malloc'd JSON text). */
	int (*file)(const struct case_ctx *x, const json_t *body, struct store_case *c,
		    struct err *e);
	/* Checks what a request for transition `t` carries and does what it does: the
	 * case's dept, outcome and data may change, records may be rewritten.  *detail
	 * (may stay NULL) gets what the step's history says beyond its note. */
	int (*act)(const struct case_ctx *x, const struct case_transition *t,
		   const json_t *body, struct store_case *c, json_t **detail, struct err *e);
	/* Adds the kind's members to a case's JSON (the record's category, say). */
	int (*describe)(const struct case_ctx *x, const struct store_case *c, json_t *doc,
			struct err *e);
	/* Optional: called in the transaction of every batch that stored rows, before it
	 * commits (a department re-submitting a record that a case is about). */
	int (*on_batch)(const struct case_ctx *x, const struct store_batch *b, struct err *e);
};

/* Runs every kind's on_batch for batch b, written by `who` (service/batches.c). */
int cases_on_batch(struct store *s, const struct principal *who, const struct store_batch *b,
		   struct err *e);

/* Records on case c something that happened to it without changing its status (the
 * record re-submitted, say): a step named `action` with `detail` (may be NULL) and its
 * audit entry, in the caller's transaction. */
int cases_add_event(const struct case_ctx *x, const struct store_case *c, const char *action,
		    const json_t *detail, struct err *e);

/* Files a case of body's "kind" for x->who (`POST /api/v1/cases`).  `body_err` (may be
 * NULL) is why the request's body could not be read: it is answered only after access,
 * as every body problem is. */
int cases_file(const struct case_ctx *x, const json_t *body, const struct err *body_err,
	       json_t **out, struct err *e);

/* Case `id` with its history, attachments and the actions x->who may take now.  Parties
 * of the case only (403 `auth.forbidden`); `case.not_found` when there is none. */
int cases_show(const struct case_ctx *x, int64_t id, json_t **out, struct err *e);

/* Takes `action` on case `id` (`POST /api/v1/cases/{id}/actions/{action}`); body may be
 * NULL (no members), `body_err` as for cases_file.  403 when x->who is no party that may ever take it, 409
 * `case.invalid_action` when the case's state does not allow it (or `case.review_closed`
 * past its window or once used), 400 for the body. */
int cases_act(const struct case_ctx *x, int64_t id, const char *action, const json_t *body,
	      const struct err *body_err, json_t **out, struct err *e);

/* A list filter as the API takes it; NULL or "" members are not filtered on. */
struct cases_query {
	const char *kind;
	const char *status;
	const char *dept;
	int overdue;
	int64_t after; /* the `next` of the previous page, 0 for the first */
	long limit;    /* 1..CASES_LIST_MAX; 0: CASES_LIST_DEFAULT */
};
#define CASES_LIST_DEFAULT 50
#define CASES_LIST_MAX 500

/* {"cases": [...], "next": CURSOR or null}: a subject's own cases, a handler's
 * department's, every case for operators and administrators. */
int cases_list(const struct case_ctx *x, const struct cases_query *q, json_t **out,
	       struct err *e);

/* Adds an attachment (`len` bytes, PDF, JPEG or PNG by content) to the current step of
 * case `id`; `name` (may be NULL) is the client's file name.  Parties only; a case in a
 * final state takes none (409).  *out: {"attachment": {...}}. */
int cases_attach(const struct case_ctx *x, int64_t id, const unsigned char *data, size_t len,
		 const char *name, json_t **out, struct err *e);

/* The attachment of `digest` of case `id`, for its parties only: *data (malloc'd, the
 * caller frees), *len, and its media type and name copied into the given buffers. */
int cases_attachment_get(const struct case_ctx *x, int64_t id, const char *digest,
			 unsigned char **data, size_t *len, char media_type[32],
			 char name[256], struct err *e);

/* Fills x->today from the clock (XINYONG_NOW). */
void cases_ctx_init(struct case_ctx *x, struct store *s, const struct principal *who,
		    const struct workday_calendar *cal);

#endif
