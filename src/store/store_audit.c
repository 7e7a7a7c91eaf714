/*
 * store_audit.c - the audit trail's tables (store.h); the chain's rules are core/audit.h.
 *
 * The one subtle part is appending: an entry's seq and prev_hash come from the current
 * head, so two writers must never read the same head.  SQLite serialises writers by its
 * write lock (every transaction here starts with BEGIN IMMEDIATE); PostgreSQL takes a
 * transaction-scoped advisory lock first.  Either lock is held until the transaction
 * ends, so an entry appended inside a batch's transaction keeps the chain locked only
 * from the append to the commit: the pipeline appends last.
 *
 * An entry appended in a transaction of its own (the record of a read) does not wait for
 * a batch on SQLite: when the write lock is taken it goes to the backend's durable queue
 * (sqlite_audit_queue.c), and every later append first chains what the queue holds.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

/* ---- reading ---------------------------------------------------------------------- */

struct seq_hash {
	long long seq;
	char hash[AUDIT_HASH_HEX];
	int found;
};

static int store_seq_hash_row(void *ctx, const struct store_row *row)
{
	struct seq_hash *h = ctx;

	h->seq = store__num(row, 0);
	store__copy(row, 1, h->hash, sizeof h->hash);
	h->found = 1;
	return 1;
}

int store_audit_anchor(struct store *s, long long *seq, char hash[AUDIT_HASH_HEX],
		       struct err *e)
{
	struct seq_hash h = { 0, AUDIT_GENESIS_HASH, 0 };

	if (store__query(s, SQL_AUDIT_ANCHOR, NULL, 0, store_seq_hash_row, &h, NULL, e) < 0)
		return -1;
	*seq = h.seq;
	memcpy(hash, h.hash, AUDIT_HASH_HEX);
	return 0;
}

static int store_anchor_row(void *ctx, const struct store_row *row)
{
	struct audit_anchor *a = ctx;

	a->seq = store__num(row, 0);
	store__copy(row, 1, a->hash, sizeof a->hash);
	store__copy(row, 2, a->pruned_at, sizeof a->pruned_at);
	store__copy(row, 3, a->entry_at, sizeof a->entry_at);
	store__copy(row, 4, a->public_key, sizeof a->public_key);
	store__copy(row, 5, a->signature, sizeof a->signature);
	return 1;
}

int store_audit_anchor_read(struct store *s, struct audit_anchor *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	out->seq = -1; /* a stored seq is never negative: still -1 means no row */
	if (store__query(s, SQL_AUDIT_ANCHOR, NULL, 0, store_anchor_row, out, NULL, e) < 0)
		return -1;
	if (out->seq >= 0)
		return 1;
	out->seq = 0;
	return 0;
}

int store_audit_head(struct store *s, long long *seq, char hash[AUDIT_HASH_HEX],
		     struct err *e)
{
	struct seq_hash h = { 0, "", 0 };

	if (store__query(s, SQL_AUDIT_HEAD, NULL, 0, store_seq_hash_row, &h, NULL, e) < 0)
		return -1;
	if (!h.found)
		return store_audit_anchor(s, seq, hash, e);
	*seq = h.seq;
	memcpy(hash, h.hash, AUDIT_HASH_HEX);
	return 0;
}

/* Columns in the order of SQL_AUDIT_COLUMNS; the strings are the row's. */
static void store_audit_fill(struct audit_entry *a, const struct store_row *row)
{
	a->seq = store__num(row, 0);
	a->at = store__text(row, 1);
	a->actor = store__text(row, 2);
	a->role = store__text(row, 3);
	a->dept_code = store__text(row, 4);
	a->action = store__text(row, 5);
	a->subject_code = store__text(row, 6);
	a->purpose = store__text(row, 7);
	a->client = store__text(row, 8);
	a->detail = store__text(row, 9);
	a->prev_hash = store__text(row, 10);
	a->hash = store__text(row, 11);
}

struct audit_scan_ctx {
	int (*cb)(void *ctx, const struct audit_entry *entry);
	void *ctx;
};

static int store_audit_row(void *ctx, const struct store_row *row)
{
	struct audit_scan_ctx *c = ctx;
	struct audit_entry a;

	memset(&a, 0, sizeof a);
	store_audit_fill(&a, row);
	return c->cb(c->ctx, &a);
}

int store_audit_scan(struct store *s, long long after_seq, long long limit,
		     int (*cb)(void *ctx, const struct audit_entry *entry), void *ctx,
		     struct err *e)
{
	struct audit_scan_ctx c = { cb, ctx };
	struct store_param p[2] = { STORE_NUM(after_seq), STORE_NUM(limit > 0 ? limit : -1) };

	/* LIMIT -1 is "no limit" to SQLite; PostgreSQL wants NULL, which a bound NULL
	 * cannot express portably, so a huge number stands for "all" there. */
	if (limit <= 0)
		p[1].num = INT64_MAX;
	return store__query(s, SQL_AUDIT_SCAN, p, 2, store_audit_row, &c, NULL, e);
}

int store_audit_of_subject(struct store *s, const char *subject, const char *const actions[3],
			   const char *except_actor, long long limit,
			   int (*cb)(void *ctx, const struct audit_entry *entry), void *ctx,
			   struct err *e)
{
	struct audit_scan_ctx c = { cb, ctx };
	struct store_param p[6] = { STORE_TEXT(subject), STORE_TEXT(except_actor ? except_actor : ""),
				    STORE_TEXT(actions[0]), STORE_TEXT(actions[1]),
				    STORE_TEXT(actions[2]), STORE_NUM(limit) };

	return store__query(s, SQL_AUDIT_OF_SUBJECT, p, 6, store_audit_row, &c, NULL, e);
}

static int store_text_row(void *ctx, const struct store_row *row)
{
	struct seq_hash *h = ctx;

	store__copy(row, 0, h->hash, sizeof h->hash);
	h->found = 1;
	return 1;
}

int store_audit_entry_hash(struct store *s, long long seq, char hash[AUDIT_HASH_HEX],
			   struct err *e)
{
	struct seq_hash h = { 0, "", 0 };
	struct store_param p[1] = { STORE_NUM(seq) };

	if (store__query(s, SQL_AUDIT_ENTRY_HASH, p, 1, store_text_row, &h, NULL, e) < 0)
		return -1;
	memcpy(hash, h.hash, AUDIT_HASH_HEX);
	return h.found;
}

/* ---- appending -------------------------------------------------------------------- */

static int store_audit_insert_one(struct store *s, struct audit_entry *entry,
				  struct store_audit_storage *st, struct err *e)
{
	long long seq;
	struct store_param p[12];

	if (store__query_if_any(s, SQL_AUDIT_LOCK, e) < 0 ||
	    store_audit_head(s, &seq, st->prev_hash, e) < 0)
		return -1;
	if (!entry->at || !*entry->at) {
		store__now(s, st->at);
		entry->at = st->at;
	}
	entry->seq = seq + 1;
	entry->prev_hash = st->prev_hash;
	audit_entry_hash(entry, st->prev_hash, st->hash);
	entry->hash = st->hash;

	p[0] = (struct store_param)STORE_NUM(entry->seq);
	p[1] = (struct store_param)STORE_TEXT(entry->at);
	p[2] = (struct store_param)STORE_TEXT(entry->actor);
	p[3] = (struct store_param)STORE_TEXT(entry->role);
	p[4] = (struct store_param)STORE_TEXT(entry->dept_code);
	p[5] = (struct store_param)STORE_TEXT(entry->action);
	p[6] = (struct store_param)STORE_TEXT(entry->subject_code);
	p[7] = (struct store_param)STORE_TEXT(entry->purpose);
	p[8] = (struct store_param)STORE_TEXT(entry->client);
	p[9] = (struct store_param)STORE_TEXT(entry->detail);
	p[10] = (struct store_param)STORE_TEXT(entry->prev_hash);
	p[11] = (struct store_param)STORE_TEXT(entry->hash);
	return store__query(s, SQL_AUDIT_APPEND, p, 12, NULL, NULL, NULL, e);
}

/* Chains one queued entry (it keeps the time it was queued). */
static int store_audit_chain_queued(struct store *s, struct audit_entry *entry, struct err *e)
{
	struct store_audit_storage st;

	return store_audit_insert_one(s, entry, &st, e);
}

/* Appends `entry` after whatever the queue holds, so that the chain keeps the order in
 * which things were recorded as far as the queue allows. */
static int store_audit_insert(struct store *s, struct audit_entry *entry,
			      struct store_audit_storage *st, struct err *e)
{
	if (s->be->audit_drain && s->be->audit_drain(s, store_audit_chain_queued, e) < 0)
		return -1;
	return store_audit_insert_one(s, entry, st, e);
}

/* Starts the append's own transaction; 1 when the entry went to the queue instead,
 * because a batch holds the write lock. */
static int store_audit_begin(struct store *s, struct audit_entry *entry,
			     struct store_audit_storage *storage, struct err *e)
{
	if (!s->be->audit_defer)
		return store_begin(s, e);
	if (store__begin_waiting(s, STORE_WAIT_NONE, e) == 0)
		return 0;
	if (strcmp(e->reason, "store.unavailable") != 0)
		return -1;
	if (!entry->at || !*entry->at) {
		store__now(s, storage->at);
		entry->at = storage->at;
	}
	err_clear(e);
	if (s->be->audit_defer(s, entry, e) < 0)
		return -1;
	entry->seq = 0; /* not chained yet */
	return 1;
}

int store_audit_drain(struct store *s, struct err *e)
{
	long long n = 0;

	if (!s->be->audit_drain)
		return 0;
	if (store_audit_pending(s, &n, e) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (store_begin(s, e) < 0)
		return -1;
	if (s->be->audit_drain(s, store_audit_chain_queued, e) < 0 || store_commit(s, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int store_audit_pending(struct store *s, long long *n, struct err *e)
{
	*n = 0;
	return s->be->audit_pending ? s->be->audit_pending(s, n, e) : 0;
}

int store_audit_append(struct store *s, struct audit_entry *entry,
		       struct store_audit_storage *storage, struct err *e)
{
	int own = s->tx_time[0] == '\0';

	if (own) {
		int queued = store_audit_begin(s, entry, storage, e);

		if (queued)
			return queued < 0 ? -1 : 0;
	}
	if (store_audit_insert(s, entry, storage, e) < 0) {
		if (own)
			store_rollback(s);
		return -1;
	}
	if (own && store_commit(s, e) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* ---- pruning and checkpoints ------------------------------------------------------ */

/* The last entry dated before the cut: the anchor to be. */
static int store_anchor_candidate(void *ctx, const struct store_row *row)
{
	struct audit_anchor *a = ctx;

	a->seq = store__num(row, 0);
	store__copy(row, 1, a->hash, sizeof a->hash);
	store__copy(row, 2, a->entry_at, sizeof a->entry_at);
	return 1;
}

/* Signs the anchor and stores it, then removes what it stands for. */
static int store_anchor_replace(struct store *s, struct audit_anchor *a,
				const struct audit_keypair *kp, struct err *e)
{
	struct store_param q[1] = { STORE_NUM(a->seq) };
	struct store_param w[6];

	store__now(s, a->pruned_at);
	if (audit_anchor_sign(kp, a) < 0)
		return err_set(e, "internal.error", "签名审计清理锚点失败");
	w[0] = (struct store_param)STORE_NUM(a->seq);
	w[1] = (struct store_param)STORE_TEXT(a->hash);
	w[2] = (struct store_param)STORE_TEXT(a->pruned_at);
	w[3] = (struct store_param)STORE_TEXT(a->entry_at);
	w[4] = (struct store_param)STORE_TEXT(a->public_key);
	w[5] = (struct store_param)STORE_TEXT(a->signature);
	if (store__query(s, SQL_AUDIT_ANCHOR_SET, w, 6, NULL, NULL, NULL, e) < 0 ||
	    store__query(s, SQL_AUDIT_PRUNE, q, 1, NULL, NULL, NULL, e) < 0 ||
	    store__query(s, SQL_AUDIT_CHECKPOINTS_PRUNE, q, 1, NULL, NULL, NULL, e) < 0)
		return -1;
	return 0;
}

int store_audit_prune(struct store *s, const char *before, const struct audit_keypair *kp,
		      long long *removed_to, struct err *e)
{
	struct audit_anchor a;
	struct store_param p[1] = { STORE_TEXT(before) };

	*removed_to = 0;
	memset(&a, 0, sizeof a);
	a.seq = -1; /* still -1: nothing old enough */
	if (store_begin(s, e) < 0)
		return -1;
	if (store__query_if_any(s, SQL_AUDIT_LOCK, e) < 0 ||
	    store__query(s, SQL_AUDIT_LAST_BEFORE, p, 1, store_anchor_candidate, &a, NULL, e) < 0)
		goto fail;
	if (a.seq >= 0 && store_anchor_replace(s, &a, kp, e) < 0)
		goto fail;
	if (store_commit(s, e) < 0)
		goto fail;
	*removed_to = a.seq >= 0 ? a.seq : 0;
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int store_audit_checkpoint_add(struct store *s, const struct audit_checkpoint *c,
			       struct err *e)
{
	struct store_param p[5] = { STORE_NUM(c->seq), STORE_TEXT(c->head_hash), STORE_TEXT(c->at),
				    STORE_TEXT(c->public_key), STORE_TEXT(c->signature) };

	return store__query(s, SQL_AUDIT_CHECKPOINT_ADD, p, 5, NULL, NULL, NULL, e);
}

struct checkpoint_ctx {
	int (*cb)(void *ctx, const struct audit_checkpoint *c);
	void *ctx;
};

static int store_checkpoint_row(void *ctx, const struct store_row *row)
{
	struct checkpoint_ctx *c = ctx;
	struct audit_checkpoint cp;

	memset(&cp, 0, sizeof cp);
	cp.seq = store__num(row, 0);
	store__copy(row, 1, cp.head_hash, sizeof cp.head_hash);
	store__copy(row, 2, cp.at, sizeof cp.at);
	store__copy(row, 3, cp.public_key, sizeof cp.public_key);
	store__copy(row, 4, cp.signature, sizeof cp.signature);
	return c->cb(c->ctx, &cp);
}

int store_audit_checkpoints(struct store *s,
			    int (*cb)(void *ctx, const struct audit_checkpoint *c), void *ctx,
			    struct err *e)
{
	struct checkpoint_ctx c = { cb, ctx };

	return store__query(s, SQL_AUDIT_CHECKPOINTS, NULL, 0, store_checkpoint_row, &c, NULL, e);
}
