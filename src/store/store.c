/*
 * store.c - the backend-independent half of the store: opening by URL, migrations, and
 * every operation whose SQL both backends share (see store_int.h for the file map).
 */
#include "store_int.h"

#include "core/clock.h"
#include "core/err.h"
#include "core/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STORE_DEFAULT_PATH "var/xinyong.db"

const struct store_sql store_sql[SQL_COUNT] = {
#define SQL(id, backend, route, text) [SQL_##id] = { #id, backend, route, text },
#include "sql.def"
#undef SQL
};

/* ---- helpers shared with the backends --------------------------------------------- */

void store__now(struct store *s, char out[26])
{
	if (s->tx_time[0])
		memcpy(out, s->tx_time, sizeof s->tx_time);
	else
		clock_timestamp(out);
}

void store__copy(const struct store_row *r, int col, char *dst, size_t size)
{
	snprintf(dst, size, "%s", store__text(r, col));
}

/* ---- opening ---------------------------------------------------------------------- */

static int store_is_pg_url(const char *url)
{
	return strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0;
}

/* The version number a migration file name starts with ("002_search.sql" -> 2), or -1. */
static long store_migration_version(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);

	return end != name && *end == '_' && v > 0 ? v : -1;
}

int store__query_if_any(struct store *s, enum store_sql_id id, struct err *e)
{
	enum store_sql_backend b = store_sql[id].backend;

	if (b != SQL_BOTH && b != s->be->dialect)
		return 0;
	return store__query(s, id, NULL, 0, NULL, NULL, NULL, e);
}

static int store_row_found(void *ctx, const struct store_row *row)
{
	(void)row;
	*(int *)ctx = 1;
	return 1;
}

/* Applies one migration in its own transaction.  The check for "already applied" is
 * repeated under the write lock, because another process may have opened the same new
 * database at the same moment. */
static int store_migration_apply(struct store *s, const struct embedded_file *m, long version,
				 struct err *e)
{
	struct store_param p[3] = { STORE_NUM(version), STORE_TEXT(m->name), STORE_TEXT(NULL) };
	char now[26];
	int applied = 0;

	if (s->be->begin(s, STORE_WAIT_BATCH, e) < 0)
		return -1;
	if (store__query_if_any(s, SQL_MIGRATION_LOCK, e) < 0 ||
	    store__query(s, SQL_MIGRATION_CHECK, p, 1, store_row_found, &applied, NULL, e) < 0)
		goto fail;
	if (applied) {
		s->be->rollback(s);
		return 0;
	}
	if (s->be->exec_script(s, m->name, m->data, e) < 0)
		goto fail;
	clock_timestamp(now);
	p[2].text = now;
	if (store__query(s, SQL_MIGRATION_RECORD, p, 3, NULL, NULL, NULL, e) < 0 ||
	    s->be->commit(s, e) < 0)
		goto fail;
	return 0;
fail:
	s->be->rollback(s);
	return -1;
}

struct store_applied {
	long max, count;
};

static int store_applied_row(void *ctx, const struct store_row *row)
{
	struct store_applied *a = ctx;

	a->max = (long)store__num(row, 0);
	a->count = (long)store__num(row, 1);
	return 0;
}

/* Brings the schema up to date.  Applied versions are read first without a write lock,
 * so that opening an up-to-date database (every server pool handle) stays read-only. */
static int store_migrate(struct store *s, struct err *e)
{
	const struct embedded_file *m;
	struct store_applied applied = { 0, 0 };
	long known_max = 0, known_count = 0, v;

	/* Read first, create only when that fails: a read-only replica refuses even a
	 * CREATE TABLE IF NOT EXISTS, and must still open when its schema is current. */
	if (store__query(s, SQL_MIGRATIONS_APPLIED, NULL, 0, store_applied_row, &applied, NULL,
			 NULL) < 0 &&
	    (store__query(s, SQL_MIGRATIONS_CREATE, NULL, 0, NULL, NULL, NULL, e) < 0 ||
	     store__query(s, SQL_MIGRATIONS_APPLIED, NULL, 0, store_applied_row, &applied,
			  NULL, e) < 0))
		return -1;
	for (m = s->be->migrations; m->name; m++) {
		v = store_migration_version(m->name);
		if (v <= known_max)
			return err_set(e, "store.error",
				       "迁移文件名 %s 无效：应以递增的编号开头，如 003_name.sql", m->name);
		known_max = v;
		known_count++;
	}
	if (applied.max > known_max)
		return err_set(e, "store.error",
			       "数据库 %s 的结构版本（%ld）比本程序支持的（%ld）更新，请升级程序",
			       s->location, applied.max, known_max);
	/* Migrations are numbered without gaps in practice, so equal counts and maxima mean
	 * nothing is pending; otherwise each one is checked under the write lock. */
	if (applied.max == known_max && applied.count == known_count)
		return 0;
	for (m = s->be->migrations; m->name; m++)
		if (store_migration_apply(s, m, store_migration_version(m->name), e) < 0)
			return -1;
	return 0;
}

/* The file path named by an SQLite url: "sqlite:PATH", "sqlite://PATH" or a path. */
static const char *store_sqlite_path(const char *url, struct err *e)
{
	if (strncmp(url, "sqlite:", 7) == 0) {
		url += 7;
		/* sqlite:///srv/x.db is an absolute path, as in other tools' URLs. */
		if (strncmp(url, "//", 2) == 0)
			url += 2;
	}
	if (!*url) {
		err_set(e, "store.error", "数据库地址为空，请给出 SQLite 文件路径或 PostgreSQL 地址");
		return NULL;
	}
	return url;
}

/* Whether a SQLite database may be opened at `path`: with `create`, its directory must
 * exist (a missing one is never created: a mistyped path must not leave directories
 * behind); without, the file itself must exist.  The message names the path: it is the
 * operator's own argument, and only the command line opens a store by path. */
static int store_sqlite_check_path(const char *path, int create, struct err *e)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir;
	int dir_ok;

	if (strcmp(path, ":memory:") == 0)
		return 0;
	if (!create && stat(path, &st) == 0)
		return 0;
	if (!create && errno != ENOENT)
		return 0; /* left to sqlite3_open_v2 to report */
	if (!slash || slash == path) {
		dir_ok = 1;
	} else {
		if (!(dir = strndup(path, (size_t)(slash - path))))
			return err_set(e, "store.error", "内存不足");
		dir_ok = stat(dir, &st) == 0 || errno != ENOENT;
		if (!dir_ok)
			err_set(e, "store.not_found",
				"数据库目录 %s 不存在（不会自动创建目录）：请先创建该目录，"
				"或用 --db 指定已有目录中的文件", dir);
		free(dir);
		if (!dir_ok)
			return -1;
	}
	if (create)
		return 0;
	return err_set(e, "store.not_found",
		       "数据库 %s 不存在：只有 xinyong init（或 demo、serve --init）会创建数据库，"
		       "请先运行 xinyong init --db %s，或检查 --db 与 XINYONG_DB", path, path);
}

static int store_open_mode(const char *url, int create, struct store **out, struct err *e)
{
	struct store *s;
	const char *path;
	int rc;

	*out = NULL;
	if (!url || !*url) {
		url = getenv("XINYONG_DB");
		if (!url || !*url)
			url = STORE_DEFAULT_PATH;
	}
	s = calloc(1, sizeof *s);
	if (!s || !(s->url = strdup(url))) {
		free(s);
		return err_set(e, "store.error", "内存不足");
	}
	if (store_is_pg_url(url)) {
		s->be = &store_pg_backend;
		rc = store_pg_connect(s, url, e);
	} else {
		s->be = &store_sqlite_backend;
		path = store_sqlite_path(url, e);
		rc = path && store_sqlite_check_path(path, create, e) == 0 ?
			     store_sqlite_connect(s, path, e) :
			     -1;
	}
	if (rc < 0 || store_migrate(s, e) < 0) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int store_open(const char *url, struct store **out, struct err *e)
{
	return store_open_mode(url, 1, out, e);
}

int store_open_existing(const char *url, struct store **out, struct err *e)
{
	return store_open_mode(url, 0, out, e);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->impl)
		s->be->close(s);
	free(s->location);
	free(s->url);
	free(s);
}

int store_open_another(const struct store *s, struct store **out, struct err *e)
{
	return store_open(s->url, out, e);
}

const char *store_location(const struct store *s)
{
	return s->location;
}

const char *store_backend_name(const struct store *s)
{
	return s->be->name;
}

/* ---- transactions ----------------------------------------------------------------- */

int store__begin_waiting(struct store *s, int wait, struct err *e)
{
	if (s->be->begin(s, wait, e) < 0)
		return -1;
	memset(&s->put_counts, 0, sizeof s->put_counts);
	clock_timestamp(s->tx_time);
	return 0;
}

int store_begin(struct store *s, struct err *e)
{
	return store__begin_waiting(s, STORE_WAIT_BRIEF, e);
}

int store_begin_batch(struct store *s, struct err *e)
{
	return store__begin_waiting(s, STORE_WAIT_BATCH, e);
}

int store_commit(struct store *s, struct err *e)
{
	if (s->be->commit(s, e) < 0)
		return -1;
	s->tx_time[0] = '\0';
	return 0;
}

void store_rollback(struct store *s)
{
	if (!s)
		return;
	s->tx_time[0] = '\0';
	memset(&s->put_counts, 0, sizeof s->put_counts);
	s->be->rollback(s);
}

/* ---- catalog ---------------------------------------------------------------------- */

int store_category_put(struct store *s, const char *id, const char *json, struct err *e)
{
	char now[26];
	struct store_param p[3] = { STORE_TEXT(id), STORE_TEXT(json), STORE_TEXT(now) };

	store__now(s, now);
	if (store__query(s, SQL_CATEGORY_PUT, p, 3, NULL, NULL, NULL, e) < 0)
		return -1;
	return 0;
}

static int store_first_text(void *ctx, const struct store_row *row)
{
	char **out = ctx;

	*out = strdup(store__text(row, 0));
	return 1;
}

int store_category_get(struct store *s, const char *id, char **json_out, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(id) };
	char *json = NULL;

	*json_out = NULL;
	if (store__query(s, SQL_CATEGORY_GET, p, 1, store_first_text, &json, NULL, e) < 0) {
		free(json);
		return -1;
	}
	*json_out = json;
	return json != NULL;
}

struct category_list_ctx {
	int (*cb)(void *ctx, const char *id, const char *json);
	void *ctx;
};

static int store_category_row(void *ctx, const struct store_row *row)
{
	struct category_list_ctx *c = ctx;

	return c->cb(c->ctx, store__text(row, 0), store__text(row, 1));
}

int store_category_list(struct store *s,
			int (*cb)(void *ctx, const char *id, const char *json), void *ctx,
			struct err *e)
{
	struct category_list_ctx c = { cb, ctx };

	return store__query(s, SQL_CATEGORY_LIST, NULL, 0, store_category_row, &c, NULL, e);
}

/* ---- the holiday calendar ---------------------------------------------------------- */

int store_calendar_delete_year(struct store *s, int year, struct err *e)
{
	char from[24], to[24];
	struct store_param p[2] = { STORE_TEXT(from), STORE_TEXT(to) };

	snprintf(from, sizeof from, "%04d-01-01", year);
	snprintf(to, sizeof to, "%04d-01-01", year + 1);
	return store__query(s, SQL_CALENDAR_DELETE_YEAR, p, 2, NULL, NULL, NULL, e);
}

int store_calendar_put(struct store *s, const char *day, const char *kind, struct err *e)
{
	char now[26];
	struct store_param p[3] = { STORE_TEXT(day), STORE_TEXT(kind), STORE_TEXT(now) };

	store__now(s, now);
	return store__query(s, SQL_CALENDAR_PUT, p, 3, NULL, NULL, NULL, e);
}

struct calendar_list_ctx {
	int (*cb)(void *ctx, const char *day, const char *kind, const char *updated_at);
	void *ctx;
};

static int store_calendar_row(void *ctx, const struct store_row *row)
{
	struct calendar_list_ctx *c = ctx;

	return c->cb(c->ctx, store__text(row, 0), store__text(row, 1), store__text(row, 2));
}

int store_calendar_list(struct store *s,
			int (*cb)(void *ctx, const char *day, const char *kind,
				  const char *updated_at),
			void *ctx, struct err *e)
{
	struct calendar_list_ctx c = { cb, ctx };

	return store__query(s, SQL_CALENDAR_LIST, NULL, 0, store_calendar_row, &c, NULL, e);
}

/* ---- the department directory ------------------------------------------------------ */

int store_dept_put(struct store *s, const struct store_dept *d, struct err *e)
{
	char now[26];
	struct store_param p[8] = { STORE_TEXT(d->code),	STORE_TEXT(d->name),
				    STORE_TEXT(d->short_name),	STORE_TEXT(d->region_code),
				    STORE_TEXT(d->parent_code), STORE_TEXT(d->contact),
				    STORE_TEXT(d->sector),	STORE_TEXT(now) };

	store__now(s, now);
	return store__query(s, SQL_DEPT_PUT, p, 8, NULL, NULL, NULL, e);
}

struct dept_ctx {
	int (*cb)(void *ctx, const struct store_dept *d);
	void *ctx;
	int found;
};

static int store_dept_row(void *ctx, const struct store_row *row)
{
	struct dept_ctx *c = ctx;
	struct store_dept d = { store__text(row, 0), store__text(row, 1), store__text(row, 2),
				store__text(row, 3), store__text(row, 4), store__text(row, 5),
				store__text(row, 6), store__text(row, 7) };

	c->found = 1;
	return c->cb(c->ctx, &d);
}

int store_dept_get(struct store *s, const char *code,
		   int (*cb)(void *ctx, const struct store_dept *d), void *ctx, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(code) };
	struct dept_ctx c = { cb, ctx, 0 };

	if (store__query(s, SQL_DEPT_GET, p, 1, store_dept_row, &c, NULL, e) < 0)
		return -1;
	return c.found;
}

int store_dept_list(struct store *s, int (*cb)(void *ctx, const struct store_dept *d),
		    void *ctx, struct err *e)
{
	struct dept_ctx c = { cb, ctx, 0 };

	return store__query(s, SQL_DEPT_LIST, NULL, 0, store_dept_row, &c, NULL, e);
}

/* ---- report signing keys and issued reports ----------------------------------------- */

int store_key_put(struct store *s, const struct store_signing_key *k, struct err *e)
{
	char now[26];
	struct store_param p[9] = { STORE_TEXT(k->id),	       STORE_TEXT(k->issuer),
				    STORE_TEXT(k->url),	       STORE_TEXT(k->public_key),
				    STORE_TEXT(k->secret_key), STORE_NUM(k->own),
				    STORE_TEXT(k->valid_from), STORE_TEXT(k->valid_until),
				    STORE_TEXT(now) };

	store__now(s, now);
	return store__query(s, SQL_KEY_PUT, p, 9, NULL, NULL, NULL, e);
}

struct key_ctx {
	int (*cb)(void *ctx, const struct store_signing_key *k);
	void *ctx;
};

static int store_key_row(void *ctx, const struct store_row *row)
{
	struct key_ctx *c = ctx;
	struct store_signing_key k = { store__text(row, 0), store__text(row, 1),
				       store__text(row, 2), store__text(row, 3),
				       store__text(row, 4), (int)store__num(row, 5),
				       store__text(row, 6), store__text(row, 7),
				       store__text(row, 8) };

	return c->cb(c->ctx, &k);
}

int store_key_list(struct store *s, int (*cb)(void *ctx, const struct store_signing_key *k),
		   void *ctx, struct err *e)
{
	struct key_ctx c = { cb, ctx };

	return store__query(s, SQL_KEY_LIST, NULL, 0, store_key_row, &c, NULL, e);
}

int store_report_put(struct store *s, const struct store_report *r, struct err *e)
{
	struct store_param p[10] = { STORE_TEXT(r->number),	  STORE_TEXT(r->subject_code),
				     STORE_TEXT(r->subject_name), STORE_TEXT(r->view),
				     STORE_TEXT(r->format),	  STORE_TEXT(r->digest),
				     STORE_TEXT(r->verification_code),
				     STORE_TEXT(r->key_id),	  STORE_TEXT(r->generated_at),
				     STORE_TEXT(r->actor) };

	return store__query(s, SQL_REPORT_PUT, p, 10, NULL, NULL, NULL, e);
}

struct report_ctx {
	int (*cb)(void *ctx, const struct store_report *r);
	void *ctx;
	int found;
};

static int store_report_row(void *ctx, const struct store_row *row)
{
	struct report_ctx *c = ctx;
	struct store_report r = { store__text(row, 0), store__text(row, 1), store__text(row, 2),
				  store__text(row, 3), store__text(row, 4), store__text(row, 5),
				  store__text(row, 6), store__text(row, 7), store__text(row, 8),
				  store__text(row, 9) };

	c->found = 1;
	return c->cb(c->ctx, &r);
}

int store_report_get(struct store *s, const char *number,
		     int (*cb)(void *ctx, const struct store_report *r), void *ctx,
		     struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(number) };
	struct report_ctx c = { cb, ctx, 0 };

	if (store__query(s, SQL_REPORT_GET, p, 1, store_report_row, &c, NULL, e) < 0)
		return -1;
	return c.found;
}

/* ---- code exceptions -------------------------------------------------------------- */

int store_code_exception_add(struct store *s, const char *code, const char *note,
			     struct err *e)
{
	char now[26];
	struct store_param p[3] = { STORE_TEXT(code), STORE_TEXT(note), STORE_TEXT(now) };

	store__now(s, now);
	return store__query(s, SQL_EXCEPTION_ADD, p, 3, NULL, NULL, NULL, e);
}

int store_code_exception_has(void *store, const char *code)
{
	struct store *s = store;
	struct store_param p[1] = { STORE_TEXT(code) };
	int found = 0;

	/* A callback of code_check: it has no error channel, so a failed lookup counts as
	 * "not listed" and the code is judged on its check character alone. */
	if (!s || !code)
		return 0;
	if (store__query(s, SQL_EXCEPTION_HAS, p, 1, store_row_found, &found, NULL, NULL) < 0)
		return 0;
	return found;
}

struct exception_list_ctx {
	int (*cb)(void *ctx, const char *code, const char *note, const char *added_at);
	void *ctx;
};

static int store_exception_row(void *ctx, const struct store_row *row)
{
	struct exception_list_ctx *c = ctx;

	return c->cb(c->ctx, store__text(row, 0), store__text(row, 1), store__text(row, 2));
}

int store_code_exception_list(struct store *s,
			      int (*cb)(void *ctx, const char *code, const char *note,
					const char *added_at),
			      void *ctx, struct err *e)
{
	struct exception_list_ctx c = { cb, ctx };

	return store__query(s, SQL_EXCEPTION_LIST, NULL, 0, store_exception_row, &c, NULL, e);
}

/* ---- subjects --------------------------------------------------------------------- */

struct subject_get_ctx {
	struct store_subject *out;
	int found; /* 1 found, -1 out of memory */
};

static int store_subject_row(void *ctx, const struct store_row *row)
{
	struct subject_get_ctx *c = ctx;
	struct store_subject *out = c->out;

	memset(out, 0, sizeof *out);
	store__copy(row, 0, out->code, sizeof out->code);
	store__copy(row, 1, out->kind, sizeof out->kind);
	store__copy(row, 2, out->subject_type, sizeof out->subject_type);
	store__copy(row, 4, out->region_code, sizeof out->region_code);
	store__copy(row, 5, out->created_at, sizeof out->created_at);
	store__copy(row, 6, out->updated_at, sizeof out->updated_at);
	out->name = strdup(store__text(row, 3));
	c->found = out->name ? 1 : -1;
	return 1;
}

int store_subject_get(struct store *s, const char *code, struct store_subject *out,
		      struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(code) };
	struct subject_get_ctx c = { out, 0 };
	int rc;

	if (s->be->subject_cached) {
		rc = s->be->subject_cached(s, code, out, e);
		if (rc != -2)
			return rc;
	}
	if (store__query(s, SQL_SUBJECT_GET, p, 1, store_subject_row, &c, NULL, e) < 0)
		return -1;
	if (c.found < 0)
		return err_set(e, "store.error", "内存不足");
	return c.found;
}

int store_subject_insert(struct store *s, const struct store_subject *subj, struct err *e)
{
	char *key = text_search_key(subj->name ? subj->name : "");
	int rc;

	if (!key)
		return err_set(e, "store.error", "主体名称不是有效的 UTF-8 文本：%s", subj->code);
	rc = s->be->subject_insert(s, subj, key, e);
	free(key);
	return rc;
}

int store_subjects_prefetch(struct store *s, const char *const *codes, size_t n,
			    struct err *e)
{
	if (!s->be->subjects_prefetch || n == 0)
		return 0;
	return s->be->subjects_prefetch(s, codes, n, e);
}

void store_subject_clear(struct store_subject *subj)
{
	if (!subj)
		return;
	free(subj->name);
	subj->name = NULL;
}

void store_search_init(struct store_search *q, const char *key, const char *code, int limit,
		       int include_persons)
{
	memset(q, 0, sizeof *q);
	q->key = key;
	q->code = code;
	q->limit = limit;
	q->include_persons = include_persons;
	q->after_match = -1;
}

/* The subject whose code is q->code, when q finds it: a hit of rank 0. */
static int store_search_code_hit(struct store *s, const struct store_search *q,
				 struct store_subject *subj, struct err *e)
{
	size_t n;
	int found;

	memset(subj, 0, sizeof *subj);
	if (!q->code || !*q->code)
		return 0;
	found = store_subject_get(s, q->code, subj, e);
	if (found <= 0)
		return found;
	n = q->region ? strlen(q->region) : 0;
	/* A person may be known by a passport number (kind "other"): the type decides. */
	if ((q->include_persons || (strcmp(subj->kind, "resident_id") != 0 &&
				    strcmp(subj->subject_type, "自然人") != 0)) &&
	    (!n || strncmp(subj->region_code, q->region, n) == 0) &&
	    (!q->subject_type || !*q->subject_type ||
	     strcmp(subj->subject_type, q->subject_type) == 0))
		return 1;
	store_subject_clear(subj);
	return 0;
}

int store_subject_search(struct store *s, const struct store_search *q,
			 int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
			 struct err *e)
{
	struct store_search names = *q;
	struct store_subject subj;
	struct store_search_hit hit;
	int found, stop = 0;

	if (q->limit <= 0)
		return 0;
	/* The exact code match comes first (match 0), found by the subject key rather than
	 * as a branch of the name query: a union made SQLite carry every candidate through
	 * a subquery, 1.5x slower for keys common to most names.  It is on the first page
	 * only; the name query leaves it out of every page. */
	if (q->after_match < 0) {
		found = store_search_code_hit(s, q, &subj, e);
		if (found < 0)
			return -1;
		if (found) {
			hit.code = subj.code;
			hit.name = subj.name;
			hit.kind = subj.kind;
			hit.subject_type = subj.subject_type;
			hit.region_code = subj.region_code;
			hit.match = 0;
			stop = cb(ctx, &hit) != 0;
			names.limit--;
		}
		store_subject_clear(&subj);
		if (stop)
			return 0;
	}
	if (!names.code || !*names.code)
		names.code = NULL;
	if (!q->key || !*q->key || names.limit == 0)
		return 0;
	return s->be->search(s, &names, cb, ctx, e);
}

int store_subject_search_count(struct store *s, const struct store_search *q, long cap,
			       long *total, struct err *e)
{
	struct store_search names = *q;
	struct store_subject subj;
	long n = 0;
	int found;

	*total = 0;
	found = store_search_code_hit(s, q, &subj, e);
	if (found < 0)
		return -1;
	store_subject_clear(&subj);
	if (!names.code || !*names.code)
		names.code = NULL;
	if (q->key && *q->key && cap > found &&
	    s->be->search_count(s, &names, cap - found, &n, e) < 0)
		return -1;
	*total = n + found;
	return 0;
}

/* ---- records ---------------------------------------------------------------------- */

int store_record_put(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		     struct err *e)
{
	owner[0] = '\0';
	return s->be->record_put(s, rec, owner, e);
}

int store_records_prefetch_owners(struct store *s, const char *const *codes, size_t n,
				  const char *dept_code, struct err *e)
{
	if (!s->be->owners_prefetch || n == 0)
		return 0;
	return s->be->owners_prefetch(s, codes, n, dept_code, e);
}

int store_batch_drop_own_versions(struct store *s, int64_t batch_id, struct err *e)
{
	struct store_param p[1] = { STORE_NUM(batch_id) };

	return store__query(s, SQL_RECORD_VERSIONS_DROP_BATCH, p, 1, NULL, NULL, NULL, e);
}

int store_put_counts_take(struct store *s, struct store_put_counts *out, struct err *e)
{
	if (s->be->flush(s, e) < 0)
		return -1;
	*out = s->put_counts;
	memset(&s->put_counts, 0, sizeof s->put_counts);
	return 0;
}

struct records_ctx {
	int (*cb)(void *ctx, const struct store_record *rec);
	void *ctx;
	long long *seen; /* may be NULL: counts the rows */
};

static int store_record_row(void *ctx, const struct store_row *row)
{
	struct records_ctx *c = ctx;
	struct store_record rec;

	rec.id = store__num(row, 0);
	rec.batch_id = store__num(row, 1);
	rec.category = store__text(row, 2);
	rec.subject_code = store__text(row, 3);
	rec.dept_code = store__text(row, 4);
	rec.business_key = store__text(row, 5);
	rec.data = store__text(row, 6);
	rec.content_hash = store__text(row, 7);
	rec.decision_date = store__text(row, 8);
	rec.publicity_end = store__text(row, 9);
	rec.flags = (int)store__num(row, 10);
	rec.created_at = store__text(row, 11);
	rec.updated_at = store__text(row, 12);
	if (c->seen)
		++*c->seen;
	return c->cb(c->ctx, &rec);
}

int store_records_of_subject(struct store *s, const char *subject_code,
			     int (*cb)(void *ctx, const struct store_record *rec), void *ctx,
			     struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(subject_code) };
	struct records_ctx c = { cb, ctx, NULL };

	return store__query(s, SQL_RECORDS_OF_SUBJECT, p, 1, store_record_row, &c, NULL, e);
}

int store_record_get(struct store *s, int64_t id,
		     int (*cb)(void *ctx, const struct store_record *rec), void *ctx,
		     struct err *e)
{
	struct store_param p[1] = { STORE_NUM(id) };
	long long found = 0;
	struct records_ctx c = { cb, ctx, &found };

	if (store__query(s, SQL_RECORD_GET, p, 1, store_record_row, &c, NULL, e) < 0)
		return -1;
	return found > 0;
}

int store_record_transfer(struct store *s, const char *subject_code, int64_t id,
			  const char *dept_code, struct err *e)
{
	char now[26];
	struct store_param p[4] = { STORE_TEXT(subject_code), STORE_NUM(id), STORE_TEXT(dept_code),
				    STORE_TEXT(now) };
	long long changed = 0;

	store__now(s, now);
	if (store__query(s, SQL_RECORD_TRANSFER, p, 4, NULL, NULL, &changed, e) < 0)
		return -1;
	return changed > 0;
}

struct versions_ctx {
	int (*cb)(void *ctx, const struct store_record_version *v);
	void *ctx;
};

static int store_version_row(void *ctx, const struct store_row *row)
{
	struct versions_ctx *c = ctx;
	struct store_record_version v;

	v.id = store__num(row, 0);
	v.record_id = store__num(row, 1);
	v.batch_id = store__num(row, 2);
	v.dept_code = store__text(row, 3);
	v.data = store__text(row, 4);
	v.content_hash = store__text(row, 5);
	v.decision_date = store__text(row, 6);
	v.publicity_end = store__text(row, 7);
	v.flags = (int)store__num(row, 8);
	v.valid_from = store__text(row, 9);
	v.replaced_at = store__text(row, 10);
	return c->cb(c->ctx, &v);
}

int store_record_versions(struct store *s, const char *subject_code, int64_t record_id,
			  int (*cb)(void *ctx, const struct store_record_version *v), void *ctx,
			  struct err *e)
{
	struct store_param p[2] = { STORE_TEXT(subject_code), STORE_NUM(record_id) };
	struct versions_ctx c = { cb, ctx };

	return store__query(s, SQL_RECORD_VERSIONS_OF, p, 2, store_version_row, &c, NULL, e);
}

/* ---- batches ---------------------------------------------------------------------- */

int store__first_num(void *ctx, const struct store_row *row)
{
	*(int64_t *)ctx = store__num(row, 0);
	return 1;
}

int store_batch_insert(struct store *s, struct store_batch *b, struct err *e)
{
	char now[26];
	struct store_param p[11] = {
		STORE_TEXT(b->category), STORE_TEXT(b->dept_code), STORE_TEXT(b->source),
		STORE_TEXT(b->format),	 STORE_TEXT(b->encoding),  STORE_NUM(b->rows),
		STORE_NUM(b->accepted),	 STORE_NUM(b->duplicates), STORE_NUM(b->rejected),
		STORE_NUM(b->warnings),	 STORE_TEXT(now),
	};
	int64_t id = 0;

	store__now(s, now);
	if (store__query(s, SQL_BATCH_INSERT, p, 11, store__first_num, &id, NULL, e) < 0)
		return -1;
	if (id <= 0)
		return err_set(e, "store.error", "登记批次失败：数据库未返回批次编号");
	b->id = id;
	memcpy(b->created_at, now, sizeof b->created_at);
	return 0;
}

int store_batch_update(struct store *s, const struct store_batch *b, struct err *e)
{
	struct store_param p[7] = {
		STORE_NUM(b->id),	STORE_NUM(b->rows),	STORE_NUM(b->accepted),
		STORE_NUM(b->duplicates), STORE_NUM(b->rejected), STORE_NUM(b->warnings),
		STORE_TEXT(b->encoding),
	};
	long long changes = 0;

	if (store__query(s, SQL_BATCH_UPDATE, p, 7, NULL, NULL, &changes, e) < 0)
		return -1;
	if (changes == 0)
		return err_set(e, "batch.not_found", "批次 %lld 不存在，无法更新统计",
			       (long long)b->id);
	return 0;
}

static int store_batch_row(void *ctx, const struct store_row *row)
{
	struct store_batch *out = ctx;

	memset(out, 0, sizeof *out);
	out->id = store__num(row, 0);
	store__copy(row, 1, out->category, sizeof out->category);
	store__copy(row, 2, out->dept_code, sizeof out->dept_code);
	store__copy(row, 3, out->source, sizeof out->source);
	store__copy(row, 4, out->format, sizeof out->format);
	store__copy(row, 5, out->encoding, sizeof out->encoding);
	out->rows = (long)store__num(row, 6);
	out->accepted = (long)store__num(row, 7);
	out->duplicates = (long)store__num(row, 8);
	out->rejected = (long)store__num(row, 9);
	out->warnings = (long)store__num(row, 10);
	store__copy(row, 11, out->created_at, sizeof out->created_at);
	return 1;
}

int store_batch_get(struct store *s, int64_t id, struct store_batch *out, struct err *e)
{
	struct store_param p[1] = { STORE_NUM(id) };

	out->id = 0;
	if (store__query(s, SQL_BATCH_GET, p, 1, store_batch_row, out, NULL, e) < 0)
		return -1;
	return out->id != 0;
}

struct batch_list_ctx {
	int (*cb)(void *ctx, const struct store_batch *b);
	void *ctx;
};

static int store_batch_list_row(void *ctx, const struct store_row *row)
{
	struct batch_list_ctx *c = ctx;
	struct store_batch b;

	store_batch_row(&b, row);
	return c->cb(c->ctx, &b);
}

int store_batch_list(struct store *s, const char *dept, int64_t before, long limit,
		     int (*cb)(void *ctx, const struct store_batch *b), void *ctx,
		     struct err *e)
{
	struct store_param p[3] = { STORE_TEXT(dept ? dept : ""), STORE_NUM(before),
				    STORE_NUM(limit > 0 ? limit : INT64_MAX) };
	struct batch_list_ctx c = { cb, ctx };

	return store__query(s, SQL_BATCHES_LIST, p, 3, store_batch_list_row, &c, NULL, e);
}

/* ---- problems --------------------------------------------------------------------- */

int store_problem_add(struct store *s, const struct store_problem *p, struct err *e)
{
	return s->be->problem_add(s, p, e);
}

struct problems_ctx {
	int (*cb)(void *ctx, const struct store_problem *p);
	void *ctx;
};

static int store_problem_row(void *ctx, const struct store_row *row)
{
	struct problems_ctx *c = ctx;
	struct store_problem p;

	p.batch_id = store__num(row, 0);
	p.row = (long)store__num(row, 1);
	p.field = store__text(row, 2);
	p.reason = store__text(row, 3);
	p.message = store__text(row, 4);
	p.warning = (int)store__num(row, 5);
	p.seq = store__num(row, 6);
	return c->cb(c->ctx, &p);
}

int store_problems_list(struct store *s, int64_t batch_id, int warnings,
			const struct store_problem_page *page,
			int (*cb)(void *ctx, const struct store_problem *p), void *ctx,
			struct err *e)
{
	static const struct store_problem_page all = STORE_PROBLEMS_FROM_START;
	const struct store_problem_page *pg = page ? page : &all;
	struct store_param p[5] = { STORE_NUM(batch_id),
				    STORE_NUM(warnings == 0 || warnings == 1 ? warnings : 2),
				    STORE_NUM(pg->after_row), STORE_NUM(pg->after_seq),
				    STORE_NUM(pg->limit > 0 ? pg->limit : INT64_MAX) };
	struct problems_ctx c = { cb, ctx };

	return store__query(s, SQL_PROBLEMS_LIST, p, 5, store_problem_row, &c, NULL, e);
}

/* ---- statistics ------------------------------------------------------------------- */

static int store_counts_row(void *ctx, const struct store_row *row)
{
	struct store_counts *out = ctx;

	out->subjects = store__num(row, 0);
	out->records = store__num(row, 1);
	out->batches = store__num(row, 2);
	out->categories = store__num(row, 3);
	return 1;
}

int store_counts(struct store *s, struct store_counts *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	return store__query(s, SQL_COUNTS, NULL, 0, store_counts_row, out, NULL, e);
}

/* ---- the portal's 双公示 ---------------------------------------------------------- */

struct disclosures_walk {
	int (*cb)(void *ctx, const struct store_disclosure *d);
	void *ctx;
};

static int store_disclosure_row(void *ctx, const struct store_row *row)
{
	struct disclosures_walk *w = ctx;
	struct store_disclosure d;

	d.id = store__num(row, 0);
	d.subject_code = store__text(row, 1);
	d.subject_name = store__text(row, 2);
	d.dept_code = store__text(row, 3);
	d.decision_date = store__text(row, 4);
	d.publicity_end = store__text(row, 5);
	d.data = store__text(row, 6);
	return w->cb(w->ctx, &d);
}

int store_disclosures(struct store *s, const struct store_disclosure_query *q,
		      int (*cb)(void *ctx, const struct store_disclosure *d), void *ctx,
		      struct err *e)
{
	struct disclosures_walk w = { cb, ctx };
	struct store_param p[8] = {
		STORE_TEXT(q->category),
		STORE_TEXT(q->dept_code ? q->dept_code : ""),
		STORE_TEXT(q->from),
		STORE_TEXT(q->to),
		STORE_TEXT(q->today),
		STORE_TEXT(q->after_date ? q->after_date : ""),
		STORE_NUM(q->after_id),
		STORE_NUM(q->limit),
	};

	return store__query(s, SQL_DISCLOSURES_PAGE, p, 8, store_disclosure_row, &w, NULL, e);
}

static int store_count_row(void *ctx, const struct store_row *row)
{
	*(long long *)ctx = store__num(row, 0);
	return 0;
}

int store_disclosures_count(struct store *s, const char *category, const char *from,
			    const char *to, long long *n, struct err *e)
{
	struct store_param p[3] = { STORE_TEXT(category), STORE_TEXT(from), STORE_TEXT(to) };

	*n = 0;
	return store__query(s, SQL_DISCLOSURES_COUNT, p, 3, store_count_row, n, NULL, e);
}
