/*
 * publicity.h - whether a record is shown to the public today.
 *
 * A natural person's information is never published (domain.md §3).  A record taken
 * off by an approved credit repair, or one its regime does not publish (a 轻微 penalty
 * under Order No. 36), is not shown either.  Otherwise a record is published until its
 * publicity end date (worked out at ingestion) and not after it; an empty end date
 * means open-ended.
 */
#ifndef XY_PUBLICITY_H
#define XY_PUBLICITY_H

enum publicity_status {
	PUBLICITY_PUBLISHED,
	PUBLICITY_ENDED,
	PUBLICITY_NOT_PUBLIC,	 /* a natural person's */
	PUBLICITY_NOT_PUBLISHED, /* the rules do not publish it */
	PUBLICITY_REPAIRED,	 /* an approved credit repair took it off */
};

/* today and end are "YYYY-MM-DD" (end may be ""); unpublished and repaired are the
 * record's flags (store.h STORE_RECORD_UNPUBLISHED, STORE_RECORD_REPAIRED). */
enum publicity_status publicity_status_of(const char *today, const char *end, int person,
					  int unpublished, int repaired);
/* "published", "ended", "not_public", "not_published", "repaired". */
const char *publicity_status_name(enum publicity_status s);

#endif
