/* test_credit_code.c - the credit code's signed token (src/core/credit_code.c): what it
 * states, and that a changed byte, a re-signed claim under another key, or another
 * platform's key does not pass. */
#include <criterion/criterion.h>

#include <string.h>

#include "core/buf.h"
#include "core/credit_code.h"
#include "core/err.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

static void keys(void)
{
	cr_assert_geq(sodium_init(), 0);
	crypto_sign_keypair(pk, sk);
}

static char *token_of(enum credit_colour colour, const unsigned char *key)
{
	struct credit_claim c = { "91441200MA4UJ2RX1B", colour, "2026-12-03", "0725b958d0fbe57d" };
	struct buf b;
	struct err e;

	buf_init(&b, 0);
	cr_assert_eq(credit_code_make(&c, key, &b, &e), 0, "%s", e.message);
	return buf_detach(&b);
}

TestSuite(credit_code, .init = keys);

Test(credit_code, states_the_claim_and_is_signed_by_its_key)
{
	char *t = token_of(CREDIT_RED, sk);
	struct credit_claim c;
	struct err e;

	cr_assert(strncmp(t, "XYCC1.", 6) == 0, "%s", t);
	/* Only URL-safe characters: it goes into a query string as it is. */
	cr_assert_eq(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
		     strlen(t), "%s", t);
	cr_assert_eq(credit_code_read(t, &c, &e), 0, "%s", e.message);
	cr_assert_str_eq(c.code, "91441200MA4UJ2RX1B");
	cr_assert_eq(c.colour, CREDIT_RED);
	cr_assert_str_eq(c.date, "2026-12-03");
	cr_assert_str_eq(c.key_id, "0725b958d0fbe57d");
	cr_assert(credit_code_signed_by(t, pk));
	free(t);
}

Test(credit_code, the_payload_is_canonical_json)
{
	char *t = token_of(CREDIT_GREEN, sk);
	char *dot = strchr(t + 6, '.');
	unsigned char bin[512];
	size_t n;

	cr_assert_eq(sodium_base642bin(bin, sizeof bin, t + 6, (size_t)(dot - t - 6), NULL, &n, NULL,
				       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	bin[n] = '\0';
	cr_assert_str_eq((char *)bin, "{\"code\":\"91441200MA4UJ2RX1B\",\"colour\":\"green\","
				      "\"date\":\"2026-12-03\",\"key_id\":\"0725b958d0fbe57d\"}");
	free(t);
}

Test(credit_code, any_changed_byte_fails)
{
	char *t = token_of(CREDIT_GREEN, sk);
	size_t n = strlen(t);

	/* Every character after the prefix, changed to another base64url character. */
	for (size_t i = 6; i < n; i++) {
		char keep = t[i];

		if (keep == '.')
			continue;
		t[i] = keep == 'A' ? 'B' : 'A';
		cr_assert_not(credit_code_signed_by(t, pk), "a change at %zu passed", i);
		t[i] = keep;
	}
	cr_assert(credit_code_signed_by(t, pk));
	free(t);
}

Test(credit_code, a_better_colour_signed_by_another_key_fails)
{
	unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
	char *red = token_of(CREDIT_RED, sk), *forged;

	crypto_sign_keypair(pk2, sk2);
	forged = token_of(CREDIT_GREEN, sk2);
	cr_assert_not(credit_code_signed_by(forged, pk));
	cr_assert(credit_code_signed_by(forged, pk2));
	/* The green payload with the red token's signature. */
	strcpy(strrchr(forged, '.'), strrchr(red, '.'));
	cr_assert_not(credit_code_signed_by(forged, pk));
	free(red);
	free(forged);
}

Test(credit_code, malformed_tokens_are_named)
{
	static const char *const bad[] = {
		"", "XYCC1.", "XYCC2.eyJ9.AAAA", "XYCC1.eyJ9", "XYCC1.e30.AAAA.AAAA",
		"XYCC1.***.AAAA", "https://example.com/?cc=XYCC1.e30.AAAA",
	};
	struct credit_claim c;
	struct err e;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		cr_assert_eq(credit_code_read(bad[i], &c, &e), -1, "%s", bad[i]);
		cr_assert_str_eq(e.reason, "credit_code.invalid", "%s", bad[i]);
		cr_assert_not(credit_code_signed_by(bad[i], pk), "%s", bad[i]);
	}
}
