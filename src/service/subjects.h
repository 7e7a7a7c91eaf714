/*
 * subjects.h - a subject's archive and subject search, as JSON documents shared by the
 * CLI and the HTTP API (so both print the same thing).
 *
 * subjects_show output:
 *   {"subject": {"code", "kind", "subject_type", "name", "region": {"code","name"}|null,
 *                "created_at", "updated_at"},
 *    "categories": [{"category": "penalty", "name": "行政处罚", "group": "行政管理信息",
 *                    "nature": "negative",
 *                    "disclosure": "public", "count": 2,
 *                    "labels": {field id: 中文名, ...} for the fields the records hold,
 *                    "records": [{"id", "batch", "dept_code",
 *                                 "dept_name": the directory's name of dept_code, or
 *                                 null when the directory does not list it (depts.h),
 *                                 "decision_date",
 *                                 "publicity": {"status": "published"|"ended"|"not_public",
 *                                               "until": "YYYY-MM-DD"|null},
 *                                 "name_conflict": false,
 *                                 "fields": {field id: value, ...},
 *                                 "updated_at"}]}]}
 *   Categories come in the order of the standard credit report's chapters (registration
 *   first, then administrative decisions, honours, lists...).
 *
 * subjects_search output:
 *   {"query": "...", "count": N (this page), "total": matches on all pages up to
 *    SUBJECTS_SEARCH_TOTAL_CAP, "total_capped": true when there are more,
 *    "results": [{"code", "name", "kind", "subject_type", "region": {...}|null,
 *                 "match": "code"|"name"|"prefix"|"partial",
 *                 "legal_rep", "established", "status" (from the registration record,
 *                 null when none or for a person), "tags": ["严重失信", "经营异常"]}],
 *    "next": the cursor of the next page, or null}
 */
#ifndef XY_SERVICE_SUBJECTS_H
#define XY_SERVICE_SUBJECTS_H

#include <jansson.h>

struct err;
struct store;
struct principal;

#define SUBJECTS_SEARCH_DEFAULT_LIMIT 20
#define SUBJECTS_SEARCH_MAX_LIMIT 100
#define SUBJECTS_SEARCH_TOTAL_CAP 1000

/* A search request; NULL members are not given. */
struct subjects_query {
	const char *text;
	int limit;		  /* <= 0: the default */
	const char *region;	  /* a division code or its prefix: 2, 4 or 6 digits */
	const char *subject_type; /* 法人及非法人组织, 个体工商户, 自然人 */
	const char *cursor;	  /* a page's "next" */
};

/* The archive view of `who` on the subject (archive_view.h, which decides what is shown
 * and records the look) rendered as the document above: categories of the disclosure
 * levels it may see, records whose publicity ended only for those who may, personal
 * identifiers masked unless it needs them; a natural person hidden from the public
 * answers `subject.not_found` like a code nobody holds.  *out is a new reference.  Fails
 * with `subject.not_found`, `access.purpose_required`, or the code's reason. */
int subjects_show(struct store *s, const char *code, const struct principal *who, json_t **out,
		  struct err *e);

/* q->text: a code, or any part (two characters or more) of a name, with full- or
 * half-width punctuation.  Persons are listed only for the console and government users
 * who state a purpose (audited), masked unless `who` needs their identifiers.  Fails
 * with `request.invalid` naming the member: text shorter than two characters, a region
 * that is not 2, 4 or 6 digits, an unknown subject type, a cursor this search did not
 * give. */
int subjects_search(struct store *s, const struct subjects_query *q,
		    const struct principal *who, json_t **out, struct err *e);

#endif
