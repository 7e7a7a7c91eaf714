/*
 * case_record.h - what the kinds of case about one record share (objection.c,
 * repair.c): the record copied out of the store, rewritten with new flags, and the
 * open case of a kind on it.
 */
#ifndef XY_SERVICE_CASE_RECORD_H
#define XY_SERVICE_CASE_RECORD_H

#include <jansson.h>
#include <stdint.h>

#include "core/code.h"
#include "store/store.h"

struct case_rules;
struct case_state;
struct err;

/* A record copied out of the store's callback; case_record_free. */
struct case_record {
	int found;
	int64_t id, batch_id;
	char subject[CODE_MAX], dept[CODE_MAX];
	char category[64];
	char *business_key, *data, *content_hash;
	char decision_date[11], publicity_end[11];
	int flags;
};

void case_record_free(struct case_record *r);
/* A store_record_get callback filling the struct case_record at ctx. */
int case_record_keep(void *ctx, const struct store_record *rec);
/* Record `id`: 0, or -1 with `record.not_found` (field "record").  A record deleted by a
 * decision is in no view and takes no new case, but a case about it goes on
 * (`deleted_too`). */
int case_record_get(struct store *s, int64_t id, int deleted_too, struct case_record *r,
		    struct err *e);
/* Rewrites the record as it is with only its flags and publicity end changed (the
 * earlier state stays in its versions), in the caller's transaction. */
int case_record_rewrite(struct store *s, const struct case_record *r, int flags,
			const char *publicity_end, struct err *e);

/* A kind's `target` hook for a case about one record: the body's "record" member
 * names it (400 when it is no positive integer, 404 when no such record); fills
 * c->subject_code and c->record_id.  `what` says what the caller is doing
 * ("提出异议"), for the message. */
int case_record_target(struct store *s, const json_t *body, const char *what,
		       struct store_case *c, struct err *e);

/* What a case's status means is its rules', not the kind's code: a case is under way
 * while the platform or a department must act on it.  A walk over many cases keeps the
 * last rules it read here. */
struct case_rules_cache {
	struct store *s;
	struct case_rules *rules;
	char kind[32];
	char from[11];
};

/* The state of case c under the rules it was filed under; NULL (e set when the rules
 * could not be read, rc->rules then NULL) when unknown. */
const struct case_state *case_rules_cache_state(struct case_rules_cache *rc,
						const struct store_case *c, struct err *e);
int case_state_under_way(const struct case_state *st);

/* *found = the id of a case of `kind` under way on record `record_id` of subject
 * `subject` other than case `except` (0: none), or 0.  Locks the subject's cases until
 * the transaction ends, so that two filings at once do not both find none. */
int case_open_on_record(struct store *s, const char *subject, const char *kind,
			int64_t record_id, int64_t except, int64_t *found, struct err *e);

#endif
