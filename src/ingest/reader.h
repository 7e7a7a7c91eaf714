/*
 * reader.h - streaming readers for department files: CSV (UTF-8 with or without BOM, or
 * GB18030/GBK, detected), JSON arrays of objects, and NDJSON (one object per line).
 *
 * Memory stays bounded whatever the file size: only the current row is held.  Values
 * are handed out as UTF-8 whatever the file's encoding.
 *
 * Columns: a CSV file's columns are its header line.  For JSON and NDJSON, every object
 * key seen so far is a column, in order of first appearance; the column list can grow
 * as rows are read, so callers re-check reader_column_count() after each row.
 */
#ifndef XY_READER_H
#define XY_READER_H

#include <stddef.h>

struct err;
struct reader;

enum reader_format {
	READER_AUTO = 0, /* by extension (.csv .json .ndjson .jsonl), else by content */
	READER_CSV,
	READER_JSON,
	READER_NDJSON,
};

enum reader_encoding { READER_UTF8, READER_GB18030 };

struct reader_row {
	/* Spreadsheet-style position: for CSV the header line is row 1 and the first data
	 * record row 2 (a record with quoted line breaks counts as one row); for JSON and
	 * NDJSON the first object is row 2 too, so the numbers mean the same in every
	 * format. */
	long row;
	size_t ncols;
	/* values[i] is column i's value, NUL-terminated UTF-8, or NULL when the row has no
	 * such column (a short CSV line, a missing JSON key, JSON null).  JSON numbers and
	 * booleans come as their text; nested arrays and objects as compact JSON.  Owned by
	 * the reader, valid until the next reader_next or reader_close. */
	const char *const *values;
	/* Non-NULL when this row could not be read as a whole: `encoding.invalid` (bytes
	 * that are not valid in the file's encoding), `row.malformed` (e.g. a JSON element
	 * that is not an object).  values are then not usable.  Static strings. */
	const char *error_reason;
	const char *error_message; /* Simplified Chinese, owned by the reader */
};

/* Opens a file.  Returns 0, or -1 with reason `file.unreadable` (cannot open or read),
 * `file.format` (not CSV/JSON/NDJSON, empty file, no header).  For CSV the header is read
 * by open, so the columns are known at once. */
int reader_open(const char *path, enum reader_format format, struct reader **out,
		struct err *e);
/* The same, with messages naming the file `shown` (an upload's own name rather than the
 * server's spool path, which is no business of the client's); the format is still
 * judged by `path`. */
int reader_open_named(const char *path, const char *shown, enum reader_format format,
		      struct reader **out, struct err *e);

/* Reads the next row.  Returns 1 with *row filled, 0 at the end of the file, or -1 with
 * reason `file.unreadable` / `file.format` when the rest of the file cannot be read (an
 * I/O error, a JSON array that breaks off): the rows already returned stay good. */
int reader_next(struct reader *r, struct reader_row *row, struct err *e);

size_t reader_column_count(const struct reader *r);
/* Column name as the file wrote it (UTF-8, trimmed, BOM removed). */
const char *reader_column_name(const struct reader *r, size_t i);
enum reader_format reader_format_of(const struct reader *r);
enum reader_encoding reader_encoding_of(const struct reader *r);
/* Bytes consumed so far, for progress. */
unsigned long long reader_bytes_read(const struct reader *r);

void reader_close(struct reader *r);

#endif
