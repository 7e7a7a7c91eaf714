/*
 * prepare.h - the first half of the pipeline: everything that needs no database.
 *
 * A preparer reads the next row, maps it, cleans and validates it, and turns it into a
 * `struct prepared_row`: the record as it will be stored (JSON content, business key,
 * content hash, publicity end, subject) or the problems that reject it.  The pipeline
 * runs the preparer in its own thread, so that cleaning one row overlaps with writing
 * the previous ones; a prepared row therefore owns copies of all its strings.
 *
 * A preparer of values (preparer_init_values, preparer_values) does the same to one row
 * given as values rather than read from a file, through the same code after reading, so
 * a corrected record gets the key, hash and publicity end a file row would.
 */
#ifndef XY_PREPARE_H
#define XY_PREPARE_H

#include <stddef.h>

#include "clean.h"
#include "core/buf.h"
#include "core/err.h"
#include "mapping.h"
#include "reader.h"

struct category;
struct publicity_regimes;

enum prepared_kind {
	PREPARED_RECORD,   /* valid: to be stored (it may carry warnings) */
	PREPARED_REJECTED, /* refused: its problems are to be recorded */
	PREPARED_BREAK,    /* the file breaks off here: a rejected row whose problem says so */
};

struct prepared_problem {
	size_t field;   /* offset in text: the column as the file named it, or "" */
	size_t message; /* offset in text */
	const char *reason; /* static: from reasons.def or the reader */
	int warning;
};

struct prepared_row {
	enum prepared_kind kind;
	long row;
	/* Every string of the row, NUL-terminated one after the other; the size_t members
	 * are offsets into it (prepared_str), so the buffer may grow. */
	struct buf text;
	size_t code, kind_name, subject_type, region, name;
	size_t data, key, hash, decision_date, publicity_end;
	int flags; /* STORE_RECORD_PUBLICITY_BITS of the record (store.h) */
	/* The subject name's column as the file named it: the writer reports a name
	 * conflict under it, since only the store knows the name on record. */
	size_t name_label;
	size_t code_label; /* the subject code's column, for problems about the subject */
	struct prepared_problem *problems;
	size_t nproblems, capproblems;
};

void prepared_row_init(struct prepared_row *r);
void prepared_row_free(struct prepared_row *r);
/* The string at offset off. */
const char *prepared_str(const struct prepared_row *r, size_t off);
/* Appends a problem (strings are copied).  Returns 0 or -1 when out of memory. */
int prepared_add_problem(struct prepared_row *r, const char *field, const char *reason,
			 const char *message, int warning);

struct preparer {
	const struct category *cat;
	struct reader *reader; /* NULL for a preparer of values (preparer_init_values) */
	struct mapping map;
	struct row_clean clean;
	const char **raw; /* per field: the raw value of the current row */
	struct buf data;
	struct buf key;
	long last_row;
	int done;
	/* Publicity by regime (a category whose publicity names "rules"): both borrowed,
	 * set by the caller after init; without regimes the category's max_months rules. */
	const struct publicity_regimes *regimes;
	const char *dept_sector; /* the providing department's 行业领域, or NULL */
};

/* The reader and category are borrowed.  code_opts->is_exception must be safe to call
 * from the preparer's thread. */
int preparer_init(struct preparer *p, const struct category *cat, struct reader *reader,
		  const struct code_options *code_opts, struct err *e);
/* A preparer of single rows given as values, without a file: for a correction that must
 * be judged like a new submission (an objection's outcome).  The category is borrowed;
 * "today" is read from the clock here, as for a file.  Use preparer_values, not
 * preparer_next or preparer_check_columns. */
int preparer_init_values(struct preparer *p, const struct category *cat,
			 const struct code_options *code_opts, struct err *e);
/* Frees what either init took; safe after a failed init. */
void preparer_free(struct preparer *p);

/* Checks that the columns seen so far name at least one required field (at open for
 * CSV, at the end for JSON, whose keys appear as rows are read).  Fails with
 * `file.no_columns`, naming the expected columns. */
int preparer_check_columns(struct preparer *p, struct err *e);

/* Prepares the next row into *out (which is reset first).  Returns 1, 0 at the end of
 * the file, or -1 with e filled when the file cannot be used (`file.no_columns`, out of
 * memory).  A read error in the middle of the file becomes a rejected row at the place
 * where reading stopped, followed by the end of the file: the rows before it stay good. */
int preparer_next(struct preparer *p, struct prepared_row *out, struct err *e);

/* Prepares one row from raw values into *out (which is reset first), exactly as
 * preparer_next would prepare a file row holding them.  raw has one entry per field of
 * the category, in catalog order: raw[i] is field i's value as submitted, NULL when
 * absent; the strings are only read during the call.  `row` is the number reported in
 * out->row.  Problems name fields by their catalog names (处罚决定书文号), since there is
 * no file header.  Returns 0 with out->kind PREPARED_RECORD (warnings in its problems)
 * or PREPARED_REJECTED (its errors), or -1 with e filled when out of memory. */
int preparer_values(struct preparer *p, const char *const *raw, long row,
		    struct prepared_row *out, struct err *e);

#endif
