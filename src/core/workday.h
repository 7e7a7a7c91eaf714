/*
 * workday.h - working days by the Chinese holiday calendar: the one place where every
 * deadline of the platform ("within N working days") is computed.  Pure functions.
 *
 * A date is a working day when it is Monday to Friday and not a `holiday`, or when it is
 * a `workday` (调休上班: a Saturday or Sunday worked in exchange for a bridge day off).
 * The calendar knows whole years: a year it holds says exactly which days are special;
 * a year it lacks falls back to plain Monday-Friday, and the functions that count say
 * so (`fell_back`), so that a caller can warn.
 *
 * "N working days from D" ends on the N-th working day after D; D itself does not count
 * (2024-02-09 + 1 = 2024-02-18: the Spring Festival days 02-10..02-17 are off, the
 * Sunday 02-18 is worked).  Zero working days from D is D.
 *
 * The calendar is built by the caller (from the store: service/calendar.h, or from a
 * file: workday_csv_parse) and owned by it; the functions below only read it, so one
 * calendar may be shared by threads once built.
 */
#ifndef XY_WORKDAY_H
#define XY_WORKDAY_H

#include <stddef.h>

#include "date.h"

struct err;
struct workday_calendar;

/* What a day of a known year is, as the holiday notice says. */
enum workday_kind {
	WORKDAY_ORDINARY = 0, /* not listed: Monday-Friday work, weekends off */
	WORKDAY_HOLIDAY = 1,  /* "holiday": a statutory day off */
	WORKDAY_MAKEUP = 2,   /* "workday": a weekend day that is worked (调休上班) */
};

/* The years a calendar file may hold. */
#define WORKDAY_YEAR_MIN 2000
#define WORKDAY_YEAR_MAX 2099
/* The largest n workday_add counts (about 40 years of working days). */
#define WORKDAY_ADD_MAX 10000

/* "holiday" / "workday" ("" for WORKDAY_ORDINARY), the names of the CSV and the store. */
const char *workday_kind_name(enum workday_kind kind);
/* Parses "holiday" or "workday" exactly; 0, or -1 for anything else. */
int workday_kind_parse(const char *s, enum workday_kind *out);

/* An empty calendar (no year known), or NULL when out of memory.  Free it with
 * workday_calendar_free (NULL allowed). */
struct workday_calendar *workday_calendar_new(void);
void workday_calendar_free(struct workday_calendar *cal);

/* Makes `year` known (with no special day yet).  0, or -1 when the year is not 1..9999
 * or memory ran out (the calendar is then unchanged). */
int workday_calendar_add_year(struct workday_calendar *cal, int year);
/* Records that day `d` is of `kind` (WORKDAY_ORDINARY removes a listing) and makes its
 * year known.  0, or -1 for an invalid date or kind, or no memory (nothing changed). */
int workday_calendar_set(struct workday_calendar *cal, struct date d, enum workday_kind kind);

/* 1 when the calendar holds `year`, else 0 (also for cal NULL). */
int workday_calendar_has_year(const struct workday_calendar *cal, int year);
/* The years held, ascending: how many, and the i-th (0 <= i < count). */
size_t workday_calendar_year_count(const struct workday_calendar *cal);
int workday_calendar_year_at(const struct workday_calendar *cal, size_t i);
/* How many special days the calendar lists for `year` (0 when it lacks the year). */
size_t workday_calendar_day_count(const struct workday_calendar *cal, int year);
/* The listing of day `d` (WORKDAY_ORDINARY when not listed or its year is unknown). */
enum workday_kind workday_calendar_kind(const struct workday_calendar *cal, struct date d);
/* Calls cb for each special day of `year` in date order; cb returns non-zero to stop.
 * Returns what the last cb call returned, or 0. */
int workday_calendar_each(const struct workday_calendar *cal, int year,
			  int (*cb)(void *ctx, struct date d, enum workday_kind kind), void *ctx);

/* ISO weekday of a valid date: 1 Monday .. 7 Sunday. */
int workday_weekday(struct date d);

/* 1 when `d` is a working day, 0 when not.  `cal` NULL, or a year it lacks: Monday to
 * Friday.  `d` must be a valid date. */
int workday_is(const struct workday_calendar *cal, struct date d);

/* The date `n` working days after `from` (n = 0: `from` itself) into *out.
 * *fell_back (may be NULL) is set to 1 when a day counted over, from the day after `from`
 * to *out, lies in a year `cal` lacks (the count took Monday-Friday there), else 0.
 * Returns 0, or -1 (nothing written) when `from` is not a valid date, n is outside
 * 0..WORKDAY_ADD_MAX, or the result would pass 9999-12-31. */
int workday_add(const struct workday_calendar *cal, struct date from, int n,
		struct date *out, int *fell_back);

/* Parses a calendar file: UTF-8 CSV (a BOM allowed, CRLF or LF), header `date,kind`, then
 * one `YYYY-MM-DD,holiday|workday` per line; blank lines are skipped.  Every year with a
 * row becomes known.  A bad file fails with reason `calendar.invalid`, e->field the
 * column ("date", "kind", or "" for the whole line) and a message naming the line, the
 * column and how to fix it: an unreadable date, a year outside WORKDAY_YEAR_MIN..MAX, an
 * unknown kind, a `workday` on Monday-Friday (a working day anyway: a wrong date), the
 * same date twice, a wrong header, a line without exactly two columns, text that is
 * not UTF-8, or no data row.  *out (caller frees with workday_calendar_free) is set only
 * on success. */
int workday_csv_parse(const char *text, size_t len, struct workday_calendar **out,
		      struct err *e);

#endif
