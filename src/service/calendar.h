/*
 * calendar.h - the platform's holiday calendar as a service: the built-in calendar, the
 * operator's yearly import, and the calendar every working-day deadline is counted by.
 *
 * The arithmetic is core/workday.h (workday_add); this module gives callers the
 * platform's calendar, loaded from the store, and says when a count had to fall back to
 * Monday-Friday because a year is missing (a warning in the log, `event=calendar`).
 * A long-running caller (the server) loads the calendar once and keeps it; a command
 * loads it when it needs it.
 *
 * Output documents:
 *   calendar_import: {"file": PATH, "years": [2027, ...], "days": N,
 *                     "replaced": [years that were there before]}
 *   calendar_status_json: {"years": [2024, ...], "warnings": [{"reason":
 *                     "calendar.year_missing", "year": 2027, "message": "..."}]}
 */
#ifndef XY_SERVICE_CALENDAR_H
#define XY_SERVICE_CALENDAR_H

#include <jansson.h>

#include "core/date.h"

struct err;
struct principal;
struct store;
struct workday_calendar;

/* From this day of the year on, a missing next year is warned about too: the State
 * Council publishes the next year's holidays in November, and deadlines counted in
 * December reach into January. */
#define CALENDAR_NEXT_YEAR_FROM_MONTH 12

/* The platform's calendar: every year the store holds.  *out is the caller's
 * (workday_calendar_free). */
int calendar_load(struct store *s, struct workday_calendar **out, struct err *e);

/* Loads the years of the built-in calendar (data/calendar/, compiled in) that the store
 * lacks; never changes a year it holds (an operator's import stays).  *added (may be
 * NULL) gets how many years were added.  One transaction. */
int calendar_install_builtin(struct store *s, int *added, struct err *e);

/* Validates the calendar file at `path` (workday_csv_parse: `calendar.invalid` naming the
 * line and column; `file.unreadable`) and replaces, in one transaction with its audit
 * entry (`calendar.import`), every year the file holds: a year's old rows go, the
 * file's rows come.  Other years stay.  A bad file writes nothing.  *out: see above. */
int calendar_import(struct store *s, const struct principal *who, const char *path,
		    json_t **out, struct err *e);

/* `n` working days after `from` by `cal` (core/workday.h workday_add), for every deadline
 * of the platform.  When a year `cal` lacks was counted over, *fell_back (may be NULL) is
 * 1 and a warning names the years on stderr (`event=calendar warning=year_missing`).
 * Fails with `request.invalid` for an invalid date, n outside 0..WORKDAY_ADD_MAX, or a
 * result past 9999. */
int calendar_add_workdays(const struct workday_calendar *cal, struct date from, int n,
			  struct date *out, int *fell_back, struct err *e);

/* The years `cal` lacks that matter on `today`: today's year, and the next one from
 * CALENDAR_NEXT_YEAR_FROM_MONTH on.  Fills years[0..2) and returns how many. */
int calendar_missing_years(const struct workday_calendar *cal, struct date today,
			   int years[2]);

/* {"years": [...], "warnings": [...]} for `today` (new reference; NULL without memory).
 * Reads `cal` only: /healthz answers it from memory. */
json_t *calendar_status_json(const struct workday_calendar *cal, struct date today);

#endif
