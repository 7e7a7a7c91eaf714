/*
 * read_text.h - reading a whole file of the source tree in a unit test.
 *
 * For the tests that check code against a document or the sources themselves
 * (test_reasons.c, test_reason_sources.c).  `why` is said when the file cannot be
 * opened, so that the failure names what the file was needed for.
 */
#ifndef XY_TEST_READ_TEXT_H
#define XY_TEST_READ_TEXT_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file's bytes, NUL-terminated; the caller frees them.  Fails the test otherwise. */
static inline char *test_read_text(const char *path, const char *why)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (!f)
		cr_assert_fail("%s is missing or unreadable (%s): %s", path, strerror(errno), why);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	cr_assert_not_null(text);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

#endif
