/* test_secret.c - tokens, activation codes and their stored hashes (src/core/secret.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/secret.h"

static int is_base64url(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

Test(secret_token, shape_and_uniqueness)
{
	char a[SECRET_TOKEN_MAX], b[SECRET_TOKEN_MAX];

	cr_assert_eq(secret_session_token(a), 0);
	cr_assert_eq(strncmp(a, "xys_", 4), 0, "token \"%s\"", a);
	cr_assert_eq(strlen(a), 4 + 43, "token \"%s\"", a); /* 32 bytes, unpadded */
	cr_assert(is_base64url(a + 4), "token \"%s\"", a);
	cr_assert_eq(secret_session_token(b), 0);
	cr_assert_str_neq(a, b);
	cr_assert_eq(secret_api_token(b), 0);
	cr_assert_eq(strncmp(b, "xyt_", 4), 0, "token \"%s\"", b);
	cr_assert_eq(strlen(b), 47);
	cr_assert(is_base64url(b + 4));
}

Test(secret_activation, code_shape)
{
	char code[SECRET_ACTIVATION_MAX], other[SECRET_ACTIVATION_MAX];
	char norm[SECRET_ACTIVATION_MAX];
	size_t i;

	secret_activation_code(code);
	cr_assert_eq(strlen(code), 19, "code \"%s\"", code);
	for (i = 0; i < 19; i++) {
		if (i % 5 == 4) {
			cr_assert_eq(code[i], '-', "code \"%s\"", code);
			continue;
		}
		cr_assert(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[i]) && code[i],
			  "code \"%s\" has '%c'", code, code[i]);
	}
	/* A fresh code normalizes to itself without dashes. */
	cr_assert_eq(secret_activation_normalize(code, norm), 0);
	cr_assert_eq(strlen(norm), 16);
	cr_assert_eq(strncmp(norm, code, 4), 0);
	cr_assert_eq(strncmp(norm + 12, code + 15, 4), 0);
	secret_activation_code(other);
	cr_assert_str_neq(code, other);
}

Test(secret_activation, normalize_reading_rules)
{
	char out[SECRET_ACTIVATION_MAX];

	cr_assert_eq(secret_activation_normalize("k7qf-m2xd-9prt-w3hn", out), 0);
	cr_assert_str_eq(out, "K7QFM2XD9PRTW3HN");
	cr_assert_eq(secret_activation_normalize(" K7QF M2XD 9PRT W3HN ", out), 0);
	cr_assert_str_eq(out, "K7QFM2XD9PRTW3HN");
	cr_assert_eq(secret_activation_normalize("OoIi-Ll00-1111-2222", out), 0);
	cr_assert_str_eq(out, "0011110011112222");
}

Test(secret_activation, normalize_refuses)
{
	char out[SECRET_ACTIVATION_MAX];

	memcpy(out, "junk", 5);
	cr_assert_eq(secret_activation_normalize("K7QF-M2XD-9PRT-W3H", out), -1); /* 15 */
	cr_assert_str_eq(out, "");
	cr_assert_eq(secret_activation_normalize("K7QF-M2XD-9PRT-W3HNN", out), -1); /* 17 */
	cr_assert_eq(secret_activation_normalize("K7QF-M2XD-9PRT-W3HU", out), -1); /* U */
	cr_assert_eq(secret_activation_normalize("K7QF_M2XD_9PRT_W3HN", out), -1);
	cr_assert_eq(secret_activation_normalize("K7QF-M2XD-9PRT-W3H中", out), -1);
	cr_assert_eq(secret_activation_normalize("", out), -1);
	cr_assert_eq(secret_activation_normalize(NULL, out), -1);
}

Test(secret_hash, known_vectors)
{
	char out[SECRET_HASH_HEX];

	/* BLAKE2b-256 of "" and of "abc" (RFC 7693 style test values). */
	secret_hash_hex("", out);
	cr_assert_str_eq(out, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	secret_hash_hex("abc", out);
	cr_assert_str_eq(out, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	secret_hash_hex(NULL, out);
	cr_assert_str_eq(out, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

Test(secret_hash, derive_depends_on_both)
{
	char a[SECRET_HASH_HEX], b[SECRET_HASH_HEX], c[SECRET_HASH_HEX], d[SECRET_HASH_HEX];

	secret_derive_hex("xys_token", "csrf", a);
	secret_derive_hex("xys_token", "csrf", b);
	cr_assert_str_eq(a, b);
	cr_assert_eq(strlen(a), 64);
	secret_derive_hex("xys_tokem", "csrf", c);
	cr_assert_str_neq(a, c);
	secret_derive_hex("xys_token", "csrg", d);
	cr_assert_str_neq(a, d);
	secret_hash_hex("csrf", c);
	cr_assert_str_neq(a, c, "the derived value must be keyed");
}

Test(secret_equal, cases)
{
	cr_assert_eq(secret_equal("abc", "abc"), 1);
	cr_assert_eq(secret_equal("abc", "abd"), 0);
	cr_assert_eq(secret_equal("abc", "abcd"), 0);
	cr_assert_eq(secret_equal("abcd", "abc"), 0);
	cr_assert_eq(secret_equal(NULL, "abc"), 0);
	cr_assert_eq(secret_equal("abc", NULL), 0);
	cr_assert_eq(secret_equal(NULL, NULL), 0);
	cr_assert_eq(secret_equal("", ""), 0);
}
