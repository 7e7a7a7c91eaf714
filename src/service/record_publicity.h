/*
 * record_publicity.h - what a stored record's flags and decision date say about its
 * publicity under the regime in force on that date (core/publicity_period.h): its class
 * and the rule that gave it, and the earliest day a credit repair may be asked for.
 * Shared by the archive view (what viewers are shown) and credit repair (who may ask).
 */
#ifndef XY_SERVICE_RECORD_PUBLICITY_H
#define XY_SERVICE_RECORD_PUBLICITY_H

#include "core/publicity_period.h"

struct record_publicity {
	const struct publicity_rules *regime; /* borrowed from the set; NULL: none applied */
	enum severity severity;		      /* SEVERITY_NONE: not classed */
	/* The class's source: "declared" (the department said so), a row id of the
	 * regime's table ("serious_fine"), or "" when not classed.  Borrowed. */
	const char *severity_rule;
	const char *severity_rule_name; /* the row's Chinese name, or "" */
	char repairable_from[11];	/* decision + the regime's minimum; "" without one */
};

/* Fills *out for a record of a category whose publicity goes by rules; without a
 * regime for the date (or with flags that carry no class) only the zero values. */
void record_publicity_of(const struct publicity_regimes *set, const char *decision_date,
			 int flags, struct record_publicity *out);

#endif
