/*
 * store_accounts.c - users, sessions, API tokens and authorizations (store.h).
 *
 * Plain key lookups and writes whose SQL both backends share.  Secrets never reach this
 * file: the service hands over their hashes (core/secret.h, core/password.h).
 */
#include "store/store_int.h"

#include <string.h>

#include "core/err.h"

/* ---- users ------------------------------------------------------------------------ */

/* Columns in the order of SQL_USER_COLUMNS. */
static int store_user_row(void *ctx, const struct store_row *row)
{
	struct store_user *u = ctx;

	u->id = store__num(row, 0);
	store__copy(row, 1, u->name, sizeof u->name);
	store__copy(row, 2, u->roles, sizeof u->roles);
	store__copy(row, 3, u->dept_code, sizeof u->dept_code);
	store__copy(row, 4, u->subject_code, sizeof u->subject_code);
	store__copy(row, 5, u->display_name, sizeof u->display_name);
	store__copy(row, 6, u->password_hash, sizeof u->password_hash);
	store__copy(row, 7, u->activation_hash, sizeof u->activation_hash);
	store__copy(row, 8, u->activation_expires, sizeof u->activation_expires);
	u->failed_logins = (long)store__num(row, 9);
	store__copy(row, 10, u->locked_until, sizeof u->locked_until);
	u->disabled = store__num(row, 11) != 0;
	store__copy(row, 12, u->created_at, sizeof u->created_at);
	store__copy(row, 13, u->updated_at, sizeof u->updated_at);
	return 1;
}

static int store_user_lookup(struct store *s, enum store_sql_id id,
			     const struct store_param *p, struct store_user *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (store__query(s, id, p, 1, store_user_row, out, NULL, e) < 0)
		return -1;
	return out->id != 0;
}

int store_user_get(struct store *s, const char *name, struct store_user *out, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(name) };

	return store_user_lookup(s, SQL_USER_GET, p, out, e);
}

int store_user_get_id(struct store *s, int64_t id, struct store_user *out, struct err *e)
{
	struct store_param p[1] = { STORE_NUM(id) };

	return store_user_lookup(s, SQL_USER_GET_ID, p, out, e);
}

int store_user_insert(struct store *s, struct store_user *u, struct err *e)
{
	char now[26];
	struct store_param p[9] = {
		STORE_TEXT(u->name),	      STORE_TEXT(u->roles),
		STORE_TEXT(u->dept_code),     STORE_TEXT(u->subject_code),
		STORE_TEXT(u->display_name),  STORE_TEXT(u->password_hash),
		STORE_TEXT(u->activation_hash), STORE_TEXT(u->activation_expires),
		STORE_TEXT(now),
	};
	int64_t id = 0;

	store__now(s, now);
	if (store__query(s, SQL_USER_INSERT, p, 9, store__first_num, &id, NULL, e) < 0)
		return -1;
	if (id <= 0)
		return err_set(e, "store.error", "登记用户失败：数据库未返回用户编号");
	u->id = id;
	memcpy(u->created_at, now, sizeof u->created_at);
	memcpy(u->updated_at, now, sizeof u->updated_at);
	return 0;
}

int store_user_update(struct store *s, const struct store_user *u, struct err *e)
{
	char now[26];
	struct store_param p[10] = {
		STORE_NUM(u->id),		 STORE_TEXT(u->roles),
		STORE_TEXT(u->display_name),	 STORE_TEXT(u->password_hash),
		STORE_TEXT(u->activation_hash),	 STORE_TEXT(u->activation_expires),
		STORE_NUM(u->failed_logins),	 STORE_TEXT(u->locked_until),
		STORE_NUM(u->disabled),		 STORE_TEXT(now),
	};

	store__now(s, now);
	return store__query(s, SQL_USER_UPDATE, p, 10, NULL, NULL, NULL, e);
}

struct user_list_ctx {
	int (*cb)(void *ctx, const struct store_user *u);
	void *ctx;
};

static int store_user_list_row(void *ctx, const struct store_row *row)
{
	struct user_list_ctx *c = ctx;
	struct store_user u;

	memset(&u, 0, sizeof u);
	store_user_row(&u, row);
	return c->cb(c->ctx, &u);
}

int store_user_list(struct store *s, const char *dept_code,
		    int (*cb)(void *ctx, const struct store_user *u), void *ctx, struct err *e)
{
	struct user_list_ctx c = { cb, ctx };
	struct store_param p[1] = { STORE_TEXT(dept_code ? dept_code : "") };

	return store__query(s, SQL_USER_LIST, p, 1, store_user_list_row, &c, NULL, e);
}

/* ---- sessions --------------------------------------------------------------------- */

int store_session_insert(struct store *s, const char *token_hash, int64_t user_id,
			 const char *expires_at, const char *client, struct err *e)
{
	char now[26];
	struct store_param p[5] = { STORE_TEXT(token_hash), STORE_NUM(user_id), STORE_TEXT(now),
				    STORE_TEXT(expires_at), STORE_TEXT(client) };

	store__now(s, now);
	return store__query(s, SQL_SESSION_INSERT, p, 5, NULL, NULL, NULL, e);
}

int store_session_user(struct store *s, const char *token_hash, const char *now,
		       struct store_user *out, struct err *e)
{
	struct store_param p[2] = { STORE_TEXT(token_hash), STORE_TEXT(now) };

	memset(out, 0, sizeof *out);
	if (store__query(s, SQL_SESSION_USER, p, 2, store_user_row, out, NULL, e) < 0)
		return -1;
	return out->id != 0;
}

int store_session_delete(struct store *s, const char *token_hash, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(token_hash) };

	return store__query(s, SQL_SESSION_DELETE, p, 1, NULL, NULL, NULL, e);
}

int store_sessions_end_user(struct store *s, int64_t user_id, const char *now, struct err *e)
{
	struct store_param p[2] = { STORE_NUM(user_id), STORE_TEXT(now) };

	return store__query(s, SQL_SESSIONS_DELETE_USER, p, 2, NULL, NULL, NULL, e);
}

/* ---- API tokens ------------------------------------------------------------------- */

/* Columns in the order of SQL_TOKEN_COLUMNS. */
static void store_token_fill(struct store_token *t, const struct store_row *row)
{
	memset(t, 0, sizeof *t);
	t->id = store__num(row, 0);
	store__copy(row, 1, t->hint, sizeof t->hint);
	store__copy(row, 2, t->owner_kind, sizeof t->owner_kind);
	store__copy(row, 3, t->owner_code, sizeof t->owner_code);
	store__copy(row, 4, t->scopes, sizeof t->scopes);
	store__copy(row, 5, t->note, sizeof t->note);
	store__copy(row, 6, t->created_at, sizeof t->created_at);
	store__copy(row, 7, t->expires_at, sizeof t->expires_at);
	store__copy(row, 8, t->revoked_at, sizeof t->revoked_at);
}

static int store_token_row(void *ctx, const struct store_row *row)
{
	store_token_fill(ctx, row);
	return 1;
}

int store_token_insert(struct store *s, const char *token_hash, struct store_token *t,
		       struct err *e)
{
	char now[26];
	struct store_param p[8] = {
		STORE_TEXT(token_hash),	   STORE_TEXT(t->hint),	 STORE_TEXT(t->owner_kind),
		STORE_TEXT(t->owner_code), STORE_TEXT(t->scopes), STORE_TEXT(t->note),
		STORE_TEXT(now),	   STORE_TEXT(t->expires_at),
	};
	int64_t id = 0;

	store__now(s, now);
	if (store__query(s, SQL_TOKEN_INSERT, p, 8, store__first_num, &id, NULL, e) < 0)
		return -1;
	if (id <= 0)
		return err_set(e, "store.error", "登记访问令牌失败：数据库未返回编号");
	t->id = id;
	memcpy(t->created_at, now, sizeof t->created_at);
	return 0;
}

static int store_token_lookup(struct store *s, enum store_sql_id id,
			      const struct store_param *p, struct store_token *out,
			      struct err *e)
{
	memset(out, 0, sizeof *out);
	if (store__query(s, id, p, 1, store_token_row, out, NULL, e) < 0)
		return -1;
	return out->id != 0;
}

int store_token_find(struct store *s, const char *token_hash, struct store_token *out,
		     struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(token_hash) };

	return store_token_lookup(s, SQL_TOKEN_FIND, p, out, e);
}

int store_token_get(struct store *s, int64_t id, struct store_token *out, struct err *e)
{
	struct store_param p[1] = { STORE_NUM(id) };

	return store_token_lookup(s, SQL_TOKEN_GET, p, out, e);
}

int store_token_revoke(struct store *s, int64_t id, struct err *e)
{
	char now[26];
	struct store_param p[2] = { STORE_NUM(id), STORE_TEXT(now) };
	long long changes = 0;

	store__now(s, now);
	if (store__query(s, SQL_TOKEN_REVOKE, p, 2, NULL, NULL, &changes, e) < 0)
		return -1;
	return changes > 0;
}

struct token_list_ctx {
	int (*cb)(void *ctx, const struct store_token *t);
	void *ctx;
};

static int store_token_list_row(void *ctx, const struct store_row *row)
{
	struct token_list_ctx *c = ctx;
	struct store_token t;

	store_token_fill(&t, row);
	return c->cb(c->ctx, &t);
}

int store_token_list(struct store *s, int (*cb)(void *ctx, const struct store_token *t),
		     void *ctx, struct err *e)
{
	struct token_list_ctx c = { cb, ctx };

	return store__query(s, SQL_TOKEN_LIST, NULL, 0, store_token_list_row, &c, NULL, e);
}

/* ---- authorizations --------------------------------------------------------------- */

/* Columns in the order of SQL_AUTHZ_COLUMNS. */
static void store_authorization_fill(struct store_authorization *a, const struct store_row *row)
{
	memset(a, 0, sizeof *a);
	a->id = store__num(row, 0);
	store__copy(row, 1, a->subject_code, sizeof a->subject_code);
	store__copy(row, 2, a->grantee_code, sizeof a->grantee_code);
	store__copy(row, 3, a->purpose, sizeof a->purpose);
	store__copy(row, 4, a->granted_at, sizeof a->granted_at);
	store__copy(row, 5, a->expires_at, sizeof a->expires_at);
	store__copy(row, 6, a->revoked_at, sizeof a->revoked_at);
	store__copy(row, 7, a->recorded_by, sizeof a->recorded_by);
}

static int store_authorization_row(void *ctx, const struct store_row *row)
{
	store_authorization_fill(ctx, row);
	return 1;
}

int store_authorization_insert(struct store *s, struct store_authorization *a,
			       struct err *e)
{
	char now[26];
	struct store_param p[6] = {
		STORE_TEXT(a->subject_code), STORE_TEXT(a->grantee_code), STORE_TEXT(a->purpose),
		STORE_TEXT(now),	     STORE_TEXT(a->expires_at),	  STORE_TEXT(a->recorded_by),
	};
	int64_t id = 0;

	store__now(s, now);
	if (store__query(s, SQL_AUTHZ_INSERT, p, 6, store__first_num, &id, NULL, e) < 0)
		return -1;
	if (id <= 0)
		return err_set(e, "store.error", "登记授权失败：数据库未返回编号");
	a->id = id;
	memcpy(a->granted_at, now, sizeof a->granted_at);
	return 0;
}

int store_authorization_active(struct store *s, const char *subject, const char *grantee,
			       const char *now, struct store_authorization *out, struct err *e)
{
	struct store_param p[3] = { STORE_TEXT(subject), STORE_TEXT(grantee), STORE_TEXT(now) };

	memset(out, 0, sizeof *out);
	if (store__query(s, SQL_AUTHZ_ACTIVE, p, 3, store_authorization_row, out, NULL, e) < 0)
		return -1;
	return out->id != 0;
}

int store_authorization_revoke(struct store *s, const char *subject, int64_t id,
			       struct err *e)
{
	char now[26];
	struct store_param p[3] = { STORE_TEXT(subject), STORE_NUM(id), STORE_TEXT(now) };
	long long changes = 0;

	store__now(s, now);
	if (store__query(s, SQL_AUTHZ_REVOKE, p, 3, NULL, NULL, &changes, e) < 0)
		return -1;
	return changes > 0;
}

struct authz_list_ctx {
	int (*cb)(void *ctx, const struct store_authorization *a);
	void *ctx;
};

static int store_authorization_list_row(void *ctx, const struct store_row *row)
{
	struct authz_list_ctx *c = ctx;
	struct store_authorization a;

	store_authorization_fill(&a, row);
	return c->cb(c->ctx, &a);
}

int store_authorizations_of_subject(struct store *s, const char *subject,
				    int (*cb)(void *ctx, const struct store_authorization *a),
				    void *ctx, struct err *e)
{
	struct authz_list_ctx c = { cb, ctx };
	struct store_param p[1] = { STORE_TEXT(subject) };

	return store__query(s, SQL_AUTHZ_OF_SUBJECT, p, 1, store_authorization_list_row, &c,
			    NULL, e);
}
