/*
 * date.h - calendar dates and the many formats departments send them in.  Pure functions.
 */
#ifndef XY_DATE_H
#define XY_DATE_H

struct err;

struct date {
	int y, m, d;
};

/* Parses a date, with or without a time part (which is dropped):
 *   2021-03-05  2021/3/5  2021.3.5  20210305  2021年3月5日  2021-3-5 10:20[:30]
 *   2021-03-05T10:20:30[Z|+08:00]  and Excel serial numbers (e.g. 44260, 44260.5;
 *   1900 date system, accepted between 1 and 2958465).
 * Surrounding whitespace is ignored.  Returns 0, or -1 with reason `date.unparseable`
 * (also for impossible dates such as 2021-02-30). */
int date_parse(const char *s, struct date *out, struct err *e);

int date_is_valid(int y, int m, int d);

/* Days since 1970-01-01 and back. */
long date_to_days(struct date d);
struct date date_from_days(long days);

/* Compares two dates: <0, 0, >0. */
int date_cmp(struct date a, struct date b);

/* Adds calendar months, clamping the day to the end of the month (2024-01-31 + 1 month =
 * 2024-02-29). */
struct date date_add_months(struct date d, int months);

/* Formats as "YYYY-MM-DD" into out (11 bytes). */
void date_format(struct date d, char out[11]);

/* Parses exactly "YYYY-MM-DD" (the stored form); returns 0 or -1. */
int date_parse_iso(const char *s, struct date *out);

#endif
