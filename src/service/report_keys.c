/*
 * report_keys.c - report signing keys: the own keys and the trusted ones
 * (report_keys.h).
 */
#include "report_keys.h"

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int hex_to_bin(const char *hex, unsigned char *out, size_t n)
{
	size_t len = 0;

	return hex && strlen(hex) == 2 * n &&
			       sodium_hex2bin(out, n, hex, 2 * n, NULL, &len, NULL) == 0 &&
			       len == n
		       ? 0
		       : -1;
}

struct ring_ctx {
	struct report_keyring *ring;
	int failed;
};

static int ring_add(void *ctx, const struct store_signing_key *sk)
{
	struct ring_ctx *c = ctx;
	struct report_keyring *r = c->ring;
	struct report_key *grown = realloc(r->keys, (r->n + 1) * sizeof *grown), *k;
	unsigned char seed[crypto_sign_SEEDBYTES];

	if (!grown) {
		c->failed = 1;
		return 1;
	}
	r->keys = grown;
	k = memset(&r->keys[r->n], 0, sizeof *k);
	copy_text(k->id, sizeof k->id, sk->id);
	copy_text(k->issuer, sizeof k->issuer, sk->issuer);
	copy_text(k->url, sizeof k->url, sk->url);
	copy_text(k->valid_from, sizeof k->valid_from, sk->valid_from);
	copy_text(k->valid_until, sizeof k->valid_until, sk->valid_until);
	k->own = sk->own;
	/* A row that does not decode is left out rather than trusted half-read. */
	if (hex_to_bin(sk->public_key, k->pk, sizeof k->pk) < 0)
		return 0;
	if (k->own) {
		if (hex_to_bin(sk->secret_key, seed, sizeof seed) < 0)
			return 0;
		crypto_sign_seed_keypair(k->pk, k->sk, seed);
		sodium_memzero(seed, sizeof seed);
	}
	r->n++;
	return 0;
}

int report_keyring_load(struct store *s, struct report_keyring *out, struct err *e)
{
	struct ring_ctx c = { out, 0 };

	memset(out, 0, sizeof *out);
	if (sodium_init() < 0)
		return err_set(e, "internal.error", "无法初始化密码库");
	if (store_key_list(s, ring_add, &c, e) < 0 || c.failed) {
		report_keyring_free(out);
		return c.failed ? err_set(e, "internal.error", "内存不足") : -1;
	}
	return 0;
}

void report_keyring_free(struct report_keyring *r)
{
	if (r->keys)
		sodium_memzero(r->keys, r->n * sizeof *r->keys);
	free(r->keys);
	memset(r, 0, sizeof *r);
}

int report_key_valid_at(const struct report_key *k, const char *when)
{
	return strcmp(k->valid_from, when) <= 0 &&
	       (!k->valid_until[0] || strcmp(when, k->valid_until) < 0);
}

const struct report_key *report_keyring_signer(const struct report_keyring *r,
					       const char *now)
{
	const struct report_key *best = NULL;

	for (size_t i = 0; i < r->n; i++)
		if (r->keys[i].own && report_key_valid_at(&r->keys[i], now) &&
		    (!best || strcmp(r->keys[i].valid_from, best->valid_from) > 0))
			best = &r->keys[i];
	return best;
}

const struct report_key *report_keyring_find(const struct report_keyring *r, const char *id)
{
	for (size_t i = 0; id && i < r->n; i++)
		if (strcmp(r->keys[i].id, id) == 0)
			return &r->keys[i];
	return NULL;
}

static json_t *key_public(const struct report_key *k, const char *now)
{
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];

	sodium_bin2hex(hex, sizeof hex, k->pk, sizeof k->pk);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s?, s:b}", "id", k->id, "issuer",
			 k->issuer, "url", k->url, "algorithm", "Ed25519", "own", k->own,
			 "public_key", hex, "valid_from", k->valid_from, "valid_until",
			 k->valid_until[0] ? k->valid_until : NULL, "in_force",
			 report_key_valid_at(k, now));
}

/* Makes and stores a new own key valid from now. */
static int key_create(struct store *s, const char *issuer, const char *url, const char *now,
		      json_t **out, struct err *e)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char seed_hex[2 * sizeof seed + 1], pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	struct report_key k = { 0 };
	struct store_signing_key row;
	int rc;

	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(k.pk, k.sk, seed);
	sodium_bin2hex(seed_hex, sizeof seed_hex, seed, sizeof seed);
	sodium_bin2hex(pk_hex, sizeof pk_hex, k.pk, sizeof k.pk);
	report_key_id(k.pk, k.id);
	copy_text(k.issuer, sizeof k.issuer, issuer);
	copy_text(k.url, sizeof k.url, url);
	copy_text(k.valid_from, sizeof k.valid_from, now);
	k.own = 1;
	row = (struct store_signing_key){ k.id, k.issuer, k.url, pk_hex, seed_hex, 1, now, "", "" };
	rc = store_key_put(s, &row, e);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(seed_hex, sizeof seed_hex);
	if (rc == 0 && out)
		*out = key_public(&k, now);
	sodium_memzero(&k, sizeof k);
	return rc;
}

int report_keys_generate(struct store *s, const char *issuer, const char *url, json_t **out,
			 struct err *e)
{
	struct report_keyring ring;
	const struct report_key *current;
	char now[26];
	int rc;

	clock_timestamp(now);
	if (report_keyring_load(s, &ring, e) < 0)
		return -1;
	current = report_keyring_signer(&ring, now);
	if (current) {
		rc = err_set(e, "request.invalid",
			     "平台已有正在使用的签名密钥 %s；更换密钥请使用 xinyong keys rotate",
			     current->id);
	} else {
		rc = key_create(s, issuer && *issuer ? issuer : REPORT_KEYS_DEFAULT_ISSUER,
				url ? url : "", now, out, e);
	}
	report_keyring_free(&ring);
	return rc;
}

int report_keys_rotate(struct store *s, const char *issuer, const char *url, json_t **out,
		       struct err *e)
{
	struct report_keyring ring;
	const struct report_key *current;
	struct store_signing_key retire;
	char now[26], pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	json_t *made = NULL;
	int rc = -1;

	clock_timestamp(now);
	if (report_keyring_load(s, &ring, e) < 0)
		return -1;
	current = report_keyring_signer(&ring, now);
	if (!current) {
		report_keyring_free(&ring);
		return err_set(e, "keys.missing",
			       "没有正在使用的签名密钥可以更换；请先执行 xinyong keys generate");
	}
	sodium_bin2hex(pk_hex, sizeof pk_hex, current->pk, sizeof current->pk);
	/* The old key's row keeps its secret (the put does not change it), so that its
	 * reports could still be re-signed if ever needed; it signs nothing new. */
	retire = (struct store_signing_key){ current->id, current->issuer, current->url, pk_hex,
					     "", 1, current->valid_from, now, "" };
	if (store_begin(s, e) == 0) {
		if (store_key_put(s, &retire, e) == 0 &&
		    key_create(s, issuer && *issuer ? issuer : current->issuer,
			       url ? url : current->url, now, &made, e) == 0 &&
		    store_commit(s, e) == 0) {
			rc = 0;
		} else {
			store_rollback(s);
		}
	}
	if (rc == 0) {
		*out = json_pack("{s:o, s:s}", "key", made, "retired", current->id);
	} else {
		json_decref(made);
	}
	report_keyring_free(&ring);
	return rc;
}

int report_keys_ensure(struct store *s, const char *issuer, struct err *e)
{
	struct report_keyring ring;
	int has_own = 0, rc = 0;

	if (report_keyring_load(s, &ring, e) < 0)
		return -1;
	for (size_t i = 0; i < ring.n; i++)
		has_own |= ring.keys[i].own;
	report_keyring_free(&ring);
	if (!has_own) {
		char now[26];

		if (!issuer || !*issuer)
			issuer = getenv("XINYONG_ISSUER");
		clock_timestamp(now);
		rc = key_create(s, issuer && *issuer ? issuer : REPORT_KEYS_DEFAULT_ISSUER, "", now,
				NULL, e);
	}
	return rc;
}

int report_keys_list(struct store *s, json_t **out, struct err *e)
{
	struct report_keyring ring;
	json_t *list = json_array();
	char now[26];

	clock_timestamp(now);
	if (report_keyring_load(s, &ring, e) < 0) {
		json_decref(list);
		return -1;
	}
	for (size_t i = 0; i < ring.n; i++)
		json_array_append_new(list, key_public(&ring.keys[i], now));
	report_keyring_free(&ring);
	*out = json_pack("{s:o}", "keys", list);
	return 0;
}

int report_keys_export(struct store *s, json_t **out, struct err *e)
{
	struct report_keyring ring;
	const struct report_key *newest = NULL;
	json_t *list = json_array();
	char now[26];

	clock_timestamp(now);
	if (report_keyring_load(s, &ring, e) < 0) {
		json_decref(list);
		return -1;
	}
	for (size_t i = 0; i < ring.n; i++) {
		const struct report_key *k = &ring.keys[i];
		json_t *pub;

		if (!k->own)
			continue;
		if (!newest || strcmp(k->valid_from, newest->valid_from) > 0)
			newest = k;
		pub = key_public(k, now);
		/* Outside, a key is its id, halves and validity; who holds it is the
		 * document's issuer. */
		json_object_del(pub, "issuer");
		json_object_del(pub, "url");
		json_object_del(pub, "own");
		json_array_append_new(list, pub);
	}
	*out = json_pack("{s:s, s:s, s:o}", "issuer",
			 newest ? newest->issuer : REPORT_KEYS_DEFAULT_ISSUER, "url",
			 newest ? newest->url : "", "keys", list);
	report_keyring_free(&ring);
	return 0;
}

/* One key of a published document, checked. */
static int trust_key(const json_t *k, size_t i, struct store_signing_key *row,
		     unsigned char pk[crypto_sign_PUBLICKEYBYTES], char id[REPORT_KEY_ID_LEN + 1],
		     struct err *e)
{
	const char *hex = json_string_value(json_object_get(k, "public_key"));
	const char *from = json_string_value(json_object_get(k, "valid_from"));
	const json_t *until = json_object_get(k, "valid_until");

	if (!json_is_object(k) || hex_to_bin(hex, pk, crypto_sign_PUBLICKEYBYTES) < 0)
		return err_set_field(e, "keys.invalid", "public_key",
				     "第 %zu 个密钥缺少 public_key，或它不是 64 位十六进制数", i + 1);
	if (!from || strlen(from) < 10)
		return err_set_field(e, "keys.invalid", "valid_from",
				     "第 %zu 个密钥缺少生效时间 valid_from", i + 1);
	if (until && !json_is_null(until) && !json_is_string(until))
		return err_set_field(e, "keys.invalid", "valid_until",
				     "第 %zu 个密钥的 valid_until 应为时间或 null", i + 1);
	report_key_id(pk, id);
	row->id = id;
	row->public_key = hex;
	row->valid_from = from;
	row->valid_until = json_is_string(until) ? json_string_value(until) : "";
	return 0;
}

int report_keys_trust(struct store *s, const char *name, const char *text, json_t **out,
		      struct err *e)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	const json_t *keys = json_object_get(doc, "keys");
	const char *issuer = json_string_value(json_object_get(doc, "issuer"));
	const char *url = json_string_value(json_object_get(doc, "url"));
	struct report_keyring ring;
	long added = 0, updated = 0;
	int rc = -1;

	if (!doc)
		return err_set(e, "keys.invalid", "公钥文件不是 JSON（第 %d 行：%s）", je.line,
			       je.text);
	if (name && *name)
		issuer = name;
	if (!issuer || !*issuer || !json_is_array(keys) || json_array_size(keys) == 0) {
		json_decref(doc);
		return err_set(e, "keys.invalid",
			       "公钥文件应为对方平台 /.well-known/xinyong-keys.json 的内容：需要 "
			       "issuer（或用 --name 指定名称）和至少一个密钥 keys");
	}
	if (report_keyring_load(s, &ring, e) < 0) {
		json_decref(doc);
		return -1;
	}
	if (store_begin(s, e) < 0)
		goto done;
	for (size_t i = 0; i < json_array_size(keys); i++) {
		unsigned char pk[crypto_sign_PUBLICKEYBYTES];
		char id[REPORT_KEY_ID_LEN + 1];
		struct store_signing_key row = { .issuer = issuer, .url = url ? url : "" };
		const struct report_key *known;

		if (trust_key(json_array_get(keys, i), i, &row, pk, id, e) < 0)
			goto rollback;
		known = report_keyring_find(&ring, id);
		if (known && known->own) {
			err_set(e, "keys.invalid", "密钥 %s 是本平台自己的密钥，不能作为外平台密钥导入",
				id);
			goto rollback;
		}
		if (store_key_put(s, &row, e) < 0)
			goto rollback;
		known ? updated++ : added++;
	}
	if (store_commit(s, e) < 0)
		goto done;
	*out = json_pack("{s:s, s:I, s:I}", "issuer", issuer, "added", (json_int_t)added,
			 "updated", (json_int_t)updated);
	rc = 0;
	goto done;
rollback:
	store_rollback(s);
done:
	report_keyring_free(&ring);
	json_decref(doc);
	return rc;
}
