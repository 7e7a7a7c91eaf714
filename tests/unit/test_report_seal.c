/* test_report_seal.c - canonical JSON (RFC 8785), report numbers, verification codes and
 * signatures (src/core/canonical_json.c, src/core/report_seal.c). */
#include <criterion/criterion.h>

#include <string.h>

#include "core/buf.h"
#include "core/canonical_json.h"
#include "core/err.h"
#include "core/report_seal.h"

static char *canonical(const char *json_text)
{
	json_error_t je;
	json_t *v = json_loads(json_text, JSON_ALLOW_NUL, &je);
	struct buf b;
	struct err e;

	cr_assert_not_null(v, "%s", je.text);
	buf_init(&b, 0);
	cr_assert_eq(canonical_json_write(v, &b, &e), 0, "%s", e.message);
	json_decref(v);
	return buf_detach(&b);
}

Test(canonical_json, sorts_members_and_drops_whitespace)
{
	char *s = canonical("{ \"b\" : [1, true, null], \"a\": {\"y\": \"2\", \"x\": false} }");

	cr_assert_str_eq(s, "{\"a\":{\"x\":false,\"y\":\"2\"},\"b\":[1,true,null]}");
	free(s);
}

Test(canonical_json, escapes_only_what_json_requires)
{
	/* The solidus, non-ASCII and U+2028 stay as they are; controls become \u00xx or
	 * their short forms; \u escapes in the input are resolved. */
	char *s = canonical("{\"t\": \"a/\\u4e2d\\n\\t\\u0001\\\"\\\\\\u2028\"}");

	cr_assert_str_eq(s, "{\"t\":\"a/中\\n\\t\\u0001\\\"\\\\\xe2\x80\xa8\"}");
	free(s);
}

Test(canonical_json, orders_names_by_utf16_code_units)
{
	/* U+1F600 (surrogates D83D DE00) sorts before U+FB01 in UTF-16, after it in UTF-8
	 * and by code point; RFC 8785 wants the UTF-16 order. */
	char *s = canonical("{\"\\ufb01\": \"1\", \"\\ud83d\\ude00\": \"2\", \"z\": \"3\"}");

	cr_assert_str_eq(s, "{\"z\":\"3\",\"\xf0\x9f\x98\x80\":\"2\",\"\xef\xac\x81\":\"1\"}");
	free(s);
}

Test(canonical_json, refuses_real_numbers_and_huge_integers)
{
	json_t *v = json_pack("{s:f}", "amount", 1.5);
	json_t *w = json_pack("{s:I}", "n", (json_int_t)9007199254740993LL);
	struct buf b;
	struct err e;

	buf_init(&b, 0);
	cr_assert_eq(canonical_json_write(v, &b, &e), -1);
	cr_assert_str_eq(e.reason, "report.invalid");
	cr_assert(strstr(e.message, "字符串") != NULL, "says what to do: %s", e.message);
	buf_reset(&b);
	cr_assert_eq(canonical_json_write(w, &b, &e), -1);
	buf_free(&b);
	json_decref(v);
	json_decref(w);
}

Test(report_number, has_the_timestamp_and_eight_random_characters)
{
	char a[REPORT_NUMBER_LEN + 1], b[REPORT_NUMBER_LEN + 1];

	cr_assert_eq(report_number_make("20261203111500", a), 0);
	cr_assert_eq(report_number_make("20261203111500", b), 0);
	cr_assert_eq(strlen(a), 22);
	cr_assert_eq(strncmp(a, "20261203111500", 14), 0);
	cr_assert_eq(strspn(a + 14, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 8);
	cr_assert_str_neq(a, b, "36^8 numbers per second: two in a row differ");
	cr_assert(report_number_valid(a));
	cr_assert_eq(report_number_make("2026120311150", a), -1, "13 digits");
	cr_assert_eq(report_number_make("2026120311150x", a), -1);
}

Test(report_number, validity_checks_the_date_and_the_alphabet)
{
	cr_assert(report_number_valid("20261203111500K7QFM2XD"));
	cr_assert_not(report_number_valid("20261203111500k7QFM2XD"), "lower case");
	cr_assert_not(report_number_valid("20260230111500K7QFM2XD"), "30 February");
	cr_assert_not(report_number_valid("20261203241500K7QFM2XD"), "hour 24");
	cr_assert_not(report_number_valid("20261203111500K7QFM2X"), "21 characters");
	cr_assert_not(report_number_valid(NULL));
}

struct keypair {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
};

static json_t *signed_report(const struct keypair *k, struct report_seal *seal)
{
	json_t *doc = json_pack("{s:s, s:s, s:{s:s, s:s}, s:[{s:s, s:s}]}", "number",
				"20261203111500K7QFM2XD", "issuer", "肇庆市公共信用信息共享平台",
				"subject", "code", "91441200MA4UJ2RX1B", "name", "肇庆市某某科技有限公司",
				"chapters", "title", "行政管理信息", "amount", "1500.00");
	struct err e;

	cr_assert_eq(report_seal_make(doc, k->sk, k->pk, seal, &e), 0, "%s", e.message);
	cr_assert_eq(report_seal_attach(doc, seal), 0);
	return doc;
}

Test(report_seal, a_signed_report_verifies_after_reserialization)
{
	struct keypair k;
	struct report_seal seal;
	char digest[REPORT_DIGEST_HEX];
	json_t *doc, *again;
	char *text;

	crypto_sign_keypair(k.pk, k.sk);
	doc = signed_report(&k, &seal);
	cr_assert_eq(strlen(seal.code), 16);
	cr_assert_eq(strspn(seal.code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 16);
	cr_assert_eq(strlen(seal.key_id), 16);
	/* Pretty-printed, with \u escapes and its members in another order: the same. */
	text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
	again = json_loads(text, 0, NULL);
	cr_assert_eq(report_seal_check(again, k.pk, digest), REPORT_GENUINE);
	cr_assert_str_eq(digest, seal.digest);
	free(text);
	json_decref(again);
	json_decref(doc);
}

Test(report_seal, a_changed_value_fails_the_signature)
{
	struct keypair k;
	struct report_seal seal;
	char digest[REPORT_DIGEST_HEX];
	json_t *doc;

	crypto_sign_keypair(k.pk, k.sk);
	doc = signed_report(&k, &seal);
	/* One character of one value: 1500.00 -> 1600.00. */
	json_object_set_new(json_array_get(json_object_get(doc, "chapters"), 0), "amount",
			    json_string("1600.00"));
	cr_assert_eq(report_seal_check(doc, k.pk, digest), REPORT_BAD_SIGNATURE);
	cr_assert_str_neq(digest, seal.digest);
	json_decref(doc);
}

Test(report_seal, a_tampered_byte_in_the_text_fails)
{
	struct keypair k;
	struct report_seal seal;
	char digest[REPORT_DIGEST_HEX];
	json_t *doc, *again;
	char *text, *at;

	crypto_sign_keypair(k.pk, k.sk);
	doc = signed_report(&k, &seal);
	text = json_dumps(doc, JSON_COMPACT);
	at = strstr(text, "MA4UJ2RX1B");
	cr_assert_not_null(at);
	at[0] = 'N';
	again = json_loads(text, 0, NULL);
	cr_assert_eq(report_seal_check(again, k.pk, digest), REPORT_BAD_SIGNATURE);
	free(text);
	json_decref(again);
	json_decref(doc);
}

Test(report_seal, another_key_or_a_wrong_code_fails)
{
	struct keypair k, other;
	struct report_seal seal;
	char digest[REPORT_DIGEST_HEX];
	json_t *doc;

	crypto_sign_keypair(k.pk, k.sk);
	crypto_sign_keypair(other.pk, other.sk);
	doc = signed_report(&k, &seal);
	cr_assert_eq(report_seal_check(doc, other.pk, digest), REPORT_BAD_SIGNATURE);
	json_object_set_new(doc, "verification_code", json_string("AAAAAAAAAAAAAAAA"));
	cr_assert_eq(report_seal_check(doc, k.pk, digest), REPORT_CODE_MISMATCH);
	json_object_del(doc, "signature");
	cr_assert_eq(report_seal_check(doc, k.pk, digest), REPORT_MALFORMED);
	json_decref(doc);
}

Test(report_seal, the_code_is_base32_of_the_digest)
{
	/* RFC 4648 base32 of "foobarfoob" (python3 -c 'import base64; print(base64.b32encode(
	 * b"foobarfoob"))'): 10 bytes give 16 characters exactly. */
	unsigned char d[32] = { 'f', 'o', 'o', 'b', 'a', 'r', 'f', 'o', 'o', 'b' };
	char code[REPORT_CODE_LEN + 1];

	report_code_of_digest(d, code);
	cr_assert_str_eq(code, "MZXW6YTBOJTG633C");
}
