/* test_buf.c - the bounded growable buffer (src/core/buf.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

Test(buf, empty)
{
	struct buf b;

	buf_init(&b, 0);
	cr_assert_eq(b.max, BUF_DEFAULT_MAX);
	cr_assert_str_eq(buf_cstr(&b), "");
	cr_assert_eq(b.len, 0);
	cr_assert_not(buf_failed(&b));
	buf_free(&b);
}

Test(buf, append_and_grow)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	cr_assert_eq(buf_append(&b, "ab", 2), 0);
	cr_assert_eq(buf_puts(&b, "cd"), 0);
	cr_assert_eq(buf_putc(&b, 'e'), 0);
	cr_assert_eq(buf_append(&b, "zzz", 0), 0);
	cr_assert_str_eq(buf_cstr(&b), "abcde");
	cr_assert_eq(b.len, 5);
	/* Many appends cross several reallocations and keep everything. */
	for (i = 0; i < 10000; i++)
		cr_assert_eq(buf_puts(&b, "统一"), 0);
	cr_assert_eq(b.len, 5 + 10000 * strlen("统一"));
	cr_assert_eq(memcmp(b.data + b.len - 6, "统一", 6), 0);
	cr_assert_eq(b.data[b.len], '\0');
	cr_assert_geq(b.cap, b.len + 1);
	buf_free(&b);
}

Test(buf, append_binary_with_nul)
{
	struct buf b;

	buf_init(&b, 0);
	cr_assert_eq(buf_append(&b, "a\0b", 3), 0);
	cr_assert_eq(b.len, 3);
	cr_assert_eq(memcmp(b.data, "a\0b", 4), 0);
	buf_free(&b);
}

Test(buf, printf)
{
	struct buf b;

	buf_init(&b, 0);
	cr_assert_eq(buf_printf(&b, "%s=%d", "rows", 42), 0);
	cr_assert_eq(buf_printf(&b, ";%05.1f;%s", 3.14159, "中文"), 0);
	cr_assert_str_eq(buf_cstr(&b), "rows=42;003.1;中文");
	cr_assert_eq(b.len, strlen("rows=42;003.1;中文"));
	cr_assert_eq(buf_printf(&b, "%s", ""), 0);
	cr_assert_eq(b.len, strlen("rows=42;003.1;中文"));
	buf_free(&b);
}

Test(buf, printf_long)
{
	struct buf b;
	char big[5000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_init(&b, 0);
	buf_putc(&b, '[');
	cr_assert_eq(buf_printf(&b, "%s]", big), 0);
	cr_assert_eq(b.len, sizeof big + 1);
	cr_assert_eq(b.data[0], '[');
	cr_assert_eq(b.data[b.len - 1], ']');
	buf_free(&b);
}

Test(buf, max_limit_marks_failed)
{
	struct buf b;

	buf_init(&b, 8);
	cr_assert_eq(buf_puts(&b, "12345678"), 0, "exactly max bytes fits");
	cr_assert_not(buf_failed(&b));
	cr_assert_eq(buf_putc(&b, '9'), -1);
	cr_assert(buf_failed(&b));
	/* Once failed, later appends are refused even when they would fit. */
	cr_assert_eq(buf_append(&b, "", 0), -1);
	cr_assert_eq(buf_puts(&b, "x"), -1);
	cr_assert_eq(buf_printf(&b, "%d", 1), -1);
	cr_assert_str_eq(buf_cstr(&b), "12345678", "content before the failure is intact");
	buf_free(&b);
}

Test(buf, max_limit_single_large_append)
{
	struct buf b;

	buf_init(&b, 16);
	cr_assert_eq(buf_puts(&b, "abc"), 0);
	cr_assert_eq(buf_append(&b, "0123456789abcdefXYZ", 19), -1);
	cr_assert(buf_failed(&b));
	cr_assert_eq(b.len, 3);
	buf_free(&b);
}

Test(buf, max_limit_printf)
{
	struct buf b;

	buf_init(&b, 10);
	cr_assert_eq(buf_printf(&b, "%s", "0123456789A"), -1);
	cr_assert(buf_failed(&b));
	cr_assert_eq(b.len, 0);
	buf_free(&b);
}

Test(buf, huge_length_does_not_wrap)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "a");
	/* len + n would wrap around SIZE_MAX; the buffer must refuse, not overflow. */
	cr_assert_eq(buf_append(&b, "x", (size_t)-1), -1);
	cr_assert(buf_failed(&b));
	buf_free(&b);
}

Test(buf, reset)
{
	struct buf b;
	char *kept;

	buf_init(&b, 4);
	buf_puts(&b, "abcd");
	kept = b.data;
	cr_assert_eq(buf_puts(&b, "e"), -1);
	cr_assert(buf_failed(&b));
	buf_reset(&b);
	cr_assert_not(buf_failed(&b), "reset clears the failed mark");
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(buf_cstr(&b), "");
	cr_assert_eq(b.data, kept, "reset keeps the memory");
	cr_assert_eq(buf_puts(&b, "xy"), 0);
	cr_assert_str_eq(buf_cstr(&b), "xy");
	buf_free(&b);
}

Test(buf, reset_empty)
{
	struct buf b;

	buf_init(&b, 0);
	buf_reset(&b);
	cr_assert_str_eq(buf_cstr(&b), "");
	buf_free(&b);
}

Test(buf, detach)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	buf_printf(&b, "%s-%d", "batch", 7);
	s = buf_detach(&b);
	cr_assert_str_eq(s, "batch-7");
	cr_assert_null(b.data, "the buffer is left empty");
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(buf_cstr(&b), "");
	free(s);
	/* The buffer is usable again after detaching. */
	cr_assert_eq(buf_puts(&b, "again"), 0);
	cr_assert_str_eq(buf_cstr(&b), "again");
	buf_free(&b);
}

Test(buf, detach_empty)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	s = buf_detach(&b);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "");
	free(s);
	buf_free(&b);
}

Test(buf, detach_failed)
{
	struct buf b;

	buf_init(&b, 2);
	buf_puts(&b, "abc");
	cr_assert(buf_failed(&b));
	cr_assert_null(buf_detach(&b));
	cr_assert_null(b.data, "a failed detach frees the memory");
	buf_free(&b);
}

Test(buf, free_twice_is_safe)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "abc");
	buf_free(&b);
	cr_assert_null(b.data);
	buf_free(&b);
}

Test(buf, json_string)
{
	struct buf b;

	buf_init(&b, 0);
	buf_put_json_string(&b, "a\"b\\c\nd\re\tf\x01g 中文");
	cr_assert_str_eq(buf_cstr(&b), "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g 中文\"");
	buf_reset(&b);
	buf_put_json_string(&b, "");
	cr_assert_str_eq(buf_cstr(&b), "\"\"");
	buf_free(&b);
}

Test(buf, csv_field)
{
	struct buf b;

	buf_init(&b, 0);
	buf_put_csv_field(&b, "plain 中文");
	buf_putc(&b, '|');
	buf_put_csv_field(&b, "a,b");
	buf_putc(&b, '|');
	buf_put_csv_field(&b, "say \"hi\"");
	buf_putc(&b, '|');
	buf_put_csv_field(&b, "two\nlines");
	buf_putc(&b, '|');
	buf_put_csv_field(&b, "");
	cr_assert_str_eq(buf_cstr(&b), "plain 中文|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
	buf_free(&b);
}
