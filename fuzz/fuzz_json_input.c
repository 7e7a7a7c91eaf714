/*
 * fuzz_json_input.c - libFuzzer target for the JSON request body parser
 * (src/core/json_input.c): json_input_parse on the raw bytes, then json_input_string and
 * json_input_only on every member of what it accepts.
 *
 * Besides crashes, sanitizer reports and leaks, the target aborts when json_input.h's
 * promises break: an accepted body that is not an object or is nested too deep, a
 * refusal with another reason or a message that is not UTF-8, a string handed out that
 * is not UTF-8 or is longer than asked.
 */
#include "core/err.h"
#include "core/json_input.h"
#include "core/text.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check_err(const struct err *e, const char *reason2)
{
	FUZZ_ASSERT(strcmp(e->reason, "request.invalid") == 0 || strcmp(e->reason, reason2) == 0);
	FUZZ_ASSERT(e->message[0] != '\0' && text_is_utf8(e->message, strlen(e->message)));
	FUZZ_ASSERT(text_is_utf8(e->field, strlen(e->field)));
}

static size_t fuzz_depth(const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i, d, max = 0;

	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, key, item) {
			d = fuzz_depth(item);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach (v, i, item) {
			d = fuzz_depth(item);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[] = { 0, 1, 4, 32 };
	static const char *const known[] = { "username", "password", "name", "role", NULL };
	static const char *const none[] = { NULL };
	json_t *obj = NULL, *v;
	const char *key, *s;
	struct err e;
	size_t i;
	int flags, rc;

	err_clear(&e);
	if (json_input_parse((const char *)data, size, &obj, &e) < 0) {
		FUZZ_ASSERT(obj == NULL);
		fuzz_check_err(&e, "request.too_large");
		return 0;
	}
	FUZZ_ASSERT(json_is_object(obj) && fuzz_depth(obj) <= JSON_INPUT_MAX_DEPTH);
	json_object_foreach (obj, key, v) {
		for (flags = 0; flags <= JSON_INPUT_REQUIRED; flags++) {
			for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
				s = "";
				rc = json_input_string(obj, key, flags, limits[i], &s, &e);
				if (rc < 0) {
					FUZZ_ASSERT(s == NULL);
					fuzz_check_err(&e, "internal.error");
					continue;
				}
				if (!s) {
					FUZZ_ASSERT(!flags && json_is_null(v));
					continue;
				}
				FUZZ_ASSERT(text_is_utf8(s, strlen(s)));
				FUZZ_ASSERT(!limits[i] || text_utf8_length(s) <= limits[i]);
			}
		}
	}
	/* Absent members. */
	(void)json_input_string(obj, "\x01missing", 0, 0, &s, &e);
	(void)json_input_string(obj, "\x01missing", JSON_INPUT_REQUIRED, 0, &s, &e);
	if (json_input_only(obj, known, &e) < 0)
		fuzz_check_err(&e, "request.invalid");
	if (json_input_only(obj, none, &e) < 0)
		fuzz_check_err(&e, "request.invalid");
	else
		FUZZ_ASSERT(json_object_size(obj) == 0);
	json_decref(obj);
	return 0;
}
