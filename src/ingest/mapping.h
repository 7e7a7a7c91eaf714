/*
 * mapping.h - which file column feeds which catalog field.
 *
 * Columns are matched by their Chinese names and aliases through text_header_key, so
 * full- and half-width brackets, spaces and letter case do not matter.  The mapping
 * grows with the reader's column list (JSON files reveal keys as they go).
 */
#ifndef XY_MAPPING_H
#define XY_MAPPING_H

#include <stddef.h>

struct buf;
struct category;
struct err;
struct reader;

struct mapping {
	const struct category *cat;
	char **field_keys; /* per field: NUL-separated keys of its name and aliases */
	size_t ncols;      /* reader columns examined so far */
	size_t capcols;
	int *col_field; /* column -> field index, -1 when the column is not in the catalog */
	int *field_col; /* field -> first column holding it, -1 when the file lacks it */
};

/* The category is borrowed and must outlive the mapping. */
int mapping_init(struct mapping *m, const struct category *cat, struct err *e);
/* Maps the reader's columns that appeared since the last call. */
int mapping_update(struct mapping *m, const struct reader *r, struct err *e);
/* Number of required fields (unconditionally required or required_if) the file has. */
int mapping_count_required(const struct mapping *m);
/* Number of the file's columns (of those examined so far) that name a field. */
int mapping_count_columns(const struct mapping *m);
/* Appends the expected column names, separated by "、", to b. */
void mapping_describe_expected(const struct category *cat, struct buf *b);
void mapping_free(struct mapping *m);

#endif
