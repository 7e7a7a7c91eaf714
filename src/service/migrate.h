/*
 * migrate.h - copying a whole platform from one store to another (`xinyong migrate`),
 * typically from an SQLite file to PostgreSQL or back, and proving the copy complete.
 *
 * Tables are copied in dependency order: the catalog, the code exceptions and the
 * holiday calendar, the department directory, users and API tokens, then subjects, batches, batch problems, records and authorizations, and
 * last the audit trail (its anchor, entries and checkpoints, hashes and all, so that
 * `xinyong audit verify` passes on the target and the chain goes on there)
 * (store_copy_table: keyset pages, one transaction each on the target).  Login sessions
 * are not copied: people log in again after the move.  Right after a table is copied its
 * sums are compared
 * (store_table_sum: row count and a digest of every row in key order, the same on both
 * backends for the same contents); a difference stops the run there, before the larger
 * tables are copied.  When every table matches, the target is made ready for new writes
 * (store_copy_finish).
 *
 * An interrupted run leaves whole pages behind; running it again continues after the
 * last key the target holds.  Rows that changed in the source after they were copied
 * are not copied again: the source must not take writes during the move (verification
 * then reports the table).
 *
 * Report (migrate_report_json):
 *   {"from": "...", "to": "...", "mode": "copy"|"verify", "verified": true|false,
 *    "tables": {"catalog_categories": {"rows": 9, "digest": "<64 hex>", "copied": 9,
 *                                      "match": true}, ...}}
 * rows/digest are the source's; a table that differs also has "target_rows" and
 * "target_digest".  Tables not reached (after an error) are left out.
 */
#ifndef XY_SERVICE_MIGRATE_H
#define XY_SERVICE_MIGRATE_H

#include <jansson.h>

#include "store/store.h"

struct err;

enum migrate_phase {
	MIGRATE_COPYING,  /* a page of `table` was copied: rows = copied so far in this run */
	MIGRATE_VERIFIED, /* `table` was compared: rows = the source's row count */
};

struct migrate_options {
	long page;       /* rows per page (one target transaction); <= 0: 1000 */
	int verify_only; /* compare only, copy nothing */
	/* Called after each page and after each table's comparison (may be NULL). */
	void (*progress)(void *ctx, enum migrate_phase phase, const char *table,
			 long long rows, int match);
	void *ctx;
};

struct migrate_table_report {
	int done;            /* compared (the fields below are set) */
	long long copied;    /* rows copied by this run */
	struct store_table_sum from, to;
	int match;
};

struct migrate_report {
	struct migrate_table_report tables[STORE_TABLE_COUNT]; /* by enum store_table */
	int verify_only;
	int verified; /* every table compared and equal */
};

/* 1 when both stores are the same database (the same file, or the same PostgreSQL
 * location), 0 otherwise. */
int migrate_same_location(const struct store *a, const struct store *b);

/* Copies `from` into `to` (or only compares them with opt->verify_only) and fills *out,
 * also on failure, with what was done.  Returns 0 when every table matches.  Errors:
 * `migrate.same_location` (nothing done), `migrate.mismatch` (a table differs: the
 * message names it with both counts and digests), `store.error` (the copy stopped;
 * running again resumes it). */
int migrate_run(struct store *from, struct store *to, const struct migrate_options *opt,
		struct migrate_report *out, struct err *e);

/* The report above (new reference). */
json_t *migrate_report_json(const struct store *from, const struct store *to,
			    const struct migrate_report *r);

#endif
