/*
 * store_copy.c - copying whole tables between two stores, and the per-table sums that
 * prove a copy complete (`xinyong migrate`, src/service/migrate.c).
 *
 * Each table is read in keyset pages in the order of its unique key (never OFFSET, which
 * rereads everything before the page), and each page is written to the target in one
 * transaction.  Because pages are committed in key order, the last key the target holds
 * says how far an interrupted copy got, and the next run starts after it.  Both
 * backends compare text byte-wise, so the order, and therefore the sums, are the same
 * whichever backend is read.
 */
#include "store_int.h"

#include "core/err.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_MAX_KEY 3
#define COPY_MAX_COLS 16

struct copy_table {
	const char *name;
	enum store_sql_id scan, copy, last;
	int ncols;
	int nkey;
	int key_cols[COPY_MAX_KEY]; /* the scan's columns that form the key, in key order */
	unsigned num_cols;          /* bit i: column i is an integer */
};

static const struct copy_table copy_tables[STORE_TABLE_COUNT] = {
	[STORE_TABLE_CATEGORIES] = { "catalog_categories", SQL_SCAN_CATEGORIES, SQL_COPY_CATEGORY,
				     SQL_LAST_CATEGORY, 3, 1, { 0 }, 0 },
	[STORE_TABLE_EXCEPTIONS] = { "code_exceptions", SQL_SCAN_EXCEPTIONS, SQL_COPY_EXCEPTION,
				     SQL_LAST_EXCEPTION, 3, 1, { 0 }, 0 },
	[STORE_TABLE_CALENDAR] = { "calendar_days", SQL_SCAN_CALENDAR, SQL_COPY_CALENDAR_DAY,
				   SQL_LAST_CALENDAR_DAY, 3, 1, { 0 }, 0 },
	[STORE_TABLE_DEPTS] = { "depts", SQL_SCAN_DEPTS, SQL_COPY_DEPT, SQL_LAST_DEPT, 8, 1, { 0 },
				0 },
	[STORE_TABLE_SUBJECTS] = { "subjects", SQL_SCAN_SUBJECTS, SQL_COPY_SUBJECT,
				   SQL_LAST_SUBJECT, 8, 1, { 0 }, 0 },
	[STORE_TABLE_BATCHES] = { "batches", SQL_SCAN_BATCHES, SQL_COPY_BATCH, SQL_LAST_BATCH, 12,
				  1, { 0 }, 1u << 0 | 0x7c0u /* rows..warnings */ },
	[STORE_TABLE_PROBLEMS] = { "batch_problems", SQL_SCAN_PROBLEMS, SQL_COPY_PROBLEM,
				   SQL_LAST_PROBLEM, 7, 3, { 0, 1, 2 },
				   1u << 0 | 1u << 1 | 1u << 2 | 1u << 6 },
	[STORE_TABLE_RECORDS] = { "records", SQL_SCAN_RECORDS, SQL_COPY_RECORD, SQL_LAST_RECORD, 13,
				  3, { 3, 2, 5 }, 1u << 0 | 1u << 1 | 1u << 10 },
	[STORE_TABLE_RECORD_VERSIONS] = { "record_versions", SQL_SCAN_RECORD_VERSIONS,
					  SQL_COPY_RECORD_VERSION, SQL_LAST_RECORD_VERSION, 14, 3,
					  { 0, 1, 2 },
					  1u << 1 | 1u << 2 | 1u << 5 | 1u << 11 },
	[STORE_TABLE_USERS] = { "users", SQL_SCAN_USERS, SQL_COPY_USER, SQL_LAST_USER, 14, 1, { 0 },
				1u << 0 | 1u << 9 | 1u << 11 /* id, failed_logins, disabled */ },
	[STORE_TABLE_TOKENS] = { "api_tokens", SQL_SCAN_TOKENS, SQL_COPY_TOKEN, SQL_LAST_TOKEN, 10,
				 1, { 0 }, 1u << 0 },
	[STORE_TABLE_AUTHORIZATIONS] = { "authorizations", SQL_SCAN_AUTHORIZATIONS,
					 SQL_COPY_AUTHORIZATION, SQL_LAST_AUTHORIZATION, 8, 2,
					 { 1, 0 }, 1u << 0 },
	[STORE_TABLE_CASE_RULES] = { "case_rules", SQL_SCAN_CASE_RULES, SQL_COPY_CASE_RULES,
				     SQL_LAST_CASE_RULES, 5, 2, { 0, 1 }, 0 },
	[STORE_TABLE_CASES] = { "cases", SQL_SCAN_CASES, SQL_COPY_CASE, SQL_LAST_CASE, 16, 2,
				{ 1, 0 }, 1u << 0 | 1u << 3 | 1u << 12 /* id, record, reviews */ },
	[STORE_TABLE_CASE_STEPS] = { "case_steps", SQL_SCAN_CASE_STEPS, SQL_COPY_CASE_STEP,
				     SQL_LAST_CASE_STEP, 10, 3, { 0, 1, 2 }, 1u << 1 | 1u << 2 },
	[STORE_TABLE_CASE_ATTACHMENTS] = { "case_attachments", SQL_SCAN_CASE_ATTACHMENTS,
					   SQL_COPY_CASE_ATTACHMENT, SQL_LAST_CASE_ATTACHMENT, 11,
					   2, { 0, 1 }, 1u << 1 | 1u << 2 | 1u << 3 | 1u << 6 },
	[STORE_TABLE_STATEMENTS] = { "record_statements", SQL_SCAN_STATEMENTS,
				     SQL_COPY_STATEMENT, SQL_LAST_STATEMENT, 5, 2, { 0, 1 },
				     1u << 1 },
	[STORE_TABLE_AUDIT_ANCHOR] = { "audit_anchor", SQL_SCAN_AUDIT_ANCHOR, SQL_COPY_AUDIT_ANCHOR,
				       SQL_LAST_AUDIT_ANCHOR, 7, 1, { 0 }, 1u << 0 | 1u << 1 },
	[STORE_TABLE_AUDIT_LOG] = { "audit_log", SQL_SCAN_AUDIT_LOG, SQL_COPY_AUDIT_ENTRY,
				    SQL_LAST_AUDIT_ENTRY, 12, 1, { 0 }, 1u << 0 },
	[STORE_TABLE_AUDIT_CHECKPOINTS] = { "audit_checkpoints", SQL_SCAN_AUDIT_CHECKPOINTS,
					    SQL_COPY_AUDIT_CHECKPOINT, SQL_LAST_AUDIT_CHECKPOINT, 5,
					    1, { 0 }, 1u << 0 },
	[STORE_TABLE_SIGNING_KEYS] = { "signing_keys", SQL_SCAN_KEYS, SQL_COPY_KEY, SQL_LAST_KEY, 9,
				       1, { 0 }, 1u << 5 /* own */ },
	[STORE_TABLE_REPORTS] = { "reports", SQL_SCAN_REPORTS, SQL_COPY_REPORT, SQL_LAST_REPORT,
				  10, 1, { 0 }, 0 },
};

const char *store_table_name(enum store_table t)
{
	return t < STORE_TABLE_COUNT ? copy_tables[t].name : "";
}

/* Where a scan stands: the last key seen, as text (integers in decimal). */
struct copy_key {
	char *v[COPY_MAX_KEY];
};

static void copy_key_free(struct copy_key *k)
{
	int i;

	for (i = 0; i < COPY_MAX_KEY; i++) {
		free(k->v[i]);
		k->v[i] = NULL;
	}
}

static int copy_key_set(struct copy_key *k, int i, const char *v)
{
	char *dup = strdup(v);

	if (!dup)
		return -1;
	free(k->v[i]);
	k->v[i] = dup;
	return 0;
}

/* The key column i of the table is an integer. */
static int copy_key_is_num(const struct copy_table *t, int i)
{
	return (t->num_cols >> t->key_cols[i]) & 1u;
}

/* Before the first key: "" sorts before every text key, -1 before every id. */
static int copy_key_start(const struct copy_table *t, struct copy_key *k)
{
	int i;

	for (i = 0; i < t->nkey; i++)
		if (copy_key_set(k, i, copy_key_is_num(t, i) ? "-1" : "") < 0)
			return -1;
	return 0;
}

struct page_ctx {
	const struct copy_table *t;
	struct store *to;      /* NULL when summing */
	crypto_generichash_state *hash; /* NULL when copying */
	struct copy_key *key;
	long rows;
	int failed; /* -1 after an error in the callback */
	struct err *e;
};

static void copy_hash_row(struct page_ctx *c, const struct store_row *row)
{
	unsigned char len[8];
	const char *v;
	size_t n;
	int i, b;

	for (i = 0; i < c->t->ncols; i++) {
		v = store__text(row, i);
		n = strlen(v);
		/* Length first, so that ("ab","c") and ("a","bc") differ. */
		for (b = 0; b < 8; b++)
			len[b] = (unsigned char)(n >> (8 * b));
		crypto_generichash_update(c->hash, len, sizeof len);
		crypto_generichash_update(c->hash, (const unsigned char *)v, n);
	}
}

static int copy_write_row(struct page_ctx *c, const struct store_row *row)
{
	struct store_param p[COPY_MAX_COLS];
	int i;

	assert(c->t->ncols <= COPY_MAX_COLS);
	for (i = 0; i < c->t->ncols; i++) {
		if ((c->t->num_cols >> i) & 1u)
			p[i] = (struct store_param)STORE_NUM(store__num(row, i));
		else
			p[i] = (struct store_param)STORE_TEXT(store__text(row, i));
	}
	return store__query(c->to, c->t->copy, p, c->t->ncols, NULL, NULL, NULL, c->e);
}

static int copy_page_row(void *ctx, const struct store_row *row)
{
	struct page_ctx *c = ctx;
	int i;

	if (c->hash)
		copy_hash_row(c, row);
	else if (copy_write_row(c, row) < 0)
		return c->failed = -1;
	for (i = 0; i < c->t->nkey; i++)
		if (copy_key_set(c->key, i, store__text(row, c->t->key_cols[i])) < 0) {
			err_set(c->e, "store.error", "内存不足");
			return c->failed = -1;
		}
	c->rows++;
	return 0;
}

/* Reads one page after c->key from `from`, copying or hashing each row.  Returns the
 * rows read, or -1. */
static long copy_page(struct store *from, struct page_ctx *c, long page)
{
	struct store_param p[COPY_MAX_KEY + 1];
	/* The bound key must outlive the query: the row callback moves c->key on while the
	 * statement still compares rows with its parameters (SQLite binds them borrowed). */
	struct copy_key after = { { NULL } };
	long rc = -1;
	int i;

	for (i = 0; i < c->t->nkey; i++) {
		if (copy_key_set(&after, i, c->key->v[i]) < 0) {
			err_set(c->e, "store.error", "内存不足");
			goto out;
		}
		if (copy_key_is_num(c->t, i))
			p[i] = (struct store_param)STORE_NUM(strtoll(after.v[i], NULL, 10));
		else
			p[i] = (struct store_param)STORE_TEXT(after.v[i]);
	}
	p[i] = (struct store_param)STORE_NUM(page);
	c->rows = 0;
	c->failed = 0;
	if (store__query(from, c->t->scan, p, c->t->nkey + 1, copy_page_row, c, NULL, c->e) < 0 ||
	    c->failed < 0)
		goto out;
	rc = c->rows;
out:
	copy_key_free(&after);
	return rc;
}

struct last_ctx {
	const struct copy_table *t;
	struct copy_key *key;
	int found, failed;
};

static int copy_last_row(void *ctx, const struct store_row *row)
{
	struct last_ctx *c = ctx;
	int i;

	for (i = 0; i < c->t->nkey; i++)
		if (copy_key_set(c->key, i, store__text(row, i)) < 0)
			return c->failed = 1;
	c->found = 1;
	return 1;
}

int store_copy_table(struct store *from, struct store *to, enum store_table t, long page,
		     void (*progress)(void *ctx, enum store_table t, long long copied),
		     void *ctx, struct err *e)
{
	const struct copy_table *tab = &copy_tables[t];
	struct copy_key key = { { NULL } };
	struct last_ctx last = { tab, &key, 0, 0 };
	struct page_ctx c = { tab, to, NULL, &key, 0, 0, e };
	long long copied = 0;
	long n;
	int rc = -1;

	if (page <= 0)
		page = 1000;
	if (copy_key_start(tab, &key) < 0) {
		err_set(e, "store.error", "内存不足");
		goto out;
	}
	/* Resume after what an earlier run committed. */
	if (store__query(to, tab->last, NULL, 0, copy_last_row, &last, NULL, e) < 0)
		goto out;
	if (last.failed) {
		err_set(e, "store.error", "内存不足");
		goto out;
	}
	do {
		if (store_begin_batch(to, e) < 0)
			goto out;
		n = copy_page(from, &c, page);
		if (n < 0 || store_commit(to, e) < 0) {
			store_rollback(to);
			goto out;
		}
		copied += n;
		if (progress)
			progress(ctx, t, copied);
	} while (n == page);
	rc = 0;
out:
	copy_key_free(&key);
	return rc;
}

int store_copy_finish(struct store *to, struct err *e)
{
	enum store_sql_id id = to->be->dialect == SQL_PG ? SQL_COPY_FINISH_PG : SQL_COPY_FINISH_LITE;

	return store__query(to, id, NULL, 0, NULL, NULL, NULL, e);
}

int store_table_sum(struct store *s, enum store_table t, struct store_table_sum *out,
		    struct err *e)
{
	const struct copy_table *tab = &copy_tables[t];
	struct copy_key key = { { NULL } };
	crypto_generichash_state hash;
	struct page_ctx c = { tab, NULL, &hash, &key, 0, 0, e };
	long n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (sodium_init() < 0)
		return err_set(e, "internal.error", "无法初始化 libsodium");
	crypto_generichash_init(&hash, NULL, 0, sizeof out->digest);
	if (copy_key_start(tab, &key) < 0) {
		err_set(e, "store.error", "内存不足");
		goto out;
	}
	do {
		n = copy_page(s, &c, 5000);
		if (n < 0)
			goto out;
		out->rows += n;
	} while (n == 5000);
	crypto_generichash_final(&hash, out->digest, sizeof out->digest);
	rc = 0;
out:
	copy_key_free(&key);
	return rc;
}
