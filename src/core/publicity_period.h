/*
 * publicity_period.h - how long a penalty is published, by the regime in force on its
 * decision date (domain.md §5, issue 10 part 1).  Pure functions.
 *
 * Three regimes are known, each by the day it took effect:
 *   - before 2023-05-01: at most 3 years, no minimum;
 *   - 2023-05-01 (NDRC Order No. 58): at least 3 months (1 year in the special sectors:
 *     food, drugs, special equipment, work safety, fire safety), at most 3 years;
 *   - 2026-04-01 (NDRC Order No. 36): by severity; 轻微 is not published, 一般 3 months to
 *     1 year, 严重 1 to 3 years.
 * A period runs from the decision date: `until` = decision + max (a department's own,
 * shorter 公示截止期 wins, a longer one is capped) and `repairable_from` = decision + min.
 *
 * The table is compiled in for now; loading regimes from dated files under data/rules/
 * (`xinyong rules import`) is the next step of issue 10 and will fill the same struct.
 */
#ifndef XY_PUBLICITY_PERIOD_H
#define XY_PUBLICITY_PERIOD_H

#include <stdint.h>

#include "date.h"

enum severity { SEVERITY_NONE, SEVERITY_MINOR, SEVERITY_GENERAL, SEVERITY_SERIOUS };

/* "轻微", "一般", "严重" (surrounding whitespace ignored) -> the class; anything else ->
 * SEVERITY_NONE, which means "classify it". */
enum severity severity_parse(const char *s);
/* "minor", "general", "serious"; "" for SEVERITY_NONE. */
const char *severity_name(enum severity s);

/* The default classification table, for records that carry no severity: a warning or a
 * public criticism alone (警告, 通报批评) is 轻微; revocation, suspension of production,
 * a bar from the trade, a downgraded qualification, or a fine of at least 100万元 is
 * 严重; everything else is 一般.  types is the cleaned penalty_type value, several types
 * separated by ';'.  fine_fen < 0 means no fine. */
enum severity severity_classify(const char *types, int64_t fine_fen);

/* The regimes, each from its effective day ("YYYY-MM-DD") until the next one. */
enum publicity_regime { REGIME_BEFORE_58, REGIME_ORDER_58, REGIME_ORDER_36 };

/* The regime in force on decision. */
enum publicity_regime publicity_regime_on(struct date decision);
/* Stable rule id stored with a record: "pre-2023", "order-58", "order-36". */
const char *publicity_regime_name(enum publicity_regime r);

struct publicity_period {
	enum publicity_regime regime;
	int published;	/* 0: the record is never shown to the public */
	int min_months; /* before this, no credit repair */
	int max_months;
};

/* The period of a penalty of class sev (SEVERITY_NONE only matters before Order 36),
 * special_sector non-zero when the department or the record's sector is one of the five. */
struct publicity_period publicity_period_of(struct date decision, enum severity sev,
					    int special_sector);

/* Whether a sector name ("食品", "药品", "特种设备", "安全生产", "消防安全") is one of
 * the five that Order No. 58 publishes for at least a year. */
int publicity_sector_is_special(const char *sector);

/* until = decision + max_months, shortened to dept_end when that is a valid earlier date
 * (dept_end may be NULL or "").  repairable_from = decision + min_months.  Both as
 * "YYYY-MM-DD"; until is "" when the record is not published. */
void publicity_period_dates(struct date decision, const struct publicity_period *p,
			    const char *dept_end, char until[11], char repairable_from[11]);

/* Whether one of the penalty types excludes credit repair (repair.not_allowed):
 * revocation, suspension or closure, restriction of business or of practice, downgraded
 * qualification. */
int publicity_types_forbid_repair(const char *types);

#endif
