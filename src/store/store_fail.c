/*
 * store_fail.c - what a store failure tells whom.
 *
 * The database's own words (SQLite's and PostgreSQL's error text, which name tables,
 * columns and constraints), file paths and server addresses are for the operator, not
 * for whoever sent the request: an error message can end up in an HTTP answer.  So the
 * details go to the log (stderr, one key=value line) under a random error id, and the
 * message names only what failed and that id, which the operator finds in the log.
 */
#include "store_int.h"

#include "core/err.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define STORE_FAIL_DETAIL_MAX 400

/* Copies text into out as one quotable log value: no quotes, backslashes or control
 * characters (a PostgreSQL message ends with a newline and may hold several lines). */
static void store_fail_log_value(const char *text, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; text[i] && n + 1 < size; i++) {
		unsigned char c = (unsigned char)text[i];

		out[n++] = c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? ' ' : (char)c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

int store__fail_as(struct err *e, const char *reason, const char *what, const char *detail)
{
	char id[16], logged_what[128], logged_detail[STORE_FAIL_DETAIL_MAX];

	/* No error struct: a probe whose failure the caller expects (store_migrate reads
	 * schema_migrations before it exists), nothing to log. */
	if (!e)
		return -1;
	/* sodium_init may be called any number of times, from any thread. */
	snprintf(id, sizeof id, "E-%08X",
		 sodium_init() >= 0 ? (unsigned)randombytes_random() : 0u);
	store_fail_log_value(what, logged_what, sizeof logged_what);
	store_fail_log_value(detail && *detail ? detail : "未知错误", logged_detail,
			     sizeof logged_detail);
	fprintf(stderr, "event=store_error id=%s reason=%s what=\"%s\" detail=\"%s\"\n", id, reason,
		logged_what, logged_detail);
	if (strcmp(reason, "store.unavailable") == 0)
		return err_set(e, reason, "%s失败：数据库暂时不可用，请稍后重试（错误编号 %s）", what,
			       id);
	return err_set(e, reason, "%s失败：内部错误，错误编号 %s，请联系平台运营方", what, id);
}

int store__fail(struct err *e, const char *what, const char *detail)
{
	return store__fail_as(e, "store.error", what, detail);
}
