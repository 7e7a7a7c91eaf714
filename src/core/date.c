/*
 * date.c - calendar arithmetic and the date formats departments send; see date.h.
 *
 * date_parse runs for every date cell of every file (millions of calls per import), so it
 * is a hand-written scanner over the bytes: no regex, no sscanf, no allocation on the
 * success path.  The day-count conversions are Howard Hinnant's civil-date algorithms,
 * which need no libc time zone and are exact over the whole proleptic Gregorian calendar.
 */
#include "date.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "text.h"

/* Excel's 1900 date system: serial 1 is 1900-01-01 and 2958465 is 9999-12-31. */
#define DATE_EXCEL_MAX 2958465L
/* Serial 60 is 1900-02-29, a day that never existed: Lotus 1-2-3 treated 1900 as a leap
 * year and Excel kept the bug for compatibility. */
#define DATE_EXCEL_FAKE_LEAP_DAY 60L

#define DATE_FORMATS_HINT "可接受的格式如 2021-03-05、2021/3/5、2021.3.5、20210305、" \
	"2021年3月5日（均可带时间，如 2021-03-05 10:20:30），或 Excel 日期序列号（如 44260）"

/* The byte span being parsed; `p` advances, `end` is exclusive. */
struct date_scan {
	const unsigned char *p;
	const unsigned char *end;
};

static int date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int date_month_days(int y, int m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && date_leap(y) ? 29 : days[m - 1];
}

int date_is_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= date_month_days(y, m);
}

long date_to_days(struct date d)
{
	long y = d.y - (d.m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = (d.m + 9) % 12; /* March is 0, so that the leap day ends the year */
	long doy = (153 * mp + 2) / 5 + d.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct date date_from_days(long days)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	struct date out;

	out.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out.y = (int)(yoe + era * 400 + (out.m <= 2));
	return out;
}

int date_cmp(struct date a, struct date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

struct date date_add_months(struct date d, int months)
{
	/* long arithmetic: y * 12 + months cannot overflow for any int `months`. */
	long total = (long)d.y * 12 + (d.m - 1) + months;
	long y = total >= 0 ? total / 12 : -((-total + 11) / 12);
	struct date out;
	int dim;

	out.y = (int)y;
	out.m = (int)(total - y * 12) + 1;
	dim = date_month_days(out.y, out.m);
	out.d = d.d > dim ? dim : d.d;
	return out;
}

/* Writes `width` decimal digits of v (taken modulo 10^width). */
static void date_put_digits(char *out, int v, int width)
{
	unsigned u = v < 0 ? 0u : (unsigned)v;

	while (width-- > 0) {
		out[width] = (char)('0' + u % 10);
		u /= 10;
	}
}

void date_format(struct date d, char out[11])
{
	/* Hand-formatted rather than snprintf: it is on the per-cell path, and the fixed
	 * widths make the 11-byte contract obvious. */
	date_put_digits(out, d.y, 4);
	out[4] = '-';
	date_put_digits(out + 5, d.m, 2);
	out[7] = '-';
	date_put_digits(out + 8, d.d, 2);
	out[10] = '\0';
}

static int date_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int date_parse_iso(const char *s, struct date *out)
{
	static const char shape[] = "dddd-dd-dd";
	const unsigned char *p = (const unsigned char *)s;
	struct date d;
	int i;

	for (i = 0; i < 10; i++) {
		if (shape[i] == 'd' ? !date_digit(p[i]) : p[i] != '-')
			return -1;
	}
	if (p[10] != '\0')
		return -1;
	d.y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	d.m = (p[5] - '0') * 10 + (p[6] - '0');
	d.d = (p[8] - '0') * 10 + (p[9] - '0');
	if (!date_is_valid(d.y, d.m, d.d))
		return -1;
	*out = d;
	return 0;
}

/* Reads 1..max digits; returns how many were read (0 when none), value in *v. */
static int date_scan_num(struct date_scan *sc, int max, long *v)
{
	int k = 0;

	*v = 0;
	while (k < max && sc->p < sc->end && date_digit(*sc->p)) {
		*v = *v * 10 + (*sc->p - '0');
		sc->p++;
		k++;
	}
	return k;
}

/* Skips a run of digits; returns how many there were. */
static size_t date_skip_digits(struct date_scan *sc)
{
	const unsigned char *from = sc->p;

	while (sc->p < sc->end && date_digit(*sc->p))
		sc->p++;
	return (size_t)(sc->p - from);
}

/* Consumes the literal `lit` (ASCII or UTF-8) when it comes next. */
static int date_scan_lit(struct date_scan *sc, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, lit, n) != 0)
		return 0;
	sc->p += n;
	return 1;
}

static int date_scan_char(struct date_scan *sc, unsigned char c)
{
	if (sc->p < sc->end && *sc->p == c) {
		sc->p++;
		return 1;
	}
	return 0;
}

static int date_scan_spaces(struct date_scan *sc)
{
	int k = 0;

	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t')) {
		sc->p++;
		k++;
	}
	return k;
}

/* Reads exactly two digits in [0, max]. */
static int date_scan_2(struct date_scan *sc, long max)
{
	long v;

	if (date_scan_num(sc, 2, &v) != 2 || v > max)
		return -1;
	return 0;
}

/* A time-zone designator: "Z", "+08:00", "+0800" or "+08". */
static int date_scan_zone(struct date_scan *sc)
{
	long v;

	if (date_scan_char(sc, 'Z'))
		return 0;
	if (!date_scan_char(sc, '+') && !date_scan_char(sc, '-'))
		return -1;
	if (date_scan_num(sc, 2, &v) != 2 || v > 14)
		return -1;
	if (sc->p == sc->end)
		return 0;
	date_scan_char(sc, ':');
	return date_scan_2(sc, 59);
}

/* A clock time "10:20", "10:20:30", "10:20:30.123", optionally with a zone. */
static int date_scan_clock(struct date_scan *sc)
{
	long h;

	if (date_scan_num(sc, 2, &h) < 1 || h > 23)
		return -1;
	if (!date_scan_char(sc, ':') || date_scan_2(sc, 59) < 0)
		return -1;
	if (date_scan_char(sc, ':')) {
		/* 60 allows a leap second. */
		if (date_scan_2(sc, 60) < 0)
			return -1;
		if (date_scan_char(sc, '.') && date_skip_digits(sc) == 0)
			return -1;
	}
	if (sc->p == sc->end)
		return 0;
	return date_scan_zone(sc);
}

/* A Chinese time "10时20分", "10时20分30秒", "10点20分" or just "10时". */
static int date_scan_clock_zh(struct date_scan *sc)
{
	long v;

	if (date_scan_num(sc, 2, &v) < 1 || v > 23)
		return -1;
	if (!date_scan_lit(sc, "时") && !date_scan_lit(sc, "点"))
		return -1;
	if (sc->p == sc->end)
		return 0;
	if (date_scan_num(sc, 2, &v) < 1 || v > 59 || !date_scan_lit(sc, "分"))
		return -1;
	if (sc->p == sc->end)
		return 0;
	if (date_scan_num(sc, 2, &v) < 1 || v > 60 || !date_scan_lit(sc, "秒"))
		return -1;
	return sc->p == sc->end ? 0 : -1;
}

/* Whatever follows the date: nothing, a time after a space or "T", or a bare zone
 * ("2021-03-05+08:00", as XML Schema writes dates).  The time is checked, then dropped. */
static int date_scan_time(struct date_scan *sc, int chinese)
{
	int spaced;

	if (sc->p == sc->end)
		return 0;
	if (*sc->p == 'Z' || *sc->p == '+')
		return date_scan_zone(sc) == 0 && sc->p == sc->end ? 0 : -1;
	spaced = date_scan_spaces(sc) > 0;
	if (!spaced && !date_scan_char(sc, 'T') && !chinese)
		return -1;
	if (sc->p == sc->end)
		return -1;
	if (chinese) {
		const unsigned char *save = sc->p;

		if (date_scan_clock_zh(sc) == 0)
			return 0;
		sc->p = save;
	}
	return date_scan_clock(sc) == 0 && sc->p == sc->end ? 0 : -1;
}

/* Outcome of the scanner: ok, not a date at all, a date-shaped value for a day that does
 * not exist, or Excel's fake leap day. */
enum date_outcome { DATE_OK, DATE_BAD_SHAPE, DATE_BAD_DAY, DATE_BAD_EXCEL60 };

/* The rest of an Excel serial number whose integer part was read: an optional fraction
 * (the time of day, dropped), then the end. */
static enum date_outcome date_scan_excel(struct date_scan *sc, long serial, struct date *out)
{
	if (date_scan_char(sc, '.') && date_skip_digits(sc) == 0)
		return DATE_BAD_SHAPE;
	if (sc->p != sc->end)
		return DATE_BAD_SHAPE;
	if (serial < 1 || serial > DATE_EXCEL_MAX)
		return DATE_BAD_SHAPE;
	if (serial == DATE_EXCEL_FAKE_LEAP_DAY)
		return DATE_BAD_EXCEL60;
	/* Below 60 the serial counts from 1899-12-31; from 61 on, Excel counts the missing
	 * leap day, so the true day is one earlier: 1899-12-30 + serial. */
	if (serial < DATE_EXCEL_FAKE_LEAP_DAY)
		serial++;
	*out = date_from_days(date_to_days((struct date){ 1899, 12, 30 }) + serial);
	return DATE_OK;
}

/* Year, month and day after "年": "2021年3月5日", spaces allowed between the parts, "日"
 * optional ("2021年3月5") and "号" accepted for it, as people write it. */
static int date_scan_ymd_zh(struct date_scan *sc, long *m, long *d)
{
	date_scan_spaces(sc);
	if (date_scan_num(sc, 2, m) < 1)
		return -1;
	date_scan_spaces(sc);
	if (!date_scan_lit(sc, "月"))
		return -1;
	date_scan_spaces(sc);
	if (date_scan_num(sc, 2, d) < 1)
		return -1;
	date_scan_spaces(sc);
	if (!date_scan_lit(sc, "日"))
		date_scan_lit(sc, "号");
	return 0;
}

static enum date_outcome date_scan(struct date_scan *sc, struct date *out)
{
	const unsigned char *after_year;
	long y, m, d;
	int k, chinese = 0;
	unsigned char sep;

	k = date_scan_num(sc, 8, &y);
	if (k == 0 || (k == 8 && sc->p < sc->end && date_digit(*sc->p)))
		return DATE_BAD_SHAPE;
	if (k == 8) {
		/* YYYYMMDD, never an Excel serial (those stop at 2958465, seven digits). */
		d = y % 100;
		m = y / 100 % 100;
		y /= 10000;
		goto time;
	}
	if (k != 4 || sc->p == sc->end)
		return date_scan_excel(sc, y, out);
	after_year = sc->p;
	sep = *sc->p;
	if (sep == '-' || sep == '/' || sep == '.') {
		sc->p++;
		if (date_scan_num(sc, 2, &m) < 1 || !date_scan_char(sc, sep) ||
		    date_scan_num(sc, 2, &d) < 1) {
			/* "2021.5" is no Y.M.D date, but it is an Excel serial with a time. */
			if (sep != '.')
				return DATE_BAD_SHAPE;
			sc->p = after_year;
			return date_scan_excel(sc, y, out);
		}
	} else {
		date_scan_spaces(sc);
		if (!date_scan_lit(sc, "年") || date_scan_ymd_zh(sc, &m, &d) < 0)
			return DATE_BAD_SHAPE;
		chinese = 1;
	}
time:
	if (date_scan_time(sc, chinese) < 0)
		return DATE_BAD_SHAPE;
	if (!date_is_valid((int)y, (int)m, (int)d))
		return DATE_BAD_DAY;
	out->y = (int)y;
	out->m = (int)m;
	out->d = (int)d;
	return DATE_OK;
}

/* Trims the characters text_trim trims, without copying. */
static void date_trim(struct date_scan *sc)
{
	for (;;) {
		if (sc->p < sc->end && (*sc->p == ' ' || (*sc->p >= '\t' && *sc->p <= '\r')))
			sc->p++;
		else if (sc->end - sc->p >= 3 && ((sc->p[0] == 0xE3 && sc->p[1] == 0x80 &&
						   sc->p[2] == 0x80) ||
						  (sc->p[0] == 0xEF && sc->p[1] == 0xBB &&
						   sc->p[2] == 0xBF)))
			sc->p += 3;
		else if (sc->end - sc->p >= 2 && sc->p[0] == 0xC2 && sc->p[1] == 0xA0)
			sc->p += 2;
		else
			break;
	}
	for (;;) {
		const unsigned char *e = sc->end;

		if (e > sc->p && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r')))
			sc->end--;
		else if (e - sc->p >= 3 && ((e[-3] == 0xE3 && e[-2] == 0x80 && e[-1] == 0x80) ||
					    (e[-3] == 0xEF && e[-2] == 0xBB && e[-1] == 0xBF)))
			sc->end -= 3;
		else if (e - sc->p >= 2 && e[-2] == 0xC2 && e[-1] == 0xA0)
			sc->end -= 2;
		else
			break;
	}
}

static enum date_outcome date_parse_span(const char *s, struct date *out)
{
	struct date_scan sc;

	sc.p = (const unsigned char *)s;
	sc.end = sc.p + strlen(s);
	date_trim(&sc);
	return date_scan(&sc, out);
}

int date_parse(const char *s, struct date *out, struct err *e)
{
	enum date_outcome rc;
	char quoted[64];

	rc = date_parse_span(s, out);
	if (rc == DATE_BAD_SHAPE && strstr(s, "\xEF\xBC")) {
		/* Full-width digits and punctuation (U+FF01..U+FF3F, "２０２１－０３－０５")
		 * come from Chinese input methods; NFKC makes them ASCII.  This is the cold
		 * path, so the allocation does not matter. */
		char *n = text_nfkc(s);

		if (n) {
			rc = date_parse_span(n, out);
			free(n);
		}
	}
	if (rc == DATE_OK)
		return 0;
	if (!e)
		return -1;
	text_quote(s, quoted, sizeof quoted);
	switch (rc) {
	case DATE_BAD_DAY:
		return err_set(e, "date.unparseable", "日期“%s”不存在（月份或日数超出范围），请核对",
			       quoted);
	case DATE_BAD_EXCEL60:
		return err_set(e, "date.unparseable",
			       "“%s”是 Excel 日期序列号 60，对应不存在的 1900-02-29，请核对", quoted);
	default:
		return err_set(e, "date.unparseable", "日期“%s”无法识别；" DATE_FORMATS_HINT,
			       quoted);
	}
}
