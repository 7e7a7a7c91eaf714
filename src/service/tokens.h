/*
 * tokens.h - API tokens for business systems (a department's) and credit service
 * agencies (an agency's): shown once, stored hashed, scoped, expiring, revocable.
 *
 * Issued and revoked by the console (xinyong token ...) and by `admin`; every change is
 * an audit entry.  A token document:
 *   {"id", "hint": "xyt_AbC1", "owner": {"kind": "dept"|"agency", "code"},
 *    "scopes": ["subjects:read", ...], "note", "created_at", "expires_at",
 *    "revoked_at": TS|null, "state": "active"|"expired"|"revoked"}
 */
#ifndef XY_SERVICE_TOKENS_H
#define XY_SERVICE_TOKENS_H

#include <jansson.h>
#include <stdint.h>

#include "core/secret.h"

struct err;
struct store;
struct principal;

#define TOKENS_DEFAULT_LIFETIME "90d"

struct token_request {
	const char *dept_code;   /* exactly one of dept_code and agency_code */
	const char *agency_code;
	const char *scopes;      /* "batches:write,subjects:read" */
	const char *expires;     /* a duration ("30d", core/duration.h); NULL: 90 days */
	const char *note;        /* what the token is for; may be NULL */
};

/* Issues a token: *out is its document, `secret` the token itself (shown once). */
int tokens_issue(struct store *s, const struct principal *who, const struct token_request *r,
		 json_t **out, char secret[SECRET_TOKEN_MAX], struct err *e);
/* `token.not_found` when no token with that id is in force. */
int tokens_revoke(struct store *s, const struct principal *who, int64_t id, struct err *e);
/* {"tokens": [...]} */
int tokens_list(struct store *s, const struct principal *who, json_t **out, struct err *e);
/* The names of a scope set, as a JSON array (new reference). */
json_t *tokens_scopes_json(unsigned scopes);
/* 1 and *p filled (kind PRINCIPAL_TOKEN; client kept) when `secret` is a token in force;
 * 0 when it is unknown, expired or revoked. */
int tokens_principal(struct store *s, const char *secret, struct principal *p, struct err *e);

#endif
