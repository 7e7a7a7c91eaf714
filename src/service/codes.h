/*
 * codes.h - checking codes as the `code check` command and the API report them.
 *
 * One result: {"input", "normalized", "kind": "uscc"|"resident_id"|"other", "valid",
 *              "reason": null|code, "message": null|text, "warnings": [...],
 *              "region": {"code","name"}|null}
 */
#ifndef XY_SERVICE_CODES_H
#define XY_SERVICE_CODES_H

#include <jansson.h>

#include "core/code.h"

struct err;
struct store;

/* As `code check` judges a code: by code_check (core/code.h), and besides
 *   - a code written with spaces inside ("9144 1200 ...") is checked without them, with
 *     the warning `code.inner_space` ("normalized" shows it without);
 *   - with `force` CODE_KIND_AUTO, input that is neither 18 characters nor 15 digits is
 *     invalid with `code.kind_unknown` (kind "other"): its kind cannot be judged by its
 *     shape, and other documents must be asked for with CODE_KIND_OTHER.
 * s may be NULL (no operator exception list).  Returns a new reference. */
json_t *codes_check(struct store *s, const char *input, enum code_kind force);

/* The same, with an explicit exception callback (NULL for none). */
json_t *codes_check_with(const char *input, enum code_kind force,
			 int (*is_exception)(void *ctx, const char *code), void *ctx);

/* {"code","name"} or null (new reference) for a code's division. */
json_t *codes_region_json(const char *region_code);



/* An is_exception callback over the built-in list (data/code-exceptions.csv) for when no
 * database is at hand; ctx is unused. */
int codes_builtin_exception(void *ctx, const char *code);

/* Checks a code a request names and writes its normalized form: CODE_KIND_USCC for an
 * organisation (a department, an agency, a grantee), CODE_KIND_AUTO for a subject.
 * Fails with `request.invalid` when empty, else with the code's own reason
 * (`code.check_char`, `code.length`...), naming `field`.  s may be NULL. */
int codes_require_valid(struct store *s, const char *input, enum code_kind kind,
			const char *field, char out[CODE_MAX], struct err *e);

#endif
