/*
 * batches.h - ingesting a department file as one atomic batch, and reading batches back.
 *
 * Summary (returned by batches_ingest and batches_show):
 *   {"batch": 12, "rows": 100, "accepted": 95, "duplicates": 2, "rejected": 3,
 *    "warnings": 1}
 * batches_show adds "category", "dept", "source", "format", "encoding", "created_at".
 *
 * batches_ingest adds "problems_omitted" (and "problems_cap") when the batch had more
 * problems than its list holds (ingest/pipeline.h: the caps).
 *
 * Problems (batches_problems_page): {"batch": 12, "rejects": [{"row": 3, "field":
 *   "处罚决定日期", "reason": "date.future", "message": "...", "warning": false}, ...],
 *   "next": "3.17" | null} in row order; summary lines of reasons left out past the cap
 *   come first, at row 0.
 */
#ifndef XY_SERVICE_BATCHES_H
#define XY_SERVICE_BATCHES_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "ingest/reader.h"

struct err;
struct store;
struct principal;

struct ingest_request {
	const char *category;    /* catalog category id, e.g. "penalty" */
	const char *dept_code;   /* the submitting department's unified social credit code */
	const char *path;        /* the file to read */
	const char *source_name; /* name recorded with the batch (NULL: path's base name) */
	enum reader_format format;
	FILE *rejects_csv; /* when non-NULL, rejects are also appended here as CSV lines
			      (the caller writes the header row,field,reason,message) */
	const struct principal *who; /* who submits, as access.h's batch.submit allows:
					recorded in the audit trail with the batch, in its
					transaction */
};

/* Reads, cleans, validates, links and writes the file as one batch.  Returns 0 with the
 * summary (new reference) even when rows were rejected; -1 when the file could not be
 * used at all (`auth.forbidden` when `who` may not submit as the department,
 * `catalog.unknown_category`, `dept.invalid`, `file.unreadable`,
 * `file.format`, `file.no_columns`, `file.mostly_rejected`), in which case nothing was
 * written. */
int batches_ingest(struct store *s, const struct ingest_request *req, json_t **summary,
		   struct err *e);

/* `batch.not_found` when there is no such batch, or when `who` is a department's user or
 * token and the batch is another department's (so that batch numbers cannot be probed). */
int batches_show(struct store *s, const struct principal *who, int64_t id, json_t **out,
		 struct err *e);
#define BATCHES_LIST_DEFAULT 50
#define BATCHES_LIST_MAX 1000

/* One page of batches, newest first: {"batches": [summary as batches_show, ...],
 * "next": "ID" | null}.  A department's user or token sees its own department's only;
 * operators, admins and the console every department's.  `after` is the previous page's
 * "next" (NULL or "": the newest); `limit` 0 is BATCHES_LIST_DEFAULT, at most
 * BATCHES_LIST_MAX.  A malformed cursor or limit is `request.invalid`; a caller who may
 * read no batch is `auth.forbidden`.  *out is new. */
int batches_list(struct store *s, const struct principal *who, const char *after, long limit,
		 json_t **out, struct err *e);

#define BATCHES_PAGE_DEFAULT 1000
#define BATCHES_PAGE_MAX 10000

/* One page of batch `id`'s problems (warnings: 0 rejections only, 1 warnings only, 2
 * both): after the cursor `after` (the previous page's "next"; NULL or "" for the first
 * page), at most `limit` (0: BATCHES_PAGE_DEFAULT; at most BATCHES_PAGE_MAX).  "next" is
 * null on the last page.  A malformed cursor or limit is `request.invalid`.  Same
 * visibility as batches_show.  *out is new. */
int batches_problems_page(struct store *s, const struct principal *who, int64_t id,
			  int warnings, const char *after, long limit, json_t **out,
			  struct err *e);

#endif
