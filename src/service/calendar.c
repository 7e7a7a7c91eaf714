/* calendar.c - the holiday calendar service; see calendar.h. */
#include "calendar.h"

#include "audit_trail.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/workday.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A calendar file holds a few hundred short lines; anything much larger is not one. */
#define CALENDAR_FILE_MAX (1L << 20)

struct calendar_load_ctx {
	struct workday_calendar *cal;
	int failed;
	char bad[16]; /* the first stored day that could not be read */
};

static int calendar_load_row(void *ctx, const char *day, const char *kind,
			     const char *updated_at)
{
	struct calendar_load_ctx *c = ctx;
	enum workday_kind k;
	struct date d;

	(void)updated_at;
	if (date_parse_iso(day, &d) < 0 || workday_kind_parse(kind, &k) < 0) {
		/* The table's CHECK and the import's validation keep this out; a row written
		 * by hand is skipped and named rather than trusted. */
		if (!c->bad[0])
			snprintf(c->bad, sizeof c->bad, "%.10s", day);
		return 0;
	}
	if (workday_calendar_set(c->cal, d, k) < 0) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

int calendar_load(struct store *s, struct workday_calendar **out, struct err *e)
{
	struct calendar_load_ctx c = { workday_calendar_new(), 0, "" };

	*out = NULL;
	if (!c.cal)
		return err_set(e, "internal.error", "内存不足");
	if (store_calendar_list(s, calendar_load_row, &c, e) < 0) {
		workday_calendar_free(c.cal);
		return -1;
	}
	if (c.failed) {
		workday_calendar_free(c.cal);
		return err_set(e, "internal.error", "内存不足");
	}
	if (c.bad[0])
		fprintf(stderr, "event=calendar warning=bad_row day=\"%s\"\n", c.bad);
	*out = c.cal;
	return 0;
}

struct calendar_put_ctx {
	struct store *s;
	long days;
	struct err *e;
};

static int calendar_put_day(void *ctx, struct date d, enum workday_kind kind)
{
	struct calendar_put_ctx *c = ctx;
	char day[11];

	date_format(d, day);
	if (store_calendar_put(c->s, day, workday_kind_name(kind), c->e) < 0)
		return -1;
	c->days++;
	return 0;
}

/* Replaces year `year` of the store with that of `cal`; inside the caller's
 * transaction. */
static int calendar_write_year(struct store *s, const struct workday_calendar *cal, int year,
			       long *days, struct err *e)
{
	struct calendar_put_ctx c = { s, 0, e };

	if (store_calendar_delete_year(s, year, e) < 0 ||
	    workday_calendar_each(cal, year, calendar_put_day, &c) != 0)
		return -1;
	*days += c.days;
	return 0;
}

int calendar_install_builtin(struct store *s, int *added, struct err *e)
{
	const struct embedded_file *f = &embedded_calendar[0];
	struct workday_calendar *builtin = NULL, *have = NULL;
	size_t i;
	long days = 0;
	int n = 0, rc = -1;

	if (added)
		*added = 0;
	if (workday_csv_parse(f->data, f->size, &builtin, e) < 0 || calendar_load(s, &have, e) < 0)
		goto out;
	for (i = 0; i < workday_calendar_year_count(builtin); i++)
		n += !workday_calendar_has_year(have, workday_calendar_year_at(builtin, i));
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (store_begin(s, e) < 0)
		goto out;
	for (i = 0; i < workday_calendar_year_count(builtin); i++) {
		int year = workday_calendar_year_at(builtin, i);

		if (!workday_calendar_has_year(have, year) &&
		    calendar_write_year(s, builtin, year, &days, e) < 0) {
			store_rollback(s);
			goto out;
		}
	}
	if (store_commit(s, e) < 0)
		goto out;
	if (added)
		*added = n;
	rc = 0;
out:
	workday_calendar_free(builtin);
	workday_calendar_free(have);
	return rc;
}

/* Reads the whole file (at most CALENDAR_FILE_MAX bytes) into a malloc'd buffer. */
static int calendar_read_file(const char *path, char **text, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	int rc = -1;

	*text = NULL;
	if (!f)
		return err_set(e, "file.unreadable", "无法读取节假日文件 %s：%s", path, strerror(errno));
	buf = malloc(CALENDAR_FILE_MAX + 1);
	if (!buf) {
		err_set(e, "internal.error", "内存不足");
		goto out;
	}
	n = fread(buf, 1, CALENDAR_FILE_MAX + 1, f);
	if (ferror(f)) {
		err_set(e, "file.unreadable", "无法读取节假日文件 %s：%s", path, strerror(errno));
		goto out;
	}
	if (n > CALENDAR_FILE_MAX) {
		err_set(e, "calendar.invalid",
			"节假日文件 %s 超过 %ld 字节，不像节假日日历：每行写一个日期和一个类型，"
			"如 2025-10-01,holiday",
			path, CALENDAR_FILE_MAX);
		goto out;
	}
	*text = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

int calendar_import(struct store *s, const struct principal *who, const char *path,
		    json_t **out, struct err *e)
{
	struct workday_calendar *file = NULL, *have = NULL;
	json_t *years = json_array(), *replaced = json_array(), *detail = NULL;
	char *text = NULL;
	size_t len = 0, i;
	long days = 0;
	int rc = -1;

	*out = NULL;
	if (!years || !replaced) {
		err_set(e, "internal.error", "内存不足");
		goto out;
	}
	if (calendar_read_file(path, &text, &len, e) < 0)
		goto out;
	if (workday_csv_parse(text, len, &file, e) < 0) {
		char msg[ERR_MESSAGE_MAX], field[ERR_FIELD_MAX];

		/* Name the file too (the operator may have given the wrong one), and say that
		 * nothing was written. */
		if (e && strcmp(e->reason, "calendar.invalid") == 0) {
			snprintf(msg, sizeof msg, "%s", e->message);
			snprintf(field, sizeof field, "%s", e->field);
			err_set_field(e, "calendar.invalid", field, "%s：%s（未导入任何数据）", path,
				      msg);
		}
		goto out;
	}
	if (store_begin(s, e) < 0)
		goto out;
	/* What the store holds is read inside the transaction, so that "replaced" is true
	 * of what this import replaced. */
	if (calendar_load(s, &have, e) < 0)
		goto rollback;
	for (i = 0; i < workday_calendar_year_count(file); i++) {
		int year = workday_calendar_year_at(file, i);

		json_array_append_new(years, json_integer(year));
		if (workday_calendar_has_year(have, year))
			json_array_append_new(replaced, json_integer(year));
		if (calendar_write_year(s, file, year, &days, e) < 0)
			goto rollback;
	}
	detail = json_pack("{s:O, s:I, s:O}", "years", years, "days", (json_int_t)days,
			   "replaced", replaced);
	if (!detail) {
		err_set(e, "internal.error", "内存不足");
		goto rollback;
	}
	if (audit_trail_record(s, who, "calendar.import", NULL, detail, e) < 0 ||
	    store_commit(s, e) < 0)
		goto rollback;
	*out = json_pack("{s:s, s:O, s:I, s:O}", "file", path, "years", years, "days",
			 (json_int_t)days, "replaced", replaced);
	rc = 0;
	goto out;
rollback:
	store_rollback(s);
out:
	json_decref(detail);
	json_decref(years);
	json_decref(replaced);
	workday_calendar_free(file);
	workday_calendar_free(have);
	free(text);
	return rc;
}

int calendar_add_workdays(const struct workday_calendar *cal, struct date from, int n,
			  struct date *out, int *fell_back, struct err *e)
{
	char day[11];
	int fb = 0, y, first = 1;

	if (!date_is_valid(from.y, from.m, from.d))
		return err_set(e, "request.invalid", "日期无效");
	if (n < 0 || n > WORKDAY_ADD_MAX)
		return err_set(e, "request.invalid", "工作日天数应在 0 至 %d 之间，实际为 %d",
			       WORKDAY_ADD_MAX, n);
	date_format(from, day);
	if (workday_add(cal, from, n, out, &fb) < 0)
		return err_set(e, "request.invalid", "%s 之后第 %d 个工作日超出可计算的日期范围",
			       day, n);
	if (fell_back)
		*fell_back = fb;
	if (fb) {
		char to[11];

		date_format(*out, to);
		fprintf(stderr, "event=calendar warning=year_missing from=%s to=%s years=", day, to);
		for (y = from.y; y <= out->y; y++)
			if (!workday_calendar_has_year(cal, y)) {
				fprintf(stderr, "%s%d", first ? "" : ",", y);
				first = 0;
			}
		fputc('\n', stderr);
	}
	return 0;
}

int calendar_missing_years(const struct workday_calendar *cal, struct date today,
			   int years[2])
{
	int n = 0;

	if (!workday_calendar_has_year(cal, today.y))
		years[n++] = today.y;
	if (today.m >= CALENDAR_NEXT_YEAR_FROM_MONTH && today.y < 9999 &&
	    !workday_calendar_has_year(cal, today.y + 1))
		years[n++] = today.y + 1;
	return n;
}

json_t *calendar_status_json(const struct workday_calendar *cal, struct date today)
{
	json_t *doc = json_pack("{s:[], s:[]}", "years", "warnings");
	json_t *years, *warnings;
	char message[ERR_MESSAGE_MAX];
	int missing[2], n, i;
	size_t k;

	if (!doc)
		return NULL;
	years = json_object_get(doc, "years");
	warnings = json_object_get(doc, "warnings");
	for (k = 0; k < workday_calendar_year_count(cal); k++)
		json_array_append_new(years, json_integer(workday_calendar_year_at(cal, k)));
	n = calendar_missing_years(cal, today, missing);
	for (i = 0; i < n; i++) {
		snprintf(message, sizeof message,
			 "节假日日历缺少 %d 年，该年的工作日期限暂按周一至周五计算；请在国务院办公厅"
			 "公布放假安排后用 xinyong calendar import 导入",
			 missing[i]);
		json_array_append_new(warnings,
				      json_pack("{s:s, s:i, s:s}", "reason", "calendar.year_missing",
						"year", missing[i], "message", message));
	}
	return doc;
}
