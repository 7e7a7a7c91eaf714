/*
 * access.h - what a principal may see of a subject's archive: the disclosure rules of
 * docs/security.md in one place, used by every route and command that shows records.
 *
 *   the public (and the auditor, and an agency without authorization): `public`
 *     categories, records still in publicity, personal identifiers masked; a natural
 *     person does not exist for them (domain.md §3);
 *   a government user (principal_is_government) with a purpose: `public` and `shared`,
 *     ended records too, persons too; without a purpose: refused;
 *   the subject itself: everything it holds;
 *   whoever holds the subject's authorization in force (its department or agency): also
 *     `authorized`, with the authorization's purpose when none was given.
 * Identifiers are shown in full to the subject, to authorization holders, to handlers,
 * to business systems (tokens with subjects:read) and to the console; masked to others.
 */
#ifndef XY_SERVICE_ACCESS_H
#define XY_SERVICE_ACCESS_H

#include <stdint.h>

#include "core/catalog.h"

struct err;
struct store;
struct principal;

#define ACCESS_SHOWS(v, disclosure) (((v)->disclosures >> (disclosure)) & 1u)

struct access_view {
	int exists;           /* 0: the subject is hidden from this principal (a person) */
	unsigned disclosures; /* bit (1 << enum catalog_disclosure) per level shown */
	int ended;            /* records whose publicity ended are shown */
	int full_ids;         /* personal identifiers unmasked */
	int nonpublic;        /* shows more than the public sees: audited, needs a purpose */
	int64_t authorization; /* the authorization relied on, 0 when none */
	char purpose[512];    /* the purpose to record: the request's, else the authorization's */
};

/* Decides the view of `who` on subject `code` (a natural person when `person`).  Fails
 * with `access.purpose_required` when a government user gives no purpose. */
int access_view_of(struct store *s, const struct principal *who, const char *code, int person,
		   struct access_view *v, struct err *e);

/* Whether `who` sees personal identifiers unmasked in lists (search results). */
int access_full_ids(const struct principal *who);

/* Whether `who` sees what department `dept_code` provided as the department's own (its
 * batches, its records' history): the console and platform operators and
 * administrators see every department's; a department's users and tokens their own. */
int access_sees_dept(const struct principal *who, const char *dept_code);

#endif
