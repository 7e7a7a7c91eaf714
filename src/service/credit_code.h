/*
 * credit_code.h - the credit code (信用码) of a legal person: made from what the public
 * sees of it today (core/credit_code.h for the token, render/credit_code_image.h for
 * the picture), and checked against the platform's keys and the ones it trusts.
 *
 * The colour is the public's view, so that a code in a shop window tells the passer-by
 * nothing the subject's public page would not: red when a record of the list of
 * seriously dishonest subjects (chapter 4 of the report) is in force, yellow when
 * another negative record is published (a penalty in publicity, an abnormal-operation
 * listing), green otherwise.
 */
#ifndef XY_SERVICE_CREDIT_CODE_H
#define XY_SERVICE_CREDIT_CODE_H

#include <jansson.h>

#include "core/credit_code.h"

struct archive_view;
struct buf;
struct err;
struct store;

/* The colour of what `v` shows. */
enum credit_colour credit_code_colour(const struct archive_view *v);

/* Makes the credit code of the legal person `code` as `format` ("svg", "png" or "json")
 * into out, and *type its media type.  The link is `base` (the signing key's address
 * when it has one, else `fallback_base`, else none: a link relative to the site)
 * + "/?cc=" TOKEN "#/subject/" CODE.  *meta (may be NULL) gets {"code", "name",
 * "colour", "colour_label", "meaning", "date", "token", "url", "key_id", "issuer"}.
 * Fails with the code's reason, `subject.not_found` (also for a natural person: they
 * have no public page), `keys.missing`, or `request.invalid` for another format. */
int credit_code_issue(struct store *s, const char *code, const char *format,
		      const char *fallback_base, struct buf *out, const char **type,
		      json_t **meta, struct err *e);

/* Checks a token, or a link that carries one (…?cc=TOKEN…), offline against the keys the
 * platform holds.  *out gets {"genuine", "finding" (genuine, bad_signature, unknown_key,
 * key_expired), "message", "code", "colour", "colour_label", "date", "key_id",
 * "issuer"}.  Fails only with `credit_code.invalid` (not a token) or the store's error. */
int credit_code_check(struct store *s, const char *text, json_t **out, struct err *e);

#endif
