/*
 * audit_checkpoint.h - Ed25519-signed statements about the audit chain: checkpoints of its
 * head, the anchor a prune leaves, and the key file that signs both.
 *
 * A hash chain alone cannot show that its tail was cut off or rewritten with recomputed
 * hashes (see audit.h).  A checkpoint "entry `seq` had hash `head`", signed with a key the
 * database does not hold and kept somewhere else (a log line, another machine, paper),
 * can: verify its signature here, then hand it to audit_verify_expect.
 *
 * The signed message is exactly
 *     "xinyong-audit-checkpoint v1\nseq=<decimal>\nhead=<64 hex>\nat=<timestamp>\n"
 * and the one-line text form is
 *     "xinyong-audit-checkpoint v1 seq=N head=HEX at=TS key=HEX sig=HEX"
 * with lowercase hex throughout.  `at` is 1 to 31 printable ASCII characters without
 * spaces (normally "YYYY-MM-DDTHH:MM:SS+08:00"); the module does not read the clock.
 *
 * Pruning removes the oldest entries and keeps the last removed one as the anchor from
 * which verification starts.  An unsigned anchor would let anyone who can write the
 * database cut the trail's beginning and insert a matching anchor, so the anchor is
 * signed too, with its own message (a checkpoint can never pass for an anchor):
 *     "xinyong-audit-anchor v1\nseq=<decimal>\nhead=<64 hex>\nentry_at=<timestamp>\n"
 *     "pruned_at=<timestamp>\n"
 * entry_at is the time of the anchored entry, so that verification can refuse an anchor
 * that removed entries younger than the retention period.
 */
#ifndef XY_AUDIT_CHECKPOINT_H
#define XY_AUDIT_CHECKPOINT_H

#include "audit.h"

#include <sodium.h>
#include <stddef.h>

struct err;

#define AUDIT_KEY_HEX 65          /* 32-byte Ed25519 public key as hex + NUL */
#define AUDIT_SIGNATURE_HEX 129   /* 64-byte Ed25519 signature as hex + NUL */
#define AUDIT_AT_MAX 32           /* timestamp + NUL */
#define AUDIT_CHECKPOINT_LINE 400 /* enough for audit_checkpoint_format */

/* A signing key pair.  sk is secret: wipe it with audit_key_wipe when done. */
struct audit_keypair {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

/* Loads the key pair from `path`: one line holding the hex of the 32-byte Ed25519 seed
 * (surrounding whitespace is allowed after it).  When the file is missing and `create`
 * is non-zero, a new random seed is written there first (O_CREAT|O_EXCL, mode 0600,
 * fsync'd, as is its directory); losing a creation race to another process just loads
 * the winner's key.  A file that is not a regular file or grants any permission to group
 * or others (e.g. 0644) is refused: the key signs the trail, so whoever can read it can
 * forge checkpoints.  Returns 0 and fills *out, or -1 with `audit.key` (nothing written
 * to *out). */
int audit_key_load(const char *path, int create, struct audit_keypair *out, struct err *e);

/* Writes the public key as 64 lowercase hex characters + NUL. */
void audit_key_public_hex(const struct audit_keypair *kp, char out[AUDIT_KEY_HEX]);

/* Zeroes the key pair (the compiler may not optimise this away). */
void audit_key_wipe(struct audit_keypair *kp);

struct audit_checkpoint {
	long long seq;
	char head_hash[AUDIT_HASH_HEX];
	char at[AUDIT_AT_MAX];
	char public_key[AUDIT_KEY_HEX];
	char signature[AUDIT_SIGNATURE_HEX];
};

/* Signs "entry seq has hash head_hash, as of at" into *out (caller-owned; untouched on
 * failure).  Returns -1 only on a programming error: seq < 0, head_hash not 64 lowercase
 * hex, `at` not a timestamp token as above (or libsodium cannot start). */
int audit_checkpoint_sign(const struct audit_keypair *kp, long long seq, const char *head_hash,
			  const char *at, struct audit_checkpoint *out);

/* Checks the checkpoint's signature against its own public key; when trusted_pk_hex is
 * not NULL that key must equal it (hex, either case).  Returns 0 when valid; -1 with
 * `audit.key` when a key is malformed or not the trusted one, `audit.broken` when the
 * content or the signature is malformed or the signature does not match. */
int audit_checkpoint_verify(const struct audit_checkpoint *c, const char *trusted_pk_hex,
			    struct err *e);

/* The anchor a prune leaves: entry `seq` (the last removed, written at entry_at) had hash
 * `hash`; the entries up to it were removed at pruned_at. */
struct audit_anchor {
	long long seq;
	char hash[AUDIT_HASH_HEX];
	char entry_at[AUDIT_AT_MAX];
	char pruned_at[AUDIT_AT_MAX];
	char public_key[AUDIT_KEY_HEX];
	char signature[AUDIT_SIGNATURE_HEX];
};

/* Signs the anchor whose seq, hash, entry_at and pruned_at are filled in *a, writing its
 * public_key and signature.  Returns -1 (nothing written) only on a programming error, as
 * audit_checkpoint_sign. */
int audit_anchor_sign(const struct audit_keypair *kp, struct audit_anchor *a);

/* Checks the anchor's signature as audit_checkpoint_verify checks a checkpoint's (an
 * anchor with no signature at all is `audit.broken`). */
int audit_anchor_verify(const struct audit_anchor *a, const char *trusted_pk_hex,
			struct err *e);

/* Writes the one-line text form (no newline) into out.  Returns 0, or -1 when it does
 * not fit (AUDIT_CHECKPOINT_LINE always does); out is then an empty string if size > 0. */
int audit_checkpoint_format(const struct audit_checkpoint *c, char *out, size_t size);

/* Reads the one-line text form (one trailing "\n" or "\r\n" allowed) into *out
 * (untouched on failure).  Checks the shape only, not the signature: call
 * audit_checkpoint_verify next.  Returns -1 with `request.invalid` when malformed. */
int audit_checkpoint_parse(const char *line, struct audit_checkpoint *out, struct err *e);

#endif
