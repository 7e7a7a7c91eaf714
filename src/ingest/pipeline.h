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

struct pipeline_request {
	const struct category *cat;
	const char *dept_code;   /* normalized, already validated */
	const char *path;
	const char *source_name; /* recorded with the batch */
	const char *shown_name;  /* how messages name the file (NULL: path) */
	enum reader_format format;
	FILE *rejects_csv; /* optional: rejected rows' problems appended as CSV lines
			      (row,field,reason,message; the caller writes the header) */
	/* Optional: called inside the batch's transaction, after its counters are written
	 * and before the commit, so that what the caller adds (the batch's audit entry)
	 * commits or rolls back with the batch.  Returning -1 rolls the batch back. */
	int (*before_commit)(struct store *s, const struct store_batch *batch, void *ctx,
			     struct err *e);
	void *before_commit_ctx;
};

/* Runs the pipeline; on success *batch holds the new batch and its counters.  Fails
 * (writing nothing) when the file cannot be used at all: `file.unreadable`,
 * `file.format`, `file.no_columns`, or `store.error`. */
int pipeline_run(struct store *s, const struct pipeline_request *req, struct store_batch *batch,
		 struct err *e);

#endif
