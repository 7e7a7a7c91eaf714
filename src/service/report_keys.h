/*
 * report_keys.h - the keys that sign credit reports and the keys of other platforms
 * whose reports this one recognises (异地互认).
 *
 * The platform signs with one own key at a time: the one in force (valid_from passed,
 * no valid_until).  Rotation gives the current key a valid_until and makes a new one, so
 * reports signed before keep verifying with the old key, and a report that claims a
 * later time under the old key does not.  The public halves are published as
 *   {"issuer": NAME, "url": ADDRESS, "keys": [{"id", "algorithm": "Ed25519",
 *     "public_key": HEX, "valid_from", "valid_until": TIME|null}]}
 * at /.well-known/xinyong-keys.json; `keys trust` adds such a document of another
 * platform (its keys have no secret half here).
 */
#ifndef XY_SERVICE_REPORT_KEYS_H
#define XY_SERVICE_REPORT_KEYS_H

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>

#include "core/report_seal.h"

struct err;
struct store;

#define REPORT_KEYS_DEFAULT_ISSUER "公共信用信息共享平台"

struct report_key {
	char id[REPORT_KEY_ID_LEN + 1];
	char issuer[256];
	char url[256];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* own keys only, else zeros */
	int own;
	char valid_from[26];
	char valid_until[26]; /* "" while in force */
};

/* Every key the platform holds, own and trusted.  Free with report_keyring_free, which
 * wipes the secret halves. */
struct report_keyring {
	size_t n;
	struct report_key *keys;
};

int report_keyring_load(struct store *s, struct report_keyring *out, struct err *e);
void report_keyring_free(struct report_keyring *r);
/* The own key that signs at `now` ("YYYY-MM-DDTHH:MM:SS+08:00"), or NULL. */
const struct report_key *report_keyring_signer(const struct report_keyring *r,
					       const char *now);
/* The key of that id, or NULL. */
const struct report_key *report_keyring_find(const struct report_keyring *r, const char *id);
/* Whether key k was in force at `when` (a report's generated_at, as a timestamp). */
int report_key_valid_at(const struct report_key *k, const char *when);

/* keys generate: the first own key, for issuer (NULL: the default) at url (NULL: "").
 * Fails with `request.invalid` when an own key is already in force (rotate it instead).
 * *out: the new key's public description. */
int report_keys_generate(struct store *s, const char *issuer, const char *url, json_t **out,
			 struct err *e);
/* keys rotate: retires the key in force now and makes a new one with the same issuer and
 * address (or those given, when not NULL).  Fails with `keys.missing` when none is in
 * force. */
int report_keys_rotate(struct store *s, const char *issuer, const char *url, json_t **out,
		       struct err *e);
/* init, demo and serve: makes the first own key when the platform has none, for
 * `issuer` (NULL: $XINYONG_ISSUER, else the default); 0 either way. */
int report_keys_ensure(struct store *s, const char *issuer, struct err *e);
/* keys list: {"keys": [{"id", "issuer", "url", "own", "public_key", "valid_from",
 * "valid_until", "in_force"}]}, own keys first.  No secret ever leaves this file. */
int report_keys_list(struct store *s, json_t **out, struct err *e);
/* keys export and /.well-known/xinyong-keys.json: the document above, own keys only. */
int report_keys_export(struct store *s, json_t **out, struct err *e);
/* keys trust: adds (or updates) the keys of a published document `text` of another
 * platform, named `name` (its issuer's name when NULL).  Fails with `keys.invalid`
 * naming what is wrong; refuses a document holding one of this platform's own keys.
 * *out: {"issuer", "added", "updated"}. */
int report_keys_trust(struct store *s, const char *name, const char *text, json_t **out,
		      struct err *e);

#endif
