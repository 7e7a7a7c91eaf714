/* migrate.c - copying a platform between stores and verifying it; see migrate.h. */
#include "migrate.h"

#include "core/err.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Small tables first, so that a target that was not empty is noticed before the large
 * ones are copied: the reference tables (report keys and issued reports among them) and the accounts (users before the rows that
 * refer to them).  Then subjects and what refers to subjects and batches, authorizations
 * among them, and last the audit trail, which records all of the above: its anchor
 * (where verification starts), the chain, and the checkpoints signed over it.  Sessions
 * are not copied, on purpose: they are short-lived logins, and people log in again after
 * a move. */
static const enum store_table migrate_order[STORE_TABLE_COUNT] = {
	STORE_TABLE_CATEGORIES,     STORE_TABLE_EXCEPTIONS,   STORE_TABLE_CALENDAR,
	STORE_TABLE_DEPTS,          STORE_TABLE_SIGNING_KEYS, STORE_TABLE_REPORTS,
	STORE_TABLE_USERS,          STORE_TABLE_TOKENS,       STORE_TABLE_SUBJECTS,
	STORE_TABLE_BATCHES,        STORE_TABLE_PROBLEMS,     STORE_TABLE_RECORDS,
	STORE_TABLE_RECORD_VERSIONS, STORE_TABLE_AUTHORIZATIONS, STORE_TABLE_CASE_RULES,
	STORE_TABLE_CASES,          STORE_TABLE_CASE_STEPS,   STORE_TABLE_CASE_ATTACHMENTS,
	STORE_TABLE_STATEMENTS,
	STORE_TABLE_AUDIT_ANCHOR,   STORE_TABLE_AUDIT_LOG,    STORE_TABLE_AUDIT_CHECKPOINTS,
};

static void migrate_hex(const unsigned char *digest, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * n] = '\0';
}

int migrate_same_location(const struct store *a, const struct store *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (strcmp(store_backend_name(a), store_backend_name(b)) != 0)
		return 0;
	if (strcmp(store_location(a), store_location(b)) == 0)
		return 1;
	/* Two spellings of one file: "a.db", "./a.db", "sqlite:/abs/a.db". */
	if (strcmp(store_backend_name(a), "sqlite") == 0 && realpath(store_location(a), ra) &&
	    realpath(store_location(b), rb))
		return strcmp(ra, rb) == 0;
	return 0;
}

struct migrate_progress {
	const struct migrate_options *opt;
	const char *table;
	long long copied;
};

static void migrate_page_done(void *ctx, enum store_table t, long long copied)
{
	struct migrate_progress *p = ctx;

	(void)t;
	p->copied = copied;
	if (p->opt->progress)
		p->opt->progress(p->opt->ctx, MIGRATE_COPYING, p->table, copied, 0);
}

/* Compares table t on both sides into *tr; -1 with `migrate.mismatch` when they differ. */
static int migrate_compare(struct store *from, struct store *to, enum store_table t,
			   int verify_only, struct migrate_table_report *tr, struct err *e)
{
	char hf[65], ht[65];

	if (store_table_sum(from, t, &tr->from, e) < 0 || store_table_sum(to, t, &tr->to, e) < 0)
		return -1;
	tr->done = 1;
	tr->match = tr->from.rows == tr->to.rows &&
		    memcmp(tr->from.digest, tr->to.digest, sizeof tr->from.digest) == 0;
	if (tr->match)
		return 0;
	migrate_hex(tr->from.digest, sizeof tr->from.digest, hf);
	migrate_hex(tr->to.digest, sizeof tr->to.digest, ht);
	return err_set(e, "migrate.mismatch",
		       "表 %s 不一致：源库 %lld 行，摘要 %s；目标库 %lld 行，摘要 %s。%s",
		       store_table_name(t), tr->from.rows, hf, tr->to.rows, ht,
		       verify_only ? "若迁移尚未完成，请先完成迁移；否则两库内容不同" :
				     "目标库在迁移前应为空库（不要先对它运行 init），且迁移期间源库不得写入；"
				     "请清空目标库后重新迁移");
}

int migrate_run(struct store *from, struct store *to, const struct migrate_options *opt,
		struct migrate_report *out, struct err *e)
{
	static const struct migrate_options defaults = { 0, 0, NULL, NULL };
	struct migrate_progress prog = { NULL, NULL, 0 };
	struct err first, local;
	int i, failed = 0;

	if (!e)
		e = &local;
	if (!opt)
		opt = &defaults;
	memset(out, 0, sizeof *out);
	out->verify_only = opt->verify_only;
	prog.opt = opt;
	err_clear(&first);
	if (migrate_same_location(from, to))
		return err_set(e, "migrate.same_location",
			       "源库与目标库是同一个数据库（%s），请为 --to 指定另一个数据库",
			       store_location(from));
	/* Audit entries that reads queued on an SQLite source during a batch belong to
	 * the trail being copied: they are chained first. */
	if (!opt->verify_only && store_audit_drain(from, e) < 0)
		return -1;
	for (i = 0; i < STORE_TABLE_COUNT; i++) {
		enum store_table t = migrate_order[i];
		struct migrate_table_report *tr = &out->tables[t];
		const char *name = store_table_name(t);

		if (!opt->verify_only) {
			prog.table = name;
			prog.copied = 0;
			if (store_copy_table(from, to, t, opt->page, migrate_page_done, &prog,
					     e) < 0) {
				char why[ERR_MESSAGE_MAX];

				tr->copied = prog.copied;
				snprintf(why, sizeof why, "%s", e->message);
				/* The advice first: a backend's detail may be long. */
				return err_set(e, "store.error",
					       "复制表 %s 时出错，本次已复制 %lld 行并已保留；排除问题后再次运行同一"
					       "命令即可从中断处继续。原因：%s",
					       name, prog.copied, why);
			}
			tr->copied = prog.copied;
		}
		if (migrate_compare(from, to, t, opt->verify_only, tr, e) < 0) {
			if (!tr->done)
				return -1; /* a store error while summing */
			/* A copy stops at the first difference; a check looks at every table and
			 * reports the first that differs. */
			if (opt->progress)
				opt->progress(opt->ctx, MIGRATE_VERIFIED, name, tr->from.rows, 0);
			if (!opt->verify_only)
				return -1;
			if (!failed)
				first = *e;
			failed = 1;
			continue;
		}
		if (opt->progress)
			opt->progress(opt->ctx, MIGRATE_VERIFIED, name, tr->from.rows, 1);
	}
	if (failed) {
		*e = first;
		return -1;
	}
	if (!opt->verify_only && store_copy_finish(to, e) < 0)
		return -1;
	out->verified = 1;
	return 0;
}

json_t *migrate_report_json(const struct store *from, const struct store *to,
			    const struct migrate_report *r)
{
	json_t *doc = json_object(), *tables = json_object();
	char hex[65];
	int i;

	json_object_set_new(doc, "from", json_string(store_location(from)));
	json_object_set_new(doc, "to", json_string(store_location(to)));
	json_object_set_new(doc, "mode", json_string(r->verify_only ? "verify" : "copy"));
	json_object_set_new(doc, "verified", json_boolean(r->verified));
	for (i = 0; i < STORE_TABLE_COUNT; i++) {
		enum store_table t = migrate_order[i];
		const struct migrate_table_report *tr = &r->tables[t];
		json_t *o;

		if (!tr->done)
			continue;
		migrate_hex(tr->from.digest, sizeof tr->from.digest, hex);
		o = json_pack("{s:I, s:s, s:I, s:b}", "rows", (json_int_t)tr->from.rows, "digest",
			      hex, "copied", (json_int_t)tr->copied, "match", tr->match);
		if (!tr->match) {
			migrate_hex(tr->to.digest, sizeof tr->to.digest, hex);
			json_object_set_new(o, "target_rows", json_integer(tr->to.rows));
			json_object_set_new(o, "target_digest", json_string(hex));
		}
		json_object_set_new(tables, store_table_name(t), o);
	}
	json_object_set_new(doc, "tables", tables);
	return doc;
}
