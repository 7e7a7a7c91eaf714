/*
 * clean.h - cleaning and validating one row against its category.
 *
 * Cleaning trims every value, NFKC-normalises names, parses dates to YYYY-MM-DD and
 * amounts to 万元 without trailing zeros, maps code-table aliases to their values and
 * normalises codes.  Validation then checks required fields (some depend on the subject
 * type or on another field), code tables, codes, dates (unparseable, in the future,
 * before 1949, out of order) and lengths.  Every problem is collected, so a department
 * learns about all of a row's mistakes at once.  Finally the row's subject is resolved:
 * an organisation by its unified social credit code, a person by its document number.
 */
#ifndef XY_CLEAN_H
#define XY_CLEAN_H

/* The longest value a field may hold: a reader's row limit. */
#define CLEAN_VALUE_MAX ((size_t)16 << 20)

#include <stddef.h>

#include "core/buf.h"
#include "core/code.h"

struct category;
struct err;

struct row_problem {
	int field;          /* catalog field index, -1 for the row as a whole */
	const char *reason; /* reason code (static) */
	char message[1024]; /* Simplified Chinese, always valid UTF-8 */
	int warning;
};

struct row_clean {
	const struct category *cat;
	struct code_options code_opts;
	char today[11];
	struct buf *values; /* per field: the cleaned value ("" when absent) */
	struct row_problem *problems;
	size_t nproblems;
	size_t nerrors;
	size_t capproblems;
	/* The checks of the subject's code field and document number field this row. */
	struct code_result checked[2];
	/* The row's subject, valid when nerrors == 0. */
	const char *subject_type; /* 法人及非法人组织 | 自然人 | 个体工商户 */
	struct code_result subject;
};

/* code_opts may be NULL.  "today" is read from the clock once, here. */
int row_clean_init(struct row_clean *rc, const struct category *cat,
		   const struct code_options *code_opts, struct err *e);
void row_clean_free(struct row_clean *rc);

/* Cleans and validates one row.  raw[i] is field i's value as the file gave it, or NULL
 * when the file has no such column or the cell is missing.  Returns the number of
 * errors (problems that reject the row); warnings are collected too. */
size_t row_clean_run(struct row_clean *rc, const char *const *raw);

/* The cleaned value of field i, or NULL when absent. */
const char *row_clean_value(const struct row_clean *rc, int field);

#endif
