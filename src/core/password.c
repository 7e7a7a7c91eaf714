/*
 * password.c - the password policy and Argon2id hashing; see password.h.
 *
 * The policy follows what reviewers of government systems ask for (等保 2.0: length and
 * character classes) and refuses the passwords that meet those rules yet are the first
 * ones an attacker tries: "Admin@123456" has four classes and is in every dictionary.
 */
#include "password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "err.h"
#include "text.h"

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES,
	       "PASSWORD_HASH_MAX must hold a libsodium password hash string");

/* Passwords that satisfy length and class rules but top the leaked-password lists of
 * Chinese systems: keyboard walks, "Admin@" plus digits, and the name of the place or of
 * the platform plus a year.  Compared ASCII case-insensitively. */
static const char *const password_common[] = {
	"Password123!", "Passw0rd@123", "P@ssw0rd1234", "P@ssw0rd123", "Admin@123456",
	"Admin@12345",	"Admin123!@#",	"Root@123456",	"Huawei@123",  "Huawei@123456",
	"Qwer1234!@#$", "Qwe123!@#456", "Zxcv1234!@#$", "Abcd1234!@#$", "Abc@12345678",
	"1qaz@WSX3edc", "1qaz!QAZ2wsx", "1qaz2wsx#EDC", "Aa123456789!", "Aa@123456789",
	"Welcome@123",	"Zhaoqing@123", "Zhaoqing@2024", "Zhaoqing@2025", "Zhaoqing@2026",
	"Xinyong@123",	"Xinyong@2024", "Xinyong@2025", "Xinyong@2026", "Xinyong@123456",
};

static int password_fail(struct err *e, const char *message)
{
	return err_set_field(e, "password.weak", "password", "%s", message);
}

static unsigned char password_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality; own code rather than strcasecmp, whose result follows
 * the process locale. */
static int password_equal_nocase(const char *a, const char *b)
{
	while (*a && password_lower((unsigned char)*a) == password_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* Whether needle occurs in hay, ASCII case-insensitively. */
static int password_contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	for (; *hay; hay++) {
		for (i = 0; i < n; i++)
			if (password_lower((unsigned char)hay[i]) !=
			    password_lower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

int password_check_policy(const char *password, const char *user_name, struct err *e)
{
	const unsigned char *p;
	int lower = 0, upper = 0, digit = 0, other = 0;
	size_t bytes, i;

	if (!password)
		password = "";
	bytes = strlen(password);
	if (bytes > PASSWORD_MAX_BYTES)
		return err_set_field(e, "password.weak", "password", "密码过长：不能超过 %d 字节",
				     PASSWORD_MAX_BYTES);
	if (!text_is_utf8(password, bytes))
		return password_fail(e, "密码含有无法识别的字符编码");
	if (text_utf8_length(password) < PASSWORD_MIN_CHARS)
		return err_set_field(e, "password.weak", "password", "密码过短：至少需要 %d 个字符",
				     PASSWORD_MIN_CHARS);
	for (p = (const unsigned char *)password; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			lower = 1;
		else if (*p >= 'A' && *p <= 'Z')
			upper = 1;
		else if (*p >= '0' && *p <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (lower + upper + digit + other < 3)
		return password_fail(e, "密码须至少包含小写字母、大写字母、数字、其他符号（含汉字）"
					"四类中的三类");
	if (user_name && text_utf8_length(user_name) >= 3 &&
	    password_contains_nocase(password, user_name))
		return password_fail(e, "密码不能包含用户名");
	for (i = 0; i < sizeof password_common / sizeof password_common[0]; i++)
		if (password_equal_nocase(password, password_common[i]))
			return password_fail(e, "密码过于常见，容易被猜到，请换一个");
	return 0;
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX], struct err *e)
{
	if (!password)
		password = "";
	out[0] = '\0';
	if (sodium_init() < 0)
		return err_set(e, "internal.error", "无法初始化 libsodium");
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		out[0] = '\0';
		return err_set(e, "internal.error", "无法计算密码摘要（内存不足）");
	}
	return 0;
}

int password_verify(const char *hash, const char *password)
{
	if (!hash || !password || hash[0] == '\0')
		return 0;
	/* libsodium reads the hash as a C string; one longer than any it writes is not ours. */
	if (strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX)
		return 0;
	if (sodium_init() < 0)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static pthread_once_t password_burn_once = PTHREAD_ONCE_INIT;
static char password_burn_hash[PASSWORD_HASH_MAX];

static void password_burn_init(void)
{
	/* The hashed text does not matter: nobody can log in with it, since only unknown
	 * user names are checked against it and the result is thrown away. */
	if (password_hash("xinyong: no such user", password_burn_hash, NULL) != 0)
		password_burn_hash[0] = '\0';
}

void password_burn_time(const char *password)
{
	static const unsigned char salt[crypto_pwhash_SALTBYTES] = { 0 };
	unsigned char sink[32];

	if (!password)
		password = "";
	pthread_once(&password_burn_once, password_burn_init);
	if (password_burn_hash[0]) {
		(void)password_verify(password_burn_hash, password);
		return;
	}
	/* The fixed hash could not be made (no memory then); spend the same Argon2id work
	 * directly so that the timing still matches. */
	if (sodium_init() < 0)
		return;
	if (crypto_pwhash(sink, sizeof sink, password, strlen(password), salt,
			  crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
			  crypto_pwhash_ALG_ARGON2ID13) == 0)
		sodium_memzero(sink, sizeof sink);
}
