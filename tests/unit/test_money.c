/* test_money.c - amounts in 万元 to integer 分 and back (src/core/money.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/money.h"

static void parses(const char *s, int64_t fen)
{
	int64_t out = -1;
	struct err e;

	err_clear(&e);
	cr_assert_eq(money_parse_wan(s, &out, &e), 0, "\"%s\" should parse: %s", s, e.message);
	cr_assert_eq(out, fen, "\"%s\" gave %lld 分, expected %lld", s, (long long)out,
		     (long long)fen);
}

static void refuses(const char *s)
{
	int64_t out = 12345;
	struct err e;

	err_clear(&e);
	cr_assert_eq(money_parse_wan(s, &out, &e), -1, "\"%s\" should be refused (gave %lld)", s,
		     (long long)out);
	cr_assert_str_eq(e.reason, "money.invalid", "\"%s\": reason %s", s, e.reason);
	cr_assert_neq(e.message[0], '\0');
	cr_assert_eq(out, 12345, "\"%s\": failure must not write the result", s);
}

Test(money_parse, plain_wan)
{
	parses("0.2", 200000);
	parses("0", 0);
	parses("0.0", 0);
	parses("1", 1000000);
	parses("12.345678", 12345678);
	parses("0.000001", 1);
	parses("100", 100000000);
	parses("007.5", 7500000);
	parses(".5", 500000);
	parses("5.", 5000000);
}

Test(money_parse, thousands_separators)
{
	parses("1,234.5", 1234500000);
	parses("1,234,567", 1234567000000);
	parses("12,345.000001", 12345000001);
	refuses("1,5");
	refuses("1,23");
	refuses("1,2345");
	refuses("1234,567");
	refuses(",123");
	refuses("1,,234");
	refuses("1,234,");
	refuses("0.1,234");
}

Test(money_parse, units)
{
	parses("0.2万元", 200000);
	parses("0.2万", 200000);
	parses("0.2 万元", 200000);
	parses("2000元", 200000);
	parses("2000.5元", 200050);
	parses("0.01元", 1);
	parses("1,000元", 100000);
	parses("2000 元", 200000);
	refuses("0.001元");
	refuses("万元");
	refuses("元");
	refuses("0.2万元元");
	refuses("0.2千元");
	refuses("0.2 元 万");
}

Test(money_parse, full_width)
{
	parses("０．２", 200000);
	parses("１２．３４５６７８万元", 12345678);
	parses("１，２３４．５", 1234500000);
	parses("２０００元", 200000);
}

Test(money_parse, whitespace)
{
	parses("  0.2  ", 200000);
	parses("\t0.2\r\n", 200000);
	parses("\xE3\x80\x80" "0.2" "\xE3\x80\x80", 200000);
	parses("\xC2\xA0" "0.2万元" "\xC2\xA0", 200000);
	refuses("0. 2");
	refuses("1 000");
}

Test(money_parse, precision)
{
	refuses("12.3456789");
	refuses("0.0000001");
	/* Zeros past 1 分 add no precision. */
	parses("0.20000000", 200000);
	parses("2000.000元", 200000);
}

Test(money_parse, negative_and_signs)
{
	struct err e;
	int64_t out;

	refuses("-0.2");
	refuses("-0");
	refuses("+0.2");
	refuses("－0.2");
	cr_assert_eq(money_parse_wan("-1", &out, &e), -1);
	cr_assert(strstr(e.message, "负数") != NULL, "%s", e.message);
}

Test(money_parse, overflow)
{
	/* INT64_MAX 分 is 9223372036854.775807 万元. */
	parses("9223372036854.775807", INT64_MAX);
	refuses("9223372036854.775808");
	refuses("9223372036855");
	refuses("99999999999999999999999");
	parses("92233720368547758.07元", INT64_MAX);
	refuses("92233720368547758.08元");
}

Test(money_parse, garbage)
{
	refuses("");
	refuses("   ");
	refuses("abc");
	refuses("0.2.3");
	refuses("1e3");
	refuses("0x10");
	refuses("二千元");
	refuses("0.2 万元 整");
	refuses(".");
	refuses("\xFF");
}

Test(money_parse, too_long)
{
	char s[300];

	memset(s, '1', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	refuses(s);
}

Test(money_parse, message_names_value)
{
	struct err e;
	int64_t out;

	cr_assert_eq(money_parse_wan("两千", &out, &e), -1);
	cr_assert(strstr(e.message, "两千") != NULL, "%s", e.message);
	cr_assert(strstr(e.message, "万元") != NULL, "%s", e.message);
}

Test(money_parse, null_err_allowed)
{
	int64_t out;

	cr_assert_eq(money_parse_wan("x", &out, NULL), -1);
	cr_assert_eq(money_parse_wan("0.2", &out, NULL), 0);
	cr_assert_eq(out, 200000);
}

static void formats(int64_t fen, const char *want)
{
	char out[40];

	money_format_wan(fen, out, sizeof out);
	cr_assert_str_eq(out, want, "%lld 分", (long long)fen);
}

Test(money_format, no_trailing_zeros)
{
	formats(200000, "0.2");
	formats(0, "0");
	formats(1, "0.000001");
	formats(1000000, "1");
	formats(12345678, "12.345678");
	formats(1234500000, "1234.5");
	formats(100000000, "100");
	formats(10, "0.00001");
	formats(INT64_MAX, "9223372036854.775807");
	formats(-200000, "-0.2");
	formats(INT64_MIN, "-9223372036854.775808");
}

Test(money_format, small_buffer_truncates_safely)
{
	char out[4];

	money_format_wan(12345678, out, sizeof out);
	cr_assert_str_eq(out, "12.");
	money_format_wan(1, out, 0);
}

Test(money, round_trip)
{
	static const char *const values[] = { "0.2", "0", "12.345678", "1234.5", "0.000001",
					      "9999.99", "50" };
	size_t i;

	for (i = 0; i < sizeof values / sizeof *values; i++) {
		int64_t fen;
		char out[40];

		cr_assert_eq(money_parse_wan(values[i], &fen, NULL), 0);
		money_format_wan(fen, out, sizeof out);
		cr_assert_str_eq(out, values[i]);
	}
}
