/*
 * json_input.h - the one parser for JSON request bodies of the HTTP API (login, users,
 * authorizations...), and the readers for their members.
 *
 * A body is outside input: it is bounded in size and nesting and checked to be UTF-8
 * before jansson sees it, duplicate keys are refused (two "password" members would
 * otherwise let a proxy and the server read different values), and every refusal is a
 * `struct err` with reason `request.invalid` or `request.too_large` and a message that
 * tells the client what to fix.
 */
#ifndef XY_JSON_INPUT_H
#define XY_JSON_INPUT_H

#include <jansson.h>
#include <stddef.h>

struct err;

#define JSON_INPUT_MAX_BYTES (64 * 1024)
/* The outermost object is depth 1. */
#define JSON_INPUT_MAX_DEPTH 8

/* json_input_string flags. */
#define JSON_INPUT_REQUIRED 0x1

/* Parses a request body that must be one JSON object.  data[0..len) need not be
 * NUL-terminated; it stays the caller's.  Refused before jansson sees it: more than
 * JSON_INPUT_MAX_BYTES (`request.too_large`); nesting of [ and { deeper than
 * JSON_INPUT_MAX_DEPTH, invalid UTF-8 or a NUL byte (`request.invalid`).  Then parsed
 * with duplicate keys refused; a syntax error names its line and column
 * (`request.invalid`).  On success *out is a new reference (caller json_decref's it);
 * on failure *out is NULL.  Only running out of memory gives `internal.error`. */
int json_input_parse(const char *data, size_t len, json_t **out, struct err *e);

/* Reads member `key` of obj as a string.  flags: 0 or JSON_INPUT_REQUIRED.
 *   - absent or JSON null: 0 with *out = NULL when optional; -1 when required;
 *   - present: 0 with *out borrowed from obj (valid while obj lives; not trimmed);
 *   - -1 with `request.invalid` and field = key (cut, ending in "…", when longer than
 *     the field holds) when it is not a string, when it is required and empty after
 *     trimming (text_trim's spaces), or when it is longer than max_chars UTF-8
 *     characters (max_chars 0: no limit).
 * *out is NULL on failure. */
int json_input_string(const json_t *obj, const char *key, int flags, size_t max_chars,
		      const char **out, struct err *e);

/* Fails with `request.invalid` naming (in field and message) the first member of obj,
 * in the body's order, whose key is not in the NULL-terminated list `known`, so that a
 * typo such as "pasword" is an error instead of a silently missing field.  The message
 * suggests the closest known key when there is one. */
int json_input_only(const json_t *obj, const char *const *known, struct err *e);

#endif
