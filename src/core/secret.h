/*
 * secret.h - random secrets (session and API tokens, activation codes) and the form in
 * which they are stored.
 *
 * A token is 256 random bits, so a fast hash is enough to store it: nobody can guess a
 * preimage, and the lookup by hash is one index probe.  Passwords, which people choose,
 * use password.h instead.  All buffers belong to the caller; nothing here allocates.
 * Thread-safe.
 */
#ifndef XY_SECRET_H
#define XY_SECRET_H

#define SECRET_TOKEN_MAX 64      /* "xys_" or "xyt_" + 43 base64url characters + NUL */
#define SECRET_ACTIVATION_MAX 24 /* "XXXX-XXXX-XXXX-XXXX" + NUL, with room to spare */
#define SECRET_HASH_HEX 65       /* 64 lower-case hex digits + NUL */

/* A new session token: "xys_" followed by 32 random bytes in unpadded base64url.
 * Returns 0, or -1 (out = "") when libsodium cannot start. */
int secret_session_token(char out[SECRET_TOKEN_MAX]);

/* A new API token: "xyt_" followed by 32 random bytes in unpadded base64url.  The prefix
 * lets a secret scanner, and a person, tell the two kinds apart.  Returns 0 or -1. */
int secret_api_token(char out[SECRET_TOKEN_MAX]);

/* A new activation code of 80 random bits: four groups of four Crockford base32
 * characters (0-9 and A-Z without I, L, O, U) joined by '-', e.g. "K7QF-M2XD-9PRT-W3HN".
 * The alphabet has no letters that read like digits, so a code read out over the phone
 * survives.  Aborts the process when the system has no source of randomness. */
void secret_activation_code(char out[SECRET_ACTIVATION_MAX]);

/* Reads an activation code as a person typed it: ASCII letters are upper-cased, '-' and
 * spaces dropped, O read as 0 and I, L as 1.  Returns 0 and writes the 16 characters
 * without dashes, or -1 (out = "") unless exactly 16 valid characters remain.  The stored
 * form of a code is secret_hash_hex of this normalized form. */
int secret_activation_normalize(const char *in, char out[SECRET_ACTIVATION_MAX]);

/* BLAKE2b-256 of the string (NULL hashes as ""), as lower-case hex. */
void secret_hash_hex(const char *secret, char out[SECRET_HASH_HEX]);

/* Keyed BLAKE2b-256 of `purpose`, keyed with the BLAKE2b-256 of `secret`, as lower-case
 * hex.  Derives a value bound to a secret without storing it: a session's CSRF token is
 * secret_derive_hex(session_token, "csrf").  NULL arguments count as "". */
void secret_derive_hex(const char *secret, const char *purpose, char out[SECRET_HASH_HEX]);

/* 1 when a and b are equal and non-empty, else 0 (also when either is NULL).  For strings
 * of the same length the time does not depend on where they differ. */
int secret_equal(const char *a, const char *b);

#endif
