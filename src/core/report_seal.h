/*
 * report_seal.h - what makes a credit report verifiable: its number, the digest of its
 * content, the printed 验证码, and the Ed25519 signature over the content.
 *
 * A signed report is a JSON document whose members `verification_code`, `key_id` and
 * `signature` are the seal; every other member is the content.  The content's bytes are
 * its RFC 8785 canonical form (canonical_json.h), so a report re-serialized with other
 * whitespace or escaping verifies, and any changed value does not:
 *   digest            SHA-256 of the canonical content
 *   verification_code the first 16 characters of the digest in base32 (RFC 4648, A-Z2-7):
 *                     short enough to type, 80 bits, so no other content shares it
 *   signature         Ed25519 over the canonical content, base64 (RFC 4648 §4, padded)
 *   key_id            the first 16 hex digits of SHA-256 of the public key
 * Pure, apart from the random characters of a new report number.
 */
#ifndef XY_REPORT_SEAL_H
#define XY_REPORT_SEAL_H

#include <jansson.h>
#include <sodium.h>

struct err;

#define REPORT_NUMBER_LEN 22 /* "yyyyMMddHHmmss" + 8 of [0-9A-Z] */
#define REPORT_CODE_LEN 16
#define REPORT_KEY_ID_LEN 16
#define REPORT_DIGEST_HEX 65 /* 64 hex digits + NUL */
#define REPORT_SIGNATURE_B64 89

struct report_seal {
	char digest[REPORT_DIGEST_HEX];
	char code[REPORT_CODE_LEN + 1];
	char key_id[REPORT_KEY_ID_LEN + 1];
	char signature[REPORT_SIGNATURE_B64];
};

/* What a check found, worst first after GENUINE. */
enum report_finding {
	REPORT_GENUINE,
	REPORT_MALFORMED,      /* not a report: members missing or of the wrong type */
	REPORT_CODE_MISMATCH,  /* the printed 验证码 is not the content's */
	REPORT_BAD_SIGNATURE,  /* the content changed after signing, or another key signed */
};

/* A new report number from the local time `stamp` ("yyyyMMddHHmmss", 14 digits) and 8
 * random characters of [0-9A-Z].  Returns 0, or -1 when stamp is not 14 digits. */
int report_number_make(const char *stamp, char out[REPORT_NUMBER_LEN + 1]);
/* 1 when s has the form of a report number (a real date and time, then 8 of [0-9A-Z]). */
int report_number_valid(const char *s);

/* The key id of a public key. */
void report_key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
		   char out[REPORT_KEY_ID_LEN + 1]);

/* Seals `content` (a report without seal members) with the secret key sk of public key
 * pk: fills *out.  Fails with `report.invalid` when the content cannot be canonicalized. */
int report_seal_make(const json_t *content, const unsigned char sk[crypto_sign_SECRETKEYBYTES],
		     const unsigned char pk[crypto_sign_PUBLICKEYBYTES], struct report_seal *out,
		     struct err *e);

/* Adds the seal's members to the content, making the signed report. */
int report_seal_attach(json_t *content, const struct report_seal *seal);

/* The content of a signed report: a new object without the seal members (NULL when doc
 * is not an object). */
json_t *report_seal_content(const json_t *doc);

/* Checks a signed report against the public key pk (the caller found it by the report's
 * key_id).  *digest gets the content's digest when the content could be canonicalized,
 * "" otherwise. */
enum report_finding report_seal_check(const json_t *doc,
				      const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
				      char digest[REPORT_DIGEST_HEX]);

/* The verification code of a digest: base32 of its first 10 bytes. */
void report_code_of_digest(const unsigned char digest[crypto_hash_sha256_BYTES],
			   char out[REPORT_CODE_LEN + 1]);

/* A finding as one word (`genuine`, `malformed`, `code_mismatch`, `bad_signature`) and
 * as a sentence in Chinese. */
const char *report_finding_name(enum report_finding f);
const char *report_finding_text(enum report_finding f);

#endif
