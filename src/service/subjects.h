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
 *                    "records": [{"id", "batch", "dept_code", "decision_date",
 *                                 "publicity": {"status": "published"|"ended"|"not_public",
 *                                               "until": "YYYY-MM-DD"|null},
 *                                 "name_conflict": false,
 *                                 "fields": {field id: value, ...},
 *                                 "updated_at"}]}]}
 *   Categories come in the order of the standard credit report's chapters (registration
 *   first, then administrative decisions, honours, lists...).
 *
 * subjects_search output:
 *   {"query": "...", "count": N,
 *    "results": [{"code", "name", "kind", "subject_type", "region": {...}|null,
 *                 "match": "code"|"name"|"prefix"|"partial"}]}
 */
#ifndef XY_SERVICE_SUBJECTS_H
#define XY_SERVICE_SUBJECTS_H

#include <jansson.h>

struct err;
struct store;

#define SUBJECTS_SEARCH_DEFAULT_LIMIT 20
#define SUBJECTS_SEARCH_MAX_LIMIT 100

enum subjects_view {
	/* Everything the platform holds: operators at the command line. */
	SUBJECTS_VIEW_FULL,
	/* What the public may see: a natural person's archive does not exist for the public
	 * (domain.md §3: never published, not even confirmed), records whose publicity has
	 * ended are left out (and so are categories left empty), and fields the catalog
	 * marks `personal` (ID numbers of legal representatives, of sole traders) are
	 * removed. */
	SUBJECTS_VIEW_PUBLIC,
};

/* *out is a new reference (caller json_decref's).  Fails with `subject.not_found`, or
 * with the code's reason (`code.check_char`...) when code is not a valid code. */
int subjects_show(struct store *s, const char *code, enum subjects_view view, json_t **out,
		  struct err *e);

/* text: a code, or any part (two characters or more) of a name, with full- or half-width
 * punctuation.  limit <= 0 selects the default.  Fails with `request.invalid` when text is
 * shorter than two characters. */
int subjects_search(struct store *s, const char *text, int limit, int include_persons,
		    json_t **out, struct err *e);

#endif
