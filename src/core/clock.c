/* clock.c - injectable time; see clock.h. */
#include "clock.h"

#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEIJING_OFFSET (8 * 3600)

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil), so that no libc time zone state is involved. */
static long clock_days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parses XINYONG_NOW; returns 0 and the instant, or -1. A value without an offset is read
 * as Beijing time, which is what a tester writing "2026-03-05" means. */
static int clock_parse(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh = 0, om = 0;
	long offset = BEIJING_OFFSET;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1)
				return -1;
			p += 1 + n;
		}
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == 'Z') {
		offset = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2)
			return -1;
		offset = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
		p += 1 + n;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	*out = (time_t)(clock_days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec -
			offset);
	return 0;
}

int clock_check_env(struct err *e)
{
	const char *s = getenv("XINYONG_NOW");
	time_t t;

	if (!s || !*s)
		return 0;
	if (clock_parse(s, &t) < 0)
		return err_set(e, "config.now",
			       "环境变量 XINYONG_NOW 的值“%s”无法识别，请使用 ISO 8601 格式，如 "
			       "2026-03-05 或 2026-03-05T10:00:00+08:00",
			       s);
	return 0;
}

time_t clock_now(void)
{
	const char *s = getenv("XINYONG_NOW");
	time_t t;

	if (s && *s && clock_parse(s, &t) == 0)
		return t;
	return time(NULL);
}

static void clock_beijing(struct tm *tm)
{
	time_t t = clock_now() + BEIJING_OFFSET;

	gmtime_r(&t, tm);
}

void clock_today(char out[11])
{
	struct tm tm;

	clock_beijing(&tm);
	if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		out[0] = '\0';
}

void clock_timestamp(char out[26])
{
	clock_timestamp_in(0, out);
}

void clock_timestamp_in(long long seconds, char out[26])
{
	time_t t = clock_now() + BEIJING_OFFSET + (time_t)seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 26, "%Y-%m-%dT%H:%M:%S+08:00", &tm) == 0)
		out[0] = '\0';
}
