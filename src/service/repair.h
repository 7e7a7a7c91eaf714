/*
 * repair.h - credit repair (信用修复), a kind of case (service/cases.h; its rules are
 * data/rules/repair.json): a subject that corrected its behaviour asks for one of its
 * negative records to stop being published, through one window (一口受理, 谁认定谁修复).
 *
 * What is repair's own, beyond the engine:
 *   - eligibility (repair_check), run when a subject asks, when it files and when the
 *     department decides: not before the record's minimum period ends
 *     (repair.too_early), never for the penalty types the regime excludes
 *     (repair.not_allowed), not while another repair of the record is under way
 *     (repair.pending), not within the rules' repeat_months of an approved repair of
 *     the subject or a revoked repair of the record (repair.too_frequent);
 *   - filing carries the applicant's signed credit commitment (`commitment`: true),
 *     whose text is stored with the case;
 *   - `accept` dates the applicant's result (`result_due`, the rules' result_days
 *     working days on); `forward` hands the case to the department that decided the
 *     record: its 处罚机关 when that department is on the platform, else the provider;
 *   - `decide` with outcome `approve` marks the record repaired (STORE_RECORD_REPAIRED:
 *     out of every view but the subject's own and the deciding department's), `reject`
 *     needs a reason; `revoke` (an operator, the materials were false) returns the
 *     record to its earlier state.
 */
#ifndef XY_SERVICE_REPAIR_H
#define XY_SERVICE_REPAIR_H

#include <jansson.h>
#include <stdint.h>

#include "cases.h"

struct err;
struct principal;
struct store;

extern const struct case_kind repair_kind;

/* The commitment an applicant signs; stored with each case. */
extern const char REPAIR_COMMITMENT_TEXT[];

/* `GET /api/v1/records/{id}/repair`: whether `who` (who may file a case about the
 * record's subject) could have record `id` repaired today.  *out: {"eligible",
 * "eligible_from" (null when no date will make it eligible), "reasons": [codes],
 * "messages": [Chinese, one per reason], "commitment_text"}. */
int repair_eligibility(struct store *s, const struct principal *who, int64_t id, json_t **out,
		       struct err *e);

/* Calls cb with each record of subject `subject_code` that an approved repair (not
 * revoked) took off, the case and the day it was approved. */
int repair_approvals_of_subject(struct store *s, const char *subject_code,
				int (*cb)(void *ctx, int64_t record_id, int64_t case_id,
					  const char *day),
				void *ctx, struct err *e);

#endif
