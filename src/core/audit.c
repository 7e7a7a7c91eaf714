/*
 * audit.c - hashing audit entries and verifying the chain as a stream; see audit.h for the
 * canonical form and the classification rules, which this file follows rule by rule.
 */
#include "audit.h"

#include "err.h"
#include "text.h"

#include <assert.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_TAG "xinyong-audit-v1"

/* ---- The canonical hash --------------------------------------------------------------- */

static void audit_put_netstring(crypto_generichash_state *st, const char *s)
{
	char head[32];
	size_t len = s ? strlen(s) : 0;
	int n = snprintf(head, sizeof head, "%zu:", len);

	crypto_generichash_update(st, (const unsigned char *)head, (unsigned long long)n);
	if (len)
		crypto_generichash_update(st, (const unsigned char *)s, len);
	crypto_generichash_update(st, (const unsigned char *)",", 1);
}

/* The hash of e as if its seq were `seq`: the renumbering search needs other seqs. */
static void audit_hash_with_seq(const struct audit_entry *e, long long seq, const char *prev,
				char out[AUDIT_HASH_HEX])
{
	crypto_generichash_state st;
	unsigned char digest[32];
	char num[32];

	snprintf(num, sizeof num, "%lld", seq);
	crypto_generichash_init(&st, NULL, 0, sizeof digest);
	if (prev)
		crypto_generichash_update(&st, (const unsigned char *)prev, strlen(prev));
	crypto_generichash_update(&st, (const unsigned char *)AUDIT_TAG, strlen(AUDIT_TAG));
	audit_put_netstring(&st, num);
	audit_put_netstring(&st, e->at);
	audit_put_netstring(&st, e->actor);
	audit_put_netstring(&st, e->role);
	audit_put_netstring(&st, e->dept_code);
	audit_put_netstring(&st, e->action);
	audit_put_netstring(&st, e->subject_code);
	audit_put_netstring(&st, e->purpose);
	audit_put_netstring(&st, e->client);
	audit_put_netstring(&st, e->detail);
	crypto_generichash_final(&st, digest, sizeof digest);
	sodium_bin2hex(out, AUDIT_HASH_HEX, digest, sizeof digest);
}

void audit_entry_hash(const struct audit_entry *e, const char *prev_hash_hex,
		      char out[AUDIT_HASH_HEX])
{
	audit_hash_with_seq(e, e->seq, prev_hash_hex, out);
}

int audit_hash_is_valid(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < AUDIT_HASH_HEX - 1; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

/* ---- The verifier ---------------------------------------------------------------------- */

/* What is kept of P, the first entry that did not follow the head cleanly.  Hashes that
 * were not well-formed are kept as "", which matches nothing. */
struct audit_suspect {
	long long seq;
	char prev_hash[AUDIT_HASH_HEX];
	char hash[AUDIT_HASH_HEX];
	int links_head;        /* prev_hash == H's hash */
	int links_before;      /* prev_hash == B's hash (B exists) */
	int self_ok;           /* hash == H(prev_hash || canonical) */
	long long renumbered;  /* the later seq under which it is self-consistent, or 0 */
};

struct audit_verifier {
	long long anchor_seq;
	char anchor_hash[AUDIT_HASH_HEX];
	long long head_seq;                /* H: the last good entry (the anchor at first) */
	char head_hash[AUDIT_HASH_HEX];
	char before_hash[AUDIT_HASH_HEX];  /* B: valid only when head_seq > anchor_seq */
	long long accepted;                /* good entries after the anchor */
	int pending;                       /* suspect holds P */
	struct audit_suspect suspect;
	long long expect_seq;              /* checkpoint to reach, 0 when none */
	char expect_hash[AUDIT_HASH_HEX];
	int done;                          /* finding is final */
	struct audit_finding finding;
};

static void audit_copy_hash(char dst[AUDIT_HASH_HEX], const char *src)
{
	if (audit_hash_is_valid(src))
		memcpy(dst, src, AUDIT_HASH_HEX);
	else
		dst[0] = '\0';
}

/* Equality of a stored string with a kept hash; a kept "" (malformed) never matches. */
static int audit_links(const char *stored, const char *kept)
{
	return kept[0] && stored && strcmp(stored, kept) == 0;
}

static int audit_self_consistent(const struct audit_entry *e)
{
	char calc[AUDIT_HASH_HEX];

	audit_entry_hash(e, e->prev_hash, calc);
	return e->hash && strcmp(e->hash, calc) == 0;
}

/* The later seq under which e hashes to its stored hash, or 0: an entry renumbered to
 * close the gap left by a deletion still carries the hash made with its old seq. */
static long long audit_find_renumbering(const struct audit_entry *e)
{
	char calc[AUDIT_HASH_HEX];
	long long s;

	if (!e->hash || e->seq > LLONG_MAX - AUDIT_RENUMBER_SPAN)
		return 0;
	for (s = e->seq + 1; s <= e->seq + AUDIT_RENUMBER_SPAN; s++) {
		audit_hash_with_seq(e, s, e->prev_hash, calc);
		if (strcmp(e->hash, calc) == 0)
			return s;
	}
	return 0;
}

int audit_verify_begin(struct audit_verifier **out, long long anchor_seq, const char *anchor_hash,
		       struct err *e)
{
	struct audit_verifier *v;

	*out = NULL;
	if (anchor_seq < 0 || anchor_seq == LLONG_MAX)
		return err_set(e, "request.invalid", "审计锚点序号无效：%lld", anchor_seq);
	if (!audit_hash_is_valid(anchor_hash))
		return err_set(e, "request.invalid", "审计锚点哈希应为 64 位小写十六进制字符");
	if (sodium_init() < 0)
		return err_set(e, "internal.error", "密码库 libsodium 初始化失败");
	v = calloc(1, sizeof *v);
	if (!v)
		return err_set(e, "internal.error", "内存不足，无法校验审计日志");
	v->anchor_seq = anchor_seq;
	v->head_seq = anchor_seq;
	memcpy(v->anchor_hash, anchor_hash, AUDIT_HASH_HEX);
	memcpy(v->head_hash, anchor_hash, AUDIT_HASH_HEX);
	*out = v;
	return 0;
}

int audit_verify_expect(struct audit_verifier *v, long long seq, const char *head_hash,
			struct err *e)
{
	if (!audit_hash_is_valid(head_hash))
		return err_set(e, "request.invalid", "检查点哈希应为 64 位小写十六进制字符");
	if (seq <= v->anchor_seq)
		return 0;
	v->expect_seq = seq;
	memcpy(v->expect_hash, head_hash, AUDIT_HASH_HEX);
	return 0;
}

/* Records the finding.  `at_head` says the concerned entry is H itself, which then no
 * longer counts as good: the good prefix ends at B. */
static void audit_conclude(struct audit_verifier *v, enum audit_problem problem, long long seq,
			   int at_head, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void audit_conclude(struct audit_verifier *v, enum audit_problem problem, long long seq,
			   int at_head, const char *fmt, ...)
{
	struct audit_finding *f = &v->finding;
	va_list ap;

	f->problem = problem;
	f->seq = seq;
	if (at_head) {
		assert(v->head_seq > v->anchor_seq);
		f->entries = v->accepted - 1;
		memcpy(f->head_hash, v->before_hash, AUDIT_HASH_HEX);
	} else {
		f->entries = v->accepted;
		memcpy(f->head_hash, v->head_hash, AUDIT_HASH_HEX);
	}
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	text_utf8_clip(f->message);
	v->done = 1;
	v->pending = 0;
}

/* The entry at the checkpoint's seq carries another hash, yet the chain up to it is
 * consistent: it was rewritten from some entry on, hashes recomputed.  Which entry the
 * chain cannot say, so nothing after the anchor counts as good. */
static void audit_conclude_checkpoint(struct audit_verifier *v)
{
	struct audit_finding *f = &v->finding;

	f->problem = AUDIT_ALTERED;
	f->seq = v->expect_seq;
	f->entries = 0;
	memcpy(f->head_hash, v->anchor_hash, AUDIT_HASH_HEX);
	snprintf(f->message, sizeof f->message,
		 "第 %lld 条审计记录与签名检查点不符："
		 "第 %lld 至 %lld 条中有记录被改写，且哈希被重新计算",
		 v->expect_seq, v->anchor_seq + 1, v->expect_seq);
	text_utf8_clip(f->message);
	v->done = 1;
	v->pending = 0;
}

/* Classifies P (v->suspect) with N the entry after it, NULL at the end of the trail.
 * The numbered rules are those of audit.h. */
static void audit_classify(struct audit_verifier *v, const struct audit_entry *n)
{
	const struct audit_suspect *p = &v->suspect;
	long long expected = v->head_seq + 1;
	int has_before = v->head_seq > v->anchor_seq;
	int n_links_p = n && audit_links(n->prev_hash, p->hash);
	int n_links_h = n && audit_links(n->prev_hash, v->head_hash);

	/* Rule 1 is decided when P is fed, before any N. */
	assert(p->seq > v->head_seq);
	if (n_links_h) { /* 2 */
		audit_conclude(v, AUDIT_INSERTED, p->seq, 0,
			       "第 %lld 条审计记录是插入的：其前后两条记录直接衔接，它不在链中",
			       p->seq);
		return;
	}
	if (has_before && p->links_before) { /* 3 */
		audit_conclude(v, AUDIT_INSERTED, v->head_seq, 1,
			       "第 %lld 条审计记录是插入的：其后的记录仍与它之前的记录衔接",
			       v->head_seq);
		return;
	}
	if (p->seq > expected) { /* 4 */
		if (p->links_head)
			audit_conclude(v, AUDIT_ALTERED, expected, 0,
				       "第 %lld 条审计记录被篡改：序号被改为 %lld", expected,
				       p->seq);
		else if (p->seq - expected == 1)
			audit_conclude(v, AUDIT_REMOVED, expected, 0, "第 %lld 条审计记录被删除",
				       expected);
		else
			audit_conclude(v, AUDIT_REMOVED, expected, 0,
				       "第 %lld 至 %lld 条审计记录（共 %lld 条）被删除", expected,
				       p->seq - 1, p->seq - expected);
		return;
	}
	/* 5: P.seq == expected. */
	if (!p->links_head && !p->self_ok && p->renumbered) { /* 5a */
		audit_conclude(v, AUDIT_REMOVED, expected, 0,
			       "自第 %lld 条起的 %lld 条审计记录被删除，其后的记录被重新编号",
			       expected, p->renumbered - expected);
		return;
	}
	if (p->links_head && !p->self_ok) { /* 5b */
		audit_conclude(v, AUDIT_ALTERED, p->seq, 0,
			       "第 %lld 条审计记录被篡改：内容与其哈希不符", p->seq);
		return;
	}
	if (!p->links_head && p->self_ok) { /* 5c */
		if (n_links_p && has_before)
			audit_conclude(v, AUDIT_ALTERED, v->head_seq, 1,
				       "第 %lld 条审计记录被篡改："
				       "其哈希被重新计算，第 %lld 条记录已与它不衔接",
				       v->head_seq, p->seq);
		else if (n_links_p)
			audit_conclude(v, AUDIT_ALTERED, p->seq, 0,
				       "第 %lld 条审计记录与锚点（第 %lld 条）不衔接："
				       "其前序哈希被改写，或锚点有误",
				       p->seq, v->anchor_seq);
		else if (!n)
			audit_conclude(v, AUDIT_INSERTED, p->seq, 0,
				       "第 %lld 条审计记录是插入的："
				       "它是最后一条，且与前一条记录不衔接",
				       p->seq);
		else
			audit_conclude(v, AUDIT_ALTERED, p->seq, 0,
				       "第 %lld 条审计记录被篡改：与前后记录均不衔接", p->seq);
		return;
	}
	/* 5d */
	audit_conclude(v, AUDIT_ALTERED, p->seq, 0,
		       "第 %lld 条审计记录被篡改：内容与其哈希不符，且与前一条记录不衔接", p->seq);
}

int audit_verify_feed(struct audit_verifier *v, const struct audit_entry *e)
{
	struct audit_suspect *p = &v->suspect;
	int links_head, self_ok;

	assert(e);
	if (v->done)
		return -1;
	if (v->pending) {
		audit_classify(v, e);
		return -1;
	}
	links_head = audit_links(e->prev_hash, v->head_hash);
	self_ok = audit_self_consistent(e);
	if (e->seq == v->head_seq + 1 && links_head && self_ok) {
		memcpy(v->before_hash, v->head_hash, AUDIT_HASH_HEX);
		memcpy(v->head_hash, e->hash, AUDIT_HASH_HEX);
		v->head_seq = e->seq;
		v->accepted++;
		if (e->seq == v->expect_seq && strcmp(e->hash, v->expect_hash) != 0) {
			audit_conclude_checkpoint(v);
			return -1;
		}
		return 0;
	}
	if (e->seq <= v->head_seq) { /* rule 1: needs no look-ahead */
		/* A second entry with H's seq that links to B: either of the two may be the
		 * intruder, so H no longer counts as good. */
		int at_head = e->seq == v->head_seq && v->head_seq > v->anchor_seq &&
			      audit_links(e->prev_hash, v->before_hash);

		audit_conclude(v, AUDIT_INSERTED, e->seq, at_head,
			       "第 %lld 条审计记录是插入的："
			       "序号重复或顺序错乱（前一条为第 %lld 条）",
			       e->seq, v->head_seq);
		return -1;
	}
	p->seq = e->seq;
	audit_copy_hash(p->prev_hash, e->prev_hash);
	audit_copy_hash(p->hash, e->hash);
	p->links_head = links_head;
	p->links_before = v->head_seq > v->anchor_seq && audit_links(e->prev_hash, v->before_hash);
	p->self_ok = self_ok;
	p->renumbered = 0;
	if (e->seq == v->head_seq + 1 && !links_head && !self_ok)
		p->renumbered = audit_find_renumbering(e);
	v->pending = 1;
	return 0;
}

int audit_verify_end(struct audit_verifier *v, struct audit_finding *out)
{
	if (!v->done) {
		if (v->pending) {
			audit_classify(v, NULL);
		} else if (v->expect_seq > v->head_seq) {
			audit_conclude(v, AUDIT_REMOVED, v->head_seq + 1, 0,
				       "签名检查点记到第 %lld 条，审计日志只到第 %lld 条："
				       "末尾的 %lld 条记录被删除",
				       v->expect_seq, v->head_seq, v->expect_seq - v->head_seq);
		} else {
			v->finding.problem = AUDIT_INTACT;
			v->finding.seq = v->head_seq;
			v->finding.entries = v->accepted;
			memcpy(v->finding.head_hash, v->head_hash, AUDIT_HASH_HEX);
			snprintf(v->finding.message, sizeof v->finding.message,
				 "审计日志完整：已校验 %lld 条记录", v->accepted);
			v->done = 1;
		}
	}
	*out = v->finding;
	return v->finding.problem == AUDIT_INTACT ? 0 : -1;
}

void audit_verify_free(struct audit_verifier *v)
{
	free(v);
}
