/*
 * reader_int.h - internals shared by reader.c (input, encoding, columns, rows) and the
 * format parsers reader_csv.c and reader_json.c.  Not for use outside src/ingest/reader*.c.
 *
 * Data flow: reader.c reads the file in READER_CHUNK pieces, decides the encoding,
 * converts GB18030 to UTF-8 and hands the parser one chunk of UTF-8 text at a time
 * (r->text[r->text_pos .. r->text_len)).  The parser consumes it, asks for the next
 * chunk with reader_input_next() and assembles one row at a time with the reader_row_*
 * helpers.  Nothing but the current chunk and the current row is held.
 *
 * Bytes that are not valid GB18030 are replaced by the single byte 0xFF in the UTF-8
 * stream.  0xFF never occurs in UTF-8 and is no CSV or JSON delimiter, so parsers need
 * not care, and the row-level UTF-8 check (reader_utf8_check) then reports the row as
 * `encoding.invalid` exactly as it does for bad bytes in a UTF-8 file.
 */
#ifndef XY_READER_INT_H
#define XY_READER_INT_H

#include "ingest/reader.h"

#include "core/buf.h"
#include "core/err.h"

#include <iconv.h>
#include <stddef.h>

#define READER_CHUNK ((size_t)64 << 10)    /* bytes read from the file at a time */
#define READER_ROW_MAX ((size_t)16 << 20)  /* largest row or JSON element accepted */
#define READER_COLUMNS_MAX 4096            /* widest header / most JSON keys */
#define READER_NONE ((size_t)-1)           /* offs[] entry of a column with no value */

struct reader_csv;
struct reader_json;

struct reader {
	int fd;
	enum reader_format format;
	enum reader_encoding encoding;
	int enc_decided;        /* 0 while every byte seen so far was ASCII */
	iconv_t cd;             /* GB18030 -> UTF-8, (iconv_t)-1 when unused */

	/* Raw bytes from the file: raw[raw_pos .. raw_len) are not yet handed out. */
	char *raw;
	size_t raw_pos, raw_len;
	int raw_eof;
	unsigned long long bytes_read;

	/* GB18030 files: converted text lives here. */
	char *conv;
	size_t conv_cap;

	/* The chunk of UTF-8 text the parser is working on. */
	const char *text;
	size_t text_len, text_pos;

	/* Sticky end state of reader_next: 0 reading, 1 at the end, -1 failed (fail). */
	int state;
	struct err fail;

	/* Columns: malloc'd, trimmed names in an array of READER_COLUMNS_MAX entries, and
	 * an open-addressing hash of them (slot holds index + 1, 0 is empty) so that JSON
	 * keys are found in O(1). */
	char **cols;
	size_t ncols;
	size_t *hash;
	size_t hash_cap;

	/* Current row: values NUL-separated in rowbuf, offs[i] the offset of column i's
	 * value or READER_NONE.  offs has room for offs_cap entries. */
	long row_no;            /* spreadsheet row number of the last record counted */
	struct buf rowbuf;
	size_t *offs;
	size_t offs_cap;
	int row_oversize;
	const char **values;
	size_t values_cap;
	const char *row_reason; /* NULL, or the reason of the first problem of the row */
	char row_msg[ERR_MESSAGE_MAX];

	struct reader_csv *csv;
	struct reader_json *json;
};

/* Makes the next chunk of UTF-8 text current.  Returns 1, 0 at the end of the file, or
 * -1 (file.unreadable, internal.error) with e filled. */
int reader_input_next(struct reader *r, struct err *e);

/* Length of the valid UTF-8 prefix of s[0..n): n when all of it is valid (an incomplete
 * sequence at the end counts as invalid).  Fast on ASCII. */
size_t reader_utf8_check(const char *s, size_t n);

/* Columns.  reader_column_find returns the index or -1; reader_column_add appends a
 * copy of name (already trimmed) and returns its index, or -1 on memory or when
 * READER_COLUMNS_MAX is reached. */
long reader_column_find(const struct reader *r, const char *name);
long reader_column_add(struct reader *r, const char *name);

/* Rows.  reader_row_begin empties the row; reader_row_reserve makes offs hold at least
 * n entries, the new ones READER_NONE; reader_row_put stores a value for column col
 * (< offs_cap); reader_row_fail records the first problem of the row (later calls are
 * ignored); reader_row_emit fills *row for columns 0..ncols-1. */
void reader_row_begin(struct reader *r);
int reader_row_reserve(struct reader *r, size_t n);
int reader_row_put(struct reader *r, size_t col, const char *p, size_t n);
void reader_row_fail(struct reader *r, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int reader_row_emit(struct reader *r, size_t ncols, struct reader_row *row, struct err *e);

/* Records a fatal error: reader_next returns -1 with it from now on. */
int reader_fail(struct reader *r, struct err *e, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Format parsers. */
int reader_csv_open(struct reader *r, struct err *e);
int reader_csv_next(struct reader *r, struct reader_row *row, struct err *e);
void reader_csv_close(struct reader *r);

int reader_json_open(struct reader *r, struct err *e);
int reader_json_next(struct reader *r, struct reader_row *row, struct err *e);
void reader_json_close(struct reader *r);

#endif
