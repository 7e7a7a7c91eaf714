/*
 * clock.h - the only place that reads the time.
 *
 * `XINYONG_NOW` (ISO 8601: `2026-03-05`, `2026-03-05T10:00:00`, optionally with `Z` or an
 * offset) fixes "now" so that deadlines and publicity periods can be tested.  Without it
 * the system clock is used.  Times are handled in China Standard Time (UTC+8) for dates:
 * "today" is the calendar date in Beijing.
 */
#ifndef XY_CLOCK_H
#define XY_CLOCK_H

#include <time.h>

struct err;

/* Checks XINYONG_NOW once at start-up; returns -1 with reason `config.now` when it is set
 * but cannot be read. */
int clock_check_env(struct err *e);

/* Seconds since the epoch (UTC). Falls back to the system clock when XINYONG_NOW is bad. */
time_t clock_now(void);

/* Today's date in Beijing time as "YYYY-MM-DD" into out (11 bytes). */
void clock_today(char out[11]);

/* The current instant as "YYYY-MM-DDTHH:MM:SS+08:00" into out (26 bytes). */
void clock_timestamp(char out[26]);

/* The instant `seconds` from now (negative: ago), in the same form: expiry times, which
 * compare as text because every timestamp has the same offset. */
void clock_timestamp_in(long long seconds, char out[26]);

#endif
