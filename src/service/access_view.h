/*
 * access_view.h - what a principal may see of one subject's archive: the disclosure rules
 * of docs/security.md, composed from rows of the access table (access.h) and the
 * subject's authorizations in force.
 *
 *   the public (and the auditor, and an agency without authorization): `public`
 *     categories, records still in publicity, personal identifiers masked; a natural
 *     person does not exist for them (domain.md §3);
 *   a government user (subject.read.shared) with a purpose: `public` and `shared`,
 *     ended records too, persons too; without a purpose: refused;
 *   the subject itself and the console (subject.read.own): everything it holds;
 *   whoever holds the subject's authorization in force (subject.read.authorized: its
 *     department or agency): also `authorized`, with the authorization's purpose when
 *     none was given.
 * Identifiers are shown in full to the subject, to authorization holders, and to
 * government users who may see them (subject.full_ids: handlers, tokens with
 * subjects:read, the console); masked to others.
 */
#ifndef XY_SERVICE_ACCESS_VIEW_H
#define XY_SERVICE_ACCESS_VIEW_H

#include <stdint.h>

#include "core/catalog.h"
#include "core/code.h"

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
	/* Records taken off by an approved credit repair are shown to the subject itself
	 * (its own accounts) and to the department that decided them (`dept`), to nobody
	 * else: not even that a repair happened. */
	int repaired;
	char dept[CODE_MAX];  /* the viewer's department, "" when none */
	int64_t authorization; /* the authorization relied on, 0 when none */
	char purpose[512];    /* the purpose to record: the request's, else the authorization's */
};

/* Decides the view of `who` on subject `code` (a natural person when `person`).  Fails
 * with `access.purpose_required` when a government user gives no purpose. */
int access_view_of(struct store *s, const struct principal *who, const char *code, int person,
		   struct access_view *v, struct err *e);

#endif
