/* test_store.c - the SQLite store (src/store/sqlite*.c) against real database files in a
 * temporary directory: schema and migrations, catalog, code exceptions, subjects and
 * name search, record upsert semantics, batches, problems and transactions. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/embedded.h"
#include "core/err.h"
#include "core/text.h"
#include "store/store.h"

#define NOW1 "2026-03-05T10:00:00+08:00"
#define NOW2 "2026-03-06T11:30:00+08:00"

static char dir[64];
static char path[128];
static struct store *st;
static struct err e;

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/xy-test-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* The store never creates a directory: the test makes var/ as an operator would. */
	snprintf(path, sizeof path, "%s/var", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/var/xinyong.db", dir);
	setenv("XINYONG_NOW", NOW1, 1);
	unsetenv("XINYONG_DB");
	err_clear(&e);
	st = NULL;
}

/* A first page without filters, as most tests ask. */
static int store_subject_search_simple(struct store *s, const char *key, const char *code,
				       int limit, int persons,
				       int (*cb)(void *ctx, const struct store_search_hit *hit),
				       void *ctx, struct err *err)
{
	struct store_search q;

	store_search_init(&q, key, code, limit, persons);
	return store_subject_search(s, &q, cb, ctx, err);
}

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void teardown(void)
{
	store_close(st);
	st = NULL;
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* How many migrations the SQLite backend has compiled in. */
static long long migration_count(void)
{
	long long n = 0;

	while (embedded_migrations_sqlite[n].name)
		n++;
	cr_assert_geq(n, 3);
	return n;
}

TestSuite(store, .init = setup, .fini = teardown);

static void open_store(void)
{
	cr_assert_eq(store_open(path, &st, &e), 0, "%s: %s", e.reason, e.message);
	cr_assert_not_null(st);
}

static void reopen_store(void)
{
	store_close(st);
	st = NULL;
	open_store();
}

/* One integer from the database file, read behind the store's back. */
static long long raw_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(db));
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg);
	sqlite3_close(db);
}

/* ---- open and migrations ---------------------------------------------------------- */

Test(store, open_creates_directory_schema_and_settings)
{
	struct stat sb;
	long long n;

	open_store();
	cr_assert_str_eq(store_location(st), path);
	cr_assert_eq(stat(path, &sb), 0);
	n = raw_int("SELECT count(*) FROM schema_migrations");
	cr_assert_eq(n, migration_count());
	cr_assert_eq(raw_int("SELECT count(*) FROM schema_migrations WHERE version = 1 AND "
			     "name = '001_init.sql' AND applied_at = '" NOW1 "'"),
		     1);
	cr_assert_eq(raw_int("SELECT count(*) FROM schema_migrations WHERE version = 2 AND "
			     "name = '002_search.sql'"),
		     1);
	cr_assert_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE name IN ('subjects', "
			     "'records', 'batches', 'batch_problems', 'catalog_categories', "
			     "'code_exceptions', 'subjects_fts')"),
		     7);
	/* WAL is a property of the file, visible to any connection. */
	cr_assert_eq(raw_int("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

Test(store, reopen_does_not_reapply_migrations)
{
	open_store();
	setenv("XINYONG_NOW", NOW2, 1);
	reopen_store();
	reopen_store();
	cr_assert_eq(raw_int("SELECT count(*) FROM schema_migrations"), migration_count());
	cr_assert_eq(raw_int("SELECT count(*) FROM schema_migrations WHERE applied_at = '" NOW1
			     "'"),
		     migration_count());
}

/* Search hits collected as "code:match" strings. */
struct hits {
	int n;
	char v[16][80];
};

static int collect_hit(void *ctx, const struct store_search_hit *hit)
{
	struct hits *h = ctx;

	if (h->n < 16)
		snprintf(h->v[h->n++], sizeof h->v[0], "%s:%d", hit->code, hit->match);
	return 0;
}

/* Searches the way the service does: the key is text_search_key of the user's text. */
static struct hits search(const char *text, const char *code, int limit, int persons)
{
	struct hits h;
	char *key = text_search_key(text);

	memset(&h, 0, sizeof h);
	cr_assert_not_null(key);
	cr_assert_eq(store_subject_search_simple(st, key, code, limit, persons, collect_hit, &h, &e), 0,
		     "%s", e.message);
	free(key);
	return h;
}

static void add_subject(const char *code, const char *kind, const char *name)
{
	struct store_subject subj;

	memset(&subj, 0, sizeof subj);
	snprintf(subj.code, sizeof subj.code, "%s", code);
	snprintf(subj.kind, sizeof subj.kind, "%s", kind);
	snprintf(subj.subject_type, sizeof subj.subject_type, "%s",
		 strcmp(kind, "resident_id") == 0 ? "自然人" : "法人及非法人组织");
	snprintf(subj.region_code, sizeof subj.region_code, "441202");
	subj.name = (char *)name;
	cr_assert_eq(store_subject_insert(st, &subj, &e), 0, "%s", e.message);
}

Test(store, pending_migration_applied_and_search_index_rebuilt)
{
	struct hits h;

	/* A database that stopped at 001, with a subject written before the search index
	 * existed: opening it applies only 002, whose rebuild indexes that name. */
	cr_assert_str_eq(embedded_migrations_sqlite[0].name, "001_init.sql");
	raw_exec(embedded_migrations_sqlite[0].data);
	raw_exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
		 "NULL, applied_at TEXT NOT NULL);"
		 "INSERT INTO schema_migrations VALUES (1, '001_init.sql', 'earlier');"
		 "INSERT INTO subjects(code, kind, name, name_key, created_at, updated_at) "
		 "VALUES ('91441200MA00000001', 'uscc', '肇庆市端州区星湖建材有限公司', "
		 "'肇庆市端州区星湖建材有限公司', 'earlier', 'earlier')");
	open_store();
	cr_assert_eq(raw_int("SELECT count(*) FROM schema_migrations WHERE applied_at = "
			     "'earlier'"),
		     1);
	cr_assert_eq(raw_int("SELECT count(*) FROM schema_migrations"), migration_count());
	h = search("建材有限", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], "91441200MA00000001:3");
}

Test(store, newer_schema_is_refused)
{
	open_store();
	store_close(st);
	st = NULL;
	raw_exec("INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'later')");
	cr_assert_eq(store_open(path, &st, &e), -1);
	cr_assert_null(st);
	cr_assert_str_eq(e.reason, "store.error");
	cr_assert_not_null(strstr(e.message, "升级"));
}

Test(store, url_forms_and_environment)
{
	char url[160];

	snprintf(url, sizeof url, "sqlite:%s", path);
	cr_assert_eq(store_open(url, &st, &e), 0, "%s", e.message);
	cr_assert_str_eq(store_location(st), path);
	store_close(st);
	st = NULL;

	/* sqlite:///abs/path, as other tools write it. */
	snprintf(url, sizeof url, "sqlite://%s", path);
	cr_assert_eq(store_open(url, &st, &e), 0, "%s", e.message);
	cr_assert_str_eq(store_location(st), path);
	store_close(st);
	st = NULL;

	setenv("XINYONG_DB", path, 1);
	cr_assert_eq(store_open(NULL, &st, &e), 0, "%s", e.message);
	cr_assert_str_eq(store_location(st), path);
	unsetenv("XINYONG_DB");
}

Test(store, open_existing_never_creates)
{
	char missing[160];
	struct stat sb;

	/* A file that does not exist: store.not_found naming it, and no file made. */
	cr_assert_eq(store_open_existing(path, &st, &e), -1);
	cr_assert_null(st);
	cr_assert_str_eq(e.reason, "store.not_found");
	cr_assert_not_null(strstr(e.message, path), "%s", e.message);
	cr_assert_neq(stat(path, &sb), 0);
	/* Once created it opens. */
	cr_assert_eq(store_open(path, &st, &e), 0, "%s", e.message);
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open_existing(path, &st, &e), 0, "%s", e.message);
	store_close(st);
	st = NULL;
	/* A directory that does not exist is named and never created, creating or not. */
	snprintf(missing, sizeof missing, "%s/nodir/x.db", dir);
	cr_assert_eq(store_open(missing, &st, &e), -1);
	cr_assert_str_eq(e.reason, "store.not_found");
	cr_assert_not_null(strstr(e.message, "nodir"), "%s", e.message);
	cr_assert_eq(store_open_existing(missing, &st, &e), -1);
	cr_assert_str_eq(e.reason, "store.not_found");
	snprintf(missing, sizeof missing, "%s/nodir", dir);
	cr_assert_neq(stat(missing, &sb), 0, "the directory was created");
}

Test(store, open_failure_reports_and_leaves_nothing)
{
	char bad[160];
	FILE *f;

	/* The parent "directory" is a regular file. */
	snprintf(bad, sizeof bad, "%s/file", dir);
	f = fopen(bad, "w");
	cr_assert_not_null(f);
	fclose(f);
	snprintf(bad, sizeof bad, "%s/file/x.db", dir);
	st = (struct store *)&bad; /* must be reset to NULL */
	cr_assert_eq(store_open(bad, &st, &e), -1);
	cr_assert_null(st);
	cr_assert_str_eq(e.reason, "store.error");
	/* Nothing listens on port 1: a database that cannot be reached is unavailable (the
	 * server answers 503, try again), not a failed operation. */
	cr_assert_eq(store_open("postgresql://xinyong@127.0.0.1:1/xy?connect_timeout=2", &st, &e),
		     -1);
	cr_assert_null(st);
	cr_assert_str_eq(e.reason, "store.unavailable");
	cr_assert_not_null(strstr(e.message, "连接 PostgreSQL 数据库失败"), "%s", e.message);
	store_close(NULL);
	store_rollback(NULL);
}

/* ---- catalog and code exceptions -------------------------------------------------- */

struct pairs {
	int n;
	char v[8][128];
};

static int collect_category(void *ctx, const char *id, const char *json)
{
	struct pairs *p = ctx;

	snprintf(p->v[p->n++], sizeof p->v[0], "%s=%s", id, json);
	return 0;
}

Test(store, category_put_get_list)
{
	struct pairs p = { 0 };
	char *json = (char *)"x";

	open_store();
	cr_assert_eq(store_category_put(st, "penalty", "{\"v\":1}", &e), 0);
	cr_assert_eq(store_category_put(st, "license", "{\"v\":1}", &e), 0);
	cr_assert_eq(store_category_put(st, "penalty", "{\"v\":2}", &e), 0);
	cr_assert_eq(store_category_get(st, "penalty", &json, &e), 1);
	cr_assert_str_eq(json, "{\"v\":2}");
	free(json);
	cr_assert_eq(store_category_get(st, "missing", &json, &e), 0);
	cr_assert_null(json);
	cr_assert_eq(store_category_list(st, collect_category, &p, &e), 0);
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.v[0], "license={\"v\":1}");
	cr_assert_str_eq(p.v[1], "penalty={\"v\":2}");
}

static int collect_exception(void *ctx, const char *code, const char *note,
			     const char *added_at)
{
	struct pairs *p = ctx;

	snprintf(p->v[p->n++], sizeof p->v[0], "%s|%s|%s", code, note, added_at);
	return 0;
}

Test(store, code_exceptions)
{
	struct pairs p = { 0 };

	open_store();
	cr_assert_eq(store_code_exception_add(st, "91440000A00000000B", "早期代码", &e), 0);
	setenv("XINYONG_NOW", NOW2, 1);
	cr_assert_eq(store_code_exception_add(st, "91440000A00000000A", "", &e), 0);
	cr_assert_eq(store_code_exception_add(st, "91440000A00000000B", "新备注", &e), 0);
	cr_assert_eq(store_code_exception_has(st, "91440000A00000000B"), 1);
	cr_assert_eq(store_code_exception_has(st, "91440000A00000000C"), 0);
	cr_assert_eq(store_code_exception_has(NULL, "91440000A00000000B"), 0);
	cr_assert_eq(store_code_exception_list(st, collect_exception, &p, &e), 0);
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.v[0], "91440000A00000000A||" NOW2);
	/* Re-adding keeps the first listing date and takes the new note. */
	cr_assert_str_eq(p.v[1], "91440000A00000000B|新备注|" NOW1);
}

static int collect_calendar_day(void *ctx, const char *day, const char *kind,
				const char *updated_at)
{
	struct pairs *p = ctx;

	snprintf(p->v[p->n++], sizeof p->v[0], "%s|%s|%s", day, kind, updated_at);
	return 0;
}

Test(store, calendar_days)
{
	struct pairs p = { 0 };

	open_store();
	cr_assert_eq(store_calendar_put(st, "2025-10-01", "holiday", &e), 0);
	cr_assert_eq(store_calendar_put(st, "2025-09-28", "workday", &e), 0);
	cr_assert_eq(store_calendar_put(st, "2026-01-01", "holiday", &e), 0);
	/* The schema refuses any other kind, and a day listed twice. */
	cr_assert_eq(store_calendar_put(st, "2026-01-02", "day_off", NULL), -1);
	cr_assert_eq(store_calendar_put(st, "2026-01-01", "holiday", NULL), -1);
	/* Deleting a year leaves its neighbours alone. */
	cr_assert_eq(store_calendar_delete_year(st, 2025, &e), 0);
	cr_assert_eq(store_calendar_delete_year(st, 2030, &e), 0);
	setenv("XINYONG_NOW", NOW2, 1);
	cr_assert_eq(store_calendar_put(st, "2025-12-31", "holiday", &e), 0);
	cr_assert_eq(store_calendar_list(st, collect_calendar_day, &p, &e), 0);
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.v[0], "2025-12-31|holiday|" NOW2);
	cr_assert_str_eq(p.v[1], "2026-01-01|holiday|" NOW1);
}

static int collect_dept(void *ctx, const struct store_dept *d)
{
	struct pairs *p = ctx;

	snprintf(p->v[p->n++], sizeof p->v[0], "%s|%s|%s|%s|%s|%s|%s|%s", d->code, d->name,
		 d->short_name, d->region_code, d->parent_code, d->contact, d->sector,
		 d->updated_at);
	return 0;
}

Test(store, depts_put_replaces_and_get_finds_by_code)
{
	struct store_dept a = { "11441200MB2C12348J", "肇庆市市场监督管理局", "市监", "441200", "",
				"0758-12315", "食品", NULL };
	struct store_dept b = { "11441200MB2C23450F", "肇庆市生态环境局", "", "", "", "", "", NULL };
	struct pairs p = { 0 };

	open_store();
	cr_assert_eq(store_dept_get(st, a.code, collect_dept, &p, &e), 0);
	cr_assert_eq(p.n, 0);
	cr_assert_eq(store_dept_put(st, &b, &e), 0);
	cr_assert_eq(store_dept_put(st, &a, &e), 0);
	setenv("XINYONG_NOW", NOW2, 1);
	a.sector = "药品";
	a.contact = "";
	cr_assert_eq(store_dept_put(st, &a, &e), 0);
	cr_assert_eq(store_dept_get(st, a.code, collect_dept, &p, &e), 1);
	cr_assert_str_eq(p.v[0], "11441200MB2C12348J|肇庆市市场监督管理局|市监|441200||" "|药品|" NOW2);
	p.n = 0;
	cr_assert_eq(store_dept_list(st, collect_dept, &p, &e), 0);
	cr_assert_eq(p.n, 2, "a replaced department is one row");
	cr_assert(strncmp(p.v[0], "11441200MB2C12348J|", 19) == 0, "by code: %s", p.v[0]);
	cr_assert_str_eq(p.v[1], "11441200MB2C23450F|肇庆市生态环境局||||||" NOW1);
}

/* ---- subjects and search ---------------------------------------------------------- */

Test(store, subject_insert_get)
{
	struct store_subject got;

	open_store();
	memset(&got, 0, sizeof got);
	cr_assert_eq(store_subject_get(st, "91441202MA4UJ0XY8K", &got, &e), 0);
	add_subject("91441202MA4UJ0XY8K", "uscc", "肇庆市端州区星湖建材有限公司");
	cr_assert_eq(store_subject_get(st, "91441202MA4UJ0XY8K", &got, &e), 1);
	cr_assert_str_eq(got.code, "91441202MA4UJ0XY8K");
	cr_assert_str_eq(got.kind, "uscc");
	cr_assert_str_eq(got.subject_type, "法人及非法人组织");
	cr_assert_str_eq(got.region_code, "441202");
	cr_assert_str_eq(got.name, "肇庆市端州区星湖建材有限公司");
	cr_assert_str_eq(got.created_at, NOW1);
	cr_assert_str_eq(got.updated_at, NOW1);
	store_subject_clear(&got);
	cr_assert_null(got.name);
	store_subject_clear(&got);

	/* The key is unique: a second insert is refused. */
	memset(&got, 0, sizeof got);
	snprintf(got.code, sizeof got.code, "91441202MA4UJ0XY8K");
	got.name = (char *)"别的名称";
	cr_assert_eq(store_subject_insert(st, &got, &e), -1);
	cr_assert_str_eq(e.reason, "store.error");
	cr_assert_eq(raw_int("SELECT count(*) FROM subjects"), 1);
	/* name_key is the search key of the name. */
	cr_assert_eq(raw_int("SELECT count(*) FROM subjects WHERE name_key = "
			     "'肇庆市端州区星湖建材有限公司'"),
		     1);
}

/* Codes chosen so that equal-length names fall back to code order. */
#define C_JIANCAI "91441202MA00000002" /* 肇庆市端州区星湖建材有限公司 (14) */
#define C_KEJI "91441200MA00000001"    /* 肇庆星湖科技（集团）有限公司 (14) */
#define C_XINGHU "91441202MA00000003"  /* 星湖 (2, whole name) */
#define C_PREFIX "91441202MA00000004"  /* 星湖建材 (4, prefix) */
#define C_PERSON "441202199001011234"  /* 张星湖 (3, person) */

static void add_search_subjects(void)
{
	add_subject(C_JIANCAI, "uscc", "肇庆市端州区星湖建材有限公司");
	add_subject(C_KEJI, "uscc", "肇庆星湖科技（集团）有限公司");
	add_subject(C_XINGHU, "uscc", "星湖");
	add_subject(C_PREFIX, "uscc", "星湖建材");
	add_subject(C_PERSON, "resident_id", "张星湖");
}

Test(store, search_two_characters_ranked)
{
	struct hits h;

	open_store();
	add_search_subjects();
	h = search("星湖", NULL, 10, 1);
	cr_assert_eq(h.n, 5);
	cr_assert_str_eq(h.v[0], C_XINGHU ":1");
	cr_assert_str_eq(h.v[1], C_PREFIX ":2");
	cr_assert_str_eq(h.v[2], C_PERSON ":3");
	cr_assert_str_eq(h.v[3], C_KEJI ":3");
	cr_assert_str_eq(h.v[4], C_JIANCAI ":3");
}

Test(store, search_trigram_part_and_prefix)
{
	struct hits h;

	open_store();
	add_search_subjects();
	h = search("建材有限", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_JIANCAI ":3");

	h = search("星湖建材", NULL, 10, 1);
	cr_assert_eq(h.n, 2);
	cr_assert_str_eq(h.v[0], C_PREFIX ":1");
	cr_assert_str_eq(h.v[1], C_JIANCAI ":3");

	h = search("肇庆星湖", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_KEJI ":2");

	h = search("不存在的名称", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
}

Test(store, search_brackets_and_case_normalised)
{
	struct hits h;

	open_store();
	add_search_subjects();
	add_subject("91441200MA00000009", "uscc", "ＡＢＣ星湖贸易有限公司");
	/* Half-width brackets typed against a full-width name, and the reverse. */
	h = search("星湖科技(集团)", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_KEJI ":3");
	h = search("肇庆星湖科技【集团】有限公司", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_KEJI ":1");
	/* Full-width letters and upper case fold to the same key. */
	h = search("abc星湖", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], "91441200MA00000009:2");
	h = search(" 星 湖 贸 易 ", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
}

Test(store, search_code_first_and_once)
{
	struct hits h;

	open_store();
	add_search_subjects();
	h = search("星湖", C_JIANCAI, 10, 1);
	cr_assert_eq(h.n, 5);
	cr_assert_str_eq(h.v[0], C_JIANCAI ":0");
	cr_assert_str_eq(h.v[4], C_KEJI ":3");
	/* A code alone: the key matches no name. */
	h = search(C_KEJI, C_KEJI, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_KEJI ":0");
	h = search("建材有限", C_JIANCAI, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_JIANCAI ":0");
	/* The code hit counts against the limit, and a callback may stop at it. */
	h = search("星湖", C_JIANCAI, 1, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_JIANCAI ":0");
	h = search("星湖", C_JIANCAI, 2, 1);
	cr_assert_eq(h.n, 2);
	cr_assert_str_eq(h.v[1], C_XINGHU ":1");
	/* An unknown code leaves the name search as it is. */
	h = search("星湖", "91441200MA99999999", 10, 1);
	cr_assert_eq(h.n, 5);
	cr_assert_str_eq(h.v[0], C_XINGHU ":1");
	/* An empty key with a code does not scan names. */
	memset(&h, 0, sizeof h);
	cr_assert_eq(store_subject_search_simple(st, "", C_KEJI, 10, 1, collect_hit, &h, &e), 0);
	cr_assert_eq(h.n, 1);
}

Test(store, search_limit_and_persons)
{
	struct hits h;

	open_store();
	add_search_subjects();
	h = search("星湖", NULL, 2, 1);
	cr_assert_eq(h.n, 2);
	cr_assert_str_eq(h.v[1], C_PREFIX ":2");
	h = search("星湖", NULL, 0, 1);
	cr_assert_eq(h.n, 0);
	h = search("星湖", NULL, 10, 0);
	cr_assert_eq(h.n, 4);
	cr_assert_str_eq(h.v[2], C_KEJI ":3");
	/* Persons stay out even when their number is typed. */
	h = search(C_PERSON, C_PERSON, 10, 0);
	cr_assert_eq(h.n, 0);
	h = search("张星湖", NULL, 10, 0);
	cr_assert_eq(h.n, 0);
	h = search("张星湖", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.v[0], C_PERSON ":1");
}

static int stop_after_one(void *ctx, const struct store_search_hit *hit)
{
	(void)hit;
	++*(int *)ctx;
	return 1;
}

Test(store, search_wildcards_and_quotes_are_literal)
{
	struct hits h;
	int calls = 0;

	open_store();
	add_search_subjects();
	add_subject("91441200MA00000010", "uscc", "百分%之_百\"引号\"商行");
	h = search("%之_", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	h = search("%之", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	h = search("之_百\"引", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
	/* As LIKE patterns these would match every name. */
	h = search("%%", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	h = search("__", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	h = search("星%建", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	h = search("湖_材", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	/* FTS5 syntax in the key is text, not an operator. */
	h = search("星湖 OR 建材", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	h = search("\"\"\"", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	h = search("星湖*", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	/* A callback may stop early. */
	cr_assert_eq(store_subject_search_simple(st, "星湖", NULL, 10, 1, stop_after_one, &calls, &e),
		     0);
	cr_assert_eq(calls, 1);
	calls = 0;
	cr_assert_eq(store_subject_search_simple(st, "星湖", C_KEJI, 10, 1, stop_after_one, &calls, &e),
		     0);
	cr_assert_eq(calls, 1);
}

/* ---- records ---------------------------------------------------------------------- */

static struct store_record record(const char *subject, const char *category, const char *key,
				  const char *hash)
{
	struct store_record r;

	memset(&r, 0, sizeof r);
	r.batch_id = 1;
	r.category = category;
	r.subject_code = subject;
	r.dept_code = "11441200007226547A";
	r.business_key = key;
	r.data = hash; /* content follows the hash, so that replacements are visible */
	r.content_hash = hash;
	r.decision_date = "2025-01-02";
	r.publicity_end = "";
	return r;
}

struct recs {
	int n;
	int stop_at;
	char v[8][200];
};

static int collect_record(void *ctx, const struct store_record *r)
{
	struct recs *c = ctx;

	snprintf(c->v[c->n++], sizeof c->v[0], "%s|%s|%s|%lld|%s|%d|%s|%s", r->category,
		 r->decision_date, r->business_key, (long long)r->batch_id, r->data, r->flags,
		 r->created_at, r->updated_at);
	return c->stop_at && c->n >= c->stop_at;
}

enum { PUT_DUPLICATE, PUT_INSERTED, PUT_UPDATED, PUT_REFUSED };

static char owner[CODE_MAX];

/* Puts one record and tells what the store counted for it. */
static int put_record(const struct store_record *r)
{
	struct store_put_counts c;

	int rc = store_record_put(st, r, owner, &e);

	if (rc < 0)
		return -1;
	cr_assert_eq(store_put_counts_take(st, &c, &e), 0, "%s", e.message);
	if (rc == STORE_PUT_OTHER_DEPT) {
		cr_assert_eq(c.inserted + c.updated + c.duplicates, 0);
		return PUT_REFUSED;
	}
	cr_assert_eq(owner[0], '\0');
	cr_assert_eq(c.inserted + c.updated + c.duplicates, 1);
	return c.inserted ? PUT_INSERTED : c.updated ? PUT_UPDATED : PUT_DUPLICATE;
}

Test(store, record_put_insert_duplicate_update)
{
	struct store_record a = record(C_JIANCAI, "penalty", "粤肇市监罚〔2025〕1号", "h1");
	struct store_record b = record(C_JIANCAI, "penalty", "粤肇市监罚〔2025〕2号", "h1");
	struct recs c = { 0 };

	open_store();
	cr_assert_eq(put_record(&a), PUT_INSERTED);
	cr_assert_eq(put_record(&a), PUT_DUPLICATE);
	cr_assert_eq(put_record(&b), PUT_INSERTED);
	/* An update right after an insert must not be taken for one (the store tells them
	 * apart by the last inserted rowid). */
	setenv("XINYONG_NOW", NOW2, 1);
	a.content_hash = a.data = "h2";
	a.batch_id = 7;
	a.flags = STORE_RECORD_NAME_CONFLICT;
	a.decision_date = "2025-03-04";
	a.publicity_end = "2028-03-04";
	cr_assert_eq(put_record(&a), PUT_UPDATED);
	cr_assert_eq(put_record(&a), PUT_DUPLICATE);
	cr_assert_eq(put_record(&b), PUT_DUPLICATE);
	/* Same key in another category or for another subject is another record. */
	cr_assert_eq(put_record(&(struct store_record){ .batch_id = 1,
				      .category = "license", .subject_code = C_JIANCAI,
				      .business_key = a.business_key, .data = "{}",
				      .content_hash = "h2" }),
		     PUT_INSERTED);
	cr_assert_eq(raw_int("SELECT count(*) FROM records"), 3);
	cr_assert_eq(raw_int("SELECT count(*) FROM records WHERE publicity_end = '2028-03-04' "
			     "AND dept_code = '11441200007226547A'"),
		     1);

	cr_assert_eq(store_records_of_subject(st, C_JIANCAI, collect_record, &c, &e), 0);
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.v[0], "license||粤肇市监罚〔2025〕1号|1|{}|0|" NOW2 "|" NOW2);
	cr_assert_str_eq(c.v[1], "penalty|2025-03-04|粤肇市监罚〔2025〕1号|7|h2|1|" NOW1 "|" NOW2);
	cr_assert_str_eq(c.v[2], "penalty|2025-01-02|粤肇市监罚〔2025〕2号|1|h1|0|" NOW1 "|" NOW1);
}

static int collect_version(void *ctx, const struct store_record_version *v)
{
	struct recs *c = ctx;

	snprintf(c->v[c->n++], sizeof c->v[0], "%lld|%s|%s|%s|%s", (long long)v->batch_id,
		 v->dept_code, v->data, v->valid_from, v->replaced_at);
	return 0;
}

static int keep_id(void *ctx, const struct store_record *r)
{
	*(int64_t *)ctx = r->id;
	return 0;
}

/* A decided objection rewrites a record in place (its earlier content becomes a version)
 * or, when the correction names another subject, moves it there with its versions,
 * keeping its id; a key the target already holds is refused and nothing changes. */
Test(store, record_amend_in_place_moved_and_refused)
{
	struct store_record a = record(C_JIANCAI, "penalty", "粤肇市监罚〔2025〕1号", "h1");
	struct store_record b = record(C_KEJI, "penalty", "粤肇市监罚〔2025〕2号", "k1");
	struct store_record amended;
	struct recs versions = { 0 };
	int64_t id = 0, kid = 0;

	open_store();
	cr_assert_eq(store_begin(st, &e), 0, "%s", e.message);
	add_subject(C_JIANCAI, "uscc", "肇庆市端州区星湖建材有限公司");
	add_subject(C_KEJI, "uscc", "肇庆星湖科技（集团）有限公司");
	cr_assert_eq(put_record(&a), PUT_INSERTED);
	cr_assert_eq(put_record(&b), PUT_INSERTED);
	cr_assert_eq(store_commit(st, &e), 0, "%s", e.message);
	cr_assert_eq(store_records_of_subject(st, C_JIANCAI, keep_id, &id, &e), 0);
	cr_assert_eq(store_records_of_subject(st, C_KEJI, keep_id, &kid, &e), 0);

	setenv("XINYONG_NOW", NOW2, 1);
	amended = a;
	amended.data = amended.content_hash = "h2";
	amended.flags = STORE_RECORD_DELETED;
	cr_assert_eq(store_record_amend(st, C_JIANCAI, id, &amended, &e), 1, "%s", e.message);
	cr_assert_eq(raw_int("SELECT flags FROM records WHERE data = 'h2'"), STORE_RECORD_DELETED);
	cr_assert_eq(store_record_versions(st, C_JIANCAI, id, collect_version, &versions, &e), 0);
	cr_assert_eq(versions.n, 1);
	cr_assert_str_eq(versions.v[0], "1|11441200007226547A|h1|" NOW1 "|" NOW2);
	/* Not the record's subject: nothing to amend. */
	cr_assert_eq(store_record_amend(st, C_KEJI, id, &amended, &e), 0);

	/* Re-linked to the other company, whose key 2 it now carries: refused. */
	amended.subject_code = C_KEJI;
	amended.business_key = b.business_key;
	cr_assert_eq(store_record_amend(st, C_JIANCAI, id, &amended, &e), STORE_AMEND_KEY_TAKEN);
	cr_assert_eq(raw_int("SELECT count(*) FROM records WHERE subject_code = '" C_JIANCAI "'"), 1);

	/* With a key of its own it moves, id, content and history with it. */
	amended.business_key = "粤肇市监罚〔2025〕3号";
	amended.data = amended.content_hash = "h3";
	cr_assert_eq(store_record_amend(st, C_JIANCAI, id, &amended, &e), 1, "%s", e.message);
	cr_assert_eq(raw_int("SELECT count(*) FROM records WHERE subject_code = '" C_JIANCAI "'"), 0);
	cr_assert_eq(raw_int("SELECT count(*) FROM record_versions WHERE subject_code = '" C_JIANCAI
			     "'"),
		     0);
	memset(&versions, 0, sizeof versions);
	cr_assert_eq(store_record_versions(st, C_KEJI, id, collect_version, &versions, &e), 0);
	cr_assert_eq(versions.n, 2, "the earlier version and the content before the move");
	cr_assert_str_eq(versions.v[0], "1|11441200007226547A|h2|" NOW2 "|" NOW2);
	cr_assert_str_eq(versions.v[1], "1|11441200007226547A|h1|" NOW1 "|" NOW2);
	cr_assert_eq(raw_int("SELECT id FROM records WHERE data = 'h3' AND subject_code = '" C_KEJI
			     "'"),
		     id);
	cr_assert_eq(raw_int("SELECT count(*) FROM records WHERE subject_code = '" C_KEJI "'"), 2);
	(void)kid;
}

Test(store, record_belongs_to_its_department)
{
	struct store_record a = record(C_JIANCAI, "penalty", "粤肇市监罚〔2025〕1号", "h1");
	struct store_record b = a;
	struct recs c = { 0 };
	int64_t id = 0;

	open_store();
	cr_assert_eq(put_record(&a), PUT_INSERTED);
	/* Another department, other content, then the same content: refused both times,
	 * naming the holder, and the record is untouched. */
	b.dept_code = "11441200MB2C12348J";
	b.content_hash = b.data = "h9";
	b.batch_id = 2;
	cr_assert_eq(put_record(&b), PUT_REFUSED);
	cr_assert_str_eq(owner, "11441200007226547A");
	b.content_hash = b.data = a.data;
	cr_assert_eq(put_record(&b), PUT_REFUSED);
	cr_assert_eq(raw_int("SELECT count(*) FROM records WHERE data = 'h1' AND batch_id = 1 "
			     "AND dept_code = '11441200007226547A'"),
		     1);
	cr_assert_eq(raw_int("SELECT count(*) FROM record_versions"), 0);

	/* The holder's update keeps the earlier content as a version. */
	setenv("XINYONG_NOW", NOW2, 1);
	a.content_hash = a.data = "h2";
	a.batch_id = 3;
	cr_assert_eq(put_record(&a), PUT_UPDATED);
	cr_assert_eq(store_record_get(st, 1, keep_id, &id, &e), 1);
	cr_assert_eq(store_record_get(st, 99, keep_id, &id, &e), 0);
	cr_assert_eq(store_record_versions(st, C_JIANCAI, id, collect_version, &c, &e), 0);
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.v[0], "1|11441200007226547A|h1|" NOW1 "|" NOW2);

	/* A transfer hands the record over; the new holder may update it, the old one not. */
	cr_assert_eq(store_record_transfer(st, C_JIANCAI, id, "11441200MB2C12348J", &e), 1);
	cr_assert_eq(store_record_transfer(st, C_KEJI, id, "11441200MB2C12348J", &e), 0);
	cr_assert_eq(put_record(&a), PUT_REFUSED);
	cr_assert_str_eq(owner, "11441200MB2C12348J");
	b.content_hash = b.data = "h3";
	cr_assert_eq(put_record(&b), PUT_UPDATED);
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_record_versions(st, C_JIANCAI, id, collect_version, &c, &e), 0);
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.v[0], "3|11441200MB2C12348J|h2|" NOW2 "|" NOW2);
	cr_assert_str_eq(c.v[1], "3|11441200007226547A|h2|" NOW2 "|" NOW2);
	cr_assert_str_eq(c.v[2], "1|11441200007226547A|h1|" NOW1 "|" NOW2);
}

Test(store, batch_drops_versions_of_its_own_rows)
{
	struct store_record a = record(C_JIANCAI, "penalty", "P1", "h1");

	open_store();
	cr_assert_eq(put_record(&a), PUT_INSERTED);
	cr_assert_eq(store_begin_batch(st, &e), 0);
	a.batch_id = 5;
	a.content_hash = a.data = "h2";
	cr_assert_eq(put_record(&a), PUT_UPDATED);
	a.content_hash = a.data = "h3";
	cr_assert_eq(put_record(&a), PUT_UPDATED);
	/* The second put made a version of the first one's content (batch 5's own). */
	cr_assert_eq(store_batch_drop_own_versions(st, 5, &e), 0);
	cr_assert_eq(store_commit(st, &e), 0);
	/* Only the committed content of batch 1 remains as a version. */
	cr_assert_eq(raw_int("SELECT count(*) FROM record_versions WHERE batch_id = 1 "
			     "AND data = 'h1'"),
		     1);
	cr_assert_eq(raw_int("SELECT count(*) FROM record_versions"), 1);
}

Test(store, record_put_error)
{
	struct store_record a = record(C_JIANCAI, "penalty", "k", "h1");

	open_store();
	a.data = NULL; /* NOT NULL column */
	cr_assert_eq(store_record_put(st, &a, owner, &e), -1);
	cr_assert_str_eq(e.reason, "store.error");
	cr_assert_neq(e.message[0], '\0');
	/* The cached statement is usable after a failure. */
	a.data = "{}";
	cr_assert_eq(put_record(&a), PUT_INSERTED);
}

Test(store, records_of_subject_order)
{
	static const char *const want[] = {
		"license|2025-06-01|L1", "license|2024-01-01|L2", "license||L3",
		"penalty|2025-02-01|P2", "penalty|2025-02-01|P3", "penalty|2023-05-05|P1",
	};
	struct store_record r;
	struct recs c = { 0 };
	char got[200];
	size_t i;

	open_store();
	r = record(C_KEJI, "penalty", "P1", "1");
	r.decision_date = "2023-05-05";
	store_record_put(st, &r, owner, &e);
	r = record(C_KEJI, "license", "L3", "1");
	r.decision_date = "";
	store_record_put(st, &r, owner, &e);
	r = record(C_KEJI, "penalty", "P2", "1");
	r.decision_date = "2025-02-01";
	store_record_put(st, &r, owner, &e);
	r = record(C_KEJI, "license", "L1", "1");
	r.decision_date = "2025-06-01";
	store_record_put(st, &r, owner, &e);
	r = record(C_KEJI, "penalty", "P3", "1");
	r.decision_date = "2025-02-01";
	store_record_put(st, &r, owner, &e);
	r = record(C_KEJI, "license", "L2", "1");
	r.decision_date = "2024-01-01";
	store_record_put(st, &r, owner, &e);
	r = record(C_JIANCAI, "license", "other subject", "1");
	store_record_put(st, &r, owner, &e);

	cr_assert_eq(store_records_of_subject(st, C_KEJI, collect_record, &c, &e), 0);
	cr_assert_eq(c.n, 6);
	for (i = 0; i < 6; i++) {
		/* category|date|key prefix of the collected line */
		snprintf(got, sizeof got, "%s", c.v[i]);
		*strchr(strchr(strchr(got, '|') + 1, '|') + 1, '|') = '\0';
		cr_assert_str_eq(got, want[i]);
	}
	memset(&c, 0, sizeof c);
	c.stop_at = 2;
	cr_assert_eq(store_records_of_subject(st, C_KEJI, collect_record, &c, &e), 0);
	cr_assert_eq(c.n, 2);
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_records_of_subject(st, "nobody", collect_record, &c, &e), 0);
	cr_assert_eq(c.n, 0);
}

/* A callback that walks the same subject again from inside the walk. */
static int nested_walk(void *ctx, const struct store_record *r)
{
	struct recs inner = { 0 };
	int *outer = ctx;

	cr_assert_eq(store_records_of_subject(st, r->subject_code, collect_record, &inner, &e),
		     0);
	cr_assert_eq(inner.n, 2);
	++*outer;
	return 0;
}

Test(store, iteration_may_reenter_the_store)
{
	struct store_record r = record(C_KEJI, "penalty", "P1", "1");
	int outer = 0;

	open_store();
	store_record_put(st, &r, owner, &e);
	r.business_key = "P2";
	store_record_put(st, &r, owner, &e);
	cr_assert_eq(store_records_of_subject(st, C_KEJI, nested_walk, &outer, &e), 0);
	cr_assert_eq(outer, 2);
	/* The cached statement works normally afterwards. */
	cr_assert_eq(store_records_of_subject(st, C_KEJI, nested_walk, &outer, &e), 0);
	cr_assert_eq(outer, 4);
}

/* ---- batches and problems --------------------------------------------------------- */

static struct store_batch new_batch(void)
{
	struct store_batch b;

	memset(&b, 0, sizeof b);
	snprintf(b.category, sizeof b.category, "penalty");
	snprintf(b.dept_code, sizeof b.dept_code, "11441200007226547A");
	snprintf(b.source, sizeof b.source, "行政处罚2025.csv");
	snprintf(b.format, sizeof b.format, "csv");
	snprintf(b.encoding, sizeof b.encoding, "gb18030");
	return b;
}

Test(store, batch_insert_update_get)
{
	struct store_batch b = new_batch(), b2 = new_batch(), got;

	open_store();
	cr_assert_eq(store_batch_insert(st, &b, &e), 0);
	cr_assert_gt(b.id, 0);
	cr_assert_str_eq(b.created_at, NOW1);
	cr_assert_eq(store_batch_insert(st, &b2, &e), 0);
	cr_assert_gt(b2.id, b.id);
	b.rows = 10;
	b.accepted = 6;
	b.duplicates = 1;
	b.rejected = 3;
	b.warnings = 2;
	cr_assert_eq(store_batch_update(st, &b, &e), 0);
	cr_assert_eq(store_batch_get(st, b.id, &got, &e), 1);
	cr_assert_eq(got.id, b.id);
	cr_assert_str_eq(got.category, "penalty");
	cr_assert_str_eq(got.dept_code, "11441200007226547A");
	cr_assert_str_eq(got.source, "行政处罚2025.csv");
	cr_assert_str_eq(got.format, "csv");
	cr_assert_str_eq(got.encoding, "gb18030");
	cr_assert_eq(got.rows, 10);
	cr_assert_eq(got.accepted, 6);
	cr_assert_eq(got.duplicates, 1);
	cr_assert_eq(got.rejected, 3);
	cr_assert_eq(got.warnings, 2);
	cr_assert_str_eq(got.created_at, NOW1);
	cr_assert_eq(store_batch_get(st, b2.id, &got, &e), 1);
	cr_assert_eq(got.rows, 0);
	cr_assert_eq(store_batch_get(st, 999, &got, &e), 0);
	b.id = 999;
	cr_assert_eq(store_batch_update(st, &b, &e), -1);
	cr_assert_str_eq(e.reason, "batch.not_found");
}

static int64_t last_seq; /* of the last problem collected */

static int collect_problem(void *ctx, const struct store_problem *p)
{
	struct pairs *c = ctx;

	last_seq = p->seq;
	snprintf(c->v[c->n++], sizeof c->v[0], "%ld|%s|%s|%d", p->row, p->field, p->reason,
		 p->warning);
	return 0;
}

Test(store, problems_in_row_order_with_filter)
{
	struct store_problem_page page = STORE_PROBLEMS_FROM_START;
	struct store_batch b = new_batch();
	struct store_problem p;
	struct pairs c = { 0 };

	open_store();
	cr_assert_eq(store_batch_insert(st, &b, &e), 0);
	p = (struct store_problem){ b.id, 3, "决定日期", "date.future", "晚于今天", 0, 0 };
	cr_assert_eq(store_problem_add(st, &p, &e), 0);
	p = (struct store_problem){ b.id, 1, "", "row.malformed", "格式错误", 0, 0 };
	cr_assert_eq(store_problem_add(st, &p, &e), 0);
	p = (struct store_problem){ b.id, 3, "名称", "subject.name_conflict", "不一致", 1, 0 };
	cr_assert_eq(store_problem_add(st, &p, &e), 0);
	p = (struct store_problem){ b.id, 2, NULL, "region.unknown", "区划", 1, 0 };
	cr_assert_eq(store_problem_add(st, &p, &e), 0);
	/* A problem must belong to a batch (foreign keys are on). */
	p.batch_id = b.id + 100;
	cr_assert_eq(store_problem_add(st, &p, &e), -1);
	cr_assert_str_eq(e.reason, "store.error");

	cr_assert_eq(store_problems_list(st, b.id, 2, NULL, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 4);
	cr_assert_str_eq(c.v[0], "1||row.malformed|0");
	cr_assert_str_eq(c.v[1], "2||region.unknown|1");
	cr_assert_str_eq(c.v[2], "3|决定日期|date.future|0");
	cr_assert_str_eq(c.v[3], "3|名称|subject.name_conflict|1");
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_problems_list(st, b.id, 0, NULL, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.v[1], "3|决定日期|date.future|0");
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_problems_list(st, b.id, 1, NULL, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.v[0], "2||region.unknown|1");
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_problems_list(st, b.id + 1, 2, NULL, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 0);
	/* Pages: two at a time, then from after the second (row 2, its seq). */
	memset(&c, 0, sizeof c);
	page.limit = 2;
	cr_assert_eq(store_problems_list(st, b.id, 2, &page, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.v[1], "2||region.unknown|1");
	page.after_row = 2;
	page.after_seq = last_seq;
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_problems_list(st, b.id, 2, &page, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.v[0], "3|决定日期|date.future|0");
	cr_assert_str_eq(c.v[1], "3|名称|subject.name_conflict|1");
	page.after_row = 3;
	page.after_seq = last_seq;
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_problems_list(st, b.id, 2, &page, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 0);
}

/* ---- transactions and counts ------------------------------------------------------ */

/* Writes one batch with a subject, a record and a problem, as the pipeline does. */
static int64_t write_batch(void)
{
	struct store_batch b = new_batch();
	struct store_record r;
	struct store_problem p;

	cr_assert_eq(store_batch_insert(st, &b, &e), 0);
	add_subject(C_JIANCAI, "uscc", "肇庆市端州区星湖建材有限公司");
	r = record(C_JIANCAI, "penalty", "K1", "h1");
	r.batch_id = b.id;
	cr_assert_eq(put_record(&r), PUT_INSERTED);
	p = (struct store_problem){ b.id, 1, "", "row.malformed", "格式错误", 0, 0 };
	cr_assert_eq(store_problem_add(st, &p, &e), 0);
	b.rows = 2;
	b.accepted = 1;
	b.rejected = 1;
	cr_assert_eq(store_batch_update(st, &b, &e), 0);
	return b.id;
}

Test(store, rollback_leaves_nothing)
{
	struct store_counts n;
	struct hits h;

	open_store();
	cr_assert_eq(store_category_put(st, "penalty", "{}", &e), 0);
	cr_assert_eq(store_begin(st, &e), 0);
	write_batch();
	cr_assert_eq(store_counts(st, &n, &e), 0);
	cr_assert_eq(n.records, 1);
	store_rollback(st);
	cr_assert_eq(store_counts(st, &n, &e), 0);
	cr_assert_eq(n.subjects, 0);
	cr_assert_eq(n.records, 0);
	cr_assert_eq(n.batches, 0);
	cr_assert_eq(n.categories, 1);
	cr_assert_eq(raw_int("SELECT count(*) FROM batch_problems"), 0);
	h = search("建材有限", NULL, 10, 1);
	cr_assert_eq(h.n, 0);
	/* Rolling back with nothing open is harmless. */
	store_rollback(st);
	cr_assert_eq(store_begin(st, &e), 0);
	store_rollback(st);
}

Test(store, begin_twice_fails)
{
	open_store();
	cr_assert_eq(store_begin(st, &e), 0);
	cr_assert_eq(store_begin(st, &e), -1);
	cr_assert_str_eq(e.reason, "store.error");
	cr_assert_eq(store_commit(st, &e), 0);
	cr_assert_eq(store_commit(st, &e), -1);
}

Test(store, transaction_writes_share_its_time)
{
	struct store_subject got;
	struct store_batch b = new_batch();

	open_store();
	cr_assert_eq(store_begin(st, &e), 0);
	setenv("XINYONG_NOW", NOW2, 1);
	cr_assert_eq(store_batch_insert(st, &b, &e), 0);
	add_subject(C_KEJI, "uscc", "肇庆星湖科技（集团）有限公司");
	cr_assert_eq(store_commit(st, &e), 0);
	cr_assert_str_eq(b.created_at, NOW1);
	cr_assert_eq(store_subject_get(st, C_KEJI, &got, &e), 1);
	cr_assert_str_eq(got.created_at, NOW1);
	store_subject_clear(&got);
	/* Outside a transaction the clock is read again. */
	b = new_batch();
	cr_assert_eq(store_batch_insert(st, &b, &e), 0);
	cr_assert_str_eq(b.created_at, NOW2);
}

Test(store, committed_batch_survives_reopen)
{
	struct store_counts n;
	struct store_batch got;
	struct pairs c = { 0 };
	struct hits h;
	int64_t id;

	open_store();
	cr_assert_eq(store_begin(st, &e), 0);
	id = write_batch();
	cr_assert_eq(store_commit(st, &e), 0);
	reopen_store();
	cr_assert_eq(store_batch_get(st, id, &got, &e), 1);
	cr_assert_eq(got.rows, 2);
	cr_assert_eq(got.accepted, 1);
	cr_assert_eq(store_counts(st, &n, &e), 0);
	cr_assert_eq(n.subjects, 1);
	cr_assert_eq(n.records, 1);
	cr_assert_eq(n.batches, 1);
	cr_assert_eq(n.categories, 0);
	cr_assert_eq(store_problems_list(st, id, 2, NULL, collect_problem, &c, &e), 0);
	cr_assert_eq(c.n, 1);
	h = search("建材有限", NULL, 10, 1);
	cr_assert_eq(h.n, 1);
}

/* Two handles on one file, as the server's pool has: a reader sees what the writer
 * committed, and a second writer waits for the first rather than failing at once. */
Test(store, two_handles_share_the_file)
{
	struct store *other = NULL;
	struct store_counts n;

	open_store();
	cr_assert_eq(store_open(path, &other, &e), 0);
	cr_assert_eq(store_begin(st, &e), 0);
	write_batch();
	cr_assert_eq(store_counts(other, &n, &e), 0);
	cr_assert_eq(n.records, 0);
	cr_assert_eq(store_commit(st, &e), 0);
	cr_assert_eq(store_counts(other, &n, &e), 0);
	cr_assert_eq(n.records, 1);
	store_close(other);
}

/* A batch's new subjects join the search index at commit; a search inside the batch
 * sees them too, a rollback leaves them out, and the index matches the table after. */
Test(store, batch_subjects_join_the_search_index)
{
	struct hits h;

	open_store();
	add_subject("91441202MA00000011", "uscc", "肇庆市端州独立建材有限公司");
	cr_assert_eq(search("独立建材", NULL, 10, 1).n, 1, "indexed at once outside a batch");

	cr_assert_eq(store_begin(st, &e), 0);
	add_subject("91441202MA00000022", "uscc", "肇庆市端州批次甲有限公司");
	add_subject("91441202MA00000033", "uscc", "肇庆市端州批次乙有限公司");
	h = search("批次甲有限", NULL, 10, 1);
	cr_assert_eq(h.n, 1, "a search inside the batch sees its new subjects");
	add_subject("91441202MA00000044", "uscc", "肇庆市端州批次丙有限公司");
	cr_assert_eq(store_commit(st, &e), 0, "%s", e.message);
	cr_assert_eq(search("端州批次", NULL, 10, 1).n, 3);

	cr_assert_eq(store_begin(st, &e), 0);
	add_subject("91441202MA00000055", "uscc", "肇庆市端州回滚丁有限公司");
	store_rollback(st);
	cr_assert_eq(search("回滚丁", NULL, 10, 1).n, 0);
	cr_assert_eq(raw_int("SELECT count(*) FROM subjects"), 4);
	/* FTS5's own consistency check: the index holds exactly the table's rows. */
	raw_exec("INSERT INTO subjects_fts(subjects_fts) VALUES ('integrity-check')");
	cr_assert_eq(search("有限公司", NULL, 10, 1).n, 4);
}

/* ---- the SQLite audit queue ---------------------------------------------------------- */

static int append_read(struct store *s, const char *actor)
{
	struct store_audit_storage storage;
	struct audit_entry a;

	memset(&a, 0, sizeof a);
	a.actor = actor;
	a.role = "handler";
	a.dept_code = "11441200007226547A";
	a.action = "subject.read";
	a.subject_code = C_JIANCAI;
	a.purpose = "测试";
	a.client = "127.0.0.1";
	a.detail = "";
	cr_assert_eq(store_audit_append(s, &a, &storage, &e), 0, "%s: %s", e.reason, e.message);
	return (int)a.seq;
}

static int collect_actor(void *ctx, const struct audit_entry *a)
{
	struct recs *c = ctx;

	snprintf(c->v[c->n++], sizeof c->v[0], "%lld|%s", a->seq, a->actor);
	return 0;
}

Test(store, audit_entry_of_a_read_is_queued_during_a_batch)
{
	struct store *other = NULL;
	struct recs c = { 0 };
	long long n = -1;

	open_store();
	cr_assert_eq(store_open_another(st, &other, &e), 0);
	cr_assert_eq(append_read(other, "user:a"), 1);
	/* A batch holds the write lock: the read's entry does not wait, it is queued. */
	cr_assert_eq(store_begin_batch(st, &e), 0);
	cr_assert_eq(append_read(other, "user:b"), 0);
	cr_assert_eq(append_read(other, "user:c"), 0);
	cr_assert_eq(store_audit_pending(other, &n, &e), 0);
	cr_assert_eq(n, 2);
	/* Draining needs the lock too: it says so, and loses nothing. */
	cr_assert_eq(store_audit_drain(other, &e), -1);
	cr_assert_str_eq(e.reason, "store.unavailable");
	cr_assert_eq(store_commit(st, &e), 0);
	/* The next append chains the queue first, in order, then itself. */
	cr_assert_eq(append_read(other, "user:d"), 4);
	cr_assert_eq(store_audit_pending(other, &n, &e), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_audit_scan(st, 0, 0, collect_actor, &c, &e), 0);
	cr_assert_eq(c.n, 4);
	cr_assert_str_eq(c.v[1], "2|user:b");
	cr_assert_str_eq(c.v[2], "3|user:c");
	cr_assert_str_eq(c.v[3], "4|user:d");
	/* Chained once: a drain after a reopen finds nothing more to chain. */
	store_close(other);
	reopen_store();
	cr_assert_eq(store_audit_drain(st, &e), 0);
	memset(&c, 0, sizeof c);
	cr_assert_eq(store_audit_scan(st, 0, 0, collect_actor, &c, &e), 0);
	cr_assert_eq(c.n, 4);
	cr_assert_eq(raw_int("SELECT last_id FROM audit_queue_marks"), 2);
}
