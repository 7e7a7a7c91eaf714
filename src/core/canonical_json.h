/*
 * canonical_json.h - the JSON Canonicalization Scheme (RFC 8785) over jansson values: the
 * one byte string a signed document stands for, whatever whitespace, member order or
 * escaping it was sent with.
 *
 * Members are sorted by their names' UTF-16 code units, strings escape only what JSON
 * requires (the quote, the backslash and control characters, as \b \t \n \f \r or
 * \u00xx), and there is no whitespace.  Signed documents keep money and other numbers as
 * strings, so that no reader's floating point can change them: a real number is refused
 * here, and an integer is written in plain decimal (which is RFC 8785's form for every
 * integer up to 2^53).  Pure.
 */
#ifndef XY_CANONICAL_JSON_H
#define XY_CANONICAL_JSON_H

#include <jansson.h>

struct buf;
struct err;

/* Appends the canonical form of v to out.  Fails with `report.invalid` when v holds a
 * real number, an integer beyond 2^53, or a string that is not valid UTF-8 (jansson
 * checks what it parses; a value built in C might not be). */
int canonical_json_write(const json_t *v, struct buf *out, struct err *e);

#endif
