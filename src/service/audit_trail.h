/*
 * audit_trail.h - recording who did and saw what, and proving the record intact
 * (docs/security.md, "The audit trail").
 *
 * Every write (a batch, an account or token change, an authorization) and every read of
 * non-public data is one entry of a hash chain (core/audit.h).  A signed checkpoint
 * (core/audit_checkpoint.h) fixes the head of the chain at a moment, so that what the
 * chain alone cannot show (entries cut from its end, or a rewritten tail) is caught too.
 *
 * Output documents:
 *   audit_trail_verify: {"intact": true|false, "entries": N, "anchor": {"seq","hash"},
 *     "head": {"seq","hash"}, "checkpoints": N,
 *     "problem": {"kind": "altered"|"removed"|"inserted"|"anchor"|"checkpoint", "seq": N,
 *                 "message": "..."}  (only when broken)}
 *   audit_trail_list: {"entries": [{"seq","at","actor","role","dept","action","subject",
 *     "purpose","client","detail","hash"}], "next": SEQ|null}
 *   audit_trail_access_log: {"subject": CODE, "count": N, "entries": [{"at", "by":
 *     {"kind": "department"|"agency"|"platform"|"console", "code": CODE|null,
 *      "role": "..."}, "purpose", "action"}]}
 */
#ifndef XY_SERVICE_AUDIT_TRAIL_H
#define XY_SERVICE_AUDIT_TRAIL_H

#include <jansson.h>

#include "core/audit_checkpoint.h"

struct err;
struct store;
struct principal;

/* Entries are kept at least this long; pruning never goes below it. */
#define AUDIT_RETENTION_MIN_YEARS 3
/* domain.md §13: retention differs by province (3, 5, 10 years); 5 unless configured. */
#define AUDIT_RETENTION_DEFAULT_YEARS 5
#define AUDIT_LIST_MAX 1000

/* Appends an entry: `who` did `action` ("batch.create", "subject.read"...) about
 * `subject` (may be NULL), with `detail` (a JSON object, borrowed, may be NULL).  Inside
 * an open transaction of `s` the entry commits or rolls back with it. */
int audit_trail_record(struct store *s, const struct principal *who, const char *action,
		       const char *subject, const json_t *detail, struct err *e);

/* Recomputes the chain from the anchor and checks every stored checkpoint (and
 * `external`, a checkpoint kept elsewhere, when not NULL) against it and against
 * `trusted_key` (hex public key; NULL: each checkpoint's own key, all of which must be
 * the same).  A pruned trail's anchor must be signed with that key, agree with a
 * checkpoint of the same entry, and not have removed entries younger than
 * AUDIT_RETENTION_MIN_YEARS.  Returns 0 with the report, whether intact or not (see "intact"); -1 only
 * when the trail could not be read. */
int audit_trail_verify(struct store *s, const char *trusted_key,
		       const struct audit_checkpoint *external, json_t **report, struct err *e);

/* Signs the current head with the key in `key_path` (created, mode 0600, when missing)
 * and stores the checkpoint; *out gets it.  A trail with no entry cannot be signed
 * (`request.invalid`). */
int audit_trail_checkpoint(struct store *s, const char *key_path, struct audit_checkpoint *out,
			   struct err *e);

/* Removes the entries older than `years` (>= AUDIT_RETENTION_MIN_YEARS, else
 * `request.invalid`), keeping the chain verifiable from the last removed one: the anchor,
 * signed with the key in `key_path` (created, mode 0600, when missing). */
int audit_trail_prune(struct store *s, int years, const char *key_path, long long *removed_to,
		      struct err *e);

/* Entries after `after`, at most `limit` (1..AUDIT_LIST_MAX).  The reading is recorded
 * as an entry of its own (action `audit.read`) before the entries are read. */
int audit_trail_list(struct store *s, const struct principal *who, long long after,
		     long long limit, json_t **out, struct err *e);

/* Who looked at `subject`'s non-public data, newest first, leaving out the subject's own
 * account `self_actor` (principal_actor form, may be NULL).  Names no staff member: the
 * department or agency, its role and purpose, as credit bureaus show. */
int audit_trail_access_log(struct store *s, const char *subject, const char *self_actor,
			   json_t **out, struct err *e);

#endif
