/*
 * principal.h - who is asking: the one description of a caller that every service
 * operation with a rule takes, whichever door it came through (an HTTP session, an API
 * token, the command line, or nobody at all).
 *
 * The HTTP layer fills it from the credentials of a request (http/auth.c); the CLI fills
 * it with principal_cli.  Services decide with it what may be done and seen (access.h,
 * access_view.h) and write it into the audit trail (audit_trail.h).  A principal owns no
 * memory.
 */
#ifndef XY_SERVICE_PRINCIPAL_H
#define XY_SERVICE_PRINCIPAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/code.h"

enum principal_kind {
	PRINCIPAL_ANONYMOUS, /* the public */
	PRINCIPAL_USER,      /* a logged-in account */
	PRINCIPAL_TOKEN,     /* a business system or agency with an API token */
	PRINCIPAL_CLI,       /* an operator at the console: holds the database itself */
};

struct principal {
	enum principal_kind kind;
	int64_t id;                  /* the user's or token's id; 0 otherwise */
	char name[64];               /* user name, OS user for the CLI, "" otherwise */
	unsigned roles;              /* users: core/role.h bits */
	unsigned scopes;             /* tokens: core/role.h scope bits */
	char dept_code[CODE_MAX];    /* department users and department tokens */
	char agency_code[CODE_MAX];  /* agency tokens (credit service agencies) */
	char subject_code[CODE_MAX]; /* subject accounts */
	char client[64];             /* the client's address, or "cli" */
	char purpose[512];           /* 查询事由 stated with this request, "" when none */
};

/* The anonymous public at `client` (may be NULL). */
void principal_anonymous(struct principal *p, const char *client);
/* The operator at the console ($USER, else "console"), with an optional purpose. */
void principal_cli(struct principal *p, const char *purpose);

/* The organisation acting: the department, else the agency, else "". */
const char *principal_org_code(const struct principal *p);
/* The actor as the audit trail names it: "user:NAME", "token:ID", "cli:NAME",
 * "anonymous".  Writes at most size bytes. */
void principal_actor(const struct principal *p, char *out, size_t size);
/* The roles (users) or scopes (tokens; "agency," first for an agency's) as one
 * comma-separated text, for the audit trail. */
void principal_role_text(const struct principal *p, char *out, size_t size);

#endif
