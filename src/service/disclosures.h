/*
 * disclosures.h - the public portal's 双公示: the latest administrative licences and
 * penalties the public may see today, newest decision first, by department and date,
 * a page at a time (as 信用中国's 双公示 page lists them), and the portal's totals.
 * Only what a public archive view would show: public categories, records in publicity,
 * never a person's.
 */
#ifndef XY_SERVICE_DISCLOSURES_H
#define XY_SERVICE_DISCLOSURES_H

#include <jansson.h>

struct err;
struct store;

#define DISCLOSURES_DEFAULT_LIMIT 20
#define DISCLOSURES_MAX_LIMIT 100

struct disclosures_query {
	const char *category; /* "penalty" or "license" */
	const char *dept;     /* NULL any */
	const char *from, *to; /* YYYY-MM-DD; NULL: no bound */
	const char *cursor;   /* a page's "next" */
	int limit;            /* <= 0: the default */
};

/* *out: {"category", "items": [{"id", "subject": {"code", "name"}, "title" (the
 * decision number), "summary" (what was decided), "authority" (the deciding body as the record names
 * it), "decision_date", "until",
 * "dept_code", "dept_name"}], "next"}.  Fails `request.invalid` naming the member: an
 * unknown category, a date that is not YYYY-MM-DD or from after to, a bad cursor. */
int disclosures_list(struct store *s, const struct disclosures_query *q, json_t **out,
		     struct err *e);

/* *out: {"subjects", "records", "month": "YYYY-MM", "this_month": {"license",
 * "penalty"}}: the portal's headline numbers. */
int disclosures_totals(struct store *s, json_t **out, struct err *e);

#endif
