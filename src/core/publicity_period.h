/*
 * publicity_period.h - how long a penalty is published and how it is classed, by the
 * publicity regime in force on its decision date (domain.md §5, issue 10 part 1).
 *
 * A regime is a rules file of kind "publicity" (data/rules/publicity-*.json,
 * docs/data-formats.md): its effective date, the period of each severity class (is it
 * published, the minimum before a repair may be requested, the maximum), the sectors
 * with a longer minimum, the table that classes a record carrying no severity, and the
 * penalty types that are never repaired early.  Built in: before 2023-05-01 (at most 3
 * years), NDRC Order No. 58 (2023-05-01: 3 months to 3 years, a year in five sectors)
 * and Order No. 36 (2026-04-01: 轻微 unpublished, 一般 3 months to a year, 严重 1 to 3
 * years).  An operator adds a regime with `xinyong rules import`, never recompiling.
 *
 * A period runs from the decision date: `until` = decision + max (a department's own,
 * shorter 公示截止期 wins, a longer one is capped) and `repairable_from` = decision + min.
 * Pure: no store, no clock.
 */
#ifndef XY_PUBLICITY_PERIOD_H
#define XY_PUBLICITY_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"

struct err;

enum severity { SEVERITY_NONE, SEVERITY_MINOR, SEVERITY_GENERAL, SEVERITY_SERIOUS };

/* "轻微", "一般", "严重" (surrounding whitespace ignored) -> the class; anything else ->
 * SEVERITY_NONE, which means "classify it". */
enum severity severity_parse(const char *s);
/* "minor", "general", "serious"; "" for SEVERITY_NONE. */
const char *severity_name(enum severity s);
/* The inverse of severity_name (SEVERITY_NONE for anything else). */
enum severity severity_from_name(const char *name);
/* "轻微", "一般", "严重"; "" for SEVERITY_NONE. */
const char *severity_label(enum severity s);

/* Limits on a publicity rules file. */
#define PUBLICITY_RULES_MAX_CLASSES 32 /* rows of severity_rules */
#define PUBLICITY_RULES_MAX_TERMS 32   /* strings of one list */
#define PUBLICITY_RULES_MAX_MONTHS 120

struct publicity_period {
	int published;	/* 0: the record is never shown to the public */
	int min_months; /* before this, no credit repair */
	int max_months;
};

/* One row of the classification table: the first row that matches a record gives its
 * class.  A row with no condition matches everything (the table's last row). */
struct severity_rule {
	char *id;
	char *name;
	enum severity severity;
	char **types_containing; /* some penalty type contains one of these; NULL: no test */
	char **types_only;	 /* every penalty type is one of these, and no fine */
	int64_t fine_at_least;	 /* in 分; -1: no test */
};

struct publicity_rules {
	char *name;
	char *description; /* NULL when the file has none */
	struct date effective_from;
	struct publicity_period periods[4]; /* by enum severity; [SEVERITY_NONE] unused */
	char **special_sectors;		    /* NULL-terminated; empty when none */
	int special_min_months;		    /* the minimum in those sectors */
	struct severity_rule *classes;
	size_t nclasses;
	char **no_early_repair; /* penalty-type markers; NULL-terminated */
};

/* Parses and checks a publicity rules file (kind "publicity").  *out is the caller's:
 * publicity_rules_free.  Fails `rules.invalid` naming the member: an unknown member, a
 * missing name, effective_from or periods, a period without min/max months in
 * 0..PUBLICITY_RULES_MAX_MONTHS or with min > max, a class row with an unknown severity
 * or an id that is not [a-z][a-z0-9_]*, a table whose last row has a condition (some
 * record would have no class). */
int publicity_rules_parse(const char *json, struct publicity_rules **out, struct err *e);
void publicity_rules_free(struct publicity_rules *r);

/* The i-th built-in regime's text (compiled in from data/rules/publicity-*.json), NULL
 * past the last.  Static storage. */
const char *publicity_rules_builtin(size_t i);

/* The class of a record that carries none: types is the cleaned penalty_type value
 * (several types separated by ';'), fine_fen the fine in 分 (< 0: none).  *rule (may be
 * NULL) gets the 1-based row of the table that matched. */
enum severity publicity_classify(const struct publicity_rules *r, const char *types,
				 int64_t fine_fen, int *rule);

/* The period of a record of class sev (SEVERITY_NONE counts as general);
 * special_sector non-zero when the department or the record's sector is special. */
struct publicity_period publicity_period_of(const struct publicity_rules *r, enum severity sev,
					    int special_sector);

/* Whether a sector name is one the regime publishes for longer. */
int publicity_sector_is_special(const struct publicity_rules *r, const char *sector);

/* until = decision + max_months, shortened to dept_end when that is a valid date between
 * the decision and the cap (dept_end may be NULL or "").  repairable_from = decision +
 * min_months.  Both "YYYY-MM-DD"; until is "" when the record is not published. */
void publicity_period_dates(struct date decision, const struct publicity_period *p,
			    const char *dept_end, char until[11], char repairable_from[11]);

/* Whether one of the penalty types excludes early credit repair (repair.not_allowed). */
int publicity_types_forbid_repair(const struct publicity_rules *r, const char *types);

/* Regimes side by side, by effective date. */
struct publicity_regimes {
	struct publicity_rules **v; /* owned */
	size_t n;
};

/* Adds r (taken over, also on failure) in date order; a regime of the same effective
 * date replaces the one there (an imported file over the built-in one). */
int publicity_regimes_add(struct publicity_regimes *set, struct publicity_rules *r,
			  struct err *e);
/* The built-in regimes (a test's or a fresh store's set). */
int publicity_regimes_builtin(struct publicity_regimes *set, struct err *e);
/* The regime in force on `day`: the latest effective not after it; NULL when none. */
const struct publicity_rules *publicity_regimes_on(const struct publicity_regimes *set,
						   struct date day);
void publicity_regimes_free(struct publicity_regimes *set);

#endif
