/*
 * authorizations.h - a subject lets a department or a credit service agency see its
 * `authorized` data (授权查询), for a stated purpose, until an expiry; and takes it back.
 *
 * Granted by the subject's own account (/api/v1/me/authorizations), or recorded from a
 * signed paper form by the console or an operator.  Every grant and revocation is an
 * audit entry.  Document:
 *   {"id", "subject", "grantee", "purpose", "granted_at", "expires_at",
 *    "revoked_at": TS|null, "recorded_by", "state": "active"|"expired"|"revoked"}
 */
#ifndef XY_SERVICE_AUTHORIZATIONS_H
#define XY_SERVICE_AUTHORIZATIONS_H

#include <jansson.h>
#include <stdint.h>

struct err;
struct store;
struct principal;

#define AUTHORIZATIONS_DEFAULT_LIFETIME "30d"

struct authorization_request {
	const char *subject; /* NULL: the subject of `who`'s own account */
	const char *grantee; /* the department's or agency's unified social credit code */
	const char *purpose; /* required */
	const char *expires; /* a duration (core/duration.h); NULL: 30 days */
};

int authorizations_grant(struct store *s, const struct principal *who,
			 const struct authorization_request *r, json_t **out, struct err *e);
/* `authorization.not_found` when the subject has no such authorization in force. */
int authorizations_revoke(struct store *s, const struct principal *who, const char *subject,
			  int64_t id, struct err *e);
/* {"subject", "authorizations": [...]} newest first. */
int authorizations_list(struct store *s, const struct principal *who, const char *subject,
			json_t **out, struct err *e);

#endif
