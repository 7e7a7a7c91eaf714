/*
 * archive_view.h - what one principal sees of one subject's archive, as a C structure:
 * the subject, and the records shown to it grouped by category in the order of the
 * credit report, each with its state (in publicity or ended), its fields with masking
 * applied, and room for what an objection adds (a dispute mark, its case, the
 * subject's statement).
 *
 * Building the view is the look: which records it holds is decided here, from the
 * disclosure rules (access_view.h), and a look at non-public data is recorded in the
 * audit trail before the view is handed out; if it cannot be recorded, there is no view.
 * Renderers (the JSON of subjects.c; later the HTML and PDF credit report) only format
 * what the view holds, and need no rule of their own.
 */
#ifndef XY_SERVICE_ARCHIVE_VIEW_H
#define XY_SERVICE_ARCHIVE_VIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "access_view.h"
#include "core/publicity.h"
#include "record_publicity.h"
#include "store/store.h"

struct category;
struct err;
struct principal;

struct archive_record {
	int64_t id;
	int64_t batch_id;
	char *dept_code;      /* the holder */
	char *decision_date;  /* "YYYY-MM-DD" or "" */
	char *publicity_end;  /* "YYYY-MM-DD", "" when open-ended */
	char *updated_at;
	enum publicity_status publicity; /* PUBLISHED; ENDED or NOT_PUBLISHED only when
					  * view.ended; REPAIRED only when view.repaired or
					  * the viewer's department decided it */
	/* By the regime in force on the decision date (record_publicity.h); zero values for
	 * a category whose publicity does not go by rules.  Strings borrowed from the view. */
	struct record_publicity facts;
	int name_conflict;    /* the record names the subject otherwise than its register */
	json_t *fields;       /* object: field id -> value; `personal` fields masked unless
				 view.full_ids */
	/* What objections add (service/objection.h). */
	int disputed;         /* an objection against the record is open */
	int64_t case_id;      /* the objection's case, 0 when none */
	char *statement;      /* the subject's statement shown with the record, or NULL */
	/* What a repair adds (service/repair.h), on a record shown as repaired. */
	char repaired_on[11]; /* the day the repair was approved, "" */
	int64_t repair_case;  /* its case, 0 when none */
};

/* One category with at least one record shown: a category with none is left out, since
 * an empty group would tell a viewer that a record of that kind was there. */
struct archive_category {
	struct category *cat; /* id, name, group, nature, disclosure, field names */
	size_t nrecords;
	struct archive_record *records; /* in the store's order */
};

struct archive_view {
	struct store_subject subject; /* a person's code and name masked unless
					 view.full_ids */
	int person;                   /* a natural person */
	struct access_view view;      /* what was decided: levels, ended, full ids, purpose */
	size_t ncategories;
	struct archive_category *categories; /* in the credit report's order of groups */
	size_t nrecords;                     /* over all categories */
	struct publicity_regimes regimes;    /* what the records' facts borrow from */
};

/* Builds the view of `who` on the subject of `code` (checked and normalized here).
 * Fails with the code's reason (`code.*`) when invalid, `subject.not_found` when nobody
 * holds it or it is a person hidden from `who`, `access.purpose_required` (access_view.h),
 * or the store's or the audit trail's error.  On success the caller frees *out with
 * archive_view_free; on failure *out is left empty (freeing it is harmless). */
int archive_view_build(struct store *s, const struct principal *who, const char *code,
		       struct archive_view *out, struct err *e);

/* The same, recording the look as `action` (e.g. "report.issue") with the members of
 * `extra` (borrowed, may be NULL) added to the entry's detail. */
int archive_view_build_for(struct store *s, const struct principal *who, const char *code,
			   const char *action, const json_t *extra, struct archive_view *out,
			   struct err *e);

/* Frees what the view holds and empties it. */
void archive_view_free(struct archive_view *v);

/* Whether a subject of this kind and type is a natural person (whose information is
 * never published: domain.md §3). */
int archive_subject_is_person(const char *kind, const char *subject_type);

#endif
