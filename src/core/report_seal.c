/*
 * report_seal.c - report numbers, digests, verification codes and signatures
 * (report_seal.h).
 */
#include "report_seal.h"

#include "buf.h"
#include "canonical_json.h"
#include "date.h"
#include "err.h"

#include <string.h>

static const char *const seal_members[] = { "verification_code", "key_id", "signature" };

int report_number_make(const char *stamp, char out[REPORT_NUMBER_LEN + 1])
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	out[0] = '\0';
	if (strlen(stamp) != 14 || strspn(stamp, "0123456789") != 14)
		return -1;
	memcpy(out, stamp, 14);
	for (int i = 0; i < 8; i++)
		out[14 + i] = alphabet[randombytes_uniform(36)];
	out[REPORT_NUMBER_LEN] = '\0';
	return 0;
}

static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int report_number_valid(const char *s)
{
	if (!s || strlen(s) != REPORT_NUMBER_LEN || strspn(s, "0123456789") < 14)
		return 0;
	for (int i = 14; i < REPORT_NUMBER_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return date_is_valid(two(s) * 100 + two(s + 2), two(s + 4), two(s + 6)) &&
	       two(s + 8) < 24 && two(s + 10) < 60 && two(s + 12) < 60;
}

void report_key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
		   char out[REPORT_KEY_ID_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
	sodium_bin2hex(out, REPORT_KEY_ID_LEN + 1, h, REPORT_KEY_ID_LEN / 2);
}

void report_code_of_digest(const unsigned char digest[crypto_hash_sha256_BYTES],
			   char out[REPORT_CODE_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned bits = 0, acc = 0;
	int n = 0;

	/* 16 characters of 5 bits are the first 80 bits: 10 bytes. */
	for (int i = 0; i < 10; i++) {
		acc = acc << 8 | digest[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[n] = '\0';
}

/* The canonical bytes of content into b, and their digest. */
static int seal_digest(const json_t *content, struct buf *b,
		       unsigned char digest[crypto_hash_sha256_BYTES], struct err *e)
{
	if (canonical_json_write(content, b, e) < 0)
		return -1;
	crypto_hash_sha256(digest, (const unsigned char *)b->data, b->len);
	return 0;
}

int report_seal_make(const json_t *content, const unsigned char sk[crypto_sign_SECRETKEYBYTES],
		     const unsigned char pk[crypto_sign_PUBLICKEYBYTES], struct report_seal *out,
		     struct err *e)
{
	unsigned char digest[crypto_hash_sha256_BYTES], sig[crypto_sign_BYTES];
	struct buf b;
	int rc;

	memset(out, 0, sizeof *out);
	buf_init(&b, 0);
	rc = seal_digest(content, &b, digest, e);
	if (rc == 0) {
		crypto_sign_detached(sig, NULL, (const unsigned char *)b.data, b.len, sk);
		sodium_bin2hex(out->digest, sizeof out->digest, digest, sizeof digest);
		report_code_of_digest(digest, out->code);
		report_key_id(pk, out->key_id);
		sodium_bin2base64(out->signature, sizeof out->signature, sig, sizeof sig,
				  sodium_base64_VARIANT_ORIGINAL);
	}
	buf_free(&b);
	return rc;
}

int report_seal_attach(json_t *content, const struct report_seal *seal)
{
	const char *values[] = { seal->code, seal->key_id, seal->signature };

	for (size_t i = 0; i < sizeof seal_members / sizeof *seal_members; i++)
		if (json_object_set_new(content, seal_members[i], json_string(values[i])) < 0)
			return -1;
	return 0;
}

json_t *report_seal_content(const json_t *doc)
{
	json_t *content;

	if (!json_is_object(doc))
		return NULL;
	content = json_copy((json_t *)doc);
	for (size_t i = 0; content && i < sizeof seal_members / sizeof *seal_members; i++)
		json_object_del(content, seal_members[i]);
	return content;
}

enum report_finding report_seal_check(const json_t *doc,
				      const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
				      char digest_hex[REPORT_DIGEST_HEX])
{
	const char *code = json_string_value(json_object_get(doc, "verification_code"));
	const char *sig64 = json_string_value(json_object_get(doc, "signature"));
	unsigned char digest[crypto_hash_sha256_BYTES], sig[crypto_sign_BYTES];
	char expected[REPORT_CODE_LEN + 1];
	enum report_finding f = REPORT_GENUINE;
	json_t *content;
	size_t siglen = 0;
	struct buf b;

	digest_hex[0] = '\0';
	if (!code || !sig64 || !json_is_string(json_object_get(doc, "number")))
		return REPORT_MALFORMED;
	if (sodium_base642bin(sig, sizeof sig, sig64, strlen(sig64), NULL, &siglen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    siglen != sizeof sig)
		return REPORT_MALFORMED;
	content = report_seal_content(doc);
	buf_init(&b, 0);
	if (!content || seal_digest(content, &b, digest, NULL) < 0) {
		f = REPORT_MALFORMED;
	} else {
		sodium_bin2hex(digest_hex, REPORT_DIGEST_HEX, digest, sizeof digest);
		report_code_of_digest(digest, expected);
		if (crypto_sign_verify_detached(sig, (const unsigned char *)b.data, b.len, pk) != 0)
			f = REPORT_BAD_SIGNATURE;
		else if (strcmp(code, expected) != 0)
			f = REPORT_CODE_MISMATCH;
	}
	buf_free(&b);
	json_decref(content);
	return f;
}

const char *report_finding_name(enum report_finding f)
{
	switch (f) {
	case REPORT_GENUINE: return "genuine";
	case REPORT_MALFORMED: return "malformed";
	case REPORT_CODE_MISMATCH: return "code_mismatch";
	case REPORT_BAD_SIGNATURE: return "bad_signature";
	}
	return "malformed";
}

const char *report_finding_text(enum report_finding f)
{
	switch (f) {
	case REPORT_GENUINE: return "报告真实有效，内容未被改动";
	case REPORT_MALFORMED: return "文件不是完整的信用报告（缺少编号、验证码或签名）";
	case REPORT_CODE_MISMATCH: return "报告上的验证码与报告内容不符";
	case REPORT_BAD_SIGNATURE: return "签名校验失败：报告内容在出具后被改动，或并非由该密钥签发";
	}
	return "文件不是完整的信用报告";
}
