/*
 * workday.c - working-day arithmetic and the calendar file; see workday.h.
 *
 * A known year is a 366-byte map by day of the year (0 is 1 January), each byte a
 * enum workday_kind; years are kept sorted and found by binary search.  A deadline of
 * a few dozen working days therefore costs a few dozen byte reads, with no allocation.
 */
#include "workday.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "text.h"

#define WORKDAY_REASON "calendar.invalid"
/* Longer than any sensible line ("2025-10-01,holiday" is 18 bytes). */
#define WORKDAY_LINE_MAX 256
#define WORKDAY_FIX_HINT "每行写一个日期和一个类型，如 2025-10-01,holiday"

struct workday_year {
	int year;
	size_t ndays;                /* listed (non-ordinary) days */
	unsigned char kind[366];     /* by day of the year */
};

struct workday_calendar {
	struct workday_year *years;  /* ascending by year */
	size_t n, cap;
};

const char *workday_kind_name(enum workday_kind kind)
{
	switch (kind) {
	case WORKDAY_HOLIDAY: return "holiday";
	case WORKDAY_MAKEUP: return "workday";
	default: return "";
	}
}

int workday_kind_parse(const char *s, enum workday_kind *out)
{
	if (strcmp(s, "holiday") == 0)
		*out = WORKDAY_HOLIDAY;
	else if (strcmp(s, "workday") == 0)
		*out = WORKDAY_MAKEUP;
	else
		return -1;
	return 0;
}

struct workday_calendar *workday_calendar_new(void)
{
	return calloc(1, sizeof(struct workday_calendar));
}

void workday_calendar_free(struct workday_calendar *cal)
{
	if (!cal)
		return;
	free(cal->years);
	free(cal);
}

/* The index of `year`, or -1 with *at the index where it would be inserted. */
static long workday_find(const struct workday_calendar *cal, int year, size_t *at)
{
	size_t lo = 0, hi = cal ? cal->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->years[mid].year == year)
			return (long)mid;
		if (cal->years[mid].year < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at)
		*at = lo;
	return -1;
}

static struct workday_year *workday_year_get(struct workday_calendar *cal, int year)
{
	size_t at = 0;
	long i = workday_find(cal, year, &at);

	if (i >= 0)
		return &cal->years[i];
	if (year < 1 || year > 9999)
		return NULL;
	if (cal->n == cal->cap) {
		size_t cap = cal->cap ? cal->cap * 2 : 4;
		struct workday_year *grown = realloc(cal->years, cap * sizeof *grown);

		if (!grown)
			return NULL;
		cal->years = grown;
		cal->cap = cap;
	}
	memmove(&cal->years[at + 1], &cal->years[at], (cal->n - at) * sizeof *cal->years);
	memset(&cal->years[at], 0, sizeof *cal->years);
	cal->years[at].year = year;
	cal->n++;
	return &cal->years[at];
}

int workday_calendar_add_year(struct workday_calendar *cal, int year)
{
	return workday_year_get(cal, year) ? 0 : -1;
}

/* Day of the year, 0 for 1 January. */
static int workday_doy(struct date d)
{
	struct date jan1 = { d.y, 1, 1 };

	return (int)(date_to_days(d) - date_to_days(jan1));
}

int workday_calendar_set(struct workday_calendar *cal, struct date d, enum workday_kind kind)
{
	struct workday_year *y;
	int doy;

	if (!date_is_valid(d.y, d.m, d.d) || kind < WORKDAY_ORDINARY || kind > WORKDAY_MAKEUP)
		return -1;
	y = workday_year_get(cal, d.y);
	if (!y)
		return -1;
	doy = workday_doy(d);
	if (y->kind[doy] == WORKDAY_ORDINARY && kind != WORKDAY_ORDINARY)
		y->ndays++;
	else if (y->kind[doy] != WORKDAY_ORDINARY && kind == WORKDAY_ORDINARY)
		y->ndays--;
	y->kind[doy] = (unsigned char)kind;
	return 0;
}

int workday_calendar_has_year(const struct workday_calendar *cal, int year)
{
	return workday_find(cal, year, NULL) >= 0;
}

size_t workday_calendar_year_count(const struct workday_calendar *cal)
{
	return cal ? cal->n : 0;
}

int workday_calendar_year_at(const struct workday_calendar *cal, size_t i)
{
	return cal && i < cal->n ? cal->years[i].year : 0;
}

size_t workday_calendar_day_count(const struct workday_calendar *cal, int year)
{
	long i = workday_find(cal, year, NULL);

	return i >= 0 ? cal->years[i].ndays : 0;
}

enum workday_kind workday_calendar_kind(const struct workday_calendar *cal, struct date d)
{
	long i = workday_find(cal, d.y, NULL);

	if (i < 0 || !date_is_valid(d.y, d.m, d.d))
		return WORKDAY_ORDINARY;
	return (enum workday_kind)cal->years[i].kind[workday_doy(d)];
}

int workday_calendar_each(const struct workday_calendar *cal, int year,
			  int (*cb)(void *ctx, struct date d, enum workday_kind kind), void *ctx)
{
	long i = workday_find(cal, year, NULL);
	struct date jan1 = { year, 1, 1 };
	long base;
	int doy, rc;

	if (i < 0)
		return 0;
	base = date_to_days(jan1);
	for (doy = 0; doy < 366; doy++) {
		enum workday_kind k = (enum workday_kind)cal->years[i].kind[doy];

		if (k != WORKDAY_ORDINARY && (rc = cb(ctx, date_from_days(base + doy), k)) != 0)
			return rc;
	}
	return 0;
}

int workday_weekday(struct date d)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	long r = (date_to_days(d) + 3) % 7;

	return (int)(r < 0 ? r + 7 : r) + 1;
}

/* The day's answer, and whether its year was known. */
static int workday_judge(const struct workday_calendar *cal, struct date d, int *known)
{
	long i = workday_find(cal, d.y, NULL);
	int weekday = workday_weekday(d) <= 5;

	*known = i >= 0;
	if (i < 0)
		return weekday;
	switch (cal->years[i].kind[workday_doy(d)]) {
	case WORKDAY_HOLIDAY: return 0;
	case WORKDAY_MAKEUP: return 1;
	default: return weekday;
	}
}

int workday_is(const struct workday_calendar *cal, struct date d)
{
	int known;

	return workday_judge(cal, d, &known);
}

int workday_add(const struct workday_calendar *cal, struct date from, int n,
		struct date *out, int *fell_back)
{
	/* 9999-12-31: the last date struct date holds. */
	static const struct date last = { 9999, 12, 31 };
	long day, end;
	int left = n, known, lacked = 0;

	if (!date_is_valid(from.y, from.m, from.d) || n < 0 || n > WORKDAY_ADD_MAX)
		return -1;
	day = date_to_days(from);
	end = date_to_days(last);
	while (left > 0) {
		struct date d;

		if (++day > end)
			return -1;
		d = date_from_days(day);
		if (workday_judge(cal, d, &known))
			left--;
		if (!known)
			lacked = 1;
	}
	*out = date_from_days(day);
	if (fell_back)
		*fell_back = lacked;
	return 0;
}

/* ---- the calendar file ------------------------------------------------------------- */

struct workday_csv {
	struct workday_calendar *cal;
	/* The line each date was first given on, by (year - WORKDAY_YEAR_MIN) * 366 + day of
	 * the year, to name both lines of a duplicate. */
	long *line_of;
	long line;
	struct err *e;
};

static const char *workday_weekday_name(int iso)
{
	static const char *const names[7] = { "一", "二", "三", "四", "五", "六", "日" };

	return names[(iso - 1) % 7];
}

static int workday_csv_header(struct workday_csv *c, char *text)
{
	char quoted[64];

	text_trim(text);
	if (strcmp(text, "date,kind") == 0)
		return 0;
	text_quote(text, quoted, sizeof quoted);
	return err_set(c->e, WORKDAY_REASON,
		       "第1行表头应为“date,kind”，实际为“%s”：请把第一行改为 date,kind", quoted);
}

static int workday_csv_row(struct workday_csv *c, char *text)
{
	char quoted[64], *comma, *date_text, *kind_text;
	enum workday_kind kind;
	struct date d;
	long *first;
	int fields = 1;

	for (comma = text; (comma = strchr(comma, ',')) != NULL; comma++)
		fields++;
	if (fields != 2)
		return err_set_field(c->e, WORKDAY_REASON, "",
				     "第%ld行应有2列（date,kind），实际有%d列：" WORKDAY_FIX_HINT,
				     c->line, fields);
	comma = strchr(text, ',');
	*comma = '\0';
	date_text = text_trim(text);
	kind_text = text_trim(comma + 1);
	if (date_parse_iso(date_text, &d) < 0) {
		text_quote(date_text, quoted, sizeof quoted);
		return err_set_field(c->e, WORKDAY_REASON, "date",
				     "第%ld行 date 列：“%s”不是有效日期，请写成 YYYY-MM-DD（如 "
				     "2025-10-01）",
				     c->line, quoted);
	}
	if (d.y < WORKDAY_YEAR_MIN || d.y > WORKDAY_YEAR_MAX)
		return err_set_field(c->e, WORKDAY_REASON, "date",
				     "第%ld行 date 列：年份 %d 超出范围，应在 %d 至 %d 之间，请核对日期",
				     c->line, d.y, WORKDAY_YEAR_MIN, WORKDAY_YEAR_MAX);
	if (workday_kind_parse(kind_text, &kind) < 0) {
		text_quote(kind_text, quoted, sizeof quoted);
		return err_set_field(c->e, WORKDAY_REASON, "kind",
				     "第%ld行 kind 列：“%s”无效，应为 holiday（放假）或 workday（调休上班）",
				     c->line, quoted);
	}
	if (kind == WORKDAY_MAKEUP && workday_weekday(d) <= 5)
		return err_set_field(c->e, WORKDAY_REASON, "kind",
				     "第%ld行 kind 列：%s 是星期%s，本来就是工作日；workday 只用于调休上班"
				     "的星期六或星期日，请核对日期或类型",
				     c->line, date_text, workday_weekday_name(workday_weekday(d)));
	first = &c->line_of[(long)(d.y - WORKDAY_YEAR_MIN) * 366 + workday_doy(d)];
	if (*first)
		return err_set_field(c->e, WORKDAY_REASON, "date",
				     "第%ld行 date 列：%s 与第%ld行重复，每个日期只能出现一次，请删去其中"
				     "一行",
				     c->line, date_text, *first);
	*first = c->line;
	if (workday_calendar_set(c->cal, d, kind) < 0)
		return err_set(c->e, "internal.error", "内存不足");
	return 0;
}

int workday_csv_parse(const char *text, size_t len, struct workday_calendar **out,
		      struct err *e)
{
	struct workday_csv c = { NULL, NULL, 0, e };
	const char *p = text, *end = text + len, *nl;
	char line[WORKDAY_LINE_MAX];
	size_t valid, n;
	long rows = 0;
	int rc = -1;

	*out = NULL;
	valid = text_utf8_valid_prefix(text, len, NULL);
	c.cal = workday_calendar_new();
	c.line_of = calloc((size_t)(WORKDAY_YEAR_MAX - WORKDAY_YEAR_MIN + 1) * 366,
			   sizeof *c.line_of);
	if (!c.cal || !c.line_of) {
		err_set(e, "internal.error", "内存不足");
		goto out;
	}
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		c.line++;
		if ((size_t)(p - text) + n > valid || memchr(p, '\0', n)) {
			err_set_field(e, WORKDAY_REASON, "",
				      "第%ld行含有无法识别的字符：文件应为 UTF-8 编码的 CSV 文本", c.line);
			goto out;
		}
		if (n >= sizeof line) {
			err_set_field(e, WORKDAY_REASON, "", "第%ld行过长：" WORKDAY_FIX_HINT, c.line);
			goto out;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (c.line == 1) {
			if (workday_csv_header(&c, line) < 0)
				goto out;
			continue;
		}
		if (*text_trim(line) == '\0')
			continue;
		if (workday_csv_row(&c, line) < 0)
			goto out;
		rows++;
	}
	if (c.line == 0) {
		err_set(e, WORKDAY_REASON, "节假日文件为空：第1行应为表头 date,kind，其后" WORKDAY_FIX_HINT);
		goto out;
	}
	if (rows == 0) {
		err_set(e, WORKDAY_REASON, "节假日文件只有表头，没有数据行：" WORKDAY_FIX_HINT);
		goto out;
	}
	*out = c.cal;
	c.cal = NULL;
	rc = 0;
out:
	workday_calendar_free(c.cal);
	free(c.line_of);
	return rc;
}
