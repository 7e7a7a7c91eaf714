/* audit_trail.c - see audit_trail.h. */
#include "audit_trail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "principal.h"
#include "store/store.h"

/* Entries are read in pages so that a long trail never sits in memory. */
#define AUDIT_VERIFY_PAGE 10000

int audit_trail_record(struct store *s, const struct principal *who, const char *action,
		       const char *subject, const json_t *detail, struct err *e)
{
	struct store_audit_storage storage;
	struct audit_entry entry;
	char actor[96], role[128];
	char *detail_text = NULL;
	int rc;

	principal_actor(who, actor, sizeof actor);
	principal_role_text(who, role, sizeof role);
	if (detail)
		detail_text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	memset(&entry, 0, sizeof entry);
	entry.actor = actor;
	entry.role = role;
	entry.dept_code = principal_org_code(who);
	entry.action = action;
	entry.subject_code = subject ? subject : "";
	entry.purpose = who->purpose;
	entry.client = who->client;
	entry.detail = detail_text ? detail_text : "";
	rc = store_audit_append(s, &entry, &storage, e);
	free(detail_text);
	return rc;
}

/* Chains what the SQLite audit queue holds before the trail is read, when the write lock
 * can be had; a batch may hold it, and then the queued entries are only counted.
 * Returns how many entries still wait. */
static long long audit_trail_settle(struct store *s)
{
	struct err e;
	long long n = 0;

	err_clear(&e);
	if (store_audit_drain(s, &e) < 0 && strcmp(e.reason, "store.unavailable") != 0)
		fprintf(stderr, "event=audit_drain status=failed reason=%s\n", e.reason);
	err_clear(&e);
	return store_audit_pending(s, &n, &e) < 0 ? 0 : n;
}

/* ---- verification ------------------------------------------------------------------ */

struct verify_walk {
	struct audit_verifier *v;
	long long last_seq;
	long long fed;
	int broken;
};

static int audit_verify_row(void *ctx, const struct audit_entry *entry)
{
	struct verify_walk *w = ctx;

	w->last_seq = entry->seq;
	w->fed++;
	if (audit_verify_feed(w->v, entry) < 0) {
		w->broken = 1;
		return 1;
	}
	return 0;
}

static const char *audit_problem_name(enum audit_problem p)
{
	switch (p) {
	case AUDIT_ALTERED:
		return "altered";
	case AUDIT_REMOVED:
		return "removed";
	case AUDIT_INSERTED:
		return "inserted";
	case AUDIT_INTACT:
	default:
		return "intact";
	}
}

struct checkpoint_walk {
	struct store *store;
	const char *trusted_key;
	char first_key[65];
	const struct audit_anchor *anchor; /* seq 0: never pruned */
	long long anchor_seq;
	long long contradicts; /* seq of a checkpoint of the anchored entry that disagrees */
	long long head_seq;
	long long count;
	long long bad_seq;
	char message[ERR_MESSAGE_MAX + 128];
	struct err *e;
	int failed; /* the store failed: not a finding */
};

/* Checks one checkpoint against the key and the chain; fills the walk's message on the
 * first that does not hold. */
static int audit_check_one(struct checkpoint_walk *w, const struct audit_checkpoint *c)
{
	char stored[AUDIT_HASH_HEX];
	struct err why;
	int found;

	err_clear(&why);
	if (audit_checkpoint_verify(c, w->trusted_key ? w->trusted_key : w->first_key, &why) < 0) {
		w->bad_seq = c->seq;
		snprintf(w->message, sizeof w->message, "第 %lld 条记录处的签名检查点无效：%s", c->seq,
			 why.message);
		return 1;
	}
	if (c->seq == w->anchor_seq && w->anchor_seq > 0) {
		/* The anchored entry is gone, but the anchor says what its hash was. */
		if (strcmp(c->head_hash, w->anchor->hash) != 0 && !w->contradicts)
			w->contradicts = c->seq;
		return 0;
	}
	if (c->seq < w->anchor_seq)
		return 0; /* pruned: the chain before the anchor is no longer held */
	if (c->seq > w->head_seq) {
		w->bad_seq = w->head_seq + 1;
		snprintf(w->message, sizeof w->message,
			 "审计日志末尾的记录被删除：签名检查点记录了第 %lld 条，现仅存至第 %lld 条",
			 c->seq, w->head_seq);
		return 1;
	}
	found = store_audit_entry_hash(w->store, c->seq, stored, w->e);
	if (found < 0) {
		w->failed = 1;
		return 1;
	}
	if (!found || strcmp(stored, c->head_hash) != 0) {
		w->bad_seq = c->seq;
		snprintf(w->message, sizeof w->message,
			 "第 %lld 条记录与签名检查点不符：该记录或其之前的记录被改写后重新计算了哈希",
			 c->seq);
		return 1;
	}
	return 0;
}

static int audit_checkpoint_row(void *ctx, const struct audit_checkpoint *c)
{
	struct checkpoint_walk *w = ctx;

	if (!w->first_key[0])
		snprintf(w->first_key, sizeof w->first_key, "%s", c->public_key);
	w->count++;
	return audit_check_one(w, c);
}

/* `stamp` ("YYYY-...") moved `years` back into out; -1 when it does not start with a year. */
static int audit_years_before(const char *stamp, int years, char out[AUDIT_AT_MAX])
{
	int year = 0, i;

	for (i = 0; i < 4; i++) {
		if (stamp[i] < '0' || stamp[i] > '9')
			return -1;
		year = year * 10 + (stamp[i] - '0');
	}
	snprintf(out, AUDIT_AT_MAX, "%04d%s", year - years, stamp + 4);
	return 0;
}

/* The anchor a prune left must be signed with the trail's key, agree with any checkpoint
 * of the same entry, and not have removed entries younger than the shortest retention
 * (counted from the prune and from now, whichever is earlier: a key holder's clock set
 * ahead cannot make young entries look old).  Returns 0 when it holds, else 1 with the
 * finding in message. */
static int audit_check_anchor(const struct checkpoint_walk *w, char *message, size_t size)
{
	const struct audit_anchor *a = w->anchor;
	char now[26], cutoff[AUDIT_AT_MAX];
	const char *from, *key = w->trusted_key;
	struct err why;

	/* Without a trusted key, the checkpoints' key: an anchor signed by any other key
	 * was not made by whoever signs the trail. */
	if (!key && w->first_key[0])
		key = w->first_key;
	err_clear(&why);
	if (audit_anchor_verify(a, key, &why) < 0) {
		snprintf(message, size, "第 %lld 条处的%s", a->seq, why.message);
		return 1;
	}
	if (w->contradicts) {
		snprintf(message, size,
			 "第 %lld 条处的清理锚点与该条的签名检查点不符：锚点记录的哈希不是检查点签名的哈希",
			 a->seq);
		return 1;
	}
	clock_timestamp(now);
	from = strcmp(a->pruned_at, now) < 0 ? a->pruned_at : now;
	if (audit_years_before(from, AUDIT_RETENTION_MIN_YEARS, cutoff) < 0 ||
	    strcmp(a->entry_at, cutoff) >= 0) {
		snprintf(message, size,
			 "第 %lld 条处的清理锚点删除了 %d 年保存期内的记录：该条写于 %s，清理于 %s",
			 a->seq, AUDIT_RETENTION_MIN_YEARS, a->entry_at, a->pruned_at);
		return 1;
	}
	return 0;
}

static json_t *audit_seq_hash_json(long long seq, const char *hash)
{
	return json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash);
}

int audit_trail_verify(struct store *s, const char *trusted_key,
		       const struct audit_checkpoint *external, json_t **report, struct err *e)
{
	struct verify_walk w = { NULL, 0, 0, 0 };
	struct checkpoint_walk cw;
	struct audit_finding f;
	struct audit_anchor anchor;
	char head_hash[AUDIT_HASH_HEX], anchor_message[ERR_MESSAGE_MAX + 128];
	long long head_seq, after, fed_before;
	json_t *doc, *problem = NULL;
	long long pending;
	int pruned;

	*report = NULL;
	pending = audit_trail_settle(s);
	pruned = store_audit_anchor_read(s, &anchor, e);
	if (pruned < 0)
		return -1;
	if (!pruned)
		memcpy(anchor.hash, AUDIT_GENESIS_HASH, AUDIT_HASH_HEX);
	if (store_audit_head(s, &head_seq, head_hash, e) < 0 ||
	    audit_verify_begin(&w.v, anchor.seq, anchor.hash, e) < 0)
		return -1;
	after = anchor.seq;
	do {
		fed_before = w.fed;
		if (store_audit_scan(s, after, AUDIT_VERIFY_PAGE, audit_verify_row, &w, e) < 0) {
			audit_verify_free(w.v);
			return -1;
		}
		after = w.last_seq;
	} while (!w.broken && w.fed - fed_before == AUDIT_VERIFY_PAGE);
	audit_verify_end(w.v, &f);
	audit_verify_free(w.v);

	memset(&cw, 0, sizeof cw);
	cw.store = s;
	cw.trusted_key = trusted_key;
	cw.anchor = &anchor;
	cw.anchor_seq = anchor.seq;
	cw.head_seq = head_seq;
	cw.e = e;
	if (f.problem != AUDIT_INTACT) {
		problem = json_pack("{s:s, s:I, s:s}", "kind", audit_problem_name(f.problem), "seq",
				    (json_int_t)f.seq, "message", f.message);
	} else {
		if (store_audit_checkpoints(s, audit_checkpoint_row, &cw, e) < 0 || cw.failed)
			return -1;
		if (!cw.message[0] && external) {
			cw.count++;
			if (audit_check_one(&cw, external) && cw.failed)
				return -1;
		}
		/* Checked after the checkpoints, whose key it must carry, but reported before
		 * them: verification starts from the anchor. */
		if (pruned && audit_check_anchor(&cw, anchor_message, sizeof anchor_message))
			problem = json_pack("{s:s, s:I, s:s}", "kind", "anchor", "seq",
					    (json_int_t)anchor.seq, "message", anchor_message);
		if (!problem && cw.message[0])
			problem = json_pack("{s:s, s:I, s:s}", "kind", "checkpoint", "seq",
					    (json_int_t)cw.bad_seq, "message", cw.message);
	}
	doc = json_pack("{s:b, s:I, s:o, s:o, s:I}", "intact", problem == NULL, "entries",
			(json_int_t)f.entries, "anchor", audit_seq_hash_json(anchor.seq, anchor.hash),
			"head", audit_seq_hash_json(head_seq, head_hash), "checkpoints",
			(json_int_t)cw.count);
	/* Entries of reads made during a batch, durable but not yet chained. */
	if (doc && pending)
		json_object_set_new(doc, "pending", json_integer(pending));
	if (problem)
		json_object_set_new(doc, "problem", problem);
	*report = doc;
	return 0;
}

/* ---- checkpoints and pruning ---------------------------------------------------------- */

int audit_trail_checkpoint(struct store *s, const char *key_path, struct audit_checkpoint *out,
			   struct err *e)
{
	struct audit_keypair kp;
	char head[AUDIT_HASH_HEX], at[26];
	long long seq;
	int rc;

	if (store_audit_head(s, &seq, head, e) < 0)
		return -1;
	if (seq == 0)
		return err_set(e, "request.invalid", "审计日志为空，没有可签名的记录");
	if (audit_key_load(key_path, 1, &kp, e) < 0)
		return -1;
	clock_timestamp(at);
	rc = audit_checkpoint_sign(&kp, seq, head, at, out);
	audit_key_wipe(&kp);
	if (rc < 0)
		return err_set(e, "internal.error", "签名审计检查点失败");
	return store_audit_checkpoint_add(s, out, e);
}

int audit_trail_prune(struct store *s, int years, const char *key_path, long long *removed_to,
		      struct err *e)
{
	struct audit_keypair kp;
	char before[64];
	time_t now = clock_now();
	struct tm tm;
	int rc;

	if (years < AUDIT_RETENTION_MIN_YEARS)
		return err_set_field(e, "request.invalid", "years",
				     "审计记录至少保存 %d 年，不能清理更近的记录",
				     AUDIT_RETENTION_MIN_YEARS);
	/* Calendar years in Beijing time, as the timestamps are written. */
	now += 8 * 3600;
	gmtime_r(&now, &tm);
	tm.tm_year -= years;
	snprintf(before, sizeof before, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (audit_key_load(key_path, 1, &kp, e) < 0)
		return -1;
	rc = store_audit_prune(s, before, &kp, removed_to, e);
	audit_key_wipe(&kp);
	return rc;
}

/* ---- reading ------------------------------------------------------------------------- */

static json_t *audit_entry_json(const struct audit_entry *a)
{
	json_t *detail = a->detail && *a->detail ? json_loads(a->detail, 0, NULL) : NULL;

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "seq",
			 (json_int_t)a->seq, "at", a->at, "actor", a->actor, "role", a->role, "dept",
			 a->dept_code, "action", a->action, "subject", a->subject_code, "purpose",
			 a->purpose, "client", a->client, "detail", detail ? detail : json_null(),
			 "hash", a->hash);
}

struct list_ctx {
	json_t *entries;
	long long last;
};

static int audit_list_row(void *ctx, const struct audit_entry *a)
{
	struct list_ctx *c = ctx;

	c->last = a->seq;
	json_array_append_new(c->entries, audit_entry_json(a));
	return 0;
}

int audit_trail_list(struct store *s, const struct principal *who, long long after,
		     long long limit, json_t **out, struct err *e)
{
	struct list_ctx c = { json_array(), 0 };
	json_t *detail;
	int rc;

	*out = NULL;
	if (limit < 1 || limit > AUDIT_LIST_MAX) {
		json_decref(c.entries);
		return err_set_field(e, "request.invalid", "limit", "limit 应为 1 到 %d 之间的整数",
				     AUDIT_LIST_MAX);
	}
	/* The trail names who looked at whom: reading it is itself recorded, first. */
	detail = json_pack("{s:I, s:I}", "after", (json_int_t)after, "limit", (json_int_t)limit);
	rc = audit_trail_record(s, who, "audit.read", NULL, detail, e);
	json_decref(detail);
	if (rc < 0 || store_audit_scan(s, after, limit, audit_list_row, &c, e) < 0) {
		json_decref(c.entries);
		return -1;
	}
	*out = json_pack("{s:o, s:o}", "entries", c.entries, "next",
			 (long long)json_array_size(c.entries) == limit ? json_integer(c.last)
									: json_null());
	return 0;
}

/* Who, for the subject: the organisation and its kind, never the person. */
static json_t *audit_access_by(const struct audit_entry *a)
{
	const char *kind = "department";

	if (strncmp(a->actor, "cli:", 4) == 0)
		kind = "console";
	else if (strncmp(a->role, "agency", 6) == 0)
		kind = "agency";
	else if (!*a->dept_code)
		kind = "platform";
	return json_pack("{s:s, s:s?, s:s}", "kind", kind, "code",
			 *a->dept_code ? a->dept_code : NULL, "role", a->role);
}

static int audit_access_row(void *ctx, const struct audit_entry *a)
{
	json_array_append_new(ctx, json_pack("{s:s, s:o, s:s, s:s}", "at", a->at, "by",
					     audit_access_by(a), "purpose", a->purpose, "action",
					     a->action));
	return 0;
}

int audit_trail_access_log(struct store *s, const char *subject, const char *self_actor,
			   json_t **out, struct err *e)
{
	/* A look is opening the archive, a search that listed the subject (a person), or a
	 * credit report issued with more than the public sees. */
	static const char *const looks[3] = { "subject.read", "subject.search", "report.issue" };
	json_t *entries = json_array();

	*out = NULL;
	audit_trail_settle(s);
	if (store_audit_of_subject(s, subject, looks, self_actor, AUDIT_LIST_MAX,
				   audit_access_row, entries, e) < 0) {
		json_decref(entries);
		return -1;
	}
	*out = json_pack("{s:s, s:i, s:o}", "subject", subject, "count",
			 (int)json_array_size(entries), "entries", entries);
	return 0;
}
