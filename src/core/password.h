/*
 * password.h - the password policy and Argon2id password hashes (libsodium).
 *
 * Hashes are libsodium's self-describing strings ("$argon2id$v=19$m=...,t=...,p=1$..."),
 * so the cost can be raised later without a flag day: old hashes still verify.  All
 * buffers belong to the caller; nothing here allocates.  Thread-safe.
 */
#ifndef XY_PASSWORD_H
#define XY_PASSWORD_H

#include <stddef.h>

struct err;

#define PASSWORD_MIN_CHARS 10  /* UTF-8 characters */
#define PASSWORD_MAX_BYTES 128 /* bounds the work a login request can ask for */
#define PASSWORD_HASH_MAX 128  /* >= crypto_pwhash_STRBYTES, checked in password.c */

/* Checks a new password against the policy: at least PASSWORD_MIN_CHARS characters, at
 * most PASSWORD_MAX_BYTES bytes, valid UTF-8, at least 3 of the 4 classes (ASCII lower
 * case, ASCII upper case, digit, anything else including CJK), not containing user_name
 * (ASCII case-insensitively; only when user_name has 3 or more characters; user_name may
 * be NULL), and not one of a built-in list of common passwords (ASCII case-insensitively).
 * Returns 0, or -1 with reason `password.weak`, field "password" and a message naming the
 * rule that failed.  A NULL password fails as too short. */
int password_check_policy(const char *password, const char *user_name, struct err *e);

/* Hashes password with Argon2id at libsodium's "interactive" cost into out (a
 * NUL-terminated string).  Returns 0, or -1 with reason `internal.error` (libsodium could
 * not start or the memory could not be allocated). */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX], struct err *e);

/* Returns 1 when password matches hash, 0 otherwise, including for a NULL, empty or
 * malformed hash and a NULL password.  Takes the time of one Argon2id computation. */
int password_verify(const char *hash, const char *password);

/* Does the work of one password_verify against a fixed hash (computed on first use), and
 * throws the result away: a login for an unknown user name calls it so that it takes as
 * long as a login for a known one, and the response time does not tell which names exist. */
void password_burn_time(const char *password);

#endif
