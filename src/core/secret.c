/*
 * secret.c - random tokens and activation codes, their stored hashes; see secret.h.
 */
#include "secret.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_TOKEN_BYTES 32
#define SECRET_PREFIX_LEN 4
#define SECRET_CODE_CHARS 16

_Static_assert(SECRET_PREFIX_LEN + sodium_base64_ENCODED_LEN(SECRET_TOKEN_BYTES,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING) <= SECRET_TOKEN_MAX,
	       "SECRET_TOKEN_MAX too small for a token");
_Static_assert(SECRET_CODE_CHARS + 3 + 1 <= SECRET_ACTIVATION_MAX,
	       "SECRET_ACTIVATION_MAX too small for a grouped code");
_Static_assert(SECRET_HASH_HEX == crypto_generichash_BYTES * 2 + 1,
	       "SECRET_HASH_HEX must hold a 256-bit hash in hex");

/* Crockford's base32: the digits and the letters without I, L, O and U. */
static const char secret_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int secret_token(const char *prefix, char out[SECRET_TOKEN_MAX])
{
	unsigned char bin[SECRET_TOKEN_BYTES];

	out[0] = '\0';
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(bin, sizeof bin);
	memcpy(out, prefix, SECRET_PREFIX_LEN);
	sodium_bin2base64(out + SECRET_PREFIX_LEN, SECRET_TOKEN_MAX - SECRET_PREFIX_LEN, bin,
			  sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof bin);
	return 0;
}

int secret_session_token(char out[SECRET_TOKEN_MAX])
{
	return secret_token("xys_", out);
}

int secret_api_token(char out[SECRET_TOKEN_MAX])
{
	return secret_token("xyt_", out);
}

void secret_activation_code(char out[SECRET_ACTIVATION_MAX])
{
	size_t i, o = 0;

	/* A code that is not random would let anyone activate the account it was made for;
	 * libsodium aborts the same way when its generator cannot be read. */
	if (sodium_init() < 0)
		abort();
	for (i = 0; i < SECRET_CODE_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		/* 32 is a power of two, so every character is uniform: 16 x 5 = 80 bits. */
		out[o++] = secret_alphabet[randombytes_uniform(32)];
	}
	out[o] = '\0';
}

/* The value of a typed character in the alphabet after Crockford's reading rules, or -1. */
static int secret_code_char(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	else if (c == 'I' || c == 'L')
		c = '1';
	if (c == '\0' || !strchr(secret_alphabet, c))
		return -1;
	return c;
}

int secret_activation_normalize(const char *in, char out[SECRET_ACTIVATION_MAX])
{
	char tmp[SECRET_CODE_CHARS + 1];
	size_t n = 0;
	int c;

	out[0] = '\0';
	if (!in)
		return -1;
	for (; *in; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		c = secret_code_char((unsigned char)*in);
		if (c < 0 || n == SECRET_CODE_CHARS)
			return -1;
		tmp[n++] = (char)c;
	}
	if (n != SECRET_CODE_CHARS)
		return -1;
	tmp[n] = '\0';
	memcpy(out, tmp, n + 1);
	return 0;
}

void secret_hash_hex(const char *secret, char out[SECRET_HASH_HEX])
{
	unsigned char hash[crypto_generichash_BYTES];

	if (!secret)
		secret = "";
	/* BLAKE2b works without sodium_init (which only picks faster code), and its result
	 * cannot fail for these sizes, so this function stays void. */
	crypto_generichash(hash, sizeof hash, (const unsigned char *)secret, strlen(secret),
			   NULL, 0);
	sodium_bin2hex(out, SECRET_HASH_HEX, hash, sizeof hash);
}

void secret_derive_hex(const char *secret, const char *purpose, char out[SECRET_HASH_HEX])
{
	unsigned char key[crypto_generichash_BYTES], mac[crypto_generichash_BYTES];

	if (!secret)
		secret = "";
	if (!purpose)
		purpose = "";
	crypto_generichash(key, sizeof key, (const unsigned char *)secret, strlen(secret), NULL,
			   0);
	crypto_generichash(mac, sizeof mac, (const unsigned char *)purpose, strlen(purpose), key,
			   sizeof key);
	sodium_memzero(key, sizeof key);
	sodium_bin2hex(out, SECRET_HASH_HEX, mac, sizeof mac);
}

int secret_equal(const char *a, const char *b)
{
	size_t n;

	if (!a || !b)
		return 0;
	n = strlen(a);
	/* An empty secret is a missing one: two missing CSRF tokens must not match. */
	if (n == 0 || n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
