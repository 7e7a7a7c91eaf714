/* record_publicity.c - a stored record's publicity facts; see record_publicity.h. */
#include "record_publicity.h"

#include <string.h>

#include "store/store.h"

void record_publicity_of(const struct publicity_regimes *set, const char *decision_date,
			 int flags, struct record_publicity *out)
{
	struct publicity_period period;
	struct date d;
	int rule = STORE_RECORD_RULE(flags);
	char until[11];

	memset(out, 0, sizeof *out);
	out->severity_rule = out->severity_rule_name = "";
	out->severity = (enum severity)STORE_RECORD_SEVERITY(flags);
	if (out->severity == SEVERITY_NONE || !decision_date ||
	    date_parse_iso(decision_date, &d) < 0 || !(out->regime = publicity_regimes_on(set, d)))
		return;
	if (rule == 0) {
		out->severity_rule = "declared";
		out->severity_rule_name = "报送部门认定";
	} else if ((size_t)rule <= out->regime->nclasses) {
		out->severity_rule = out->regime->classes[rule - 1].id;
		out->severity_rule_name = out->regime->classes[rule - 1].name;
	}
	/* The same period the record was dated with at ingestion: regimes never change
	 * retroactively (rules_import refuses a regime that starts before tomorrow). */
	period = publicity_period_of(out->regime, out->severity,
				     (flags & STORE_RECORD_SPECIAL_SECTOR) != 0);
	publicity_period_dates(d, &period, NULL, until, out->repairable_from);
}
