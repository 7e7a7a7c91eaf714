/*
 * audit.h - the audit trail as a hash chain: the canonical hash of an entry and a streaming
 * verifier that says where and how a stored chain was tampered with.
 *
 * Pure logic (libsodium's BLAKE2b), no database: the caller stores entries and feeds them
 * back in ascending seq order.  Signed checkpoints of the chain head are in
 * audit_checkpoint.h.
 *
 * The hash of an entry is BLAKE2b-256 (unkeyed, 32 bytes, written as 64 lowercase hex
 * characters) over the bytes
 *
 *     prev_hash_hex || "xinyong-audit-v1" || ns(seq) || ns(at) || ns(actor) || ns(role)
 *         || ns(dept_code) || ns(action) || ns(subject_code) || ns(purpose) || ns(client)
 *         || ns(detail)
 *
 * where ns(x) is the netstring "<decimal byte length>:<bytes>," and seq is written in
 * decimal ("12", "-1" never occurs).  A NULL string counts as "", so changing a field
 * between NULL and "" does not change the hash.  The netstrings make the form
 * unambiguous: a value moved from one field to its neighbour changes the hash.  The first
 * entry's prev_hash is AUDIT_GENESIS_HASH (or, after pruning, the hash of the last pruned
 * entry: the anchor).
 */
#ifndef XY_AUDIT_H
#define XY_AUDIT_H

#include <stddef.h>

struct err;

#define AUDIT_HASH_HEX 65 /* 64 lowercase hex characters + NUL: BLAKE2b-256 */
#define AUDIT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* One entry as stored.  Every pointer is borrowed: this module never keeps or frees them. */
struct audit_entry {
	long long seq;            /* 1, 2, 3 ... without gaps */
	const char *at;           /* "YYYY-MM-DDTHH:MM:SS+08:00" */
	const char *actor;        /* "user:zhang", "token:12", "cli:root", "anonymous" */
	const char *role;         /* "submitter,handler" or "" */
	const char *dept_code;    /* "" when none */
	const char *action;       /* "batch.create", "subject.read", "user.add" ... */
	const char *subject_code; /* "" when none */
	const char *purpose;      /* 查询事由, "" when none */
	const char *client;       /* "127.0.0.1", "cli" */
	const char *detail;       /* compact JSON or "" */
	const char *prev_hash;    /* hex, as stored; not read by audit_entry_hash */
	const char *hash;         /* hex, as stored; not read by audit_entry_hash */
};

/* Writes the hash of e chained to prev_hash_hex (NULL counts as "") into out.  e->hash
 * and e->prev_hash are ignored, so a writer can compute the hash before storing it.
 * Cannot fail. */
void audit_entry_hash(const struct audit_entry *e, const char *prev_hash_hex,
		      char out[AUDIT_HASH_HEX]);

/* Non-zero when s is exactly 64 lowercase hex characters. */
int audit_hash_is_valid(const char *s);

/* ---- Streaming verification ----------------------------------------------------------
 *
 * The verifier keeps a few hashes and one entry of look-ahead, never the trail: it copies
 * what it needs of each fed entry, so the caller's strings only have to live during the
 * call.  Terms below: "links to X" means prev_hash equals X's hash; "self-consistent"
 * means hash == H(prev_hash || canonical), both as stored; H is the last good entry and
 * B the one before it (none when H is the anchor); P is the first entry that does not
 * follow H cleanly (seq == H.seq + 1, links to H, self-consistent); N is the entry after
 * P ("none" at the end of the trail).  Once P is seen a finding is certain; it is
 * classified when N arrives or at audit_verify_end, by the first rule that applies:
 *
 *  1. P.seq <= H.seq (duplicate or out of order)            -> INSERTED at P.seq
 *     (decided at once; when P repeats H.seq and links to B, H is no longer good).
 *  2. N links to H: P sits between two linked entries        -> INSERTED at P.seq.
 *  3. P links to B: H sits between two linked entries        -> INSERTED at H.seq
 *     (an intruder that was given a valid hash, the entries after it renumbered).  When
 *     a finding concerns H, H no longer counts as good: entries and head_hash stop at B.
 *  4. P.seq > H.seq + 1 (gap): when P links to H its seq was edited -> ALTERED at
 *     H.seq + 1; otherwise entries are missing               -> REMOVED at H.seq + 1.
 *  5. P.seq == H.seq + 1:
 *     a. P does not link to H, is not self-consistent, but is self-consistent under a
 *        later seq s (searched up to AUDIT_RENUMBER_SPAN ahead): the entries H.seq+1 ..
 *        s-1 were deleted and the rest renumbered         -> REMOVED at H.seq + 1.
 *     b. P links to H but is not self-consistent: content (or hash) changed -> ALTERED
 *        at P.seq, whether or not N still links to P's stored hash.
 *     c. P does not link to H but is self-consistent:
 *        - N links to P and H is an entry: H was changed and its hash recomputed, which
 *          broke P's link (seq is hashed, so a deletion would have left a gap or a
 *          renumbered, non-self-consistent entry)        -> ALTERED at H.seq;
 *        - N links to P and H is the anchor: P does not join the anchor -> ALTERED at
 *          P.seq (its prev_hash was rewritten, or the anchor given is wrong);
 *        - no N (P is the last entry): an appended entry -> INSERTED at P.seq.  The chain
 *          cannot tell this from "H rewritten with its hash recomputed"; a signed
 *          checkpoint of H or later can;
 *        - N links to neither                            -> ALTERED at P.seq.
 *     d. P neither links nor is self-consistent           -> ALTERED at P.seq.
 *
 * Limits a hash chain cannot overcome alone: entries deleted from the end, an entry
 * appended with a correct link and hash, and any suffix rewritten with recomputed hashes
 * all leave an intact chain.  A signed checkpoint (audit_checkpoint.h) closes that gap up
 * to its seq: pass it to audit_verify_expect and the entry at that seq must exist and
 * carry the checkpoint's head hash.
 */

#define AUDIT_RENUMBER_SPAN 1024

enum audit_problem {
	AUDIT_INTACT = 0,
	AUDIT_ALTERED,
	AUDIT_REMOVED,
	AUDIT_INSERTED,
};

struct audit_finding {
	enum audit_problem problem;
	long long seq;                 /* the first entry concerned; when intact, the last
					* entry's seq (the anchor's when there was none) */
	long long entries;             /* entries verified good (after the anchor) */
	char head_hash[AUDIT_HASH_HEX]; /* hash of the last good entry (the anchor's if none) */
	char message[256];             /* Simplified Chinese, for people */
};

struct audit_verifier; /* opaque; free with audit_verify_free */

/* Starts a verification after the anchor: the last pruned entry, or 0 and
 * AUDIT_GENESIS_HASH when nothing was pruned.  The first entry fed must have seq
 * anchor_seq + 1.  On success *out is a new verifier the caller frees with
 * audit_verify_free; on failure (negative anchor_seq, anchor_hash not 64 lowercase hex:
 * `request.invalid`; out of memory or libsodium unusable: `internal.error`) *out is NULL. */
int audit_verify_begin(struct audit_verifier **out, long long anchor_seq, const char *anchor_hash,
		       struct err *e);

/* Makes the verifier hold the trail to a trusted (signature-checked) checkpoint: the entry
 * at `seq` must be reached and have hash `head_hash`.  Call before the first feed; a later
 * call replaces the earlier one.  A checkpoint at or before the anchor says nothing about
 * the entries left and is ignored.  Findings it adds, when the chain itself is intact up
 * to `seq`:
 *   - the entry at `seq` has another hash: entries up to it were rewritten with their
 *     hashes recomputed -> ALTERED, seq = the checkpoint's seq, entries = 0 and head_hash
 *     = the anchor's (no entry after the anchor can be trusted);
 *   - the trail ends before `seq`: entries were deleted from the end -> REMOVED at the
 *     first missing seq.
 * Returns -1 with `request.invalid` when head_hash is not 64 lowercase hex. */
int audit_verify_expect(struct audit_verifier *v, long long seq, const char *head_hash,
			struct err *e);

/* Feeds the next entry, in ascending seq order.  Returns 0 while no finding has been made
 * (a broken entry may return 0 while the verifier waits for the next one to classify it)
 * and -1 once one has; later feeds are then ignored and return -1. */
int audit_verify_feed(struct audit_verifier *v, const struct audit_entry *e);

/* Ends the trail and fills *out (caller-owned).  Returns 0 when intact, -1 with the
 * finding.  Does not free v; calling it again gives the same result. */
int audit_verify_end(struct audit_verifier *v, struct audit_finding *out);

/* NULL is allowed. */
void audit_verify_free(struct audit_verifier *v);

#endif
