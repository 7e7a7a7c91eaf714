/* test_workday.c - working days by the holiday calendar (src/core/workday.c): the built-in
 * calendar of 2024-2026 with its holidays and make-up days, the Monday-Friday fallback of
 * a missing year, zero and boundary counts, and the calendar file's validation. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/date.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/workday.h"

static struct workday_calendar *cal;

/* The built-in calendar, as the program embeds it (data/calendar/cn-workdays.csv). */
static void load_builtin(void)
{
	struct err e;

	err_clear(&e);
	cr_assert_not_null(embedded_calendar[0].name);
	cr_assert_eq(workday_csv_parse(embedded_calendar[0].data, embedded_calendar[0].size, &cal,
				       &e),
		     0, "built-in calendar: %s", e.message);
}

static void free_cal(void)
{
	workday_calendar_free(cal);
	cal = NULL;
}

static struct date ymd(int y, int m, int d)
{
	struct date out = { y, m, d };

	return out;
}

/* Checks from + n working days = expect, and whether the count fell back. */
static void adds(const char *from, int n, const char *expect, int fell)
{
	struct date f, out = { 0, 0, 0 };
	char got[11];
	int fb = -1;

	cr_assert_eq(date_parse_iso(from, &f), 0);
	cr_assert_eq(workday_add(cal, f, n, &out, &fb), 0, "%s + %d failed", from, n);
	date_format(out, got);
	cr_assert_str_eq(got, expect, "%s + %d working days: got %s, expected %s", from, n, got,
			 expect);
	cr_assert_eq(fb, fell, "%s + %d: fell_back %d, expected %d", from, n, fb, fell);
}

static int is(const char *day)
{
	struct date d;

	cr_assert_eq(date_parse_iso(day, &d), 0);
	return workday_is(cal, d);
}

TestSuite(workday, .init = load_builtin, .fini = free_cal);

Test(workday, builtin_years)
{
	cr_assert_eq(workday_calendar_year_count(cal), 3);
	cr_assert_eq(workday_calendar_year_at(cal, 0), 2024);
	cr_assert_eq(workday_calendar_year_at(cal, 1), 2025);
	cr_assert_eq(workday_calendar_year_at(cal, 2), 2026);
	cr_assert(workday_calendar_has_year(cal, 2025));
	cr_assert_not(workday_calendar_has_year(cal, 2023));
	cr_assert_not(workday_calendar_has_year(cal, 2027));
	/* 2024: New Year 1, Spring Festival 8+2, Qingming 3+1, Labour Day 5+2, Dragon Boat 1,
	 * Mid-Autumn 3+1, National Day 7+2 (days off + days worked). */
	cr_assert_eq(workday_calendar_day_count(cal, 2024), 36);
	cr_assert_eq(workday_calendar_day_count(cal, 2027), 0);
	cr_assert_eq(workday_calendar_kind(cal, ymd(2024, 2, 18)), WORKDAY_MAKEUP);
	cr_assert_eq(workday_calendar_kind(cal, ymd(2024, 2, 10)), WORKDAY_HOLIDAY);
	cr_assert_eq(workday_calendar_kind(cal, ymd(2024, 2, 9)), WORKDAY_ORDINARY);
}

Test(workday, weekday)
{
	cr_assert_eq(workday_weekday(ymd(1970, 1, 1)), 4);
	cr_assert_eq(workday_weekday(ymd(2024, 2, 18)), 7);
	cr_assert_eq(workday_weekday(ymd(2025, 10, 1)), 3);
	cr_assert_eq(workday_weekday(ymd(1969, 12, 29)), 1);
	cr_assert_eq(workday_weekday(ymd(1, 1, 1)), 1);
}

Test(workday, spring_festival_2024)
{
	/* 02-10..02-17 off; the Sundays 02-04 and 02-18 worked; 02-09 (除夕, a Friday) is a
	 * working day by the notice (only "encouraged" as a day off). */
	cr_assert_eq(is("2024-02-04"), 1);
	cr_assert_eq(is("2024-02-09"), 1);
	cr_assert_eq(is("2024-02-10"), 0);
	cr_assert_eq(is("2024-02-12"), 0);
	cr_assert_eq(is("2024-02-17"), 0);
	cr_assert_eq(is("2024-02-18"), 1);
	adds("2024-02-08", 1, "2024-02-09", 0);
	adds("2024-02-09", 1, "2024-02-18", 0);
	adds("2024-02-08", 2, "2024-02-18", 0);
	adds("2024-02-10", 1, "2024-02-18", 0);
	adds("2024-02-18", 1, "2024-02-19", 0);
	adds("2024-02-02", 1, "2024-02-04", 0); /* Friday, then the worked Sunday */
}

Test(workday, national_day_2025)
{
	/* 10-01..10-08 off; the Sunday 09-28 and the Saturday 10-11 worked. */
	cr_assert_eq(is("2025-09-28"), 1);
	cr_assert_eq(is("2025-10-08"), 0);
	cr_assert_eq(is("2025-10-11"), 1);
	adds("2025-09-26", 1, "2025-09-28", 0);
	adds("2025-09-30", 1, "2025-10-09", 0);
	adds("2025-09-30", 3, "2025-10-11", 0);
	adds("2025-09-30", 4, "2025-10-13", 0);
	/* The platform's "publish within 7 working days" of a decision on 09-30. */
	adds("2025-09-30", 7, "2025-10-16", 0);
}

Test(workday, other_holidays)
{
	/* 2024 National Day: 10-01..10-07 off, 09-29 and 10-12 worked. */
	adds("2024-09-27", 1, "2024-09-29", 0);
	adds("2024-09-30", 1, "2024-10-08", 0);
	/* 2024 Labour Day: 05-01..05-05 off, 04-28 and 05-11 worked. */
	adds("2024-04-30", 1, "2024-05-06", 0);
	adds("2024-05-10", 1, "2024-05-11", 0);
	/* 2025 Spring Festival: 01-28..02-04 off, 01-26 and 02-08 worked. */
	adds("2025-01-24", 1, "2025-01-26", 0);
	adds("2025-01-27", 1, "2025-02-05", 0);
	adds("2025-02-07", 1, "2025-02-08", 0);
	/* 2026 Spring Festival: 02-15..02-23 off, 02-14 and 02-28 worked. */
	adds("2026-02-13", 1, "2026-02-14", 0);
	adds("2026-02-14", 1, "2026-02-24", 0);
	adds("2026-02-27", 1, "2026-02-28", 0);
	/* 2026 Mid-Autumn and National Day: 09-25..09-27 and 10-01..10-07 off, 09-20 and
	 * 10-10 worked. */
	adds("2026-09-18", 1, "2026-09-20", 0);
	adds("2026-09-24", 1, "2026-09-28", 0);
	adds("2026-09-30", 1, "2026-10-08", 0);
	adds("2026-10-09", 1, "2026-10-10", 0);
}

Test(workday, across_new_year)
{
	/* 2026-01-01..01-03 off, the Sunday 01-04 worked. */
	adds("2025-12-31", 1, "2026-01-04", 0);
	adds("2025-12-31", 2, "2026-01-05", 0);
	adds("2024-12-31", 1, "2025-01-02", 0);
	adds("2023-12-29", 1, "2024-01-02", 1); /* 2023 unknown: counted Monday-Friday */
}

Test(workday, working_days_per_year)
{
	/* Counted independently from the file (Python): 251, 248, 248. */
	static const int expect[3] = { 251, 248, 248 };
	int y;

	for (y = 2024; y <= 2026; y++) {
		long from = date_to_days(ymd(y, 1, 1)), to = date_to_days(ymd(y, 12, 31)), day;
		int n = 0;
		struct date out;
		int fb = -1;

		for (day = from; day <= to; day++)
			n += workday_is(cal, date_from_days(day));
		cr_assert_eq(n, expect[y - 2024], "%d: %d working days", y, n);
		/* The n-th working day after 12-31 of the year before is the last one of it. */
		cr_assert_eq(workday_add(cal, ymd(y - 1, 12, 31), n, &out, &fb), 0);
		cr_assert_eq(out.y, y);
		cr_assert(workday_is(cal, out));
		cr_assert_eq(fb, 0);
	}
}

Test(workday, every_listed_day_is_judged_by_its_kind)
{
	int y;

	for (y = 2024; y <= 2026; y++) {
		long from = date_to_days(ymd(y, 1, 1)), day;

		for (day = from; day < from + 365; day++) {
			struct date d = date_from_days(day);
			enum workday_kind k = workday_calendar_kind(cal, d);

			if (k == WORKDAY_HOLIDAY)
				cr_assert_eq(workday_is(cal, d), 0);
			else if (k == WORKDAY_MAKEUP)
				cr_assert(workday_is(cal, d) && workday_weekday(d) >= 6);
			else
				cr_assert_eq(workday_is(cal, d), workday_weekday(d) <= 5);
		}
	}
}

Test(workday, missing_year_falls_back_to_monday_friday)
{
	/* 2027-01-01 is a Friday: New Year's Day, but 2027 is not in the calendar. */
	cr_assert_eq(is("2027-01-01"), 1);
	cr_assert_eq(is("2027-01-02"), 0);
	adds("2026-12-30", 1, "2026-12-31", 0);
	adds("2026-12-31", 1, "2027-01-01", 1);
	adds("2026-12-31", 2, "2027-01-04", 1);
	adds("2027-10-01", 5, "2027-10-08", 1);
	/* Only the days counted over matter: a count that stays in 2026 does not fall back,
	 * even when it starts on the last day. */
	adds("2026-12-30", 1, "2026-12-31", 0);
}

Test(workday, no_calendar_is_monday_friday)
{
	struct date out;
	int fb = 0;

	cr_assert_eq(workday_is(NULL, ymd(2024, 2, 12)), 1);
	cr_assert_eq(workday_is(NULL, ymd(2024, 2, 18)), 0);
	cr_assert_eq(workday_add(NULL, ymd(2024, 2, 9), 1, &out, &fb), 0);
	cr_assert(out.y == 2024 && out.m == 2 && out.d == 12);
	cr_assert_eq(fb, 1);
	cr_assert_eq(workday_add(NULL, ymd(2024, 2, 9), 10, &out, NULL), 0); /* fell_back NULL */
	cr_assert(out.y == 2024 && out.m == 2 && out.d == 23);
}

Test(workday, zero_days_is_the_day_itself)
{
	/* Even a holiday, and even in a year the calendar lacks: nothing is counted over. */
	adds("2024-02-12", 0, "2024-02-12", 0);
	adds("2027-01-01", 0, "2027-01-01", 0);
	adds("2024-02-17", 0, "2024-02-17", 0);
}

Test(workday, bad_arguments_write_nothing)
{
	struct date out = { 1, 2, 3 };
	int fb = 7;

	cr_assert_eq(workday_add(cal, ymd(2024, 2, 8), -1, &out, &fb), -1);
	cr_assert_eq(workday_add(cal, ymd(2024, 2, 8), WORKDAY_ADD_MAX + 1, &out, &fb), -1);
	cr_assert_eq(workday_add(cal, ymd(2024, 2, 30), 1, &out, &fb), -1);
	cr_assert_eq(workday_add(cal, ymd(0, 1, 1), 1, &out, &fb), -1);
	cr_assert_eq(workday_add(cal, ymd(9999, 12, 30), 5, &out, &fb), -1);
	cr_assert(out.y == 1 && out.m == 2 && out.d == 3);
	cr_assert_eq(fb, 7);
	cr_assert_eq(workday_add(cal, ymd(9999, 12, 30), 1, &out, &fb), 0); /* a Thursday */
	cr_assert(out.y == 9999 && out.m == 12 && out.d == 31);
	cr_assert_eq(workday_add(cal, ymd(2024, 1, 1), WORKDAY_ADD_MAX, &out, &fb), 0);
	cr_assert_eq(fb, 1);
}

Test(workday, calendar_building)
{
	struct workday_calendar *c = workday_calendar_new();
	struct date out;
	int fb;

	cr_assert_not_null(c);
	cr_assert_eq(workday_calendar_add_year(c, 2030), 0);
	cr_assert_eq(workday_calendar_add_year(c, 10000), -1);
	cr_assert_eq(workday_calendar_set(c, ymd(2030, 2, 30), WORKDAY_HOLIDAY), -1);
	cr_assert_eq(workday_calendar_set(c, ymd(2028, 1, 3), WORKDAY_HOLIDAY), 0); /* Monday */
	cr_assert_eq(workday_calendar_set(c, ymd(2028, 1, 3), WORKDAY_HOLIDAY), 0);
	cr_assert_eq(workday_calendar_day_count(c, 2028), 1);
	cr_assert_eq(workday_calendar_year_count(c), 2);
	cr_assert_eq(workday_calendar_year_at(c, 0), 2028); /* kept in order */
	/* A known year with no special day is plain Monday-Friday, but not a fallback. */
	cr_assert_eq(workday_add(c, ymd(2030, 1, 4), 1, &out, &fb), 0);
	cr_assert(out.m == 1 && out.d == 7 && fb == 0);
	cr_assert_eq(workday_add(c, ymd(2027, 12, 31), 1, &out, &fb), 0);
	cr_assert(out.y == 2028 && out.m == 1 && out.d == 4 && fb == 0);
	cr_assert_eq(workday_calendar_set(c, ymd(2028, 1, 3), WORKDAY_ORDINARY), 0);
	cr_assert_eq(workday_calendar_day_count(c, 2028), 0);
	cr_assert(workday_calendar_has_year(c, 2028));
	workday_calendar_free(c);
	workday_calendar_free(NULL);
}

/* ---- the calendar file ---------------------------------------------------------------- */

/* Checks `text` is refused with a message holding each of the (up to three) parts. */
static void refuses(const char *text, const char *field, const char *a, const char *b,
		    const char *c)
{
	struct workday_calendar *out = (struct workday_calendar *)&out;
	struct err e;

	err_clear(&e);
	cr_assert_eq(workday_csv_parse(text, strlen(text), &out, &e), -1, "accepted: %s", text);
	cr_assert_null(out);
	cr_assert_str_eq(e.reason, "calendar.invalid", "%s: reason %s", text, e.reason);
	if (field)
		cr_assert_str_eq(e.field, field, "%s: field %s", text, e.field);
	cr_assert(strstr(e.message, a), "message \"%s\" lacks \"%s\"", e.message, a);
	if (b)
		cr_assert(strstr(e.message, b), "message \"%s\" lacks \"%s\"", e.message, b);
	if (c)
		cr_assert(strstr(e.message, c), "message \"%s\" lacks \"%s\"", e.message, c);
}

Test(workday_csv, accepts_bom_crlf_blank_lines_and_spaces)
{
	static const char text[] = "\xEF\xBB\xBF" "date,kind\r\n2030-01-01,holiday\r\n\r\n"
				   " 2030-01-05 , workday \r\n";
	struct workday_calendar *c = NULL;
	struct err e;

	err_clear(&e);
	cr_assert_eq(workday_csv_parse(text, sizeof text - 1, &c, &e), 0, "%s", e.message);
	cr_assert_eq(workday_calendar_year_count(c), 1);
	cr_assert_eq(workday_calendar_day_count(c, 2030), 2);
	cr_assert_eq(workday_calendar_kind(c, ymd(2030, 1, 5)), WORKDAY_MAKEUP);
	workday_calendar_free(c);
}

Test(workday_csv, refuses_bad_files)
{
	refuses("", "", "为空", "date,kind", NULL);
	refuses("date,kind\n", "", "没有数据行", NULL, NULL);
	refuses("day,type\n2030-01-01,holiday\n", "", "第1行", "date,kind", "day,type");
	refuses("date,kind\n2030-01-01,holiday\n2030/1/2,holiday\n", "date", "第3行", "date 列",
		"YYYY-MM-DD");
	refuses("date,kind\n2030-02-30,holiday\n", "date", "第2行", "2030-02-30", "有效日期");
	refuses("date,kind\n1999-01-01,holiday\n", "date", "第2行", "1999", "2000 至 2099");
	refuses("date,kind\n2030-01-01,Holiday\n", "kind", "第2行", "kind 列", "holiday");
	refuses("date,kind\n2030-01-01,放假\n", "kind", "第2行", "放假", "workday");
	refuses("date,kind\n2030-01-01,\n", "kind", "第2行", "kind 列", NULL);
	/* 2030-01-07 is a Monday: a working day anyway. */
	refuses("date,kind\n2030-01-07,workday\n", "kind", "第2行", "星期一", "星期六或星期日");
	refuses("date,kind\n2030-01-01,holiday\n\n2030-01-01,holiday\n", "date", "第4行",
		"第2行", "重复");
	refuses("date,kind\n2030-01-01,holiday,extra\n", "", "第2行", "2列", "3列");
	refuses("date,kind\n2030-01-01\n", "", "第2行", "2列", "1列");
	refuses("date,kind\n2030-01-01,holiday\n2030-01-02,\xff\xfe\n", "", "第3行", "UTF-8", NULL);
}

Test(workday_csv, refuses_nul_and_long_lines)
{
	static const char nul[] = "date,kind\n2030-01-01,holi\0day\n";
	char longline[400];
	struct workday_calendar *c = NULL;
	struct err e;

	err_clear(&e);
	cr_assert_eq(workday_csv_parse(nul, sizeof nul - 1, &c, &e), -1);
	cr_assert(strstr(e.message, "第2行"), "%s", e.message);
	memset(longline, 'x', sizeof longline);
	memcpy(longline, "date,kind\n", 10);
	longline[sizeof longline - 1] = '\0';
	refuses(longline, "", "第2行", "过长", NULL);
}
