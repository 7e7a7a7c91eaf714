/*
 * objection.h - objections (异议): a subject's claim that one of its records is wrong,
 * the first kind of case (service/cases.h; its rules are data/rules/objection.json).
 *
 * What is an objection's own, beyond the engine: filing checks the record and the
 * grounds; an accepted objection marks its record disputed until it is decided or
 * withdrawn; `forward` (and a review) hands the case to the department that provided
 * the record; `decide` carries an outcome, and each outcome is one function that rewrites
 * the record (its earlier content stays in the record's versions):
 *   correct        fields changed, the record judged again like a new submission
 *   supplement     fields that were empty filled in, judged again the same way
 *   delete         hidden from every view (the audit trail and the versions keep it)
 *   stop_publicity its publicity ends yesterday
 *   remove_from_list  a list entry's removal date set to today
 *   reject         nothing changes; a reason is required
 */
#ifndef XY_SERVICE_OBJECTION_H
#define XY_SERVICE_OBJECTION_H

#include <stdint.h>

#include "cases.h"

struct err;
struct store;

extern const struct case_kind objection_kind;

/* Calls cb with each record of subject `subject_code` that an open objection disputes,
 * and the objection's case. */
int objection_disputes_of_subject(struct store *s, const char *subject_code,
				  int (*cb)(void *ctx, int64_t record_id, int64_t case_id),
				  void *ctx, struct err *e);

#endif
