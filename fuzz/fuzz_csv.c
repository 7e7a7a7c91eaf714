/*
 * fuzz_csv.c - libFuzzer target for the department file readers (src/ingest/reader*.c):
 * CSV in UTF-8 or GB18030, JSON arrays and NDJSON.
 *
 * The input becomes a file (an anonymous memfd opened through /proc/self/fd, so nothing
 * touches the disk) read to the end with every format choice.  The readers work in
 * 64 KiB chunks (READER_CHUNK), far more than a fuzzer's inputs, so each input is read a
 * second time with a line of spaces inserted after its first line, which moves the rest
 * across a chunk boundary: quoted fields, multi-byte characters and JSON elements cut by a
 * chunk end are where streaming parsers go wrong.  One long line rather than many blank
 * ones keeps that second read cheap: the readers' cost is per row.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when the reader breaks
 * a promise of reader.h: values and column names that are not UTF-8, row numbers that do
 * not grow, a failure without a reason.
 */
#include "core/err.h"
#include "core/text.h"
#include "ingest/reader.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The chunk size of reader.c; a larger value would only make the padded run slower. */
#define FUZZ_CHUNK ((size_t)64 << 10)

static void fuzz_check_utf8(const char *s)
{
	FUZZ_ASSERT(!s || text_is_utf8(s, strlen(s)));
}

static void fuzz_check_err(int rc, const struct err *e)
{
	FUZZ_ASSERT(rc >= 0 || e->reason[0] != '\0');
	FUZZ_ASSERT(rc >= 0 || text_is_utf8(e->message, strlen(e->message)));
}

/* Reads the file at path to its end with the given format. */
static void fuzz_read(const char *path, enum reader_format format)
{
	struct reader *r = NULL;
	struct reader_row row;
	struct err e;
	long last = 1;
	size_t i;
	int rc;

	err_clear(&e);
	rc = reader_open(path, format, &r, &e);
	fuzz_check_err(rc, &e);
	if (rc < 0)
		return;
	(void)reader_format_of(r);
	(void)reader_encoding_of(r);
	while ((rc = reader_next(r, &row, &e)) == 1) {
		FUZZ_ASSERT(row.row > last);
		last = row.row;
		if (row.error_reason) {
			fuzz_check_utf8(row.error_message);
			continue;
		}
		FUZZ_ASSERT(row.ncols <= reader_column_count(r));
		for (i = 0; i < row.ncols; i++)
			fuzz_check_utf8(row.values[i]);
	}
	fuzz_check_err(rc, &e);
	for (i = 0; i < reader_column_count(r); i++)
		fuzz_check_utf8(reader_column_name(r, i));
	(void)reader_bytes_read(r);
	reader_close(r);
}

static const enum reader_format fuzz_formats[] = { READER_AUTO, READER_CSV, READER_JSON,
						   READER_NDJSON };

/* Writes data to a new memfd, with pad bytes (spaces and a line feed) inserted at pad_at,
 * and reads it with the given formats. */
static void fuzz_file(const uint8_t *data, size_t size, size_t pad_at, size_t pad,
		      const enum reader_format *formats, size_t nformats)
{
	static char blank[FUZZ_CHUNK];
	char path[64];
	size_t i;
	int fd;

	fd = memfd_create("fuzz_csv", MFD_CLOEXEC);
	FUZZ_ASSERT(fd >= 0);
	if (blank[0] == '\0')
		memset(blank, ' ', sizeof blank);
	FUZZ_ASSERT(write(fd, data, pad_at) == (ssize_t)pad_at);
	if (pad > 0) {
		FUZZ_ASSERT(write(fd, blank, pad - 1) == (ssize_t)(pad - 1));
		FUZZ_ASSERT(write(fd, "\n", 1) == 1);
	}
	FUZZ_ASSERT(write(fd, data + pad_at, size - pad_at) == (ssize_t)(size - pad_at));
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	for (i = 0; i < nformats; i++)
		fuzz_read(path, formats[i]);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	size_t head, rest;

	if (size > FUZZ_CHUNK)
		return 0;
	fuzz_file(data, size, 0, 0, fuzz_formats, 4);
	/* A line of spaces after the header (or after the first byte, such as JSON's "["),
	 * as long as puts the middle of the rest on the first chunk boundary.  It is a blank
	 * line to NDJSON, white space to JSON and a record of spaces to CSV.  Reading 64 KiB
	 * costs far more than the input itself, so this read uses one format, picked by the
	 * input's length: every format gets its turn as the fuzzer varies the length. */
	nl = memchr(data, '\n', size);
	head = nl ? (size_t)(nl - data) + 1 : (size > 0 ? 1 : 0);
	rest = size - head;
	if (head + rest / 2 < FUZZ_CHUNK)
		fuzz_file(data, size, head, FUZZ_CHUNK - head - rest / 2, &fuzz_formats[size % 4],
			  1);
	return 0;
}
