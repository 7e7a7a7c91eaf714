/*
 * pg.c - the PostgreSQL driver of the store (libpq): connecting, re-establishing a lost
 * connection, preparing the statements of sql.def, running them and transactions.
 * Buffered writes are in pg_bulk.c, name search in pg_search.c.
 *
 * A lost connection (server restart, failover, an idle connection cut by a firewall)
 * is noticed when a statement fails with the connection gone.  Outside a transaction,
 * with no buffered writes, the handle reconnects and runs the statement once more, so
 * a server's pooled handle survives a database restart without the request failing.
 * Inside a transaction the work done so far is lost with the connection: the statement
 * fails cleanly with `store.error`, the caller rolls back (a batch is atomic, nothing of
 * it was committed), and the next use of the handle reconnects.
 */
#include "pg_int.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS 16

/* A failure with the connection gone is `store.unavailable` (HTTP 503: try again), any
 * other `store.error`. */
int pg_fail(struct store *s, struct err *e, const char *what, const PGresult *res)
{
	PGconn *conn = s && s->impl ? pg_of(s)->conn : NULL;
	/* The primary message only: the DETAIL of a constraint violation quotes the whole
	 * row (names, ID numbers), which must not reach logs and terminals. */
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char detail[400];
	size_t n;

	if (!msg || !*msg)
		msg = conn ? PQerrorMessage(conn) : "数据库未连接";
	snprintf(detail, sizeof detail, "%s", msg);
	n = strlen(detail);
	while (n && (detail[n - 1] == '\n' || detail[n - 1] == ' '))
		detail[--n] = '\0';
	return store__fail_as(e, !conn || PQstatus(conn) == CONNECTION_BAD ? "store.unavailable"
									 : "store.error",
			      what, detail);
}

/* sql.def writes placeholders ?1, ?2 ...; PostgreSQL wants $1, $2 ...  Quoted text and
 * identifiers are copied as they are. */
static char *pg_translate(const char *sql)
{
	char *out = strdup(sql), *o = out;
	char quote = 0;

	if (!out)
		return NULL;
	for (; *sql; sql++) {
		if (quote) {
			if (*sql == quote)
				quote = 0;
		} else if (*sql == '\'' || *sql == '"') {
			quote = *sql;
		} else if (*sql == '?' && sql[1] >= '0' && sql[1] <= '9') {
			*o++ = '$';
			continue;
		}
		*o++ = *sql;
	}
	*o = '\0';
	return out;
}

static int pg_connection_lost(struct store *s)
{
	return PQstatus(pg_of(s)->conn) == CONNECTION_BAD;
}

/* After a reconnect the session is new: no prepared statements, no staging tables. */
static int pg_reconnect(struct store *s)
{
	struct pg_store *q = pg_of(s);

	PQreset(q->conn);
	memset(q->prepared, 0, sizeof q->prepared);
	q->staging_ready = 0;
	q->in_tx = 0;
	return PQstatus(q->conn) == CONNECTION_OK ? 0 : -1;
}

static int pg_prepare(struct store *s, enum store_sql_id id, struct err *e)
{
	struct pg_store *q = pg_of(s);
	char name[16], *sql;
	PGresult *res;
	int ok;

	if (q->prepared[id])
		return 0;
	sql = pg_translate(store_sql[id].text);
	if (!sql)
		return err_set(e, "store.error", "内存不足");
	snprintf(name, sizeof name, "xy%d", (int)id);
	res = PQprepare(q->conn, name, sql, 0, NULL);
	free(sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		pg_fail(s, e, "准备数据库语句", res);
	PQclear(res);
	if (!ok)
		return -1;
	q->prepared[id] = 1;
	return 0;
}

/* One attempt: prepare when needed, execute, hand the rows to cb. */
static int pg_run_once(struct store *s, enum store_sql_id id, const struct store_param *p,
		       int np, store_row_cb cb, void *ctx, long long *changes, struct err *e)
{
	struct pg_store *q = pg_of(s);
	const char *values[PG_MAX_PARAMS];
	char nums[PG_MAX_PARAMS][24], name[16];
	struct store_row row = { &store_pg_backend, NULL, 0 };
	ExecStatusType status;
	PGresult *res;
	int i, n, rc = 0;

	if (np > PG_MAX_PARAMS)
		return err_set(e, "internal.error", "数据库语句参数过多");
	if (pg_prepare(s, id, e) < 0)
		return -1;
	for (i = 0; i < np; i++) {
		if (p[i].is_num) {
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)p[i].num);
			values[i] = nums[i];
		} else {
			values[i] = p[i].text ? p[i].text : "";
		}
	}
	snprintf(name, sizeof name, "xy%d", (int)id);
	res = PQexecPrepared(q->conn, name, np, values, NULL, NULL, 0);
	status = PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		pg_fail(s, e, "访问数据库", res);
		PQclear(res);
		return -1;
	}
	if (changes)
		*changes = strtoll(PQcmdTuples(res), NULL, 10);
	row.handle = res;
	n = PQntuples(res);
	for (i = 0; cb && i < n; i++) {
		row.index = i;
		if (cb(ctx, &row) != 0)
			break;
	}
	PQclear(res);
	return rc;
}

int pg_run(struct store *s, enum store_sql_id id, const struct store_param *p, int np,
	   store_row_cb cb, void *ctx, long long *changes, struct err *e)
{
	struct pg_store *q = pg_of(s);

	/* A handle whose connection was lost earlier (inside a transaction) reconnects on
	 * its next use. */
	if (pg_connection_lost(s) && !q->in_tx && pg_reconnect(s) < 0)
		return pg_fail(s, e, "连接数据库", NULL);
	if (pg_run_once(s, id, p, np, cb, ctx, changes, e) == 0)
		return 0;
	if (!pg_connection_lost(s) || q->in_tx)
		return -1;
	/* Nothing of a transaction was lost: reconnect and try once more. */
	if (pg_reconnect(s) < 0)
		return pg_fail(s, e, "重新连接数据库", NULL);
	return pg_run_once(s, id, p, np, cb, ctx, changes, e);
}

int pg_exec(struct store *s, const char *sql, const char *what, struct err *e)
{
	PGresult *res = PQexec(pg_of(s)->conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		pg_fail(s, e, what, res);
	PQclear(res);
	return ok ? 0 : -1;
}

/* Reads see everything written through the handle: buffered writes are sent first.  A
 * prefetch of subjects needs only the buffered subjects, so that a batch's records keep
 * accumulating across its windows of rows. */
static int pg_query(struct store *s, enum store_sql_id id, const struct store_param *p,
		    int np, store_row_cb cb, void *ctx, long long *changes, struct err *e)
{
	if ((id == SQL_SUBJECTS_GET_MANY ? pg_flush_subjects(s, e) : pg_flush(s, e)) < 0)
		return -1;
	return pg_run(s, id, p, np, cb, ctx, changes, e);
}

static const char *pg_row_text(const struct store_row *row, int col)
{
	return PQgetvalue(row->handle, row->index, col);
}

static int64_t pg_row_num(const struct store_row *row, int col)
{
	return strtoll(PQgetvalue(row->handle, row->index, col), NULL, 10);
}

static int pg_exec_script(struct store *s, const char *name, const char *sql, struct err *e)
{
	char what[160];

	snprintf(what, sizeof what, "执行数据库迁移 %s", name);
	return pg_exec(s, sql, what, e);
}

/* ---- transactions ----------------------------------------------------------------- */

static int pg_begin(struct store *s, int batch, struct err *e)
{
	struct pg_store *q = pg_of(s);

	if (pg_run(s, SQL_BEGIN_PG, NULL, 0, NULL, NULL, NULL, e) < 0)
		return -1;
	q->in_tx = 1;
	q->seq = 0;
	return 0;
}

static int pg_commit(struct store *s, struct err *e)
{
	struct pg_store *q = pg_of(s);

	if (pg_flush(s, e) < 0 || pg_run(s, SQL_COMMIT, NULL, 0, NULL, NULL, NULL, e) < 0)
		return -1;
	q->in_tx = 0;
	pg_cache_clear(s);
	pg_owners_clear(s);
	return 0;
}

static void pg_rollback(struct store *s)
{
	struct pg_store *q = pg_of(s);

	pg_bulk_discard(s);
	/* A staging table created inside the transaction is gone with it. */
	q->staging_ready = 0;
	if (q->in_tx && !pg_connection_lost(s))
		pg_exec(s, "ROLLBACK", "回滚事务", NULL);
	q->in_tx = 0;
}

/* ---- opening ---------------------------------------------------------------------- */

/* The URL to show: user, host, port and database, never the password. */
static char *pg_display_location(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
	const char *user = "", *host = "", *port = "", *db = "";
	char *out;
	size_t n;

	if (!opts)
		return strdup("postgresql://");
	for (o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "user") == 0)
			user = o->val;
		else if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
	}
	n = strlen(user) + strlen(host) + strlen(port) + strlen(db) + 32;
	out = malloc(n);
	if (out)
		snprintf(out, n, "postgresql://%s%s%s%s%s/%s", user, *user ? "@" : "", host,
			 *port ? ":" : "", port, db);
	PQconninfoFree(opts);
	return out;
}

/* Notices ("relation already exists, skipping" from CREATE ... IF NOT EXISTS) are not
 * for the user's terminal: errors come back as results and are reported from there. */
static void pg_ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int store_pg_connect(struct store *s, const char *url, struct err *e)
{
	struct pg_store *q = calloc(1, sizeof *q);
	const char *enc;

	if (!q || !(s->location = pg_display_location(url)) || !(q->conninfo = strdup(url))) {
		free(q);
		return err_set(e, "store.error", "内存不足");
	}
	s->impl = q;
	pg_bulk_init(s);
	q->conn = PQconnectdb(url);
	if (PQstatus(q->conn) != CONNECTION_OK)
		return pg_fail(s, e, "连接 PostgreSQL 数据库", NULL);
	PQsetNoticeProcessor(q->conn, pg_ignore_notice, NULL);
	if (PQsetClientEncoding(q->conn, "UTF8") != 0)
		return pg_fail(s, e, "设置客户端编码", NULL);
	/* Names and records are Chinese text: a database in another encoding would refuse
	 * or mangle them. */
	enc = PQparameterStatus(q->conn, "server_encoding");
	if (!enc || strcmp(enc, "UTF8") != 0)
		return err_set(e, "store.error",
			       "数据库 %s 的编码是 %s，平台需要 UTF8 编码的数据库，请用 "
			       "CREATE DATABASE ... ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' 重新创建",
			       s->location, enc ? enc : "未知");
	return 0;
}

static void pg_close(struct store *s)
{
	struct pg_store *q = pg_of(s);

	pg_bulk_free(s);
	PQfinish(q->conn);
	free(q->conninfo);
	free(q);
	s->impl = NULL;
}


const struct store_backend store_pg_backend = {
	.name = "postgresql",
	.dialect = SQL_PG,
	.query = pg_query,
	.exec_script = pg_exec_script,
	.row_text = pg_row_text,
	.row_num = pg_row_num,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.close = pg_close,
	.subject_insert = pg_subject_insert,
	.record_put = pg_record_put,
	.problem_add = pg_problem_add,
	.flush = pg_flush,
	.subject_cached = pg_subject_cached,
	.subjects_prefetch = pg_subjects_prefetch,
	.owners_prefetch = pg_owners_prefetch,
	.search = pg_search,
	.search_count = pg_search_count,
	.migrations = embedded_migrations_postgresql,
};
