/*
 * credit_code.h - the credit code (信用码): a QR code a legal person shows in its shop
 * or at a government hall, whose link opens its public page and carries a signed token
 * stating its credit status on a day, so that a scanner can check the claim offline
 * with the platform's published key (/.well-known/xinyong-keys.json).
 *
 * The token (docs/data-formats.md):
 *   "XYCC1." base64url(payload) "." base64url(signature)      (RFC 4648 §5, no padding)
 *   payload    the RFC 8785 canonical JSON of
 *              {"code": USCC, "colour": "green"|"yellow"|"red", "date": "YYYY-MM-DD",
 *               "key_id": the signing key's id (report_seal.h)}
 *   signature  Ed25519 over CREDIT_CODE_CONTEXT followed by the payload bytes
 * The context string keeps a credit code's signature from ever passing for a report's
 * (which signs bare canonical JSON) and the other way round.
 * Pure.
 */
#ifndef XY_CORE_CREDIT_CODE_H
#define XY_CORE_CREDIT_CODE_H

#include <sodium.h>

#include "core/report_seal.h"

struct buf;
struct err;

#define CREDIT_CODE_PREFIX "XYCC1."
#define CREDIT_CODE_CONTEXT "xinyong credit code v1\n"

/* The status colour: green, no negative record in force; yellow, negative records in
 * force; red, on a list of seriously dishonest subjects (or another black list). */
enum credit_colour { CREDIT_GREEN, CREDIT_YELLOW, CREDIT_RED };

struct credit_claim {
	char code[19];
	enum credit_colour colour;
	char date[11];
	char key_id[REPORT_KEY_ID_LEN + 1];
};

/* "green", "yellow", "red"; and the words people read: 绿码, 黄码, 红码, with what
 * each means. */
const char *credit_colour_name(enum credit_colour c);
const char *credit_colour_label(enum credit_colour c);
const char *credit_colour_meaning(enum credit_colour c);

/* Appends the token of `claim` signed with sk.  Fails with internal.error when out of
 * memory. */
int credit_code_make(const struct credit_claim *claim,
		     const unsigned char sk[crypto_sign_SECRETKEYBYTES], struct buf *out,
		     struct err *e);

/* Reads the claim of `token` without checking its signature (the caller finds the key
 * by claim->key_id).  Returns 0, or -1 with `credit_code.invalid` naming what is wrong. */
int credit_code_read(const char *token, struct credit_claim *claim, struct err *e);

/* 1 when `token` (well formed) is signed by the key pk, 0 otherwise. */
int credit_code_signed_by(const char *token, const unsigned char pk[crypto_sign_PUBLICKEYBYTES]);

#endif
