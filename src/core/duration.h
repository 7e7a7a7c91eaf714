/*
 * duration.h - lifetimes typed by people ("30d", "12h") for tokens and activation codes.
 * Pure functions.
 */
#ifndef XY_DURATION_H
#define XY_DURATION_H

struct err;

#define DURATION_MAX_SECONDS (100LL * 365 * 86400) /* 100 years */

/* Parses a positive whole number followed by one unit: "90s", "45m" (minutes), "12h",
 * "30d", "2w", "1y" (365 days); a bare number means days.  Units are lower case only, so
 * that "1M" cannot be read as a month.  No spaces, signs or fractions.  Returns 0 and sets
 * *seconds, or -1 with reason `request.invalid` (and *seconds untouched) for an empty,
 * zero, negative or malformed value or one longer than DURATION_MAX_SECONDS. */
int duration_parse(const char *text, long long *seconds, struct err *e);

#endif
