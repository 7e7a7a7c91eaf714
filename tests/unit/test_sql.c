/* test_sql.c - distribution readiness of every statement the store runs (src/store/sql.def,
 * through the store_sql[] table of store_int.h).
 *
 * The national platform runs on PostgreSQL distributed with Citus (docs/scaling.md).  Each
 * statement in sql.def carries the route Citus would give it; this test reads the SQL with
 * a small scanner (string literals and quoted names skipped, keywords compared without
 * case) and checks that the route is true to the text:
 *
 *   distributed  subjects (code), records and authorizations (subject_code), co-located;
 *                batches (id) and batch_problems (batch_id), co-located
 *   reference    catalog_categories, code_exceptions, calendar_days, depts, schema_migrations,
 *                users, sessions, api_tokens; and the coordinator-local audit tables
 *                (see tables[])
 *   session      xy_stage_*: temporary staging tables, local to one connection
 *   SQLite only  subjects_fts (the FTS5 name index; PostgreSQL uses pg_trgm instead)
 *
 *   - ROUTE_KEY / ROUTE_BATCH: every distributed table the statement reads or writes is of
 *     the route's co-location group and is pinned to one shard: its WHERE has a top-level
 *     conjunct `col = ?N` (or `col = ANY(...?N...)`, `col IN (?N, ...)`) on its
 *     distribution column, or it is an INSERT ... VALUES / COPY that supplies that column,
 *     or it is joined on distribution columns to a pinned table;
 *   - ROUTE_LOCAL: no distributed table at all;
 *   - two distributed tables in one statement are joined on their distribution columns,
 *     unless the statement is ROUTE_ALL;
 *   - no statement assigns a distribution column (UPDATE ... SET, ON CONFLICT DO UPDATE)
 *     and every ON CONFLICT target of a distributed table includes its distribution column;
 *   - the statements run per request or per row keep the routes listed in hot[] below;
 *   - placeholders are ?1..?N without gaps in every statement PostgreSQL prepares, and the
 *     SQL_BOTH statements use no syntax only one dialect has.
 *
 * Every rule is also run on statements made to break it (the *_can_fail tests), so that a
 * scanner bug cannot make a rule pass vacuously.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* ---- the tables --------------------------------------------------------------------- */

enum table_class { T_DISTRIBUTED, T_REFERENCE, T_SESSION, T_SQLITE_ONLY, T_CTE };
enum colocation { G_NONE, G_SUBJECT, G_BATCH };

struct table {
	const char *name;
	enum table_class cls;
	const char *dist_col; /* distributed tables: the distribution column */
	enum colocation group;
};

static const struct table tables[] = {
	{ "subjects", T_DISTRIBUTED, "code", G_SUBJECT },
	{ "records", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	{ "batches", T_DISTRIBUTED, "id", G_BATCH },
	{ "batch_problems", T_DISTRIBUTED, "batch_id", G_BATCH },
	{ "catalog_categories", T_REFERENCE, NULL, G_NONE },
	{ "code_exceptions", T_REFERENCE, NULL, G_NONE },
	{ "calendar_days", T_REFERENCE, NULL, G_NONE },
	{ "depts", T_REFERENCE, NULL, G_NONE },
	{ "schema_migrations", T_REFERENCE, NULL, G_NONE },
	{ "subjects_fts", T_SQLITE_ONLY, NULL, G_NONE },
	/* SQLite's queue of audit entries waiting for the chain, and its marks. */
	{ "audit_queue", T_SQLITE_ONLY, NULL, G_NONE },
	{ "audit_queue_meta", T_SQLITE_ONLY, NULL, G_NONE },
	{ "audit_queue_marks", T_SQLITE_ONLY, NULL, G_NONE },
	{ "authorizations", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	{ "record_versions", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	/* A subject's cases, their steps and attachments, and its statements: with its
	 * records. */
	{ "cases", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	{ "case_steps", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	{ "case_attachments", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	{ "record_statements", T_DISTRIBUTED, "subject_code", G_SUBJECT },
	{ "case_rules", T_REFERENCE, NULL, G_NONE },
	/* Small tables read by key: replicated (users, sessions, tokens), or kept on the
	 * coordinator alone (the audit chain is one sequence under one lock); either way no
	 * statement fans out to shards, which is what T_REFERENCE checks. */
	{ "users", T_REFERENCE, NULL, G_NONE },
	{ "sessions", T_REFERENCE, NULL, G_NONE },
	{ "api_tokens", T_REFERENCE, NULL, G_NONE },
	{ "audit_log", T_REFERENCE, NULL, G_NONE },
	{ "audit_checkpoints", T_REFERENCE, NULL, G_NONE },
	{ "audit_anchor", T_REFERENCE, NULL, G_NONE },
	/* Report keys (a handful, replicated) and the register of issued reports (read by
	 * number alone, kept on the coordinator like the audit chain, docs/scaling.md):
	 * neither fans out to shards. */
	{ "signing_keys", T_REFERENCE, NULL, G_NONE },
	{ "reports", T_REFERENCE, NULL, G_NONE },
};
#define NTABLES ((int)(sizeof tables / sizeof tables[0]))
#define SESSION_PREFIX "xy_stage_"

/* Statements allowed to break one rule, each with the reason.  A listed statement that no
 * longer breaks its rule fails the test too, so an entry cannot outlive its reason. */
struct exception {
	const char *name;
	const char *rule; /* "pin" */
	const char *why;
};

/* No ROUTE_LOCAL statement is excepted: COPY_FINISH_LITE touches only SQLite's own search
 * index, and COPY_FINISH_PG reads max(id) of records, batches, batch_problems and
 * authorizations, i.e. every shard of them, which is what ROUTE_ALL says. */
static const struct exception exceptions[] = {
	/* The batch id does not exist before the insert: batches.id is a bigint identity,
	 * filled in by the node that receives the INSERT before it routes the row (Citus
	 * 11.2 and later distribute a table by a bigint identity column), so the row still
	 * goes to exactly one shard.  The test cannot see that from the text. */
	{ "BATCH_INSERT", "pin", "batches.id is the identity the INSERT generates" },
};
#define NEXCEPTIONS ((int)(sizeof exceptions / sizeof exceptions[0]))

/* The statements the platform runs per request or per row, with the route each must keep:
 * a change of route here is a change of how the platform scales, to be made on purpose. */
enum hot_kind {
	PER_REQUEST, /* reached from an HTTP request */
	PER_ROW,     /* once per ingested row */
	PER_WINDOW,  /* once per batch, or per window of a few hundred rows, or per flush */
};

struct hot {
	const char *name;
	enum store_sql_route route;
	enum hot_kind kind;
	const char *when;
};

static const struct hot hot[] = {
	{ "SUBJECT_GET", ROUTE_KEY, PER_REQUEST, "GET /api/v1/subjects/{code}, ingest lookups" },
	{ "RECORDS_OF_SUBJECT", ROUTE_KEY, PER_REQUEST, "GET /api/v1/subjects/{code}" },
	{ "CATEGORY_GET", ROUTE_LOCAL, PER_REQUEST, "each category of a subject's archive" },
	{ "EXCEPTION_HAS", ROUTE_LOCAL, PER_REQUEST, "each code whose check character fails" },
	{ "BATCH_GET", ROUTE_BATCH, PER_REQUEST, "GET /api/v1/batches/{id}, .../rejects" },
	{ "BATCHES_LIST", ROUTE_ALL, PER_REQUEST, "GET /api/v1/batches" },
	{ "PROBLEMS_LIST", ROUTE_BATCH, PER_REQUEST, "GET /api/v1/batches/{id}/rejects" },
	{ "SEARCH_TRGM", ROUTE_ALL, PER_REQUEST, "GET /api/v1/subjects?q= (PostgreSQL)" },
	{ "SEARCH_FTS", ROUTE_ALL, PER_REQUEST, "GET /api/v1/subjects?q= (SQLite, 3+ chars)" },
	{ "SEARCH_SCAN", ROUTE_ALL, PER_REQUEST, "GET /api/v1/subjects?q= (SQLite, 2 chars)" },
	{ "SEARCH_COUNT_TRGM", ROUTE_ALL, PER_REQUEST, "GET /api/v1/subjects?q= total (PostgreSQL)" },
	{ "SEARCH_COUNT_FTS", ROUTE_ALL, PER_REQUEST, "GET /api/v1/subjects?q= total (SQLite)" },
	{ "SEARCH_COUNT_SCAN", ROUTE_ALL, PER_REQUEST, "GET /api/v1/subjects?q= total (SQLite)" },
	{ "COUNTS", ROUTE_ALL, PER_REQUEST, "GET /healthz (src/http/api_health.c)" },
	{ "DISCLOSURES_PAGE", ROUTE_ALL, PER_REQUEST, "GET /api/v1/disclosures (the portal's 双公示)" },
	{ "DISCLOSURES_COUNT", ROUTE_ALL, PER_REQUEST, "GET /api/v1/stats (the portal's totals)" },
	{ "SUBJECT_INSERT", ROUTE_KEY, PER_ROW, "every new subject (SQLite)" },
	{ "RECORD_PUT_LITE", ROUTE_KEY, PER_ROW, "every row (SQLite)" },
	{ "RECORD_OWNER", ROUTE_KEY, PER_ROW, "rows that changed nothing (SQLite), uncached rows (PostgreSQL)" },
	{ "RECORDS_FOREIGN_MANY", ROUTE_KEY, PER_WINDOW, "every window of rows (PostgreSQL)" },
	{ "RECORD_VERSIONS_DROP_BATCH", ROUTE_ALL, PER_WINDOW, "a batch that updated records" },
	{ "RECORD_GET", ROUTE_ALL, PER_REQUEST, "GET /api/v1/records/{id}/history, .../transfer" },
	{ "RECORD_VERSIONS_OF", ROUTE_KEY, PER_REQUEST, "GET /api/v1/records/{id}/history" },
	{ "PROBLEM_ADD", ROUTE_BATCH, PER_ROW, "every problem (SQLite)" },
	{ "BATCH_INSERT", ROUTE_BATCH, PER_WINDOW, "every batch" },
	{ "BATCH_UPDATE", ROUTE_BATCH, PER_WINDOW, "every batch" },
	{ "SUBJECTS_GET_MANY", ROUTE_KEY, PER_WINDOW, "every window of rows (PostgreSQL)" },
	{ "SUBJECTS_INSERT_MANY", ROUTE_ALL, PER_WINDOW, "a window's new subjects (PostgreSQL)" },
	{ "STAGE_RECORDS_COPY", ROUTE_LOCAL, PER_WINDOW, "every flush of records (PostgreSQL)" },
	{ "STAGE_RECORDS_MERGE", ROUTE_ALL, PER_WINDOW, "every flush of records (PostgreSQL)" },
	{ "PROBLEMS_COPY", ROUTE_BATCH, PER_WINDOW, "every flush of problems (PostgreSQL)" },
};
#define NHOT ((int)(sizeof hot / sizeof hot[0]))

/* Per-request statements that may read every shard: a name is not the subject key, so a
 * name search cannot be routed to one shard (docs/scaling.md, "Which queries stay on one
 * shard"). */
static const char *const fan_out_ok[] = { "SEARCH_TRGM", "SEARCH_FTS", "SEARCH_SCAN",
					   "SEARCH_COUNT_TRGM", "SEARCH_COUNT_FTS",
					   "SEARCH_COUNT_SCAN",
					   /* Known debt: /healthz reports table counts, which
					    * read every shard; it should answer from a cheap
					    * query and leave the counts to a status page. */
					   "COUNTS",
					   /* The portal's latest 双公示 and their monthly totals:
					    * by date, not by subject; each shard reads its newest
					    * rows by records_category_decided. */
					   "DISCLOSURES_PAGE", "DISCLOSURES_COUNT",
					   /* Records are addressed by id in the record routes, an
					    * operator's or a department's rare lookup; the id alone
					    * does not name a shard. */
					   "RECORD_GET",
					   /* A department's batches, newest first: batches are
					    * distributed by id, so a page of them spans shards.
					    * The table holds one row per file, not per record. */
					   "BATCHES_LIST" };

/* ---- the scanner -------------------------------------------------------------------- */

enum tok_kind { TK_WORD, TK_QIDENT, TK_STR, TK_NUM, TK_PARAM, TK_DOLLAR, TK_OP };

struct tok {
	enum tok_kind kind;
	char text[48]; /* words lower-cased; strings and quoted names: their content */
	int num;       /* TK_PARAM / TK_DOLLAR: the number (0 for a bare ?) */
	int depth;     /* parentheses around the token; '(' and ')' count as outside */
	int in_call;   /* the innermost parenthesis around it is a function call's */
};

enum ref_how { BY_FROM, BY_JOIN, BY_UPDATE, BY_INTO, BY_COPY, BY_CREATE, BY_TRUNCATE };

struct ref {
	int tok;
	int table; /* index into tables[], or -1 */
	enum table_class cls;
	enum ref_how how;
	char alias[48];
};

#define MAX_TOK 4096
#define MAX_REF 64
#define MAX_CTE 16

struct parsed {
	const struct store_sql *st;
	struct tok t[MAX_TOK];
	int n;
	struct ref r[MAX_REF];
	int nr;
	char cte[MAX_CTE][48];
	int ncte;
	char err[256]; /* a problem of the scan itself */
};

static int is_word(const struct parsed *p, int i, const char *w)
{
	return i >= 0 && i < p->n && p->t[i].kind == TK_WORD && strcmp(p->t[i].text, w) == 0;
}

static int is_op(const struct parsed *p, int i, const char *op)
{
	return i >= 0 && i < p->n && p->t[i].kind == TK_OP && strcmp(p->t[i].text, op) == 0;
}

static int in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* Words before '(' that make it a grouping or subquery parenthesis, not a call. */
static const char *const group_words[] = {
	"as", "in", "exists", "any", "all", "over", "filter", "values", "using", "on",
	"select", "where", "and", "or", "not", "from", "join", "window", "with", "by",
	"then", "else", "when", "is", "set", "lateral", "union", "except", "intersect",
	"returning", "conflict", "case", "between", "like", "do", NULL,
};

/* Words that can follow a table name and are not an alias. */
static const char *const not_alias[] = {
	"where", "join", "left", "right", "inner", "full", "cross", "natural", "on",
	"using", "set", "values", "select", "group", "order", "limit", "returning",
	"union", "except", "intersect", "window", "having", "default", "from", "and",
	"or", "do", "offset", "for", "as", NULL,
};

static int scan_fail(struct parsed *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err[0])
		return -1; /* the first problem is the one to report */
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int tokenize(struct parsed *p, const char *s)
{
	int depth = 0, call[128], sp = 0;

	while (*s) {
		struct tok *t;
		size_t len = 0;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");

			if (!end)
				return scan_fail(p, "unterminated comment");
			s = end + 2;
			continue;
		}
		if (p->n >= MAX_TOK)
			return scan_fail(p, "more than %d tokens", MAX_TOK);
		t = &p->t[p->n];
		memset(t, 0, sizeof *t);
		t->depth = depth;
		t->in_call = sp ? call[sp - 1] : 0;
		if (*s == '\'' || *s == '"') {
			char q = *s++;

			for (;;) {
				if (!*s)
					return scan_fail(p, "unterminated %c", q);
				if (*s == q) {
					if (s[1] == q) {
						s += 2;
						continue;
					}
					s++;
					break;
				}
				if (len + 1 < sizeof t->text)
					t->text[len++] = *s;
				s++;
			}
			t->kind = q == '\'' ? TK_STR : TK_QIDENT;
		} else if (*s == '?' || (*s == '$' && isdigit((unsigned char)s[1]))) {
			t->kind = *s == '?' ? TK_PARAM : TK_DOLLAR;
			t->text[0] = *s++;
			while (isdigit((unsigned char)*s)) {
				t->num = t->num * 10 + (*s - '0');
				s++;
			}
		} else if (isalpha((unsigned char)*s) || *s == '_' || (unsigned char)*s >= 0x80) {
			t->kind = TK_WORD;
			while (isalnum((unsigned char)*s) || *s == '_' || (unsigned char)*s >= 0x80) {
				if (len + 1 < sizeof t->text)
					t->text[len++] = (char)tolower((unsigned char)*s);
				s++;
			}
		} else if (isdigit((unsigned char)*s)) {
			t->kind = TK_NUM;
			while (isdigit((unsigned char)*s) || *s == '.') {
				if (len + 1 < sizeof t->text)
					t->text[len++] = *s;
				s++;
			}
		} else {
			static const char *const two[] = { "::", "<>", "<=", ">=", "!=", "||", "->",
							   NULL };
			const char *const *op;

			t->kind = TK_OP;
			for (op = two; *op; op++)
				if (strncmp(s, *op, 2) == 0)
					break;
			if (*op) {
				memcpy(t->text, s, 2);
				s += 2;
			} else {
				t->text[0] = *s++;
			}
			if (strcmp(t->text, "(") == 0) {
				const struct tok *prev = p->n ? &p->t[p->n - 1] : NULL;

				if (sp >= (int)(sizeof call / sizeof call[0]))
					return scan_fail(p, "parentheses nested too deep");
				call[sp++] = prev && prev->kind == TK_WORD &&
					     !in_list(prev->text, group_words);
				depth++;
			} else if (strcmp(t->text, ")") == 0) {
				if (--depth < 0)
					return scan_fail(p, "unbalanced ')'");
				sp--;
				t->depth = depth;
				t->in_call = sp ? call[sp - 1] : 0;
			}
		}
		p->n++;
	}
	if (depth != 0)
		return scan_fail(p, "unbalanced '('");
	return 0;
}

static int table_index(const char *name)
{
	int i;

	for (i = 0; i < NTABLES; i++)
		if (strcmp(tables[i].name, name) == 0)
			return i;
	return -1;
}

static int is_cte(const struct parsed *p, const char *name)
{
	int i;

	for (i = 0; i < p->ncte; i++)
		if (strcmp(p->cte[i], name) == 0)
			return 1;
	return 0;
}

/* `WITH name AS (` and `, name AS (` name a common table expression. */
static void find_ctes(struct parsed *p)
{
	int i;

	for (i = 1; i + 2 < p->n; i++)
		if (p->t[i].kind == TK_WORD && is_word(p, i + 1, "as") && is_op(p, i + 2, "(") &&
		    (is_word(p, i - 1, "with") || is_word(p, i - 1, "recursive") ||
		     is_op(p, i - 1, ",")) &&
		    p->ncte < MAX_CTE)
			snprintf(p->cte[p->ncte++], sizeof p->cte[0], "%s", p->t[i].text);
}

/* Records the table named at token i (introduced by `how`); returns the index of the
 * token after it and its alias, or i when there is no table there. */
/* Copies a token's text (both live in one struct parsed, which snprintf's restrict
 * forbids at -O2). */
static void copy_word(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memmove(dst, src, n);
	dst[n] = '\0';
}

static int add_ref(struct parsed *p, int i, enum ref_how how)
{
	const struct tok *t = &p->t[i];
	struct ref *r;
	int k;

	if (i >= p->n || (t->kind != TK_WORD && t->kind != TK_QIDENT))
		return i; /* a subquery or a VALUES list */
	if (strcmp(t->text, "stdin") == 0 || strcmp(t->text, "stdout") == 0)
		return i + 1;
	/* FROM f(...) is a set-returning function, unless f is a table (INTO t(cols)). */
	if ((how == BY_FROM || how == BY_JOIN) && is_op(p, i + 1, "(") && table_index(t->text) < 0)
		return i + 1;
	if (p->nr >= MAX_REF) {
		scan_fail(p, "more than %d table references", MAX_REF);
		return i + 1;
	}
	r = &p->r[p->nr++];
	memset(r, 0, sizeof *r);
	r->tok = i;
	r->how = how;
	r->table = table_index(t->text);
	if (r->table >= 0)
		r->cls = tables[r->table].cls;
	else if (strncmp(t->text, SESSION_PREFIX, strlen(SESSION_PREFIX)) == 0)
		r->cls = T_SESSION;
	else if (is_cte(p, t->text))
		r->cls = T_CTE;
	else
		scan_fail(p, "table %s is not classified (distributed, reference, session or "
			     "SQLite only): add it to tables[] in tests/unit/test_sql.c and to "
			     "docs/scaling.md", t->text);
	k = i + 1;
	if (is_word(p, k, "as") && k + 1 < p->n && p->t[k + 1].kind == TK_WORD) {
		copy_word(r->alias, sizeof r->alias, p->t[k + 1].text);
		k += 2;
	} else if (k < p->n && p->t[k].kind == TK_WORD && !in_list(p->t[k].text, not_alias)) {
		copy_word(r->alias, sizeof r->alias, p->t[k].text);
		k++;
	}
	return k;
}

static void find_refs(struct parsed *p)
{
	int i, k;

	for (i = 0; i + 1 < p->n; i++) {
		const struct tok *t = &p->t[i];
		enum ref_how how;

		if (t->kind != TK_WORD || t->in_call)
			continue;
		if (strcmp(t->text, "from") == 0 && !is_word(p, i - 1, "distinct"))
			how = BY_FROM;
		else if (strcmp(t->text, "join") == 0)
			how = BY_JOIN;
		else if (strcmp(t->text, "update") == 0 && !is_word(p, i - 1, "do"))
			how = BY_UPDATE;
		else if (strcmp(t->text, "into") == 0)
			how = BY_INTO;
		else if (strcmp(t->text, "copy") == 0)
			how = BY_COPY;
		else if (strcmp(t->text, "table") == 0)
			how = BY_CREATE;
		else if (strcmp(t->text, "truncate") == 0)
			how = BY_TRUNCATE;
		else
			continue; /* (IS [NOT] DISTINCT FROM is no table) */
		k = i + 1;
		if (how == BY_TRUNCATE && is_word(p, k, "table"))
			continue; /* TRUNCATE TABLE t: the next word does it */
		if (how == BY_CREATE && is_word(p, k, "if") && is_word(p, k + 1, "not") &&
		    is_word(p, k + 2, "exists"))
			k += 3;
		k = add_ref(p, k, how);
		/* FROM a, b */
		while (how == BY_FROM && is_op(p, k, ",") && p->t[k].depth == t->depth)
			k = add_ref(p, k + 1, how);
	}
	/* A distributed table named anywhere else (a qualifier, or a use the scanner does
	 * not know) would escape the rules: refuse to guess. */
	for (i = 0; i < p->n; i++) {
		int j, found = 0, ti;

		if (p->t[i].kind != TK_WORD || (ti = table_index(p->t[i].text)) < 0 ||
		    tables[ti].cls != T_DISTRIBUTED || is_op(p, i - 1, "."))
			continue;
		for (j = 0; j < p->nr; j++)
			found |= p->r[j].tok == i;
		if (!found && !is_op(p, i + 1, "."))
			scan_fail(p, "%s appears where the scanner does not expect a table "
				     "(token %d): write it as FROM/JOIN/INTO/UPDATE %s",
				  p->t[i].text, i, p->t[i].text);
	}
}

static struct parsed *parse(const struct store_sql *st)
{
	struct parsed *p = calloc(1, sizeof *p);

	cr_assert_not_null(p);
	p->st = st;
	if (tokenize(p, st->text) == 0) {
		find_ctes(p);
		find_refs(p);
	}
	return p;
}

/* ---- what a statement does to a table ----------------------------------------------- */

/* A column reference at i: `col` or `qual.col`.  Returns its length in tokens, or 0. */
static int colref(const struct parsed *p, int i, const char **qual, const char **col)
{
	if (i < 0 || i >= p->n || p->t[i].kind != TK_WORD)
		return 0;
	if (is_op(p, i + 1, ".") && i + 2 < p->n && p->t[i + 2].kind == TK_WORD) {
		*qual = p->t[i].text;
		*col = p->t[i + 2].text;
		return 3;
	}
	*qual = NULL;
	*col = p->t[i].text;
	return 1;
}

/* Whether qualifier q names reference r. */
static int names_ref(const struct parsed *p, const struct ref *r, const char *q)
{
	return strcmp(p->t[r->tok].text, q) == 0 || (r->alias[0] && strcmp(r->alias, q) == 0);
}

static const char *clause_end_words[] = {
	"order", "group", "limit", "having", "window", "union", "except", "intersect",
	"returning", "on", "offset", "for", NULL,
};

/* The index of the matching ')' of the '(' at i. */
static int close_paren(const struct parsed *p, int i)
{
	int d = p->t[i].depth, j;

	for (j = i + 1; j < p->n; j++)
		if (is_op(p, j, ")") && p->t[j].depth == d)
			return j;
	return p->n;
}

/* Whether the conjunct [a, b) pins column `col` of reference r (`scope_refs` table
 * references in its FROM) to one value: col = ?N, ?N = col, col = ANY(...?N...),
 * col IN (?N, ...). */
static int conjunct_pins(const struct parsed *p, int a, int b, const struct ref *r,
			 const char *col, int scope_refs)
{
	const char *q = NULL, *c = NULL;
	int n, k, params = 0;

	n = colref(p, a, &q, &c);
	if (n && strcmp(c, col) == 0 && (q ? names_ref(p, r, q) : scope_refs == 1)) {
		k = a + n;
		if (is_op(p, k, "=") && k + 2 == b && p->t[k + 1].kind == TK_PARAM)
			return 1;
		if (is_op(p, k, "=") && is_word(p, k + 1, "any") && is_op(p, k + 2, "(") &&
		    close_paren(p, k + 2) == b - 1) {
			for (k += 3; k < b - 1; k++)
				params += p->t[k].kind == TK_PARAM;
			return params > 0;
		}
		if (is_word(p, k, "in") && is_op(p, k + 1, "(") && close_paren(p, k + 1) == b - 1) {
			for (k += 2; k < b - 1; k++) {
				if (p->t[k].kind == TK_PARAM)
					params++;
				else if (!is_op(p, k, ","))
					return 0;
			}
			return params > 0;
		}
		return 0;
	}
	if (p->t[a].kind == TK_PARAM && is_op(p, a + 1, "=")) {
		n = colref(p, a + 2, &q, &c);
		return n && a + 2 + n == b && strcmp(c, col) == 0 &&
		       (q ? names_ref(p, r, q) : scope_refs == 1);
	}
	return 0;
}

/* Whether the WHERE of the query that reads reference r pins its distribution column.
 * *why gets the reason when not. */
static int where_pins(const struct parsed *p, const struct ref *r, const char **why)
{
	const char *col = tables[r->table].dist_col;
	int d = p->t[r->tok].depth, start = -1, w = -1, i, a, scope_refs = 0;
	static const char *const stop[] = { "order", "group", "limit", "having", "window",
					    "union", "except", "intersect", "returning", "select",
					    "insert", "values", "do", NULL };

	for (i = r->tok - 1; i >= 0 && p->t[i].depth >= d; i--)
		if (p->t[i].depth == d && (is_word(p, i, "from") || is_word(p, i, "update"))) {
			start = i;
			break;
		}
	for (i = r->tok + 1; i < p->n && p->t[i].depth >= d; i++) {
		if (p->t[i].depth != d)
			continue;
		if (is_word(p, i, "where")) {
			w = i;
			break;
		}
		if (is_op(p, i, ";") || (p->t[i].kind == TK_WORD && in_list(p->t[i].text, stop)))
			break;
	}
	if (w < 0) {
		*why = "no WHERE";
		return 0;
	}
	for (i = 0; i < p->nr; i++)
		if (p->r[i].tok > start && p->r[i].tok < w && p->t[p->r[i].tok].depth == d &&
		    (p->r[i].how == BY_FROM || p->r[i].how == BY_JOIN || p->r[i].how == BY_UPDATE))
			scope_refs++;
	for (a = i = w + 1;; i++) {
		int end = i >= p->n || p->t[i].depth < d ||
			  (p->t[i].depth == d && (is_op(p, i, ";") ||
						  (p->t[i].kind == TK_WORD &&
						   in_list(p->t[i].text, clause_end_words))));

		if (!end && p->t[i].depth == d && is_word(p, i, "or")) {
			*why = "an OR at the top level of the WHERE";
			return 0;
		}
		if (end || (p->t[i].depth == d && is_word(p, i, "and"))) {
			if (i > a && conjunct_pins(p, a, i, r, col, scope_refs))
				return 1;
			a = i + 1;
		}
		if (end)
			break;
	}
	*why = "no top-level `col = ?N` on the distribution column in its WHERE";
	return 0;
}

/* INSERT INTO t(cols) VALUES (one row) with the distribution column given by a
 * placeholder, or COPY t(cols) naming it. */
static int write_supplies(const struct parsed *p, const struct ref *r, const char **why)
{
	const char *col = tables[r->table].dist_col;
	int i = r->tok + 1, end, pos = -1, n = 0, k, vend;

	if (!is_op(p, i, "(")) {
		*why = "no column list";
		return 0;
	}
	end = close_paren(p, i);
	for (k = i + 1; k < end; k++) {
		if (p->t[k].kind == TK_WORD) {
			if (strcmp(p->t[k].text, col) == 0)
				pos = n;
			n++;
		}
	}
	if (pos < 0) {
		*why = "the column list leaves out the distribution column";
		return 0;
	}
	if (r->how == BY_COPY)
		return 1; /* Citus routes each copied row by the column */
	if (!is_word(p, end + 1, "values") || !is_op(p, end + 2, "(")) {
		*why = "INSERT ... SELECT may write to many shards";
		return 0;
	}
	vend = close_paren(p, end + 2);
	if (is_op(p, vend + 1, ",")) {
		*why = "several VALUES rows may go to several shards";
		return 0;
	}
	for (n = 0, k = end + 3; k < vend; k++) {
		if (is_op(p, k, ",") && p->t[k].depth == p->t[end + 2].depth + 1) {
			n++;
			continue;
		}
		if (n == pos) {
			if (p->t[k].kind == TK_PARAM && (is_op(p, k + 1, ",") || k + 1 == vend))
				return 1;
			*why = "the distribution column's value is not a placeholder";
			return 0;
		}
	}
	*why = "fewer values than columns";
	return 0;
}

/* Whether `a.col = b.col2` (or `JOIN t USING (col)`) joins references x and y on their
 * distribution columns. */
static int joined_on_keys(const struct parsed *p, const struct ref *x, const struct ref *y)
{
	const char *cx = tables[x->table].dist_col, *cy = tables[y->table].dist_col;
	int i, k, end;

	for (i = 1; i + 1 < p->n; i++) {
		const char *q1 = NULL, *c1 = NULL, *q2 = NULL, *c2 = NULL;
		int n1, n2, j;

		if (!is_op(p, i, "="))
			continue;
		/* the column reference that ends just before '=' */
		for (n1 = 0, j = i - 3 < 0 ? 0 : i - 3; j < i; j++) {
			if ((n1 = colref(p, j, &q1, &c1)) && j + n1 == i)
				break;
			n1 = 0;
		}
		n2 = colref(p, i + 1, &q2, &c2);
		if (!n1 || !n2 || !q1 || !q2)
			continue;
		if ((names_ref(p, x, q1) && strcmp(c1, cx) == 0 && names_ref(p, y, q2) &&
		     strcmp(c2, cy) == 0) ||
		    (names_ref(p, y, q1) && strcmp(c1, cy) == 0 && names_ref(p, x, q2) &&
		     strcmp(c2, cx) == 0))
			return 1;
	}
	if (strcmp(cx, cy) == 0) {
		for (i = 0; i < 2; i++) {
			const struct ref *j = i ? x : y;

			k = j->tok + 1 + (j->alias[0] ? (is_word(p, j->tok + 1, "as") ? 2 : 1) : 0);
			if (j->how != BY_JOIN || !is_word(p, k, "using") || !is_op(p, k + 1, "("))
				continue;
			for (end = close_paren(p, k + 1), k += 2; k < end; k++)
				if (is_word(p, k, cx))
					return 1;
		}
	}
	return 0;
}

/* ---- the rules ------------------------------------------------------------------------ */

static int excepted(const char *name, const char *rule)
{
	int i;

	for (i = 0; i < NEXCEPTIONS; i++)
		if (strcmp(exceptions[i].name, name) == 0 && strcmp(exceptions[i].rule, rule) == 0)
			return 1;
	return 0;
}

static const char *route_name(enum store_sql_route r)
{
	static const char *const names[] = { "ROUTE_LOCAL", "ROUTE_KEY", "ROUTE_BATCH",
					     "ROUTE_ALL" };

	return names[r];
}

#define MSG(...) (snprintf(msg, size, __VA_ARGS__), -1)

/* ROUTE_LOCAL statements touch no distributed table. */
static int rule_local(const struct parsed *p, char *msg, size_t size)
{
	int i;

	if (p->st->route != ROUTE_LOCAL)
		return 0;
	for (i = 0; i < p->nr; i++)
		if (p->r[i].cls == T_DISTRIBUTED)
			return MSG("%s is ROUTE_LOCAL but touches the distributed table %s: "
				   "it would run on every shard (ROUTE_ALL) or on one "
				   "(ROUTE_KEY/ROUTE_BATCH)",
				   p->st->name, tables[p->r[i].table].name);
	return 0;
}

/* ROUTE_KEY / ROUTE_BATCH statements pin every distributed table to one shard of the
 * route's co-location group.  rule "pin" (see exceptions[]). */
static int rule_pinned(const struct parsed *p, char *msg, size_t size)
{
	enum colocation g = p->st->route == ROUTE_KEY ? G_SUBJECT : G_BATCH;
	int pinned[MAX_REF] = { 0 }, i, j, any = 0, changed;
	const char *why[MAX_REF] = { NULL };

	if (p->st->route != ROUTE_KEY && p->st->route != ROUTE_BATCH)
		return 0;
	for (i = 0; i < p->nr; i++) {
		const struct ref *r = &p->r[i];

		if (r->cls != T_DISTRIBUTED)
			continue;
		any = 1;
		if (tables[r->table].group != g)
			return MSG("%s is %s but touches %s, which is not co-located with the "
				   "route's tables (%s)",
				   p->st->name, route_name(p->st->route), tables[r->table].name,
				   g == G_SUBJECT ? "subjects, records" : "batches, batch_problems");
		if (r->how == BY_INTO || r->how == BY_COPY)
			pinned[i] = write_supplies(p, r, &why[i]);
		else if (r->how == BY_TRUNCATE || r->how == BY_CREATE)
			why[i] = "it empties or creates the whole table";
		else
			pinned[i] = where_pins(p, r, &why[i]);
	}
	if (!any)
		return MSG("%s is %s but touches no distributed table (ROUTE_LOCAL?)", p->st->name,
			   route_name(p->st->route));
	do { /* a table joined on the keys to a pinned one is pinned */
		changed = 0;
		for (i = 0; i < p->nr; i++)
			for (j = 0; j < p->nr && p->r[i].cls == T_DISTRIBUTED && !pinned[i]; j++)
				if (j != i && pinned[j] && p->r[j].cls == T_DISTRIBUTED &&
				    joined_on_keys(p, &p->r[i], &p->r[j]))
					pinned[i] = changed = 1;
	} while (changed);
	for (i = 0; i < p->nr; i++)
		if (p->r[i].cls == T_DISTRIBUTED && !pinned[i])
			return MSG("%s is %s but does not pin %s.%s to one value: %s",
				   p->st->name, route_name(p->st->route),
				   tables[p->r[i].table].name, tables[p->r[i].table].dist_col,
				   why[i] ? why[i] : "?");
	return 0;
}

/* Two distributed tables in a statement that is not ROUTE_ALL are co-located and joined on
 * their distribution columns. */
static int rule_joins(const struct parsed *p, char *msg, size_t size)
{
	int i, j;

	if (p->st->route == ROUTE_ALL)
		return 0;
	for (i = 0; i < p->nr; i++)
		for (j = i + 1; j < p->nr; j++) {
			const struct ref *x = &p->r[i], *y = &p->r[j];

			if (x->cls != T_DISTRIBUTED || y->cls != T_DISTRIBUTED)
				continue;
			if (tables[x->table].group != tables[y->table].group)
				return MSG("%s (%s) touches %s and %s, which are not co-located: "
					   "only ROUTE_ALL may",
					   p->st->name, route_name(p->st->route),
					   tables[x->table].name, tables[y->table].name);
			if (!joined_on_keys(p, x, y))
				return MSG("%s (%s) touches %s and %s without joining them on "
					   "%s.%s = %s.%s",
					   p->st->name, route_name(p->st->route),
					   tables[x->table].name, tables[y->table].name,
					   tables[x->table].name, tables[x->table].dist_col,
					   tables[y->table].name, tables[y->table].dist_col);
		}
	return 0;
}

/* No statement changes a distribution column (Citus refuses to: the row would have to
 * move to another shard), and every ON CONFLICT target on a distributed table includes it
 * (Citus's unique constraints all do). */
static int rule_keys_fixed(const struct parsed *p, char *msg, size_t size)
{
	int i, k;

	for (i = 0; i < p->nr; i++) {
		const struct ref *r = &p->r[i];
		const char *col;

		if (r->cls != T_DISTRIBUTED || (r->how != BY_UPDATE && r->how != BY_INTO))
			continue;
		col = tables[r->table].dist_col;
		for (k = r->tok + 1; k < p->n && p->t[k].depth >= p->t[r->tok].depth; k++) {
			int d = p->t[r->tok].depth;

			if (p->t[k].depth != d)
				continue;
			if (is_word(p, k, "set")) {
				int j;

				for (j = k + 1; j < p->n && p->t[j].depth >= d; j++) {
					if (p->t[j].depth == d &&
					    (is_word(p, j, "where") || is_word(p, j, "returning") ||
					     is_word(p, j, "from") || is_op(p, j, ";")))
						break;
					if (p->t[j].depth == d && is_op(p, j + 1, "=") &&
					    (is_word(p, j - 1, "set") || is_op(p, j - 1, ",")) &&
					    is_word(p, j, col))
						return MSG("%s assigns %s.%s, the distribution column",
							   p->st->name, tables[r->table].name, col);
				}
			}
			if (is_word(p, k, "conflict") && is_op(p, k + 1, "(")) {
				int end = close_paren(p, k + 1), j, has = 0;

				for (j = k + 2; j < end; j++)
					has |= is_word(p, j, col);
				if (!has)
					return MSG("%s: ON CONFLICT target on %s leaves out %s, the "
						   "distribution column",
						   p->st->name, tables[r->table].name, col);
			}
		}
	}
	return 0;
}

/* Placeholders ?1..?N: PostgreSQL gets them as $1..$N (pg.c) and must infer each one's
 * type, so a gap in a statement it prepares fails with "could not determine data type of
 * parameter".  SQLite allows gaps (SEARCH_SCAN shares the parameters of SEARCH_FTS and
 * leaves out ?3, the FTS phrase), so for SQL_LITE only the form is checked. */
static int rule_placeholders(const struct parsed *p, char *msg, size_t size)
{
	int seen[64] = { 0 }, max = 0, i;

	for (i = 0; i < p->n; i++) {
		const struct tok *t = &p->t[i];

		if (t->kind == TK_DOLLAR)
			return MSG("%s writes $%d: sql.def writes placeholders ?N for both backends",
				   p->st->name, t->num);
		if (t->kind != TK_PARAM)
			continue;
		if (t->num < 1 || t->num >= 64)
			return MSG("%s has a placeholder without a number 1..63 (?%d)", p->st->name,
				   t->num);
		seen[t->num] = 1;
		if (t->num > max)
			max = t->num;
	}
	if (p->st->backend == SQL_LITE)
		return 0;
	for (i = 1; i <= max; i++)
		if (!seen[i])
			return MSG("%s uses ?%d but not ?%d: PostgreSQL cannot type a missing "
				   "parameter",
				   p->st->name, max, i);
	return 0;
}

/* SQL_BOTH statements: nothing only one of the dialects has (a cheap, partial list). */
static int rule_portable(const struct parsed *p, char *msg, size_t size)
{
	static const char *const pg_calls[] = { "starts_with", "greatest", "least", "string_agg",
						"array_agg", "regexp_replace", "regexp_match",
						"setval", "nextval", "unnest", "to_char", "now",
						NULL };
	static const char *const lite_calls[] = { "instr", "ifnull", "group_concat", "glob",
						  "printf", "iif", "datetime",
						  "julianday", NULL };
	static const char *const lite_is[] = { "null", "true", "false", "distinct", "unknown",
					       NULL };
	int i;

	if (p->st->backend != SQL_BOTH)
		return 0;
	for (i = 0; i < p->n; i++) {
		const struct tok *t = &p->t[i];

		if (t->kind == TK_OP && (strcmp(t->text, "::") == 0 || strcmp(t->text, "[") == 0 ||
					 strcmp(t->text, "~") == 0 || strcmp(t->text, "->") == 0))
			return MSG("%s (SQL_BOTH) uses `%s`, which SQLite does not have", p->st->name,
				   t->text);
		if (t->kind == TK_DOLLAR)
			return MSG("%s (SQL_BOTH) uses $%d", p->st->name, t->num);
		if (t->kind != TK_WORD)
			continue;
		if (strcmp(t->text, "ilike") == 0 || strcmp(t->text, "similar") == 0 ||
		    strncmp(t->text, "pg_", 3) == 0 ||
		    (in_list(t->text, pg_calls) && is_op(p, i + 1, "(")))
			return MSG("%s (SQL_BOTH) uses %s, which SQLite does not have", p->st->name,
				   t->text);
		if ((in_list(t->text, lite_calls) && is_op(p, i + 1, "(")) ||
		    strcmp(t->text, "glob") == 0 || strcmp(t->text, "regexp") == 0 ||
		    strcmp(t->text, "immediate") == 0 || strcmp(t->text, "rowid") == 0 ||
		    (strcmp(t->text, "match") == 0 && i + 1 < p->n &&
		     (p->t[i + 1].kind == TK_PARAM || p->t[i + 1].kind == TK_STR ||
		      is_op(p, i + 1, "("))))
			return MSG("%s (SQL_BOTH) uses %s, which PostgreSQL does not have",
				   p->st->name, t->text);
		/* `x IS y` / `x IS NOT y` between values is SQLite's; PostgreSQL has IS [NOT]
		 * NULL / TRUE / FALSE / DISTINCT FROM only. */
		if (strcmp(t->text, "is") == 0) {
			int k = is_word(p, i + 1, "not") ? i + 2 : i + 1;

			if (k >= p->n || p->t[k].kind != TK_WORD || !in_list(p->t[k].text, lite_is))
				return MSG("%s (SQL_BOTH) compares with IS [NOT] a value, which "
					   "PostgreSQL does not accept (IS [NOT] DISTINCT FROM)",
					   p->st->name);
		}
	}
	return 0;
}

/* Where each kind of table may appear: SQLite's FTS index only in SQL_LITE statements, the
 * staging tables only in SQL_PG ones. */
static int rule_backend_tables(const struct parsed *p, char *msg, size_t size)
{
	int i;

	for (i = 0; i < p->nr; i++) {
		if (p->r[i].cls == T_SQLITE_ONLY && p->st->backend != SQL_LITE)
			return MSG("%s runs on PostgreSQL but names %s, an SQLite-only table",
				   p->st->name, p->t[p->r[i].tok].text);
		if (p->r[i].cls == T_SESSION && p->st->backend != SQL_PG)
			return MSG("%s runs on SQLite but names %s, a PostgreSQL staging table",
				   p->st->name, p->t[p->r[i].tok].text);
	}
	return 0;
}

typedef int (*rule_fn)(const struct parsed *p, char *msg, size_t size);

/* Applies a rule to a statement; "" when it holds, else the message. */
static const char *apply(rule_fn rule, const struct store_sql *st, char *msg, size_t size)
{
	struct parsed *p = parse(st);

	msg[0] = '\0';
	if (p->err[0])
		snprintf(msg, size, "%s: the scanner cannot read it: %s", st->name, p->err);
	else
		rule(p, msg, size);
	free(p);
	return msg;
}

/* Runs a rule over store_sql[]; a failing statement is one expectation failure naming it. */
static void check_all(rule_fn rule, const char *rule_name)
{
	char msg[600];
	int i;

	for (i = 0; i < SQL_COUNT; i++) {
		const char *m = apply(rule, &store_sql[i], msg, sizeof msg);

		if (excepted(store_sql[i].name, rule_name))
			cr_expect(*m, "%s is listed in exceptions[] for rule %s but keeps the rule: "
				      "remove the exception", store_sql[i].name, rule_name);
		else
			cr_expect(!*m, "%s", m);
	}
}

/* A made-up statement must break `rule` (the rule can fail), and its message must name it. */
static void must_fail(rule_fn rule, enum store_sql_backend b, enum store_sql_route r,
		      const char *sql)
{
	struct store_sql st = { "MADE_UP", b, r, sql };
	char msg[600];

	apply(rule, &st, msg, sizeof msg);
	cr_expect(strstr(msg, "MADE_UP") != NULL, "a rule passed a statement that breaks it: %s",
		  sql);
	cr_expect(strstr(msg, "scanner cannot read") == NULL, "%s", msg);
}

static void must_pass(rule_fn rule, enum store_sql_backend b, enum store_sql_route r,
		      const char *sql)
{
	struct store_sql st = { "MADE_UP", b, r, sql };
	char msg[600];

	cr_expect(!*apply(rule, &st, msg, sizeof msg), "%s", msg);
}

static int find_sql(const char *name)
{
	int i;

	for (i = 0; i < SQL_COUNT; i++)
		if (strcmp(store_sql[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- the tests ------------------------------------------------------------------------ */

Test(sql, every_statement_scans)
{
	char msg[600];
	int i;

	cr_assert_gt(SQL_COUNT, 40);
	for (i = 0; i < SQL_COUNT; i++) {
		struct parsed *p = parse(&store_sql[i]);

		snprintf(msg, sizeof msg, "%s", p->err);
		cr_expect(!msg[0], "%s: %s", store_sql[i].name, msg);
		cr_expect(p->n > 0, "%s is empty", store_sql[i].name);
		free(p);
	}
}

Test(sql, every_table_is_classified)
{
	/* The scanner refuses an unknown table (add_ref): every_statement_scans reports it.
	 * Here: the classification itself is consistent. */
	int i, j;

	for (i = 0; i < NTABLES; i++) {
		cr_expect((tables[i].cls == T_DISTRIBUTED) == (tables[i].dist_col != NULL),
			  "%s: distributed tables, and only they, have a distribution column",
			  tables[i].name);
		cr_expect((tables[i].cls == T_DISTRIBUTED) == (tables[i].group != G_NONE),
			  "%s: distributed tables, and only they, have a co-location group",
			  tables[i].name);
	}
	for (i = 0; i < NEXCEPTIONS; i++) {
		cr_expect(find_sql(exceptions[i].name) >= 0, "exceptions[] names %s, not in sql.def",
			  exceptions[i].name);
		for (j = 0; j < i; j++)
			cr_expect(strcmp(exceptions[i].name, exceptions[j].name) != 0 ||
					  strcmp(exceptions[i].rule, exceptions[j].rule) != 0,
				  "exceptions[] lists %s twice", exceptions[i].name);
	}
}

Test(sql, placeholders_are_numbered_without_gaps)
{
	check_all(rule_placeholders, "placeholders");
}

Test(sql, shared_statements_are_portable)
{
	check_all(rule_portable, "portable");
}

Test(sql, tables_appear_only_on_their_backend)
{
	check_all(rule_backend_tables, "backend");
}

Test(sql, local_statements_touch_no_distributed_table)
{
	check_all(rule_local, "local");
}

Test(sql, key_and_batch_statements_reach_one_shard)
{
	check_all(rule_pinned, "pin");
}

Test(sql, distributed_tables_join_on_their_keys)
{
	check_all(rule_joins, "joins");
}

Test(sql, distribution_columns_never_change)
{
	check_all(rule_keys_fixed, "keys");
}

Test(sql, hot_paths_keep_their_routes)
{
	int i, k;

	for (i = 0; i < NHOT; i++) {
		k = find_sql(hot[i].name);
		cr_expect(k >= 0, "hot path %s (%s) is not in sql.def: update hot[] in test_sql.c",
			  hot[i].name, hot[i].when);
		if (k < 0)
			continue;
		cr_expect(store_sql[k].route == hot[i].route,
			  "hot path %s (%s) is %s, was %s: a change of how the platform scales; "
			  "update hot[] and docs/scaling.md if it is meant",
			  hot[i].name, hot[i].when, route_name(store_sql[k].route),
			  route_name(hot[i].route));
	}
	/* Per row of a batch, nothing may read every shard. */
	for (i = 0; i < NHOT; i++)
		cr_expect(hot[i].kind != PER_ROW || hot[i].route != ROUTE_ALL,
			  "%s runs for %s and reads every shard", hot[i].name, hot[i].when);
}

Test(sql, per_request_fan_out_is_only_name_search)
{
	int i, j, ok;

	for (i = 0; i < NHOT; i++) {
		if (hot[i].kind != PER_REQUEST || hot[i].route != ROUTE_ALL)
			continue;
		for (ok = 0, j = 0; j < (int)(sizeof fan_out_ok / sizeof fan_out_ok[0]); j++)
			ok |= strcmp(fan_out_ok[j], hot[i].name) == 0;
		cr_expect(ok, "%s runs on every %s and reads every shard (ROUTE_ALL): only name "
			      "search may (a name is not the subject key)",
			  hot[i].name, hot[i].when);
	}
}

/* ---- each rule can fail --------------------------------------------------------------- */

Test(sql, scanner_can_fail)
{
	struct store_sql bad[] = {
		{ "MADE_UP", SQL_BOTH, ROUTE_LOCAL, "SELECT 'unterminated FROM subjects" },
		{ "MADE_UP", SQL_BOTH, ROUTE_LOCAL, "SELECT count(* FROM subjects" },
		{ "MADE_UP", SQL_BOTH, ROUTE_ALL, "SELECT * FROM ledger WHERE id = ?1" },
		{ "MADE_UP", SQL_BOTH, ROUTE_ALL, "SELECT (SELECT 1), subjects FROM code_exceptions" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct parsed *p = parse(&bad[i]);

		cr_expect(p->err[0], "the scanner accepted: %s", bad[i].text);
		free(p);
	}
}

Test(sql, placeholder_rule_can_fail)
{
	must_fail(rule_placeholders, SQL_BOTH, ROUTE_KEY, "SELECT 1 FROM subjects WHERE code = ?2");
	must_fail(rule_placeholders, SQL_PG, ROUTE_KEY, "SELECT 1 FROM subjects WHERE code = $1");
	must_fail(rule_placeholders, SQL_BOTH, ROUTE_KEY, "SELECT 1 FROM subjects WHERE code = ?");
	must_pass(rule_placeholders, SQL_LITE, ROUTE_KEY, "SELECT ?2 FROM subjects WHERE code = ?1 "
							 "AND '?3' = 'x' AND name = ?2");
	must_pass(rule_placeholders, SQL_LITE, ROUTE_KEY, "SELECT ?1, ?4");
}

Test(sql, portable_rule_can_fail)
{
	static const char *const bad[] = {
		"SELECT code::text FROM subjects WHERE code = ?1",
		"SELECT 1 FROM subjects WHERE name ILIKE ?1",
		"SELECT 1 FROM subjects WHERE instr(name_key, ?1) > 0",
		"SELECT 1 FROM subjects_fts WHERE subjects_fts MATCH ?1",
		"SELECT 1 FROM subjects WHERE starts_with(name_key, ?1)",
		"SELECT 1 FROM subjects WHERE code IS NOT ?1",
		"SELECT 1 FROM subjects WHERE code = ANY(CAST(?1 AS TEXT[]))",
		"BEGIN IMMEDIATE",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		must_fail(rule_portable, SQL_BOTH, ROUTE_ALL, bad[i]);
	must_pass(rule_portable, SQL_BOTH, ROUTE_ALL,
		  "SELECT 'a::b', \"x::y\", 1 AS match FROM subjects WHERE code IS NOT NULL "
		  "AND kind IS DISTINCT FROM ?1 ORDER BY match");
}

Test(sql, local_rule_can_fail)
{
	must_fail(rule_local, SQL_BOTH, ROUTE_LOCAL, "SELECT count(*) FROM records");
	must_fail(rule_local, SQL_PG, ROUTE_LOCAL,
		  "SELECT setval('x', (SELECT max(id) FROM batches))");
	must_fail(rule_local, SQL_BOTH, ROUTE_LOCAL,
		  "SELECT 1 FROM code_exceptions e JOIN subjects s ON s.code = e.code");
	must_pass(rule_local, SQL_PG, ROUTE_LOCAL,
		  "SELECT 1 FROM code_exceptions, catalog_categories WHERE 'records' = ?1");
	must_pass(rule_local, SQL_PG, ROUTE_LOCAL, "COPY xy_stage_records(seq) FROM STDIN");
	must_pass(rule_local, SQL_PG, ROUTE_LOCAL, "TRUNCATE xy_stage_records");
	must_fail(rule_local, SQL_PG, ROUTE_LOCAL, "TRUNCATE TABLE batch_problems");
}

Test(sql, pin_rule_can_fail)
{
	static const char *const bad_key[] = {
		"SELECT * FROM subjects WHERE name = ?1",
		"SELECT * FROM subjects WHERE code = ?1 OR name = ?2",
		"SELECT * FROM subjects WHERE code <> ?1",
		"SELECT * FROM subjects WHERE code > ?1 ORDER BY code LIMIT ?2",
		"SELECT * FROM subjects",
		"SELECT * FROM subjects WHERE code = 'x'",
		"SELECT * FROM records WHERE subject_code = ?1 OR ?2 = 1",
		"SELECT * FROM subjects s JOIN records r ON r.batch_id = 1 WHERE s.code = ?1",
		"SELECT * FROM subjects s, records r WHERE code = ?1",
		"SELECT * FROM subjects s, records r WHERE r.code = ?1 AND r.subject_code = s.code",
		"SELECT * FROM subjects WHERE code = ?1 AND name IN (SELECT name FROM subjects)",
		"SELECT * FROM batches WHERE id = ?1",
		"INSERT INTO subjects(kind, name) VALUES (?1, ?2)",
		"INSERT INTO subjects(code, name) SELECT code, name FROM xy_stage_subjects",
		"INSERT INTO subjects(code, name) VALUES (?1, ?2), (?3, ?4)",
		"INSERT INTO subjects(code, name) VALUES ('x', ?2)",
		"UPDATE subjects SET name = ?2",
		"UPDATE subjects SET name = ?2 WHERE name = ?1",
		"DELETE FROM records WHERE category = ?1",
		"COPY subjects(name) FROM STDIN",
		"TRUNCATE records",
		"TRUNCATE TABLE subjects",
		"SELECT 1 FROM code_exceptions WHERE code = ?1",
	};
	static const char *const good_key[] = {
		"SELECT * FROM subjects WHERE code = ?1",
		"SELECT * FROM subjects WHERE ?1 = code AND kind = 'uscc'",
		"SELECT * FROM subjects s WHERE s.code = ?1 ORDER BY s.code",
		"SELECT * FROM subjects WHERE code = ANY(CAST(?1 AS TEXT[]))",
		"SELECT * FROM subjects WHERE code IN (?1, ?2)",
		"SELECT * FROM records WHERE kind = 1 AND (a OR b) AND subject_code = ?1",
		("SELECT * FROM subjects s JOIN records r ON r.subject_code = s.code "
		 "WHERE s.code = ?1"),
		"INSERT INTO subjects(name, code) VALUES (?1, ?2) ON CONFLICT(code) DO NOTHING",
		"UPDATE records SET data = ?2 WHERE subject_code = ?1",
		"DELETE FROM records WHERE subject_code = ?1",
		"COPY records(subject_code, data) FROM STDIN",
	};
	size_t i;

	for (i = 0; i < sizeof bad_key / sizeof bad_key[0]; i++)
		must_fail(rule_pinned, SQL_BOTH, ROUTE_KEY, bad_key[i]);
	for (i = 0; i < sizeof good_key / sizeof good_key[0]; i++)
		must_pass(rule_pinned, SQL_BOTH, ROUTE_KEY, good_key[i]);
	must_fail(rule_pinned, SQL_BOTH, ROUTE_BATCH,
		  "SELECT * FROM batch_problems WHERE row = ?1");
	must_fail(rule_pinned, SQL_BOTH, ROUTE_BATCH, "SELECT * FROM subjects WHERE code = ?1");
	must_fail(rule_pinned, SQL_BOTH, ROUTE_BATCH,
		  "INSERT INTO batches(category) VALUES (?1) RETURNING id");
	must_pass(rule_pinned, SQL_BOTH, ROUTE_BATCH,
		  "SELECT * FROM batch_problems WHERE batch_id = ?1 AND (?2 = 2 OR warning = ?2)");
}

Test(sql, join_rule_can_fail)
{
	must_fail(rule_joins, SQL_BOTH, ROUTE_KEY,
		  "SELECT * FROM subjects s JOIN records r ON r.batch_id = s.id WHERE s.code = ?1");
	must_fail(rule_joins, SQL_BOTH, ROUTE_KEY,
		  "SELECT * FROM records r JOIN batches b ON b.id = r.batch_id "
		  "WHERE r.subject_code = ?1");
	must_pass(rule_joins, SQL_BOTH, ROUTE_KEY,
		  "SELECT * FROM subjects s JOIN records r ON s.code = r.subject_code "
		  "WHERE s.code = ?1");
	must_pass(rule_joins, SQL_BOTH, ROUTE_ALL,
		  "SELECT * FROM records r JOIN batches b ON b.id = r.batch_id");
}

Test(sql, key_change_rule_can_fail)
{
	must_fail(rule_keys_fixed, SQL_BOTH, ROUTE_KEY,
		  "UPDATE subjects SET name = ?2, code = ?3 WHERE code = ?1");
	must_fail(rule_keys_fixed, SQL_BOTH, ROUTE_KEY,
		  "INSERT INTO records(subject_code, x) VALUES (?1, ?2) ON CONFLICT "
		  "(subject_code, x) DO UPDATE SET subject_code = excluded.subject_code");
	must_fail(rule_keys_fixed, SQL_BOTH, ROUTE_KEY,
		  "INSERT INTO records(subject_code, x) VALUES (?1, ?2) ON CONFLICT (x) DO NOTHING");
	must_pass(rule_keys_fixed, SQL_BOTH, ROUTE_KEY,
		  "INSERT INTO records(subject_code, x) VALUES (?1, ?2) ON CONFLICT "
		  "(subject_code, x) DO UPDATE SET x = excluded.x WHERE code = ?1");
}

Test(sql, backend_table_rule_can_fail)
{
	must_fail(rule_backend_tables, SQL_BOTH, ROUTE_ALL, "SELECT rowid FROM subjects_fts");
	must_fail(rule_backend_tables, SQL_LITE, ROUTE_LOCAL, "SELECT * FROM xy_stage_subjects");
}
