/*
 * accounts.h - user accounts, logins and web sessions (docs/security.md).
 *
 * Who may manage whom: the console (xinyong user ...) and `admin` anyone; `operator`
 * creates subject accounts (the subject then activates with a one-time code);
 * `dept_admin` the department roles of its own department.  Every change is an audit
 * entry in the same transaction.
 *
 * A user document (accounts_user_json, lists, /api/v1/me):
 *   {"name", "display_name", "roles": ["submitter", ...], "dept": CODE|null,
 *    "subject": CODE|null, "disabled": false, "locked_until": TS|null,
 *    "activated": true, "created_at", "updated_at"}
 */
#ifndef XY_SERVICE_ACCOUNTS_H
#define XY_SERVICE_ACCOUNTS_H

#include <jansson.h>

#include "core/secret.h"

struct err;
struct store;
struct store_user;
struct principal;

#define ACCOUNTS_LOCK_AFTER 5           /* consecutive failed logins */
#define ACCOUNTS_LOCK_SECONDS (15 * 60) /* then locked this long */
#define ACCOUNTS_SESSION_SECONDS (8 * 3600)
#define ACCOUNTS_ACTIVATION_SECONDS (7 * 86400)
#define ACCOUNTS_NAME_MAX 32

struct account_new {
	const char *name;         /* 3-32 of [a-z0-9._-], starting with a letter or digit */
	const char *roles;        /* "submitter,handler" */
	const char *dept_code;    /* department roles */
	const char *subject_code; /* the subject role */
	const char *display_name; /* may be NULL */
	const char *password;     /* NULL: the account is activated with a one-time code */
};

/* Creates an account.  *out: {"user": {...}, "activation_code": "XXXX-...", 
 * "activation_expires": TS} (the code only when no password was given; it is shown
 * this once).  Fails with `auth.forbidden`, `user.exists`, `password.weak`,
 * `request.invalid` (name, roles or their binding), or a code's reason. */
int accounts_add(struct store *s, const struct principal *who, const struct account_new *n,
		 json_t **out, struct err *e);

/* Sets `name`'s password (admin, console), unlocks it and ends its sessions. */
int accounts_set_password(struct store *s, const struct principal *who, const char *name,
			  const char *password, struct err *e);
/* Issues a new one-time activation code for `name` (same rights as accounts_add); the
 * old password stops working.  *out as accounts_add. */
int accounts_reissue_activation(struct store *s, const struct principal *who,
				const char *name, json_t **out, struct err *e);
/* A logged-in user changes its own password, giving the current one. */
int accounts_change_password(struct store *s, const struct principal *who,
			     const char *current, const char *password, struct err *e);
int accounts_disable(struct store *s, const struct principal *who, const char *name,
		     struct err *e);
/* Everyone (admin, console) or the department's users (dept_admin).  {"users": [...]} */
int accounts_list(struct store *s, const struct principal *who, json_t **out, struct err *e);

/* Sets the first password with a one-time activation code.  `auth.invalid` for a wrong,
 * used or expired code. */
int accounts_activate(struct store *s, const char *name, const char *code,
		      const char *password, const char *client, struct err *e);

struct account_session {
	char token[SECRET_TOKEN_MAX]; /* the cookie value: shown to the client only */
	char csrf[SECRET_HASH_HEX];   /* the X-CSRF-Token of this session */
	char expires_at[26];
	/* Since the last successful login: failed attempts after the last lock (or all of
	 * them), and the end of the last lock ("" when there was none).  For the owner's eyes:
	 * a failed login never tells of a lock. */
	int failed_logins;
	char locked_until[26];
};

/* Checks name and password; on success starts a session (*session) and *user is the
 * account's document.  Every failure is the same `auth.invalid` with the same message
 * after the same Argon2id work: unknown name, wrong password, disabled, not activated
 * or locked (after ACCOUNTS_LOCK_AFTER failures in a row, for ACCOUNTS_LOCK_SECONDS,
 * during which even the right password is refused). */
int accounts_login(struct store *s, const char *name, const char *password,
		   const char *client, struct account_session *session, json_t **user,
		   struct err *e);
/* Ends the session of `token` (unknown tokens are fine). */
int accounts_logout(struct store *s, const struct principal *who, const char *token,
		    struct err *e);
/* 1 and *p filled when `token` is a live session; 0 when not. */
int accounts_session_principal(struct store *s, const char *token, struct principal *p,
			       struct err *e);
/* The CSRF token belonging to a session token. */
void accounts_session_csrf(const char *token, char out[SECRET_HASH_HEX]);

json_t *accounts_user_json(const struct store_user *u);

#endif
