/* test_date.c - date parsing in every accepted format, and calendar arithmetic
 * (src/core/date.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"

/* Parses s and checks it gives y-m-d. */
static void parses(const char *s, int y, int m, int d)
{
	struct date out = { 0, 0, 0 };
	struct err e;

	err_clear(&e);
	cr_assert_eq(date_parse(s, &out, &e), 0, "\"%s\" should parse: %s", s, e.message);
	cr_assert(out.y == y && out.m == m && out.d == d,
		  "\"%s\" gave %04d-%02d-%02d, expected %04d-%02d-%02d", s, out.y, out.m, out.d,
		  y, m, d);
	cr_assert_str_eq(e.reason, "", "\"%s\" set a reason on success", s);
}

/* Checks s is refused with date.unparseable and a message that names it. */
static void refuses(const char *s)
{
	struct date out = { 1, 2, 3 };
	struct err e;

	err_clear(&e);
	cr_assert_eq(date_parse(s, &out, &e), -1, "\"%s\" should be refused", s);
	cr_assert_str_eq(e.reason, "date.unparseable", "\"%s\": reason %s", s, e.reason);
	cr_assert_neq(e.message[0], '\0');
	if (strlen(s) < 40 && s[0] != ' ')
		cr_assert(strstr(e.message, s) != NULL, "message \"%s\" does not name \"%s\"",
			  e.message, s);
}

Test(date_parse, dashes_zero_padded)
{
	parses("2021-03-05", 2021, 3, 5);
	parses("1949-10-01", 1949, 10, 1);
	parses("2099-12-31", 2099, 12, 31);
}

Test(date_parse, dashes_unpadded)
{
	parses("2021-3-5", 2021, 3, 5);
	parses("2021-03-5", 2021, 3, 5);
	parses("2021-3-05", 2021, 3, 5);
	parses("2021-12-31", 2021, 12, 31);
}

Test(date_parse, slashes)
{
	parses("2021/3/5", 2021, 3, 5);
	parses("2021/03/05", 2021, 3, 5);
	parses("2021/11/30", 2021, 11, 30);
}

Test(date_parse, dots)
{
	parses("2021.3.5", 2021, 3, 5);
	parses("2021.03.05", 2021, 3, 5);
}

Test(date_parse, compact_yyyymmdd)
{
	parses("20210305", 2021, 3, 5);
	parses("19491001", 1949, 10, 1);
	parses("20240229", 2024, 2, 29);
}

Test(date_parse, chinese)
{
	parses("2021年3月5日", 2021, 3, 5);
	parses("2021年03月05日", 2021, 3, 5);
	parses("2021年3月5", 2021, 3, 5);
	parses("2021年3月5号", 2021, 3, 5);
	parses("2021 年 3 月 5 日", 2021, 3, 5);
}

Test(date_parse, time_hh_mm)
{
	parses("2021-03-05 10:20", 2021, 3, 5);
	parses("2021-3-5 9:05", 2021, 3, 5);
	parses("2021/3/5 10:20", 2021, 3, 5);
	parses("2021.3.5 10:20", 2021, 3, 5);
	parses("20210305 10:20", 2021, 3, 5);
	parses("2021-03-05  10:20", 2021, 3, 5);
}

Test(date_parse, time_hh_mm_ss)
{
	parses("2021-03-05 10:20:30", 2021, 3, 5);
	parses("2021/3/5 0:00:00", 2021, 3, 5);
	parses("2021-03-05 23:59:59", 2021, 3, 5);
	parses("2016-12-31 23:59:60", 2016, 12, 31);   /* leap second */
}

Test(date_parse, time_fraction)
{
	parses("2021-03-05 10:20:30.123", 2021, 3, 5);
	parses("2021-03-05 00:00:00.0", 2021, 3, 5);
	parses("2021-03-05 00:00:00.000000", 2021, 3, 5);
}

Test(date_parse, iso_t)
{
	parses("2021-03-05T10:20:30", 2021, 3, 5);
	parses("2021-03-05T10:20", 2021, 3, 5);
	parses("2021-03-05T10:20:30.123", 2021, 3, 5);
	parses("20210305T10:20:30", 2021, 3, 5);
}

Test(date_parse, iso_zone_z)
{
	parses("2021-03-05T10:20:30Z", 2021, 3, 5);
	parses("2021-03-05T10:20:30.123Z", 2021, 3, 5);
	parses("2021-03-05Z", 2021, 3, 5);
}

Test(date_parse, iso_zone_offset)
{
	parses("2021-03-05T10:20:30+08:00", 2021, 3, 5);
	parses("2021-03-05T10:20:30.5+08:00", 2021, 3, 5);
	parses("2021-03-05T10:20:30-05:00", 2021, 3, 5);
	parses("2021-03-05T10:20:30+0800", 2021, 3, 5);
	parses("2021-03-05T10:20+08", 2021, 3, 5);
	parses("2021-03-05 10:20:30+08:00", 2021, 3, 5);
	parses("2021-03-05+08:00", 2021, 3, 5);
}

Test(date_parse, chinese_with_time)
{
	parses("2021年3月5日 10时20分", 2021, 3, 5);
	parses("2021年3月5日10时20分", 2021, 3, 5);
	parses("2021年3月5日 10时20分30秒", 2021, 3, 5);
	parses("2021年3月5日 10点20分", 2021, 3, 5);
	parses("2021年3月5日 10时", 2021, 3, 5);
	parses("2021年3月5日 10:20:30", 2021, 3, 5);
	parses("2021年3月5日10:20", 2021, 3, 5);
}

Test(date_parse, excel_serial_integer)
{
	parses("44260", 2021, 3, 5);
	parses("1", 1900, 1, 1);
	parses("59", 1900, 2, 28);
	parses("61", 1900, 3, 1);
	parses("25569", 1970, 1, 1);
	parses("36526", 2000, 1, 1);
	parses("2958465", 9999, 12, 31);
	parses("2021", 1905, 7, 13);   /* a bare year is a serial; date.too_old catches it */
}

Test(date_parse, excel_serial_decimal)
{
	parses("44260.5", 2021, 3, 5);
	parses("44260.999988425925", 2021, 3, 5);
	parses("44260.0", 2021, 3, 5);
	parses("2021.5", 1905, 7, 13);
}

Test(date_parse, excel_serial_refused)
{
	refuses("60");     /* the fake 1900-02-29 */
	refuses("60.5");
	refuses("0");
	refuses("0.5");
	refuses("2958466");
	refuses("9999999");
	refuses("44260.");
	refuses("44260.5.5");
	refuses("-44260");
	refuses("44260 10:20");
}

Test(date_parse, excel_60_message)
{
	struct date out;
	struct err e;

	cr_assert_eq(date_parse("60", &out, &e), -1);
	cr_assert(strstr(e.message, "1900-02-29") != NULL, "%s", e.message);
}

Test(date_parse, surrounding_whitespace)
{
	parses("  2021-03-05  ", 2021, 3, 5);
	parses("\t2021-03-05\r\n", 2021, 3, 5);
	parses("\xE3\x80\x80" "2021-03-05" "\xE3\x80\x80", 2021, 3, 5);
	parses("\xC2\xA0" "2021-03-05" "\xC2\xA0", 2021, 3, 5);
	parses("\xEF\xBB\xBF" "2021-03-05", 2021, 3, 5);
	parses(" 44260 ", 2021, 3, 5);
}

Test(date_parse, full_width)
{
	parses("２０２１－０３－０５", 2021, 3, 5);
	parses("２０２１年３月５日", 2021, 3, 5);
	parses("２０２１／３／５", 2021, 3, 5);
	parses("２０２１０３０５", 2021, 3, 5);
	parses("２０２１－０３－０５　１０：２０", 2021, 3, 5);
}

Test(date_parse, impossible_dates)
{
	refuses("2021-02-30");
	refuses("2021-02-29");
	refuses("2100-02-29");
	refuses("2021-04-31");
	refuses("2021-13-01");
	refuses("2021-00-10");
	refuses("2021-01-00");
	refuses("2021/2/30");
	refuses("2021.2.30");
	refuses("2021年2月30日");
	refuses("0000-01-01");
	parses("2000-02-29", 2000, 2, 29);
	parses("2024-02-29", 2024, 2, 29);
}

Test(date_parse, impossible_day_message)
{
	struct date out;
	struct err e;

	cr_assert_eq(date_parse("2021-02-30", &out, &e), -1);
	cr_assert(strstr(e.message, "不存在") != NULL, "%s", e.message);
}

Test(date_parse, eight_digits_not_a_date)
{
	/* Eight digits are YYYYMMDD or nothing: never an Excel serial. */
	refuses("20211305");
	refuses("20210230");
	refuses("12345678");
	refuses("00000000");
	refuses("202103051");
	refuses("20210305.5");
}

Test(date_parse, garbage)
{
	refuses("");
	refuses("   ");
	refuses("abc");
	refuses("2021-03");
	refuses("2021-03-05x");
	refuses("2021-03/05");
	refuses("2021/03-05");
	refuses("21-03-05");
	refuses("05/03/2021");
	refuses("2021-003-05");
	refuses("2021-03-005");
	refuses("2021年3月");
	refuses("2021年3月5日 下午");
	refuses("2021-03-05T");
	refuses("2021-03-05 10");
	refuses("2021-03-05 25:00");
	refuses("2021-03-05 10:60");
	refuses("2021-03-05 10:2");
	refuses("2021-03-05 10:20:61");
	refuses("2021-03-05 10:20:30.");
	refuses("2021-03-05T10:20:30X");
	refuses("2021-03-05T10:20:30+8");
	refuses("2021-03-05T10:20:30+08:60");
	refuses("2021-03-05 10:20:30 extra");
	refuses("2021年3月5日 25时");
	refuses("2021年3月5日 10时61分");
	refuses("2021年3月5日 10时20分30秒后");
}

Test(date_parse, invalid_utf8)
{
	struct date out;
	struct err e;

	cr_assert_eq(date_parse("\xFF\xFE", &out, &e), -1);
	cr_assert_str_eq(e.reason, "date.unparseable");
	cr_assert_eq(date_parse("2021\xE5\xB9-03-05", &out, &e), -1);
}

Test(date_parse, message_lists_formats)
{
	struct date out;
	struct err e;

	cr_assert_eq(date_parse("明天", &out, &e), -1);
	cr_assert(strstr(e.message, "明天") != NULL);
	cr_assert(strstr(e.message, "2021-03-05") != NULL);
	cr_assert(strstr(e.message, "2021年3月5日") != NULL);
	cr_assert(strstr(e.message, "Excel") != NULL);
}

Test(date_parse, long_value_message_is_cut_cleanly)
{
	char s[400];
	struct date out;
	struct err e;
	size_t i;

	for (i = 0; i + 3 < sizeof s; i += 3)
		memcpy(s + i, "日", 3);
	s[i] = '\0';
	cr_assert_eq(date_parse(s, &out, &e), -1);
	cr_assert_str_eq(e.reason, "date.unparseable");
	cr_assert(strlen(e.message) < sizeof e.message - 1);
	cr_assert(strstr(e.message, "…") != NULL);
}

Test(date_parse, null_err_allowed)
{
	struct date out;

	cr_assert_eq(date_parse("nope", &out, NULL), -1);
	cr_assert_eq(date_parse("2021-03-05", &out, NULL), 0);
}

Test(date, is_valid)
{
	cr_assert(date_is_valid(2021, 3, 5));
	cr_assert(date_is_valid(2024, 2, 29));
	cr_assert(date_is_valid(2000, 2, 29));
	cr_assert_not(date_is_valid(1900, 2, 29));
	cr_assert_not(date_is_valid(2021, 2, 29));
	cr_assert_not(date_is_valid(2021, 0, 1));
	cr_assert_not(date_is_valid(2021, 13, 1));
	cr_assert_not(date_is_valid(2021, 6, 31));
	cr_assert_not(date_is_valid(0, 1, 1));
	cr_assert_not(date_is_valid(10000, 1, 1));
}

Test(date, days_round_trip)
{
	struct date d = { 1970, 1, 1 };
	long n;

	cr_assert_eq(date_to_days(d), 0);
	cr_assert_eq(date_to_days((struct date){ 2021, 3, 5 }), 18691);
	cr_assert_eq(date_to_days((struct date){ 1969, 12, 31 }), -1);
	cr_assert_eq(date_to_days((struct date){ 2000, 3, 1 }), 11017);
	d = date_from_days(-25567);
	cr_assert(d.y == 1900 && d.m == 1 && d.d == 1);
	/* Every day from 1899 to 2101 converts back to itself, in order. */
	for (n = -25600; n < 47500; n++) {
		struct date a = date_from_days(n), b = date_from_days(n + 1);

		cr_assert(date_is_valid(a.y, a.m, a.d), "day %ld", n);
		cr_assert_eq(date_to_days(a), n);
		cr_assert_lt(date_cmp(a, b), 0);
	}
}

Test(date, days_extremes)
{
	struct date lo = { 1, 1, 1 }, hi = { 9999, 12, 31 };

	cr_assert_eq(date_cmp(date_from_days(date_to_days(lo)), lo), 0);
	cr_assert_eq(date_cmp(date_from_days(date_to_days(hi)), hi), 0);
}

Test(date, cmp)
{
	struct date a = { 2021, 3, 5 }, b = { 2021, 3, 6 }, c = { 2021, 4, 1 }, f = { 2022, 1, 1 };

	cr_assert_eq(date_cmp(a, a), 0);
	cr_assert_lt(date_cmp(a, b), 0);
	cr_assert_gt(date_cmp(b, a), 0);
	cr_assert_lt(date_cmp(b, c), 0);
	cr_assert_lt(date_cmp(c, f), 0);
	cr_assert_gt(date_cmp(f, a), 0);
}

static void adds(struct date d, int months, int y, int m, int day)
{
	struct date r = date_add_months(d, months);

	cr_assert(r.y == y && r.m == m && r.d == day, "%04d-%02d-%02d %+d months gave %04d-%02d-%02d",
		  d.y, d.m, d.d, months, r.y, r.m, r.d);
}

Test(date, add_months)
{
	adds((struct date){ 2024, 1, 31 }, 1, 2024, 2, 29);
	adds((struct date){ 2023, 1, 31 }, 1, 2023, 2, 28);
	adds((struct date){ 2021, 3, 5 }, 12, 2022, 3, 5);
	adds((struct date){ 2021, 3, 5 }, 36, 2024, 3, 5);
	adds((struct date){ 2021, 11, 30 }, 3, 2022, 2, 28);
	adds((struct date){ 2021, 12, 15 }, 1, 2022, 1, 15);
	adds((struct date){ 2021, 3, 31 }, -1, 2021, 2, 28);
	adds((struct date){ 2021, 1, 15 }, -1, 2020, 12, 15);
	adds((struct date){ 2021, 1, 15 }, -13, 2019, 12, 15);
	adds((struct date){ 2021, 5, 31 }, 0, 2021, 5, 31);
	adds((struct date){ 2020, 2, 29 }, 12, 2021, 2, 28);
}

Test(date, format)
{
	char out[11];

	date_format((struct date){ 2021, 3, 5 }, out);
	cr_assert_str_eq(out, "2021-03-05");
	date_format((struct date){ 1, 1, 1 }, out);
	cr_assert_str_eq(out, "0001-01-01");
	date_format((struct date){ 9999, 12, 31 }, out);
	cr_assert_str_eq(out, "9999-12-31");
}

Test(date, parse_iso)
{
	struct date d = { 0, 0, 0 };

	cr_assert_eq(date_parse_iso("2021-03-05", &d), 0);
	cr_assert(d.y == 2021 && d.m == 3 && d.d == 5);
	cr_assert_eq(date_parse_iso("2099-12-31", &d), 0);
	cr_assert_eq(date_parse_iso("2021-3-5", &d), -1);
	cr_assert_eq(date_parse_iso("2021/03/05", &d), -1);
	cr_assert_eq(date_parse_iso("2021-03-05 ", &d), -1);
	cr_assert_eq(date_parse_iso("2021-03-0", &d), -1);
	cr_assert_eq(date_parse_iso("2021-02-30", &d), -1);
	cr_assert_eq(date_parse_iso("20210305", &d), -1);
	cr_assert_eq(date_parse_iso("", &d), -1);
	cr_assert(d.y == 2099 && d.m == 12 && d.d == 31, "failure must not write out");
}

Test(date, format_parse_round_trip)
{
	char out[11];
	struct date d;
	long n;

	for (n = -7305; n < 47482; n += 17) {
		date_format(date_from_days(n), out);
		cr_assert_eq(date_parse_iso(out, &d), 0, "%s", out);
		cr_assert_eq(date_to_days(d), n);
		cr_assert_eq(date_parse(out, &d, NULL), 0, "%s", out);
		cr_assert_eq(date_to_days(d), n);
	}
}
