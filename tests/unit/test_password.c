/* test_password.c - password policy and Argon2id hashing (src/core/password.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "core/password.h"

static void accepted(const char *pw, const char *user)
{
	struct err e;

	err_clear(&e);
	cr_assert_eq(password_check_policy(pw, user, &e), 0, "\"%s\" should pass: %s", pw,
		     e.message);
}

static void refused(const char *pw, const char *user, const char *needle)
{
	struct err e;

	err_clear(&e);
	cr_assert_eq(password_check_policy(pw, user, &e), -1, "\"%s\" should be refused",
		     pw ? pw : "(null)");
	cr_assert_str_eq(e.reason, "password.weak");
	cr_assert_str_eq(e.field, "password");
	cr_assert(strstr(e.message, needle), "\"%s\": message \"%s\" lacks \"%s\"",
		  pw ? pw : "(null)", e.message, needle);
}

Test(password_policy, accepts_good_passwords)
{
	accepted("Tiger-lily-42", "zhangsan");
	accepted("correct horse battery 9", NULL);
	accepted("信用平台密码Ab12", "admin"); /* 10 characters, 4 classes */
	accepted("abcdefgh1!", "ab");         /* user name too short to matter */
}

Test(password_policy, length_in_characters)
{
	refused("Ab1!Ab1!A", NULL, "过短");   /* 9 characters */
	accepted("Ab1!Ab1!Ax", NULL);          /* 10 */
	refused("信用Ab1!中国人", NULL, "过短"); /* 9 characters, 19 bytes */
	refused("", NULL, "过短");
	refused(NULL, NULL, "过短");
}

Test(password_policy, length_in_bytes)
{
	char pw[PASSWORD_MAX_BYTES + 2];

	memset(pw, 'a', sizeof pw);
	memcpy(pw, "A1!", 3);
	pw[PASSWORD_MAX_BYTES] = '\0';
	accepted(pw, NULL);
	pw[PASSWORD_MAX_BYTES] = 'a';
	pw[PASSWORD_MAX_BYTES + 1] = '\0';
	refused(pw, NULL, "过长");
}

Test(password_policy, classes)
{
	refused("abcdefghij12", NULL, "三类");
	refused("ABCDEFGHIJKL", NULL, "三类");
	refused("1234567890!!", NULL, "三类");
	accepted("abcdefghij1!", NULL);
	accepted("ABCDEFGHIJ1中", NULL); /* CJK counts as "other" */
	accepted("abcdefGHIJ12", NULL);
}

Test(password_policy, user_name)
{
	refused("xxZhangSan#2024", "zhangsan", "用户名");
	refused("2024!ZHANGSANxx", "ZhangSan", "用户名");
	accepted("Abc-def-1234", "xyz");
	refused("Abc-xyz-1234", "XYZ", "用户名");
}

Test(password_policy, common_passwords)
{
	refused("Admin@123456", NULL, "常见");
	refused("admin@123456", NULL, "常见");
	refused("Password123!", NULL, "常见");
	refused("1QAZ@wsx3EDC", NULL, "常见");
	refused("Xinyong@2026", NULL, "常见");
	accepted("Xinyong@2026#", NULL);
}

Test(password_policy, invalid_utf8)
{
	refused("Abcdefgh1\xFF", NULL, "编码");
}

Test(password_policy, null_err_is_allowed)
{
	cr_assert_eq(password_check_policy("short", NULL, NULL), -1);
}

Test(password_hash, round_trip)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	struct err e;

	err_clear(&e);
	cr_assert_eq(password_hash("Tiger-lily-42", h1, &e), 0, "%s", e.message);
	cr_assert_eq(strncmp(h1, "$argon2id$", 10), 0, "hash \"%s\"", h1);
	cr_assert_lt(strlen(h1), PASSWORD_HASH_MAX);
	cr_assert_eq(password_verify(h1, "Tiger-lily-42"), 1);
	cr_assert_eq(password_verify(h1, "tiger-lily-42"), 0);
	cr_assert_eq(password_verify(h1, ""), 0);
	cr_assert_eq(password_verify(h1, NULL), 0);
	/* A random salt: the same password never gives the same string. */
	cr_assert_eq(password_hash("Tiger-lily-42", h2, &e), 0);
	cr_assert_str_neq(h1, h2);
	cr_assert_eq(password_verify(h2, "Tiger-lily-42"), 1);
}

Test(password_hash, bad_hashes_never_match)
{
	char h[PASSWORD_HASH_MAX], longer[PASSWORD_HASH_MAX + 8];

	cr_assert_eq(password_verify(NULL, "x"), 0);
	cr_assert_eq(password_verify("", ""), 0);
	cr_assert_eq(password_verify("$argon2id$garbage", "x"), 0);
	cr_assert_eq(password_verify("plaintext", "plaintext"), 0);
	cr_assert_eq(password_hash("Tiger-lily-42", h, NULL), 0);
	h[strlen(h) - 3] = h[strlen(h) - 3] == 'A' ? 'B' : 'A';
	cr_assert_eq(password_verify(h, "Tiger-lily-42"), 0);
	memset(longer, 'a', sizeof longer);
	longer[sizeof longer - 1] = '\0';
	cr_assert_eq(password_verify(longer, "x"), 0);
}

Test(password_hash, burn_time_runs)
{
	/* Nothing to observe but that it neither crashes nor leaks, twice (the fixed hash is
	 * made once) and with NULL; the verifications after it must still work. */
	char h[PASSWORD_HASH_MAX];

	password_burn_time("whatever");
	password_burn_time(NULL);
	cr_assert_eq(password_hash("Tiger-lily-42", h, NULL), 0);
	cr_assert_eq(password_verify(h, "Tiger-lily-42"), 1);
}
