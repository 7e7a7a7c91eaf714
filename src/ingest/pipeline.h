/*
 * pipeline.h - one department file in, one atomic batch out.
 *
 *   read (reader.h) -> map columns (mapping.h) -> clean and validate (clean.h)
 *   -> link to subject -> deduplicate -> write, all inside one transaction
 *
 * A crash or kill mid-batch leaves nothing of it: the batch row, its records, new
 * subjects and its problems are committed together at the end.
 */
#ifndef XY_PIPELINE_H
#define XY_PIPELINE_H

#include <stdio.h>

#include "reader.h"
#include "store/store.h"

struct category;
struct err;

struct publicity_regimes;

struct pipeline_request {
	const struct category *cat;
	const char *dept_code;   /* normalized, already validated */
	const char *path;
	const char *source_name; /* recorded with the batch */
	const char *shown_name;  /* how messages name the file (NULL: path) */
	enum reader_format format;
	/* Optional, borrowed: the publicity regimes (service/rules.h) for a category whose
	 * publicity goes by rules, and the providing department's 行业领域 (its special
	 * sectors lengthen the minimum period). */
	const struct publicity_regimes *regimes;
	const char *dept_sector;
	FILE *rejects_csv; /* optional: rejected rows' problems appended as CSV lines
			      (row,field,reason,message; the caller writes the header) */
	/* Optional: called inside the batch's transaction, after its counters are written
	 * and before the commit, so that what the caller adds (the batch's audit entry)
	 * commits or rolls back with the batch.  Returning -1 rolls the batch back. */
	int (*before_commit)(struct store *s, const struct store_batch *batch, void *ctx,
			     struct err *e);
	void *before_commit_ctx;
};

/* Problems are bounded, so that a file of garbage cannot fill the database: at most
 * PIPELINE_ROW_PROBLEMS per row are listed, and at most PIPELINE_BATCH_PROBLEMS per batch
 * ($XINYONG_BATCH_PROBLEMS lowers it, for tests); past that, each reason gets one summary
 * line at the end with its count (row 0).  A file whose first PIPELINE_SAMPLE_ROWS rows
 * are nearly all rejected for one reason (over PIPELINE_SAMPLE_PERCENT percent) is
 * refused whole with `file.mostly_rejected`: it is almost always the wrong category or
 * the wrong file, and listing its every row helps nobody. */
#define PIPELINE_ROW_PROBLEMS 20
#define PIPELINE_BATCH_PROBLEMS 100000
#define PIPELINE_SAMPLE_ROWS 10000
#define PIPELINE_SAMPLE_PERCENT 90

/* What a batch's problem list holds: the problems listed one by one, and those left
 * out past the batch's cap (counted in the summary lines). */
struct pipeline_stats {
	long problems_listed;
	long problems_omitted;
	long problems_cap; /* the batch's cap on listed problems */
};

/* Runs the pipeline; on success *batch holds the new batch and its counters, and
 * *stats (may be NULL) what its problem list holds.  Fails (writing nothing) when the
 * file cannot be used at all: `file.unreadable`, `file.format`, `file.no_columns`,
 * `file.mostly_rejected`, or `store.error`. */
int pipeline_run(struct store *s, const struct pipeline_request *req, struct store_batch *batch,
		 struct pipeline_stats *stats, struct err *e);

#endif
