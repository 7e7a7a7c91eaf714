/*
 * fuzz_rejects.c - libFuzzer target for the rejects CSV writer (src/core/rejects_csv.c).
 *
 * The input is cut at its first two NUL bytes into a field name, a reason and a message
 * (the texts a department's file and the platform put into a rejects line), and its
 * first bytes make the row number.  The line written is read back with libcsv, the
 * parser a spreadsheet-like reader would be, and must give back exactly four fields:
 * the row, and the three texts as they were, except that a text that begins like a
 * formula comes back with one apostrophe before it.  Besides crashes, sanitizer reports
 * and leaks, the target aborts when the line does not end in CRLF or reads as more or
 * fewer than one record.
 */
#include "core/buf.h"
#include "core/rejects_csv.h"
#include "fuzz.h"

#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parsed {
	char *fields[8];
	size_t n;
	int records;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct parsed *p = ctx;

	if (p->n < 8) {
		p->fields[p->n] = malloc(len + 1);
		FUZZ_ASSERT(p->fields[p->n]);
		memcpy(p->fields[p->n], data, len);
		p->fields[p->n][len] = '\0';
	}
	p->n++;
}

static void on_record(int c, void *ctx)
{
	(void)c;
	((struct parsed *)ctx)->records++;
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* The text as the reader must see it again. */
static void expect_text(const char *got, const char *written)
{
	if (rejects_csv_is_formula(written)) {
		FUZZ_ASSERT(got[0] == '\'');
		got++;
	}
	FUZZ_ASSERT(strcmp(got, written) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 3), *parts[3];
	struct parsed parsed;
	struct csv_parser csv;
	struct buf line;
	char rowtext[32];
	long row = 0;
	size_t i;

	FUZZ_ASSERT(text);
	memcpy(text, data, size);
	text[size] = text[size + 1] = text[size + 2] = '\0';
	for (i = 0; i < size && i < 4; i++)
		row = row * 256 + data[i];
	/* Three NULs end the copy, so each part ends inside it. */
	parts[0] = text;
	parts[1] = parts[0] + strlen(parts[0]) + 1;
	parts[2] = parts[1] + strlen(parts[1]) + 1;

	buf_init(&line, 0);
	FUZZ_ASSERT(rejects_csv_line(&line, row, parts[0], parts[1], parts[2]) == 0);
	FUZZ_ASSERT(line.len >= 2 && line.data[line.len - 2] == '\r' &&
		    line.data[line.len - 1] == '\n');

	memset(&parsed, 0, sizeof parsed);
	FUZZ_ASSERT(csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) == 0);
	/* Spaces are data, as a spreadsheet keeps them, not padding to trim. */
	csv_set_space_func(&csv, no_space);
	FUZZ_ASSERT(csv_parse(&csv, line.data, line.len, on_field, on_record, &parsed) == line.len);
	FUZZ_ASSERT(csv_fini(&csv, on_field, on_record, &parsed) == 0);
	csv_free(&csv);
	FUZZ_ASSERT(parsed.records == 1 && parsed.n == 4);
	snprintf(rowtext, sizeof rowtext, "%ld", row);
	FUZZ_ASSERT(strcmp(parsed.fields[0], rowtext) == 0);
	for (i = 0; i < 3; i++)
		expect_text(parsed.fields[i + 1], parts[i]);

	for (i = 0; i < parsed.n && i < 8; i++)
		free(parsed.fields[i]);
	buf_free(&line);
	free(text);
	return 0;
}
