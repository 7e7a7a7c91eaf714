/*
 * fuzz_attachment.c - libFuzzer target for case attachments (src/core/attachment.c):
 * attachment_sniff and attachment_check on the input as a file's bytes, and
 * attachment_name_clean on the input as an `X-File-Name` header, into buffers of
 * several sizes.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when attachment.h's
 * promises break: a type whose magic bytes are not where the header says, a check that
 * disagrees with the sniff; a display name that is not UTF-8, holds a control
 * character, a "/" or "\", is longer than ATTACHMENT_NAME_CHARS characters or than its
 * buffer, is "." or "..", starts or ends with a space, or, cut by a smaller buffer, is
 * not a prefix of the whole name.
 */
#include "core/attachment.h"
#include "core/err.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_sniff(const uint8_t *data, size_t size)
{
	const char *type = attachment_sniff(data, size), *checked = NULL;
	struct err e;
	size_t i;
	int pdf = 0;

	if (type && strcmp(type, "image/jpeg") == 0) {
		FUZZ_ASSERT(size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF);
	} else if (type && strcmp(type, "image/png") == 0) {
		FUZZ_ASSERT(size >= 33 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0 &&
			    memcmp(data + 12, "IHDR", 4) == 0);
	} else if (type) {
		FUZZ_ASSERT(strcmp(type, "application/pdf") == 0);
		for (i = 0; i < 1024 && i + 8 <= size && !pdf; i++)
			pdf = memcmp(data + i, "%PDF-", 5) == 0;
		FUZZ_ASSERT(pdf);
	}
	err_clear(&e);
	if (attachment_check(data, size, &checked, &e) == 0) {
		FUZZ_ASSERT(type && checked == type && e.reason[0] == '\0');
	} else {
		FUZZ_ASSERT(!checked && strcmp(e.reason, "attachment.type") == 0);
		FUZZ_ASSERT(text_is_utf8(e.message, strlen(e.message)));
		FUZZ_ASSERT(!type || size == 0);
	}
}

/* The promises of one cleaned name of n bytes in a buffer of size bytes. */
static void fuzz_check_name(const char *out, int n, size_t size)
{
	size_t len = strlen(out), i;

	FUZZ_ASSERT(n >= 0 && (size_t)n == len && len < size);
	FUZZ_ASSERT(text_is_utf8(out, len));
	FUZZ_ASSERT(text_utf8_length(out) <= ATTACHMENT_NAME_CHARS);
	FUZZ_ASSERT(strcmp(out, ".") != 0 && strcmp(out, "..") != 0);
	FUZZ_ASSERT(len == 0 || (out[0] != ' ' && out[len - 1] != ' '));
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		FUZZ_ASSERT(c >= 0x20 && c != 0x7F && c != '/' && c != '\\');
		/* C1 controls are C2 80..C2 9F. */
		FUZZ_ASSERT(!(c == 0xC2 && i + 1 < len && (unsigned char)out[i + 1] < 0xA0));
	}
}

static void fuzz_name(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 16, 101, 302 };
	char *raw = malloc(size + 1), whole[ATTACHMENT_NAME_SIZE], part[ATTACHMENT_NAME_SIZE];
	size_t i;
	int n;

	/* An exact-size copy, so that reading past the terminator is an ASan report. */
	FUZZ_ASSERT(raw != NULL);
	memcpy(raw, data, size);
	raw[size] = '\0';
	n = attachment_name_clean(raw, whole, sizeof whole);
	fuzz_check_name(whole, n, sizeof whole);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		n = attachment_name_clean(raw, part, sizes[i]);
		fuzz_check_name(part, n, sizes[i]);
		FUZZ_ASSERT(strncmp(part, whole, strlen(part)) == 0);
	}
	FUZZ_ASSERT(attachment_name_clean(raw, part, 0) == -1);
	free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy for the sniff too, so that it cannot read past the file. */
	uint8_t *copy = malloc(size ? size : 1);

	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, data, size);
	fuzz_sniff(copy, size);
	free(copy);
	fuzz_name(data, size);
	return 0;
}
