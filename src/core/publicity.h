/*
 * publicity.h - whether a record is shown to the public today.
 *
 * A natural person's information is never published (domain.md §3).  Otherwise a record
 * is published until its publicity end date (computed at ingestion from the category's
 * rule) and not after it; an empty end date means open-ended.
 */
#ifndef XY_PUBLICITY_H
#define XY_PUBLICITY_H

enum publicity_status { PUBLICITY_PUBLISHED, PUBLICITY_ENDED, PUBLICITY_NOT_PUBLIC };

/* today and end are "YYYY-MM-DD" (end may be ""). */
enum publicity_status publicity_status_of(const char *today, const char *end, int person);
/* "published", "ended", "not_public". */
const char *publicity_status_name(enum publicity_status s);

#endif
