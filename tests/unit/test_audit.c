/* test_audit.c - the audit hash chain, its streaming verifier and signed checkpoints
 * (src/core/audit.c, src/core/audit_checkpoint.c). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/audit_checkpoint.h"
#include "core/err.h"

/* ---- A stored trail the tests can tamper with ------------------------------------------ */

#define ROWS_MAX 16
#define RFC8032_SEED "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

struct row {
	char at[32];
	char detail[64];
	char prev[AUDIT_HASH_HEX];
	char hash[AUDIT_HASH_HEX];
	struct audit_entry e;
};

struct trail {
	struct row rows[ROWS_MAX];
	int n;
	long long anchor_seq;
	char anchor[AUDIT_HASH_HEX];
};

static void row_fill(struct row *r, long long seq)
{
	snprintf(r->at, sizeof r->at, "2026-03-05T10:%02lld:00+08:00", seq % 60);
	snprintf(r->detail, sizeof r->detail, "{\"n\":%lld}", seq);
	memset(&r->e, 0, sizeof r->e);
	r->e.seq = seq;
	r->e.at = r->at;
	r->e.actor = "user:zhang";
	r->e.role = "handler";
	r->e.dept_code = "11110000";
	r->e.action = "subject.read";
	r->e.subject_code = "91110000600037341L";
	r->e.purpose = "行政许可核查";
	r->e.client = "127.0.0.1";
	r->e.detail = r->detail;
	r->e.prev_hash = r->prev;
	r->e.hash = r->hash;
}

/* Recomputes row i's hash from its stored prev_hash, as an attacker who knows the format
 * would. */
static void row_rehash(struct trail *t, int i)
{
	audit_entry_hash(&t->rows[i].e, t->rows[i].prev, t->rows[i].hash);
}

/* Links row i to row i-1 (or the anchor) and hashes it. */
static void row_chain(struct trail *t, int i)
{
	memcpy(t->rows[i].prev, i ? t->rows[i - 1].hash : t->anchor, AUDIT_HASH_HEX);
	row_rehash(t, i);
}

static void trail_make_at(struct trail *t, int n, long long anchor_seq, const char *anchor)
{
	int i;

	memset(t, 0, sizeof *t);
	t->n = n;
	t->anchor_seq = anchor_seq;
	memcpy(t->anchor, anchor, AUDIT_HASH_HEX);
	for (i = 0; i < n; i++) {
		row_fill(&t->rows[i], anchor_seq + 1 + i);
		row_chain(t, i);
	}
}

static void trail_make(struct trail *t, int n)
{
	trail_make_at(t, n, 0, AUDIT_GENESIS_HASH);
}

/* Removes row i; the rows after it keep their seq unless renumber. */
static void trail_delete(struct trail *t, int i, int renumber)
{
	int j;

	for (j = i; j + 1 < t->n; j++) {
		t->rows[j] = t->rows[j + 1];
		/* The struct copy carries pointers into the old row: point them home. */
		t->rows[j].e.at = t->rows[j].at;
		t->rows[j].e.detail = t->rows[j].detail;
		t->rows[j].e.prev_hash = t->rows[j].prev;
		t->rows[j].e.hash = t->rows[j].hash;
		if (renumber)
			t->rows[j].e.seq--;
	}
	t->n--;
}

/* Inserts an empty row at i (filled with seq `seq`, prev/hash ""); the rows after it
 * move up and, when renumber, get seq + 1. */
static struct row *trail_insert(struct trail *t, int i, long long seq, int renumber)
{
	int j;

	cr_assert_lt(t->n, ROWS_MAX);
	for (j = t->n; j > i; j--) {
		t->rows[j] = t->rows[j - 1];
		t->rows[j].e.at = t->rows[j].at;
		t->rows[j].e.detail = t->rows[j].detail;
		t->rows[j].e.prev_hash = t->rows[j].prev;
		t->rows[j].e.hash = t->rows[j].hash;
		if (renumber)
			t->rows[j].e.seq++;
	}
	t->n++;
	row_fill(&t->rows[i], seq);
	snprintf(t->rows[i].detail, sizeof t->rows[i].detail, "{\"forged\":true}");
	t->rows[i].prev[0] = '\0';
	t->rows[i].hash[0] = '\0';
	return &t->rows[i];
}

/* Verifies the trail, with an optional checkpoint; checks the feed/end contract too. */
static int trail_verify_expect(const struct trail *t, long long cp_seq, const char *cp_hash,
			       struct audit_finding *f)
{
	struct audit_verifier *v;
	struct audit_finding again;
	struct err e;
	int i, rc, failed = 0;

	cr_assert_eq(audit_verify_begin(&v, t->anchor_seq, t->anchor, &e), 0, "%s", e.message);
	if (cp_hash)
		cr_assert_eq(audit_verify_expect(v, cp_seq, cp_hash, &e), 0);
	for (i = 0; i < t->n; i++) {
		rc = audit_verify_feed(v, &t->rows[i].e);
		/* Once -1, always -1. */
		if (failed)
			cr_assert_eq(rc, -1);
		failed = rc < 0;
	}
	rc = audit_verify_end(v, f);
	if (failed)
		cr_assert_eq(rc, -1);
	cr_assert_eq(audit_verify_end(v, &again), rc, "end must be repeatable");
	cr_assert_eq(memcmp(&again, f, sizeof again), 0);
	cr_assert_eq(rc == 0, f->problem == AUDIT_INTACT);
	cr_assert_neq(f->message[0], '\0');
	audit_verify_free(v);
	return rc;
}

static int trail_verify(const struct trail *t, struct audit_finding *f)
{
	return trail_verify_expect(t, 0, NULL, f);
}

static void expect_finding(const struct trail *t, enum audit_problem problem, long long seq,
			   long long entries, const char *head)
{
	struct audit_finding f;

	trail_verify(t, &f);
	cr_assert_eq(f.problem, problem, "problem %d, expected %d: %s", f.problem, problem,
		     f.message);
	cr_assert_eq(f.seq, seq, "seq %lld, expected %lld: %s", f.seq, seq, f.message);
	cr_assert_eq(f.entries, entries, "entries %lld, expected %lld: %s", f.entries, entries,
		     f.message);
	cr_assert_str_eq(f.head_hash, head);
}

/* ---- The canonical hash ------------------------------------------------------------------ */

static struct audit_entry sample(void)
{
	struct audit_entry e = {
		.seq = 1,
		.at = "2026-03-05T10:00:00+08:00",
		.actor = "user:zhang",
		.role = "submitter,handler",
		.dept_code = "11110000",
		.action = "subject.read",
		.subject_code = "91110000600037341L",
		.purpose = "行政许可核查",
		.client = "127.0.0.1",
		.detail = "{\"n\":1}",
	};
	return e;
}

Test(audit_hash, known_answer)
{
	/* Computed independently: Python hashlib.blake2b(digest_size=32) over the format
	 * documented in audit.h.  A change here breaks every stored trail. */
	struct audit_entry e = sample();
	char h[AUDIT_HASH_HEX];

	audit_entry_hash(&e, AUDIT_GENESIS_HASH, h);
	cr_assert_str_eq(h, "8ca9171480fffc3696ec29d73f3a2c494ca424e2e0997ae8e55b13b5876928e4");
	cr_assert(audit_hash_is_valid(h));
}

Test(audit_hash, deterministic_and_ignores_stored_hashes)
{
	struct audit_entry e = sample();
	char a[AUDIT_HASH_HEX], b[AUDIT_HASH_HEX];

	audit_entry_hash(&e, AUDIT_GENESIS_HASH, a);
	e.hash = "whatever";
	e.prev_hash = "ignored";
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, b);
	cr_assert_str_eq(a, b);
	cr_assert_eq(strlen(a), 64);
}

Test(audit_hash, null_counts_as_empty)
{
	struct audit_entry e = sample();
	char a[AUDIT_HASH_HEX], b[AUDIT_HASH_HEX];

	e.purpose = "";
	e.detail = "";
	audit_entry_hash(&e, NULL, a);
	e.purpose = NULL;
	e.detail = NULL;
	audit_entry_hash(&e, "", b);
	cr_assert_str_eq(a, b);
}

Test(audit_hash, every_input_matters)
{
	struct audit_entry e = sample(), x;
	char base[AUDIT_HASH_HEX], h[AUDIT_HASH_HEX];

	audit_entry_hash(&e, AUDIT_GENESIS_HASH, base);
	x = e;
	x.seq = 2;
	audit_entry_hash(&x, AUDIT_GENESIS_HASH, h);
	cr_assert_str_neq(h, base);
	audit_entry_hash(&e, "1000000000000000000000000000000000000000000000000000000000000000", h);
	cr_assert_str_neq(h, base);
	x = e;
	x.client = "127.0.0.2";
	audit_entry_hash(&x, AUDIT_GENESIS_HASH, h);
	cr_assert_str_neq(h, base);
	x = e;
	x.detail = "";
	audit_entry_hash(&x, AUDIT_GENESIS_HASH, h);
	cr_assert_str_neq(h, base);
}

Test(audit_hash, value_moved_between_fields_changes_hash)
{
	/* Plain concatenation would give "ab" + "" == "a" + "b"; netstrings do not. */
	struct audit_entry e = sample();
	char a[AUDIT_HASH_HEX], b[AUDIT_HASH_HEX], c[AUDIT_HASH_HEX];

	e.actor = "user:zhangadmin";
	e.role = "";
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, a);
	e.actor = "user:zhang";
	e.role = "admin";
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, b);
	cr_assert_str_neq(a, b);
	/* Swapping two values is seen too. */
	e = sample();
	e.subject_code = "";
	e.purpose = "91110000600037341L";
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, c);
	audit_entry_hash(&(struct audit_entry){ 0 }, AUDIT_GENESIS_HASH, a);
	cr_assert_str_neq(a, c);
	e = sample();
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, a);
	cr_assert_str_neq(a, c);
	/* A value that looks like a netstring cannot forge the next field. */
	e = sample();
	e.client = "cli";
	e.detail = "";
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, a);
	e.client = "cli,0:";
	e.detail = NULL;
	audit_entry_hash(&e, AUDIT_GENESIS_HASH, b);
	cr_assert_str_neq(a, b);
}

Test(audit_hash, is_valid)
{
	cr_assert(audit_hash_is_valid(AUDIT_GENESIS_HASH));
	cr_assert_not(audit_hash_is_valid(NULL));
	cr_assert_not(audit_hash_is_valid(""));
	cr_assert_not(audit_hash_is_valid(
		"8CA9171480fffc3696ec29d73f3a2c494ca424e2e0997ae8e55b13b5876928e4"));
	cr_assert_not(audit_hash_is_valid(
		"8ca9171480fffc3696ec29d73f3a2c494ca424e2e0997ae8e55b13b5876928e"));
	cr_assert_not(audit_hash_is_valid(
		"8ca9171480fffc3696ec29d73f3a2c494ca424e2e0997ae8e55b13b5876928e40"));
}

/* ---- Verification: intact trails and anchors ------------------------------------------ */

Test(audit_verify, intact)
{
	struct trail t;
	struct audit_finding f;

	trail_make(&t, 6);
	cr_assert_eq(trail_verify(&t, &f), 0, "%s", f.message);
	cr_assert_eq(f.problem, AUDIT_INTACT);
	cr_assert_eq(f.entries, 6);
	cr_assert_eq(f.seq, 6);
	cr_assert_str_eq(f.head_hash, t.rows[5].hash);
	cr_assert_str_eq(t.rows[0].prev, AUDIT_GENESIS_HASH);
}

Test(audit_verify, empty_trail)
{
	struct trail t;
	struct audit_finding f;

	trail_make(&t, 0);
	cr_assert_eq(trail_verify(&t, &f), 0);
	cr_assert_eq(f.entries, 0);
	cr_assert_eq(f.seq, 0);
	cr_assert_str_eq(f.head_hash, AUDIT_GENESIS_HASH);
}

Test(audit_verify, anchor_after_pruning)
{
	struct trail full, t;
	struct audit_finding f;

	/* Entries 1..4 pruned: verification starts at 5, anchored on entry 4's hash. */
	trail_make(&full, 8);
	trail_make_at(&t, 4, 4, full.rows[3].hash);
	for (int i = 0; i < 4; i++)
		cr_assert_str_eq(t.rows[i].hash, full.rows[4 + i].hash);
	cr_assert_eq(trail_verify(&t, &f), 0, "%s", f.message);
	cr_assert_eq(f.entries, 4);
	cr_assert_eq(f.seq, 8);
	/* Starting later than anchor + 1: the first entries after the anchor are gone. */
	trail_delete(&t, 0, 0);
	expect_finding(&t, AUDIT_REMOVED, 5, 0, full.rows[3].hash);
}

Test(audit_verify, anchor_seq_must_come_first)
{
	struct trail t;

	/* A trail that still holds the anchor entry itself: seq <= anchor. */
	trail_make(&t, 5);
	t.anchor_seq = 1;
	memcpy(t.anchor, t.rows[0].hash, AUDIT_HASH_HEX);
	expect_finding(&t, AUDIT_INSERTED, 1, 0, t.rows[0].hash);
}

Test(audit_verify, anchor_hash_wrong)
{
	struct trail t;

	trail_make(&t, 3);
	memcpy(t.anchor, "1111111111111111111111111111111111111111111111111111111111111111",
	       AUDIT_HASH_HEX);
	expect_finding(&t, AUDIT_ALTERED, 1, 0, t.anchor);
}

Test(audit_verify, begin_rejects_bad_anchor)
{
	struct audit_verifier *v = (struct audit_verifier *)1;
	struct err e;

	cr_assert_eq(audit_verify_begin(&v, 0, "00", &e), -1);
	cr_assert_null(v);
	cr_assert_str_eq(e.reason, "request.invalid");
	cr_assert_eq(audit_verify_begin(&v, -1, AUDIT_GENESIS_HASH, &e), -1);
	cr_assert_eq(audit_verify_begin(&v, 0, NULL, NULL), -1);
	audit_verify_free(NULL);
}

Test(audit_verify, feeds_after_a_finding_are_ignored)
{
	struct trail t;
	struct audit_verifier *v;
	struct audit_finding f;

	trail_make(&t, 6);
	t.rows[1].detail[1] = 'X';
	cr_assert_eq(audit_verify_begin(&v, 0, AUDIT_GENESIS_HASH, NULL), 0);
	cr_assert_eq(audit_verify_feed(v, &t.rows[0].e), 0);
	cr_assert_eq(audit_verify_feed(v, &t.rows[1].e), 0); /* waits for the look-ahead */
	cr_assert_eq(audit_verify_feed(v, &t.rows[2].e), -1);
	cr_assert_eq(audit_verify_feed(v, &t.rows[3].e), -1);
	cr_assert_eq(audit_verify_feed(v, &t.rows[0].e), -1);
	cr_assert_eq(audit_verify_end(v, &f), -1);
	cr_assert_eq(f.problem, AUDIT_ALTERED);
	cr_assert_eq(f.seq, 2);
	audit_verify_free(v);
}

Test(audit_verify, copies_what_it_keeps)
{
	/* The caller's strings live only during the call: scribble over them afterwards. */
	struct trail t;
	struct audit_verifier *v;
	struct audit_finding f;
	struct row scratch;
	int i;

	trail_make(&t, 5);
	t.rows[2].detail[1] = 'X'; /* ALTERED at 3, decided when 4 arrives */
	cr_assert_eq(audit_verify_begin(&v, 0, AUDIT_GENESIS_HASH, NULL), 0);
	for (i = 0; i < t.n; i++) {
		scratch = t.rows[i];
		scratch.e.at = scratch.at;
		scratch.e.detail = scratch.detail;
		scratch.e.prev_hash = scratch.prev;
		scratch.e.hash = scratch.hash;
		audit_verify_feed(v, &scratch.e);
		memset(&scratch, 'z', sizeof scratch);
	}
	audit_verify_end(v, &f);
	cr_assert_eq(f.problem, AUDIT_ALTERED);
	cr_assert_eq(f.seq, 3);
	cr_assert_str_eq(f.head_hash, t.rows[1].hash);
	audit_verify_free(v);
}

/* ---- ALTERED ------------------------------------------------------------------------------ */

Test(audit_altered, content_middle)
{
	struct trail t;

	trail_make(&t, 6);
	t.rows[2].e.actor = "user:li";
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
}

Test(audit_altered, content_end)
{
	struct trail t;

	trail_make(&t, 6);
	t.rows[5].e.purpose = "另一事由";
	expect_finding(&t, AUDIT_ALTERED, 6, 5, t.rows[4].hash);
}

Test(audit_altered, content_first)
{
	struct trail t;

	trail_make(&t, 6);
	t.rows[0].e.client = "10.0.0.1";
	expect_finding(&t, AUDIT_ALTERED, 1, 0, AUDIT_GENESIS_HASH);
}

Test(audit_altered, field_emptied_or_nulled)
{
	struct trail t;
	struct audit_finding f;

	trail_make(&t, 6);
	t.rows[3].e.subject_code = "";
	expect_finding(&t, AUDIT_ALTERED, 4, 3, t.rows[2].hash);
	trail_make(&t, 6);
	t.rows[3].e.purpose = NULL;
	expect_finding(&t, AUDIT_ALTERED, 4, 3, t.rows[2].hash);
	/* "" and NULL are the same value: a store that reads "" back as NULL is intact. */
	trail_make(&t, 6);
	t.rows[3].e.dept_code = "";
	row_rehash(&t, 3);
	for (int i = 4; i < t.n; i++)
		row_chain(&t, i);
	t.rows[3].e.dept_code = NULL;
	cr_assert_eq(trail_verify(&t, &f), 0, "%s", f.message);
}

Test(audit_altered, stored_hash_or_prev_hash_nulled)
{
	struct trail t;

	trail_make(&t, 6);
	t.rows[2].e.hash = NULL;
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
	trail_make(&t, 6);
	t.rows[2].e.prev_hash = NULL;
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
}

Test(audit_altered, recomputed_middle)
{
	struct trail t;
	char old[AUDIT_HASH_HEX];

	trail_make(&t, 6);
	memcpy(old, t.rows[2].hash, sizeof old);
	t.rows[2].e.action = "subject.export";
	row_rehash(&t, 2);
	cr_assert_str_neq(t.rows[2].hash, old);
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
}

Test(audit_altered, recomputed_first)
{
	struct trail t;

	trail_make(&t, 6);
	t.rows[0].e.actor = "anonymous";
	row_rehash(&t, 0);
	expect_finding(&t, AUDIT_ALTERED, 1, 0, AUDIT_GENESIS_HASH);
}

Test(audit_altered, recomputed_before_last_reads_as_insertion)
{
	/* Documented ambiguity: without an entry after the last, "5 rewritten with its hash
	 * recomputed" looks like "6 appended with a wrong link". */
	struct trail t;
	struct audit_finding f;

	trail_make(&t, 6);
	t.rows[4].e.actor = "anonymous";
	row_rehash(&t, 4);
	expect_finding(&t, AUDIT_INSERTED, 6, 5, t.rows[4].hash);
	/* A checkpoint of entry 5 settles it. */
	struct trail orig;
	trail_make(&orig, 6);
	trail_verify_expect(&t, 5, orig.rows[4].hash, &f);
	cr_assert_eq(f.problem, AUDIT_ALTERED);
	cr_assert_eq(f.seq, 5);
}

Test(audit_altered, seq_edited)
{
	struct trail t;

	trail_make(&t, 6);
	t.rows[2].e.seq = 10;
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
	/* Edited and recomputed: the link to 2 still proves nothing is missing. */
	trail_make(&t, 6);
	t.rows[2].e.seq = 10;
	row_rehash(&t, 2);
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
}

Test(audit_altered, fabricated_entry_in_place)
{
	/* Entry 3 replaced by one with another prev_hash and a self-consistent hash: neither
	 * neighbour links to it. */
	struct trail t;

	trail_make(&t, 6);
	memcpy(t.rows[2].prev, "2222222222222222222222222222222222222222222222222222222222222222",
	       AUDIT_HASH_HEX);
	t.rows[2].e.detail = "{}";
	row_rehash(&t, 2);
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
	/* Neither linking nor self-consistent. */
	trail_make(&t, 6);
	memcpy(t.rows[2].prev, t.rows[4].hash, AUDIT_HASH_HEX);
	expect_finding(&t, AUDIT_ALTERED, 3, 2, t.rows[1].hash);
}

Test(audit_altered, whole_suffix_rewritten_needs_a_checkpoint)
{
	struct trail t;
	struct audit_finding f;
	char cp[AUDIT_HASH_HEX];

	trail_make(&t, 6);
	memcpy(cp, t.rows[5].hash, sizeof cp);
	t.rows[2].e.actor = "user:li";
	for (int i = 2; i < t.n; i++)
		row_chain(&t, i);
	cr_assert_eq(trail_verify(&t, &f), 0, "a consistent rewrite is invisible to the chain");
	cr_assert_eq(trail_verify_expect(&t, 6, cp, &f), -1);
	cr_assert_eq(f.problem, AUDIT_ALTERED);
	cr_assert_eq(f.seq, 6);
	cr_assert_eq(f.entries, 0);
	cr_assert_str_eq(f.head_hash, AUDIT_GENESIS_HASH);
	/* A checkpoint of an earlier, untouched entry agrees. */
	cr_assert_eq(trail_verify_expect(&t, 2, t.rows[1].hash, &f), 0);
}

/* ---- REMOVED ------------------------------------------------------------------------------ */

Test(audit_removed, middle)
{
	struct trail t;
	struct audit_finding f;

	trail_make(&t, 6);
	trail_delete(&t, 2, 0);
	expect_finding(&t, AUDIT_REMOVED, 3, 2, t.rows[1].hash);
	trail_make(&t, 8);
	trail_delete(&t, 2, 0);
	trail_delete(&t, 2, 0);
	trail_delete(&t, 2, 0);
	trail_verify(&t, &f);
	cr_assert_eq(f.problem, AUDIT_REMOVED);
	cr_assert_eq(f.seq, 3);
	cr_assert(strstr(f.message, "第 3 至 5 条"), "%s", f.message);
}

Test(audit_removed, first)
{
	struct trail t;

	trail_make(&t, 6);
	trail_delete(&t, 0, 0);
	expect_finding(&t, AUDIT_REMOVED, 1, 0, AUDIT_GENESIS_HASH);
}

Test(audit_removed, before_last)
{
	struct trail t;

	trail_make(&t, 6);
	trail_delete(&t, 4, 0);
	expect_finding(&t, AUDIT_REMOVED, 5, 4, t.rows[3].hash);
}

Test(audit_removed, last_needs_a_checkpoint)
{
	struct trail t;
	struct audit_finding f;
	char cp[AUDIT_HASH_HEX];

	trail_make(&t, 6);
	memcpy(cp, t.rows[5].hash, sizeof cp);
	trail_delete(&t, 5, 0);
	trail_delete(&t, 4, 0);
	cr_assert_eq(trail_verify(&t, &f), 0, "truncation is invisible to the chain");
	cr_assert_eq(trail_verify_expect(&t, 6, cp, &f), -1);
	cr_assert_eq(f.problem, AUDIT_REMOVED);
	cr_assert_eq(f.seq, 5);
	cr_assert_eq(f.entries, 4);
	cr_assert_str_eq(f.head_hash, t.rows[3].hash);
}

Test(audit_removed, renumbered_middle)
{
	struct trail t;
	struct audit_finding f;

	trail_make(&t, 6);
	trail_delete(&t, 2, 1);
	cr_assert_eq(t.rows[2].e.seq, 3);
	expect_finding(&t, AUDIT_REMOVED, 3, 2, t.rows[1].hash);
	/* Two deleted, the rest renumbered. */
	trail_make(&t, 8);
	trail_delete(&t, 2, 1);
	trail_delete(&t, 2, 1);
	trail_verify(&t, &f);
	cr_assert_eq(f.problem, AUDIT_REMOVED);
	cr_assert_eq(f.seq, 3);
	cr_assert(strstr(f.message, "2 条"), "%s", f.message);
}

Test(audit_removed, renumbered_first_and_end)
{
	struct trail t;

	trail_make(&t, 6);
	trail_delete(&t, 0, 1);
	expect_finding(&t, AUDIT_REMOVED, 1, 0, AUDIT_GENESIS_HASH);
	trail_make(&t, 6);
	trail_delete(&t, 4, 1); /* 6 becomes 5 and is last */
	expect_finding(&t, AUDIT_REMOVED, 5, 4, t.rows[3].hash);
}

Test(audit_removed, after_anchor_renumbered)
{
	struct trail full, t;

	trail_make(&full, 10);
	trail_make_at(&t, 6, 4, full.rows[3].hash);
	trail_delete(&t, 1, 1); /* entry 6 */
	expect_finding(&t, AUDIT_REMOVED, 6, 1, t.rows[0].hash);
}

/* ---- INSERTED ----------------------------------------------------------------------------- */

Test(audit_inserted, middle_with_valid_hash_renumbered)
{
	struct trail t;

	trail_make(&t, 6);
	trail_insert(&t, 2, 3, 1);
	row_chain(&t, 2); /* the intruder links to 2 and hashes correctly */
	cr_assert_eq(t.rows[3].e.seq, 4);
	expect_finding(&t, AUDIT_INSERTED, 3, 2, t.rows[1].hash);
}

Test(audit_inserted, middle_with_bad_hash_renumbered)
{
	struct trail t;
	struct row *r;

	trail_make(&t, 6);
	r = trail_insert(&t, 2, 3, 1);
	memcpy(r->prev, t.rows[1].hash, AUDIT_HASH_HEX);
	memcpy(r->hash, "3333333333333333333333333333333333333333333333333333333333333333",
	       AUDIT_HASH_HEX);
	expect_finding(&t, AUDIT_INSERTED, 3, 2, t.rows[1].hash);
	/* Not linking either. */
	trail_make(&t, 6);
	trail_insert(&t, 2, 3, 1);
	expect_finding(&t, AUDIT_INSERTED, 3, 2, t.rows[1].hash);
}

Test(audit_inserted, duplicate_seq)
{
	struct trail t;

	/* Before the original: the intruder passes, then the original repeats seq 3. */
	trail_make(&t, 6);
	trail_insert(&t, 2, 3, 0);
	row_chain(&t, 2);
	/* Either of the two could be the intruder: only 2 is known good. */
	expect_finding(&t, AUDIT_INSERTED, 3, 2, t.rows[1].hash);
	/* After the original, same seq. */
	trail_make(&t, 6);
	trail_insert(&t, 3, 3, 0);
	row_chain(&t, 3);
	expect_finding(&t, AUDIT_INSERTED, 3, 3, t.rows[2].hash);
}

Test(audit_inserted, out_of_order)
{
	struct trail t;

	trail_make(&t, 6);
	trail_insert(&t, 4, 2, 0);
	row_chain(&t, 4);
	expect_finding(&t, AUDIT_INSERTED, 2, 4, t.rows[3].hash);
}

Test(audit_inserted, first)
{
	struct trail t;

	trail_make(&t, 6);
	trail_insert(&t, 0, 1, 1);
	row_chain(&t, 0); /* links to genesis, which everyone knows */
	expect_finding(&t, AUDIT_INSERTED, 1, 0, AUDIT_GENESIS_HASH);
	trail_make(&t, 6);
	trail_insert(&t, 0, 1, 1); /* with no valid hash */
	expect_finding(&t, AUDIT_INSERTED, 1, 0, AUDIT_GENESIS_HASH);
}

Test(audit_inserted, end)
{
	struct trail t;
	struct row *r;
	struct audit_finding f;

	/* Self-consistent but not linked to 6. */
	trail_make(&t, 6);
	r = trail_insert(&t, 6, 7, 0);
	memcpy(r->prev, "4444444444444444444444444444444444444444444444444444444444444444",
	       AUDIT_HASH_HEX);
	row_rehash(&t, 6);
	expect_finding(&t, AUDIT_INSERTED, 7, 6, t.rows[5].hash);
	/* Linked and hashed correctly: nothing the chain can see (a checkpoint at 6 agrees,
	 * since 6 itself is untouched: an appended entry is the one forgery a chain and a
	 * checkpoint cannot both catch before the next checkpoint). */
	trail_make(&t, 6);
	trail_insert(&t, 6, 7, 0);
	row_chain(&t, 6);
	cr_assert_eq(trail_verify(&t, &f), 0);
}

/* ---- Checkpoints and keys ----------------------------------------------------------------- */

static char tmpdir[64];

static void tmp_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/xy-audit-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

static void tmp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

TestSuite(audit_key, .init = tmp_setup, .fini = tmp_teardown);

Test(audit_key, create_then_load_same_key)
{
	struct audit_keypair a, b;
	char path[128], pa[AUDIT_KEY_HEX], pb[AUDIT_KEY_HEX], line[80];
	struct stat st;
	struct err e;
	FILE *fp;

	tmp_path(path, sizeof path, "audit.key");
	cr_assert_eq(audit_key_load(path, 1, &a, &e), 0, "%s", e.message);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	fp = fopen(path, "r");
	cr_assert_not_null(fp);
	cr_assert_not_null(fgets(line, sizeof line, fp));
	fclose(fp);
	cr_assert_eq(strlen(line), 65);
	cr_assert_eq(line[64], '\n');
	cr_assert_eq(audit_key_load(path, 0, &b, &e), 0, "%s", e.message);
	audit_key_public_hex(&a, pa);
	audit_key_public_hex(&b, pb);
	cr_assert_str_eq(pa, pb);
	cr_assert_eq(memcmp(a.sk, b.sk, sizeof a.sk), 0);
	/* Loading with create does not replace an existing key. */
	cr_assert_eq(audit_key_load(path, 1, &b, &e), 0);
	audit_key_public_hex(&b, pb);
	cr_assert_str_eq(pa, pb);
	audit_key_wipe(&a);
	audit_key_wipe(&b);
	for (size_t i = 0; i < sizeof a.sk; i++)
		cr_assert_eq(a.sk[i], 0);
}

Test(audit_key, known_seed)
{
	/* RFC 8032 section 7.1, test 1: the seed determines the public key. */
	struct audit_keypair kp;
	char path[128], pk[AUDIT_KEY_HEX];
	struct err e;

	tmp_path(path, sizeof path, "k");
	write_file(path, RFC8032_SEED "\r\n", 0600);
	cr_assert_eq(audit_key_load(path, 0, &kp, &e), 0, "%s", e.message);
	audit_key_public_hex(&kp, pk);
	cr_assert_str_eq(pk, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

Test(audit_key, permissions_too_wide_refused)
{
	struct audit_keypair kp;
	char path[128];
	struct err e;
	const mode_t modes[] = { 0644, 0640, 0604, 0620 };

	tmp_path(path, sizeof path, "k");
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		write_file(path, RFC8032_SEED "\n", modes[i]);
		err_clear(&e);
		cr_assert_eq(audit_key_load(path, 1, &kp, &e), -1, "mode %o", modes[i]);
		cr_assert_str_eq(e.reason, "audit.key");
		cr_assert(strstr(e.message, "权限"), "%s", e.message);
	}
	write_file(path, RFC8032_SEED "\n", 0400);
	cr_assert_eq(audit_key_load(path, 0, &kp, &e), 0, "%s", e.message);
}

Test(audit_key, missing_or_malformed)
{
	struct audit_keypair kp;
	char path[128];
	struct err e;

	tmp_path(path, sizeof path, "none");
	cr_assert_eq(audit_key_load(path, 0, &kp, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	cr_assert_eq(access(path, F_OK), -1, "not created without create");
	tmp_path(path, sizeof path, "short");
	write_file(path, "9d61b19d\n", 0600);
	cr_assert_eq(audit_key_load(path, 1, &kp, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	tmp_path(path, sizeof path, "nothex");
	write_file(path, "zz61b19deffd5a60ba844af492ec2cc4"
			 "4449c5697b326919703bac031cae7f60\n", 0600);
	cr_assert_eq(audit_key_load(path, 0, &kp, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	tmp_path(path, sizeof path, "nodir/k");
	cr_assert_eq(audit_key_load(path, 1, &kp, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	cr_assert_eq(audit_key_load(tmpdir, 0, &kp, &e), -1, "a directory is no key file");
}

static void keypair(struct audit_keypair *kp)
{
	char path[128];

	tmp_path(path, sizeof path, "kp");
	unlink(path);
	cr_assert_eq(audit_key_load(path, 1, kp, NULL), 0);
}

Test(audit_key, checkpoint_round_trip)
{
	struct audit_keypair kp;
	struct audit_checkpoint c, back;
	struct trail t;
	char line[AUDIT_CHECKPOINT_LINE], pk[AUDIT_KEY_HEX];
	struct err e;

	keypair(&kp);
	audit_key_public_hex(&kp, pk);
	trail_make(&t, 3);
	cr_assert_eq(audit_checkpoint_sign(&kp, 3, t.rows[2].hash, "2026-03-05T10:00:00+08:00", &c),
		     0);
	cr_assert_eq(c.seq, 3);
	cr_assert_str_eq(c.head_hash, t.rows[2].hash);
	cr_assert_str_eq(c.public_key, pk);
	cr_assert_eq(strlen(c.signature), 128);
	cr_assert_eq(audit_checkpoint_verify(&c, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(audit_checkpoint_verify(&c, pk, &e), 0, "%s", e.message);
	cr_assert_eq(audit_checkpoint_format(&c, line, sizeof line), 0);
	cr_assert(strncmp(line, "xinyong-audit-checkpoint v1 seq=3 head=", 39) == 0, "%s", line);
	cr_assert_eq(audit_checkpoint_parse(line, &back, &e), 0, "%s", e.message);
	cr_assert_eq(memcmp(&back, &c, sizeof c), 0);
	cr_assert_eq(audit_checkpoint_verify(&back, pk, &e), 0);
	/* A trailing newline, as read from a file, is fine. */
	strcat(line, "\n");
	cr_assert_eq(audit_checkpoint_parse(line, &back, &e), 0, "%s", e.message);
	cr_assert_eq(back.seq, 3);
	/* Seq 0 with the genesis hash: an empty trail can be checkpointed too. */
	cr_assert_eq(audit_checkpoint_sign(&kp, 0, AUDIT_GENESIS_HASH, "t", &c), 0);
	cr_assert_eq(audit_checkpoint_verify(&c, pk, &e), 0);
	audit_key_wipe(&kp);
}

Test(audit_key, checkpoint_wrong_key)
{
	struct audit_keypair kp, other;
	struct audit_checkpoint c;
	char pk[AUDIT_KEY_HEX], upper[AUDIT_KEY_HEX];
	struct err e;

	keypair(&kp);
	keypair(&other);
	audit_key_public_hex(&other, pk);
	cr_assert_eq(audit_checkpoint_sign(&kp, 7, AUDIT_GENESIS_HASH, "2026-03-05", &c), 0);
	cr_assert_eq(audit_checkpoint_verify(&c, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	/* The trusted key may be written in upper case. */
	audit_key_public_hex(&kp, pk);
	for (int i = 0; i < 65; i++)
		upper[i] = (char)(pk[i] >= 'a' && pk[i] <= 'f' ? pk[i] - 32 : pk[i]);
	cr_assert_eq(audit_checkpoint_verify(&c, upper, &e), 0, "%s", e.message);
	cr_assert_eq(audit_checkpoint_verify(&c, "abc", &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	/* Swapping in another public key breaks the signature instead. */
	audit_key_public_hex(&other, c.public_key);
	cr_assert_eq(audit_checkpoint_verify(&c, NULL, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	memcpy(c.public_key, "xyz", 4);
	cr_assert_eq(audit_checkpoint_verify(&c, NULL, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
}

Test(audit_key, checkpoint_tampered)
{
	struct audit_keypair kp;
	struct audit_checkpoint c, x;
	char pk[AUDIT_KEY_HEX];
	struct err e;

	keypair(&kp);
	audit_key_public_hex(&kp, pk);
	cr_assert_eq(audit_checkpoint_sign(&kp, 42, AUDIT_GENESIS_HASH, "2026-03-05T10:00:00+08:00",
					   &c),
		     0);
	/* One flipped bit of the signature. */
	x = c;
	x.signature[10] = x.signature[10] == '0' ? '1' : '0';
	cr_assert_eq(audit_checkpoint_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	cr_assert(strstr(e.message, "签名"), "%s", e.message);
	x = c;
	x.seq = 43;
	cr_assert_eq(audit_checkpoint_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	x = c;
	x.head_hash[63] = '1';
	cr_assert_eq(audit_checkpoint_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	x = c;
	x.at[3] = '7';
	cr_assert_eq(audit_checkpoint_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	x = c;
	x.signature[0] = 'G';
	cr_assert_eq(audit_checkpoint_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
}

Test(audit_key, checkpoint_sign_rejects_bad_input)
{
	struct audit_keypair kp;
	struct audit_checkpoint c;

	keypair(&kp);
	memset(&c, 'q', sizeof c);
	cr_assert_eq(audit_checkpoint_sign(&kp, -1, AUDIT_GENESIS_HASH, "t", &c), -1);
	cr_assert_eq(c.seq, 0x7171717171717171LL, "untouched on failure");
	cr_assert_eq(audit_checkpoint_sign(&kp, 1, "abc", "t", &c), -1);
	cr_assert_eq(audit_checkpoint_sign(&kp, 1, AUDIT_GENESIS_HASH, "a b", &c), -1);
	cr_assert_eq(audit_checkpoint_sign(&kp, 1, AUDIT_GENESIS_HASH, "", &c), -1);
	cr_assert_eq(audit_checkpoint_sign(&kp, 1, AUDIT_GENESIS_HASH,
					   "2026-03-05T10:00:00.000000000+08:00", &c), -1);
}

Test(audit_key, checkpoint_format_too_small)
{
	struct audit_keypair kp;
	struct audit_checkpoint c;
	char small[100];

	keypair(&kp);
	cr_assert_eq(audit_checkpoint_sign(&kp, 1, AUDIT_GENESIS_HASH, "t", &c), 0);
	cr_assert_eq(audit_checkpoint_format(&c, small, sizeof small), -1);
	cr_assert_str_eq(small, "");
}

Test(audit_key, checkpoint_parse_malformed)
{
	struct audit_keypair kp;
	struct audit_checkpoint c, out;
	char line[AUDIT_CHECKPOINT_LINE], bad[AUDIT_CHECKPOINT_LINE + 64];
	struct err e;
	const char *p;

	keypair(&kp);
	cr_assert_eq(audit_checkpoint_sign(&kp, 12, AUDIT_GENESIS_HASH, "2026-03-05", &c), 0);
	cr_assert_eq(audit_checkpoint_format(&c, line, sizeof line), 0);
	p = line + strlen("xinyong-audit-checkpoint v1 seq=12");
	const char *cases[] = {
		"",
		"xinyong-audit-checkpoint v1",
		"xinyong-audit-checkpoint v2 seq=12",
		"xinyong-audit-checkpoint v1 seq=012",
		"xinyong-audit-checkpoint v1 seq=-12",
		"xinyong-audit-checkpoint v1 seq=99999999999999999999",
		"xinyong-audit-checkpoint v1  seq=12",
		"xinyong-audit-checkpoint v1 seq=",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(bad, sizeof bad, "%s%s", cases[i], i >= 3 ? p : "");
		err_clear(&e);
		memset(&out, 'q', sizeof out);
		cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1, "accepted: %s", bad);
		cr_assert_str_eq(e.reason, "request.invalid");
		cr_assert_eq(out.seq, 0x7171717171717171LL);
	}
	/* Trailing garbage, a missing field, upper-case hex, a field out of order. */
	snprintf(bad, sizeof bad, "%s x", line);
	cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1);
	snprintf(bad, sizeof bad, "%s ", line);
	cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1);
	snprintf(bad, sizeof bad, "%.*s", (int)(strstr(line, " sig=") - line), line);
	cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1);
	snprintf(bad, sizeof bad, "%s", line);
	*(strstr(bad, "key=") + 4) = 'A';
	cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1);
	snprintf(bad, sizeof bad,
		 "xinyong-audit-checkpoint v1 head=%s seq=12 at=2026-03-05 key=%s sig=%s",
		 c.head_hash, c.public_key, c.signature);
	cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1);
	snprintf(bad, sizeof bad, "%s\n\n", line);
	cr_assert_eq(audit_checkpoint_parse(bad, &out, &e), -1);
	/* The good line still parses. */
	cr_assert_eq(audit_checkpoint_parse(line, &out, &e), 0, "%s", e.message);
	cr_assert_eq(out.seq, 12);
}

static void anchor_make(struct audit_anchor *a, long long seq)
{
	memset(a, 0, sizeof *a);
	a->seq = seq;
	memcpy(a->hash, AUDIT_GENESIS_HASH, AUDIT_HASH_HEX);
	a->hash[0] = 'a';
	snprintf(a->entry_at, sizeof a->entry_at, "2021-03-01T09:00:00+08:00");
	snprintf(a->pruned_at, sizeof a->pruned_at, "2026-03-05T10:00:00+08:00");
}

Test(audit_key, anchor_signed_and_checked)
{
	struct audit_keypair kp, other;
	struct audit_anchor a, x;
	struct audit_checkpoint c;
	char pk[AUDIT_KEY_HEX], opk[AUDIT_KEY_HEX];
	struct err e;

	keypair(&kp);
	keypair(&other);
	audit_key_public_hex(&kp, pk);
	audit_key_public_hex(&other, opk);
	anchor_make(&a, 9);
	cr_assert_eq(audit_anchor_sign(&kp, &a), 0);
	cr_assert_str_eq(a.public_key, pk);
	cr_assert_eq(audit_anchor_verify(&a, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(audit_anchor_verify(&a, pk, &e), 0, "%s", e.message);
	cr_assert_eq(audit_anchor_verify(&a, opk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.key");
	/* Every signed member counts. */
	x = a;
	x.seq = 10;
	cr_assert_eq(audit_anchor_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	x = a;
	x.entry_at[3] = '5';
	cr_assert_eq(audit_anchor_verify(&x, pk, &e), -1);
	x = a;
	x.pruned_at[3] = '7';
	cr_assert_eq(audit_anchor_verify(&x, pk, &e), -1);
	/* No signature at all: what a forged row looks like. */
	anchor_make(&x, 9);
	cr_assert_eq(audit_anchor_verify(&x, NULL, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	cr_assert(strstr(e.message, "没有签名"), "%s", e.message);
	/* A checkpoint's signature of the same entry does not pass for an anchor's. */
	cr_assert_eq(audit_checkpoint_sign(&kp, 9, a.hash, a.entry_at, &c), 0);
	x = a;
	memcpy(x.signature, c.signature, sizeof x.signature);
	cr_assert_eq(audit_anchor_verify(&x, pk, &e), -1);
	cr_assert_str_eq(e.reason, "audit.broken");
	/* Malformed content is refused before signing. */
	anchor_make(&x, -1);
	cr_assert_eq(audit_anchor_sign(&kp, &x), -1);
	anchor_make(&x, 1);
	x.entry_at[0] = '\0';
	cr_assert_eq(audit_anchor_sign(&kp, &x), -1);
	audit_key_wipe(&kp);
	audit_key_wipe(&other);
}
