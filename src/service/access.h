/*
 * access.h - who may do what: one table of actions (src/service/access.c), each row
 * naming the roles, token scopes and the console that may do it, and whose target
 * (the caller's own subject or department) it must be.  Every service asks here before
 * it acts; docs/security.md describes the rules for people.
 *
 * The route table (src/http/router.c) is the first, coarse gate: which kinds of caller
 * reach a handler at all.  This table is the fine one, and the only one the CLI meets.
 * A new action is one enum value and one row.
 *
 * How a row decides, for a principal (service/principal.h):
 *   the console   when the row names it (`console`); never bound by an owner;
 *   a user        when it holds one of the row's `roles`;
 *   a department's token / an agency's token
 *                 when it holds one of the row's `dept_scopes` / `agency_scopes`;
 *   the public    never: what anyone may do needs no row.
 * Then, when the row has an `owner`, the target's subject (or department) must be the
 * caller's own, unless the caller holds one of the row's `anywhere` roles (platform
 * staff) or is the console.  A target, or a target member, that is NULL is nobody's:
 * only callers unbound by the owner pass (a list across every department asks so).
 * Last, a row with a `purpose` wants callers other than the console to have stated one.
 *
 * Nothing here allocates; the table and its strings are static.
 */
#ifndef XY_SERVICE_ACCESS_H
#define XY_SERVICE_ACCESS_H

#include <stddef.h>

struct err;
struct principal;

enum access_action {
	ACCESS_USER_MANAGE_DEPT_USER,     /* create, re-issue activation, disable an account
					     with department roles only; target: its department */
	ACCESS_USER_MANAGE_SUBJECT_USER,  /* the same for a subject account */
	ACCESS_USER_MANAGE_PLATFORM_USER, /* the same for any other account (platform roles) */
	ACCESS_USER_SET_PASSWORD,         /* set another user's password directly */
	ACCESS_USER_CHANGE_PASSWORD,      /* change one's own password */
	ACCESS_USER_LIST,                 /* list accounts; target: the department listed */
	ACCESS_TOKEN_ISSUE,
	ACCESS_TOKEN_REVOKE,
	ACCESS_TOKEN_LIST,
	ACCESS_AUTHORIZATION_GRANT,       /* target: the subject that authorizes */
	ACCESS_AUTHORIZATION_REVOKE,
	ACCESS_AUTHORIZATION_LIST,
	ACCESS_BATCH_SUBMIT,              /* target: the submitting department */
	ACCESS_BATCH_READ,                /* a batch's summary and rejects; target: its department */
	ACCESS_RECORD_HISTORY,            /* target: the record's holder */
	ACCESS_RECORD_TRANSFER,
	ACCESS_SUBJECT_READ_OWN,          /* a subject's whole archive; target: the subject */
	ACCESS_SUBJECT_READ_AUTHORIZED,   /* `authorized` data, given an authorization in force */
	ACCESS_SUBJECT_READ_SHARED,       /* `shared` data and ended records (government) */
	ACCESS_SUBJECT_FULL_IDS,          /* personal identifiers unmasked */
	ACCESS_SUBJECT_FIND_PERSONS,      /* natural persons in search results */
	ACCESS_RULES_IMPORT,              /* import a kind's case rules */
	ACCESS_CASE_FILE,                 /* file a case; target: the subject it is about */
	ACCESS_CASE_ACT_APPLICANT,        /* a case's applicant's actions (withdraw, review);
					     target: the case's subject */
	ACCESS_CASE_ACT_WALK_IN,          /* the same for a walk-in applicant's case (filed
					     at the window), done at the window */
	ACCESS_CASE_ACT_OPERATOR,         /* the platform's actions (accept, forward, ...) */
	ACCESS_CASE_ACT_DEPT,             /* the responsible department's (decide); target:
					     the case's department */
	ACCESS_CASE_LIST_ALL,             /* every case, whoever's */
	ACCESS_CASE_LIST_SUBJECT,         /* a subject's own cases; target: the subject */
	ACCESS_CASE_LIST_DEPT,            /* the cases a department handles; target: it */
	ACCESS_STATEMENT_PUT,             /* a subject's statement on its record; target:
					     the record's subject */
	ACCESS_ACTION_COUNT
};

/* Whose target a row wants it to be. */
enum access_owner {
	ACCESS_OWNER_NONE,
	ACCESS_OWNER_SUBJECT, /* the caller's own subject (subject accounts) */
	ACCESS_OWNER_DEPT,    /* the caller's own department (its users and tokens) */
};

struct access_rule {
	enum access_action action;
	const char *name;        /* stable, "batch.read" */
	unsigned roles;          /* users holding any of these (core/role.h) */
	unsigned dept_scopes;    /* department tokens holding any of these scopes */
	unsigned agency_scopes;  /* agency tokens holding any of these scopes */
	int console;             /* the console */
	enum access_owner owner;
	unsigned anywhere;       /* roles not bound by `owner` */
	const char *purpose;     /* non-NULL: a purpose is needed; the message without one */
	const char *refused;     /* the message for a caller the row does not name */
	const char *not_own;     /* the message for a target not the caller's; NULL: refused */
};

/* What the object of an action belongs to; NULL members when not known or not asked. */
struct access_target {
	const char *subject_code;
	const char *dept_code;
};

enum access_verdict {
	ACCESS_ALLOWED,
	ACCESS_REFUSED,    /* the row does not name this caller */
	ACCESS_NOT_OWN,    /* named, but the target is not its own */
	ACCESS_NO_PURPOSE, /* named, but it stated no purpose */
};

/* The verdict of the table on `who` doing `act` to `t` (may be NULL). */
enum access_verdict access_judge(const struct principal *who, enum access_action act,
				 const struct access_target *t);

/* 1 when access_judge allows, else 0: for callers whose refusal answers otherwise (a
 * batch of another department is "not found") or is no refusal at all (less is shown). */
int access_may(const struct principal *who, enum access_action act,
	       const struct access_target *t);

/* 0 when allowed; else -1 with the row's answer: `auth.forbidden` and its `refused` or
 * `not_own` message, or `access.purpose_required` (field "purpose") and its `purpose`
 * message. */
int access_check(const struct principal *who, enum access_action act,
		 const struct access_target *t, struct err *e);

/* The whole table, for tests and listings. */
const struct access_rule *access_table(size_t *count);

#endif
