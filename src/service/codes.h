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

/* s may be NULL (no operator exception list).  Returns a new reference. */
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
