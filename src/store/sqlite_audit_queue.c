/*
 * sqlite_audit_queue.c - audit entries of reads, kept durably while a batch holds the
 * write lock, and moved into the chain by the next writer.
 *
 * SQLite has one writer at a time, and a batch is a writer for as long as its file takes.
 * A read of non-public data must be recorded before the data leaves, and used to wait
 * for the batch (then fail with 503).  Now an entry that cannot be chained at once is
 * written to a queue: a second SQLite database beside the platform's
 * (<file>-audit-queue), WAL and synchronous=FULL, whose only writers are such entries, so
 * that writing one never waits for a batch and is on disk when the data goes out.
 *
 * Every chain append (store_audit.c) first moves the queued entries into the chain, in
 * queue order and with the time they were queued, in the same transaction.  So does the
 * server's keeper every second (cmd_serve.c), and `audit verify` and `audit list` before
 * they read.  How far the queue has been chained is a mark in the platform's database
 * (audit_queue_marks), written in that same transaction: an entry is chained once even
 * when the process dies between the commit and the queue's cleanup, which deletes only
 * entries at or below a committed mark.  The queue file names itself with a random id,
 * so that a queue file deleted and created anew is never taken for the old one.
 */
#include "sqlite_int.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries moved into the chain by one drain: the rest wait for the next, so that a
 * backlog never makes one transaction long. */
#define QUEUE_DRAIN_MAX 5000

static const char queue_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS audit_queue_meta (id TEXT NOT NULL);"
	"INSERT INTO audit_queue_meta(id) SELECT lower(hex(randomblob(16))) "
	"  WHERE NOT EXISTS (SELECT 1 FROM audit_queue_meta);"
	/* AUTOINCREMENT: ids are never reused, or a new entry could hide below the mark. */
	"CREATE TABLE IF NOT EXISTS audit_queue ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,"
	"  role TEXT NOT NULL, dept_code TEXT NOT NULL, action TEXT NOT NULL,"
	"  subject_code TEXT NOT NULL, purpose TEXT NOT NULL, client TEXT NOT NULL,"
	"  detail TEXT NOT NULL);";

/* SQLite's own words go to the log under an error id, not to the caller (store__fail). */
static int queue_fail(sqlite3 *db, struct err *e, const char *what)
{
	return store__fail(e, what, db ? sqlite3_errmsg(db) : "内存不足");
}

static int queue_id_row(struct sqlite_store *q, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(q->queue, store_sql[SQL_AUDIT_QUEUE_ID].text, -1, &st, NULL) !=
	    SQLITE_OK)
		return queue_fail(q->queue, e, "读取审计队列");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(q->queue_id, sizeof q->queue_id, "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : queue_fail(q->queue, e, "读取审计队列");
}

/* Opens the queue: 1 when open, 0 when it does not exist and `create` is 0, -1. */
static int queue_open(struct store *s, int create, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	char path[4096];
	char *msg = NULL;

	if (q->queue)
		return 1;
	if (!s->location[0] || strcmp(s->location, ":memory:") == 0)
		return create ? err_set(e, "store.error", "内存数据库没有审计队列") : 0;
	if (snprintf(path, sizeof path, "%s-audit-queue", s->location) >= (int)sizeof path)
		return err_set(e, "store.error", "数据库路径过长");
	if (!create && access(path, F_OK) != 0)
		return 0;
	if (sqlite3_open_v2(path, &q->queue,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	/* Audit entries name who looked at whom: the file is the platform's alone. */
	chmod(path, 0600);
	sqlite3_busy_timeout(q->queue, 5000);
	if (sqlite3_exec(q->queue, queue_schema, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (queue_id_row(q, e) < 0)
		goto closed;
	return 1;
fail:
	{
		char detail[4096 + 512];

		snprintf(detail, sizeof detail, "%s: %s", path,
			 msg ? msg : q->queue ? sqlite3_errmsg(q->queue) : "内存不足");
		store__fail(e, "打开审计队列", detail);
	}
	sqlite3_free(msg);
closed:
	sqlite3_close(q->queue);
	q->queue = NULL;
	q->queue_id[0] = '\0';
	return -1;
}

void sqlite_audit_queue_close(struct store *s)
{
	struct sqlite_store *q = sqlite_of(s);

	sqlite3_close(q->queue);
	q->queue = NULL;
}

int sqlite_audit_defer(struct store *s, const struct audit_entry *a, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	const char *v[9] = { a->at, a->actor, a->role, a->dept_code, a->action,
			     a->subject_code, a->purpose, a->client, a->detail };
	sqlite3_stmt *st;
	int i, rc;

	if (queue_open(s, 1, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(q->queue, store_sql[SQL_AUDIT_QUEUE_ADD].text, -1, &st, NULL) !=
	    SQLITE_OK)
		return queue_fail(q->queue, e, "写入审计队列");
	for (i = 0; i < 9; i++)
		sqlite3_bind_text(st, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : queue_fail(q->queue, e, "写入审计队列");
}

/* The last queued id already chained, from the platform's database. */
static int queue_mark(struct store *s, long long *mark, struct err *e)
{
	struct store_param p[1] = { STORE_TEXT(sqlite_of(s)->queue_id) };
	int64_t v = 0;

	if (store__query(s, SQL_AUDIT_MARK_GET, p, 1, store__first_num, &v, NULL, e) < 0)
		return -1;
	*mark = v;
	return 0;
}

int sqlite_audit_pending(struct store *s, long long *n, struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	sqlite3_stmt *st;
	long long mark;
	int rc;

	*n = 0;
	rc = queue_open(s, 0, e);
	if (rc <= 0)
		return rc;
	if (queue_mark(s, &mark, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(q->queue, store_sql[SQL_AUDIT_QUEUE_COUNT].text, -1, &st, NULL) !=
	    SQLITE_OK)
		return queue_fail(q->queue, e, "读取审计队列");
	sqlite3_bind_int64(st, 1, mark);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : queue_fail(q->queue, e, "读取审计队列");
}

/* Deletes what is chained for sure (at or below the committed mark).  Failing here only
 * leaves entries that the mark already skips. */
static void queue_forget(struct sqlite_store *q, long long mark)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->queue, store_sql[SQL_AUDIT_QUEUE_FORGET].text, -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, mark);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

int sqlite_audit_drain(struct store *s,
		       int (*insert)(struct store *s, struct audit_entry *entry, struct err *e),
		       struct err *e)
{
	struct sqlite_store *q = sqlite_of(s);
	struct audit_entry a;
	sqlite3_stmt *st;
	long long mark, last;
	int rc, n = 0;

	rc = queue_open(s, 0, e);
	if (rc <= 0)
		return rc;
	if (queue_mark(s, &mark, e) < 0)
		return -1;
	queue_forget(q, mark);
	if (sqlite3_prepare_v2(q->queue, store_sql[SQL_AUDIT_QUEUE_AFTER].text, -1, &st, NULL) !=
	    SQLITE_OK)
		return queue_fail(q->queue, e, "读取审计队列");
	sqlite3_bind_int64(st, 1, mark);
	sqlite3_bind_int(st, 2, QUEUE_DRAIN_MAX);
	last = mark;
	/* The queue and the platform are two connections: stepping one while writing the
	 * other is fine. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof a);
		last = sqlite3_column_int64(st, 0);
		a.at = (const char *)sqlite3_column_text(st, 1);
		a.actor = (const char *)sqlite3_column_text(st, 2);
		a.role = (const char *)sqlite3_column_text(st, 3);
		a.dept_code = (const char *)sqlite3_column_text(st, 4);
		a.action = (const char *)sqlite3_column_text(st, 5);
		a.subject_code = (const char *)sqlite3_column_text(st, 6);
		a.purpose = (const char *)sqlite3_column_text(st, 7);
		a.client = (const char *)sqlite3_column_text(st, 8);
		a.detail = (const char *)sqlite3_column_text(st, 9);
		if (insert(s, &a, e) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return queue_fail(q->queue, e, "读取审计队列");
	if (n) {
		struct store_param p[2] = { STORE_TEXT(q->queue_id), STORE_NUM(last) };

		if (store__query(s, SQL_AUDIT_MARK_SET, p, 2, NULL, NULL, NULL, e) < 0)
			return -1;
	}
	return 0;
}
