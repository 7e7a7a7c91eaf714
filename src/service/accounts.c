/* accounts.c - see accounts.h. */
#include "accounts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "audit_trail.h"
#include "codes.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/password.h"
#include "core/role.h"
#include "principal.h"
#include "store/store.h"

/* ---- documents ------------------------------------------------------------------------ */

static json_t *accounts_roles_json(const char *roles_text)
{
	json_t *roles = json_array();
	unsigned bits = 0, bit;

	if (role_parse_list(roles_text, &bits, NULL) < 0)
		return roles;
	for (bit = 1; bit && bit <= ROLES_ALL; bit <<= 1)
		if (bits & bit)
			json_array_append_new(roles, json_string(role_name(bit)));
	return roles;
}

static const char *accounts_or_null(const char *s)
{
	return s && *s ? s : NULL;
}

json_t *accounts_user_json(const struct store_user *u)
{
	char now[26];
	const char *locked = NULL;

	clock_timestamp(now);
	if (u->locked_until[0] && strcmp(u->locked_until, now) > 0)
		locked = u->locked_until;
	return json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:b, s:s?, s:b, s:s, s:s}", "name", u->name,
			 "display_name", u->display_name, "roles", accounts_roles_json(u->roles),
			 "dept", accounts_or_null(u->dept_code), "subject",
			 accounts_or_null(u->subject_code), "disabled", u->disabled,
			 "locked_until", locked, "activated", u->password_hash[0] != '\0',
			 "created_at", u->created_at, "updated_at", u->updated_at);
}

/* ---- who may manage whom ---------------------------------------------------------------- */

/* Whether `who` may create or change an account with `roles` in `dept`: the access
 * table's row for that kind of account. */
static int accounts_may_manage(const struct principal *who, unsigned roles, const char *dept,
			       struct err *e)
{
	const struct access_target t = { NULL, dept };
	enum access_action act = ACCESS_USER_MANAGE_PLATFORM_USER;

	if (roles == ROLE_SUBJECT)
		act = ACCESS_USER_MANAGE_SUBJECT_USER;
	else if ((roles & ~ROLES_DEPT) == 0)
		act = ACCESS_USER_MANAGE_DEPT_USER;
	return access_check(who, act, &t, e);
}

static int accounts_may_manage_user(const struct principal *who, const struct store_user *u,
				    struct err *e)
{
	unsigned roles = 0;

	role_parse_list(u->roles, &roles, NULL);
	return accounts_may_manage(who, roles, u->dept_code, e);
}

/* ---- creating ------------------------------------------------------------------------- */

static int accounts_check_name(const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0, i;

	if (n < 3 || n > ACCOUNTS_NAME_MAX || !isalnum((unsigned char)name[0]))
		goto bad;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			goto bad;
	}
	return 0;
bad:
	return err_set_field(e, "request.invalid", "name",
			     "用户名应为 3 到 %d 个小写字母、数字或 . _ -，并以字母或数字开头",
			     ACCOUNTS_NAME_MAX);
}

/* A fresh activation code into u (its hash) and *code (shown once). */
static void accounts_new_activation(struct store_user *u, char code[SECRET_ACTIVATION_MAX])
{
	char normal[SECRET_ACTIVATION_MAX];

	secret_activation_code(code);
	secret_activation_normalize(code, normal);
	secret_hash_hex(normal, u->activation_hash);
	clock_timestamp_in(ACCOUNTS_ACTIVATION_SECONDS, u->activation_expires);
}

static json_t *accounts_created_json(const struct store_user *u, const char *code)
{
	json_t *doc = json_pack("{s:o}", "user", accounts_user_json(u));

	if (code && *code) {
		json_object_set_new(doc, "activation_code", json_string(code));
		json_object_set_new(doc, "activation_expires", json_string(u->activation_expires));
	}
	return doc;
}

/* Runs `work` and its audit entry in one transaction. */
static int accounts_commit_audited(struct store *s, const struct principal *who,
				   const char *action, const struct store_user *u,
				   int (*work)(struct store *s, void *ctx, struct err *e), void *ctx,
				   struct err *e)
{
	json_t *detail = json_pack("{s:s, s:s}", "user", u->name, "roles", u->roles);
	int rc = -1;

	if (store_begin(s, e) < 0)
		goto out;
	if (work(s, ctx, e) < 0 ||
	    audit_trail_record(s, who, action, accounts_or_null(u->subject_code), detail, e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		goto out;
	}
	rc = 0;
out:
	json_decref(detail);
	return rc;
}

static int accounts_insert_work(struct store *s, void *ctx, struct err *e)
{
	struct store_user *u = ctx, existing;
	int found = store_user_get(s, u->name, &existing, e);

	if (found < 0)
		return -1;
	if (found)
		return err_set_field(e, "user.exists", "name", "用户名“%s”已被使用", u->name);
	return store_user_insert(s, u, e);
}

int accounts_add(struct store *s, const struct principal *who, const struct account_new *n,
		 json_t **out, struct err *e)
{
	struct store_user u;
	char code[SECRET_ACTIVATION_MAX] = "";
	unsigned roles = 0;

	*out = NULL;
	memset(&u, 0, sizeof u);
	if (accounts_check_name(n->name, e) < 0 || role_parse_list(n->roles, &roles, e) < 0 ||
	    role_check_binding(roles, n->dept_code && *n->dept_code,
			       n->subject_code && *n->subject_code, e) < 0)
		return -1;
	if (n->dept_code && *n->dept_code &&
	    codes_require_valid(s, n->dept_code, CODE_KIND_USCC, "dept", u.dept_code, e) < 0)
		return -1;
	if (n->subject_code && *n->subject_code &&
	    codes_require_valid(s, n->subject_code, CODE_KIND_AUTO, "subject", u.subject_code, e) < 0)
		return -1;
	if (accounts_may_manage(who, roles, u.dept_code, e) < 0)
		return -1;
	snprintf(u.name, sizeof u.name, "%s", n->name);
	role_format_list(roles, u.roles, sizeof u.roles);
	snprintf(u.display_name, sizeof u.display_name, "%s", n->display_name ? n->display_name : "");
	if (n->password) {
		if (password_check_policy(n->password, n->name, e) < 0 ||
		    password_hash(n->password, u.password_hash, e) < 0)
			return -1;
	} else {
		accounts_new_activation(&u, code);
	}
	if (accounts_commit_audited(s, who, "user.add", &u, accounts_insert_work, &u, e) < 0)
		return -1;
	*out = accounts_created_json(&u, code);
	return 0;
}

/* ---- changing ------------------------------------------------------------------------- */

struct update_ctx {
	struct store_user *user;
	const char *now;
	int end_sessions;
};

static int accounts_update_work(struct store *s, void *ctx, struct err *e)
{
	struct update_ctx *c = ctx;

	if (store_user_update(s, c->user, e) < 0)
		return -1;
	return c->end_sessions ? store_sessions_end_user(s, c->user->id, c->now, e) : 0;
}

static int accounts_save(struct store *s, const struct principal *who, const char *action,
			 struct store_user *u, int end_sessions, struct err *e)
{
	char now[26];
	struct update_ctx c = { u, now, end_sessions };

	clock_timestamp(now);
	return accounts_commit_audited(s, who, action, u, accounts_update_work, &c, e);
}

/* Gives u a new password (after the policy), which also ends a pending activation and
 * a lock. */
static int accounts_new_password(struct store_user *u, const char *password, struct err *e)
{
	if (password_check_policy(password, u->name, e) < 0 ||
	    password_hash(password, u->password_hash, e) < 0)
		return -1;
	u->activation_hash[0] = u->activation_expires[0] = '\0';
	u->failed_logins = 0;
	u->locked_until[0] = '\0';
	return 0;
}

static int accounts_find(struct store *s, const char *name, struct store_user *u, struct err *e)
{
	int found = store_user_get(s, name ? name : "", u, e);

	if (found < 0)
		return -1;
	if (!found)
		return err_set_field(e, "user.not_found", "name", "用户“%s”不存在", name ? name : "");
	return 0;
}

int accounts_set_password(struct store *s, const struct principal *who, const char *name,
			  const char *password, struct err *e)
{
	struct store_user u;

	if (accounts_find(s, name, &u, e) < 0)
		return -1;
	if (access_check(who, ACCESS_USER_SET_PASSWORD, NULL, e) < 0)
		return -1;
	if (accounts_new_password(&u, password, e) < 0)
		return -1;
	return accounts_save(s, who, "user.password", &u, 1, e);
}

int accounts_reissue_activation(struct store *s, const struct principal *who,
				const char *name, json_t **out, struct err *e)
{
	char code[SECRET_ACTIVATION_MAX];
	struct store_user u;

	*out = NULL;
	if (accounts_find(s, name, &u, e) < 0 || accounts_may_manage_user(who, &u, e) < 0)
		return -1;
	accounts_new_activation(&u, code);
	u.password_hash[0] = '\0';
	u.failed_logins = 0;
	u.locked_until[0] = '\0';
	if (accounts_save(s, who, "user.activation", &u, 1, e) < 0)
		return -1;
	*out = accounts_created_json(&u, code);
	return 0;
}

int accounts_change_password(struct store *s, const struct principal *who,
			     const char *current, const char *password, struct err *e)
{
	struct store_user u;

	if (access_check(who, ACCESS_USER_CHANGE_PASSWORD, NULL, e) < 0)
		return -1;
	if (store_user_get_id(s, who->id, &u, e) <= 0)
		return err_set(e, "auth.invalid", "登录已失效，请重新登录");
	if (!password_verify(u.password_hash, current ? current : ""))
		return err_set_field(e, "auth.invalid", "current", "当前密码不正确");
	if (accounts_new_password(&u, password, e) < 0)
		return -1;
	return accounts_save(s, who, "user.password", &u, 1, e);
}

int accounts_disable(struct store *s, const struct principal *who, const char *name,
		     struct err *e)
{
	struct store_user u;

	if (accounts_find(s, name, &u, e) < 0 || accounts_may_manage_user(who, &u, e) < 0)
		return -1;
	u.disabled = 1;
	return accounts_save(s, who, "user.disable", &u, 1, e);
}

static int accounts_list_row(void *ctx, const struct store_user *u)
{
	json_array_append_new(ctx, accounts_user_json(u));
	return 0;
}

int accounts_list(struct store *s, const struct principal *who, json_t **out, struct err *e)
{
	const char *dept = NULL;
	json_t *users;

	*out = NULL;
	/* Every department's accounts for whom no department binds (a NULL target is
	 * nobody's), else the caller's own department's. */
	if (!access_may(who, ACCESS_USER_LIST, NULL)) {
		const struct access_target own = { NULL, who->dept_code };

		if (access_check(who, ACCESS_USER_LIST, &own, e) < 0)
			return -1;
		dept = who->dept_code;
	}
	users = json_array();
	if (store_user_list(s, dept, accounts_list_row, users, e) < 0) {
		json_decref(users);
		return -1;
	}
	*out = json_pack("{s:o}", "users", users);
	return 0;
}

/* ---- logging in --------------------------------------------------------------------- */

static void accounts_principal_of(const struct store_user *u, const char *client,
				  struct principal *p)
{
	principal_anonymous(p, client);
	p->kind = PRINCIPAL_USER;
	p->id = u->id;
	snprintf(p->name, sizeof p->name, "%s", u->name);
	role_parse_list(u->roles, &p->roles, NULL);
	memcpy(p->dept_code, u->dept_code, sizeof p->dept_code);
	memcpy(p->subject_code, u->subject_code, sizeof p->subject_code);
}

int accounts_activate(struct store *s, const char *name, const char *code,
		      const char *password, const char *client, struct err *e)
{
	char normal[SECRET_ACTIVATION_MAX], hash[SECRET_HASH_HEX], now[26];
	struct principal who;
	struct store_user u;
	int found;

	found = store_user_get(s, name ? name : "", &u, e);
	if (found < 0)
		return -1;
	clock_timestamp(now);
	secret_activation_normalize(code ? code : "", normal);
	secret_hash_hex(normal, hash);
	if (!found || u.disabled || !u.activation_hash[0] || !normal[0] ||
	    !secret_equal(hash, u.activation_hash) || strcmp(u.activation_expires, now) <= 0)
		return err_set(e, "auth.invalid", "用户名或激活码不正确，或激活码已使用、已过期：请向平台运营人员重新申领");
	if (accounts_new_password(&u, password, e) < 0)
		return -1;
	accounts_principal_of(&u, client, &who);
	return accounts_save(s, &who, "user.activate", &u, 1, e);
}

/* The one answer to every failed login, whatever the cause: a lock is not told here,
 * because telling it would tell that the name exists (and, answered only to the right
 * password, would turn the lock into an oracle for guessing it). */
static int accounts_login_refused(struct err *e)
{
	return err_set(e, "auth.invalid", "用户名或密码不正确（连续失败 %d 次后账号将锁定 %d 分钟）",
		       ACCOUNTS_LOCK_AFTER, ACCOUNTS_LOCK_SECONDS / 60);
}

/* A failed attempt on an existing account: counted, and the account locked after
 * ACCOUNTS_LOCK_AFTER in a row.  Recorded in the audit trail either way. */
static int accounts_login_failed(struct store *s, struct store_user *u, const char *client,
				 struct err *e)
{
	struct principal who;
	int locked;

	u->failed_logins++;
	locked = u->failed_logins >= ACCOUNTS_LOCK_AFTER;
	if (locked) {
		clock_timestamp_in(ACCOUNTS_LOCK_SECONDS, u->locked_until);
		u->failed_logins = 0;
	}
	accounts_principal_of(u, client, &who);
	if (accounts_save(s, &who, locked ? "auth.locked" : "auth.login_failed", u, 0, e) < 0)
		return -1;
	return accounts_login_refused(e);
}

int accounts_login(struct store *s, const char *name, const char *password,
		   const char *client, struct account_session *session, json_t **user,
		   struct err *e)
{
	char now[26], hash[SECRET_HASH_HEX];
	struct principal who;
	struct store_user u;
	int found;

	*user = NULL;
	memset(session, 0, sizeof *session);
	found = store_user_get(s, name ? name : "", &u, e);
	if (found < 0)
		return -1;
	clock_timestamp(now);
	/* An unknown, disabled, not yet activated or locked account costs the same Argon2id
	 * work as a wrong password, and gets the same answer, so that names cannot be
	 * probed.  During a lock even the right password is refused, and the attempt does
	 * not count: the lock would otherwise never end for someone being guessed at. */
	if (!found || u.disabled || !u.password_hash[0]) {
		password_burn_time(password ? password : "");
		return accounts_login_refused(e);
	}
	if (u.locked_until[0] && strcmp(u.locked_until, now) > 0) {
		(void)password_verify(u.password_hash, password ? password : "");
		return accounts_login_refused(e);
	}
	if (!password_verify(u.password_hash, password ? password : ""))
		return accounts_login_failed(s, &u, client, e);
	/* Told to the owner only, now that the password was right: what happened since the
	 * last login.  A lock that ended stays recorded until this moment. */
	session->failed_logins = u.failed_logins;
	snprintf(session->locked_until, sizeof session->locked_until, "%s", u.locked_until);

	if (secret_session_token(session->token) < 0)
		return err_set(e, "internal.error", "无法生成会话令牌");
	accounts_session_csrf(session->token, session->csrf);
	clock_timestamp_in(ACCOUNTS_SESSION_SECONDS, session->expires_at);
	secret_hash_hex(session->token, hash);
	u.failed_logins = 0;
	u.locked_until[0] = '\0';
	accounts_principal_of(&u, client, &who);
	if (store_begin(s, e) < 0)
		return -1;
	if (store_user_update(s, &u, e) < 0 ||
	    store_session_insert(s, hash, u.id, session->expires_at, client, e) < 0 ||
	    audit_trail_record(s, &who, "auth.login", accounts_or_null(u.subject_code), NULL, e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		memset(session, 0, sizeof *session);
		return -1;
	}
	*user = accounts_user_json(&u);
	return 0;
}

int accounts_logout(struct store *s, const struct principal *who, const char *token,
		    struct err *e)
{
	char hash[SECRET_HASH_HEX];

	secret_hash_hex(token, hash);
	if (store_begin(s, e) < 0)
		return -1;
	if (store_session_delete(s, hash, e) < 0 ||
	    audit_trail_record(s, who, "auth.logout", accounts_or_null(who->subject_code), NULL,
			       e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int accounts_session_principal(struct store *s, const char *token, struct principal *p,
			       struct err *e)
{
	char hash[SECRET_HASH_HEX], now[26], client[sizeof p->client];
	struct store_user u;
	int found;

	snprintf(client, sizeof client, "%s", p->client);
	secret_hash_hex(token, hash);
	clock_timestamp(now);
	found = store_session_user(s, hash, now, &u, e);
	if (found <= 0)
		return found;
	accounts_principal_of(&u, client, p);
	return 1;
}

void accounts_session_csrf(const char *token, char out[SECRET_HASH_HEX])
{
	secret_derive_hex(token, "csrf", out);
}
