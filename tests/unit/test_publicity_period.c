/* test_publicity_period.c - publicity periods in every built-in regime and class, the
 * default severity table, the special sectors, the department's own end date, the
 * boundary days between regimes, and the refusals of a bad regime file
 * (src/core/publicity_period.c, data/rules/publicity-*.json). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "core/publicity_period.h"

static struct publicity_regimes set;

static void load(void)
{
	struct err e = { 0 };

	cr_assert_eq(publicity_regimes_builtin(&set, &e), 0, "%s", e.message);
}

static void unload(void)
{
	publicity_regimes_free(&set);
}

TestSuite(publicity, .init = load, .fini = unload);

static struct date day(int y, int m, int d)
{
	struct date x = { y, m, d };

	return x;
}

static const struct publicity_rules *on(struct date d)
{
	const struct publicity_rules *r = publicity_regimes_on(&set, d);

	char s[11];

	date_format(d, s);
	cr_assert(r, "no regime on %s", s);
	return r;
}

/* Checks the dates for a decision on `decision` of class sev. */
static void dates_are(struct date decision, enum severity sev, int special, const char *dept_end,
		      const char *until, const char *repairable)
{
	struct publicity_period p = publicity_period_of(on(decision), sev, special);
	char u[11], r[11];

	publicity_period_dates(decision, &p, dept_end, u, r);
	cr_assert_str_eq(u, until, "until %s, expected %s", u, until);
	cr_assert_str_eq(r, repairable, "repairable_from %s, expected %s", r, repairable);
}

static enum severity classify(const char *types, int64_t fine, const char *rule_id)
{
	const struct publicity_rules *r = on(day(2026, 5, 1));
	int rule = -1;
	enum severity s = publicity_classify(r, types, fine, &rule);

	cr_assert(rule >= 1 && (size_t)rule <= r->nclasses);
	cr_assert_str_eq(r->classes[rule - 1].id, rule_id, "%s: rule %s", types,
			 r->classes[rule - 1].id);
	return s;
}

Test(publicity, severity_parse_known_and_unknown)
{
	cr_assert_eq(severity_parse("轻微"), SEVERITY_MINOR);
	cr_assert_eq(severity_parse(" 一般 "), SEVERITY_GENERAL);
	cr_assert_eq(severity_parse("严重"), SEVERITY_SERIOUS);
	cr_assert_eq(severity_parse("很严重"), SEVERITY_NONE);
	cr_assert_eq(severity_parse(""), SEVERITY_NONE);
	cr_assert_eq(severity_parse(NULL), SEVERITY_NONE);
	cr_assert_str_eq(severity_name(SEVERITY_SERIOUS), "serious");
	cr_assert_eq(severity_from_name("minor"), SEVERITY_MINOR);
	cr_assert_str_eq(severity_label(SEVERITY_GENERAL), "一般");
}

Test(publicity, default_severity_table)
{
	cr_assert_eq(classify("警告", -1, "minor_warning"), SEVERITY_MINOR);
	cr_assert_eq(classify("警告;通报批评", -1, "minor_warning"), SEVERITY_MINOR);
	/* A warning with a fine is no longer minor. */
	cr_assert_eq(classify("警告;罚款", 500000, "general"), SEVERITY_GENERAL);
	cr_assert_eq(classify("罚款", 500000, "general"), SEVERITY_GENERAL);
	cr_assert_eq(classify("罚款;吊销许可证", 500000, "serious_type"), SEVERITY_SERIOUS);
	cr_assert_eq(classify("责令停产停业", -1, "serious_type"), SEVERITY_SERIOUS);
	cr_assert_eq(classify("降低资质等级", -1, "serious_type"), SEVERITY_SERIOUS);
	/* The fine threshold is inclusive: 100万元 = 100000000 分. */
	cr_assert_eq(classify("罚款", 99999999, "general"), SEVERITY_GENERAL);
	cr_assert_eq(classify("罚款", 100000000, "serious_fine"), SEVERITY_SERIOUS);
	cr_assert_eq(classify("", -1, "general"), SEVERITY_GENERAL);
}

Test(publicity, regime_boundary_days)
{
	cr_assert_null(publicity_regimes_on(&set, day(1999, 12, 31)));
	cr_assert_str_eq(on(day(2023, 4, 30))->name, "2023年5月1日前的行政处罚");
	cr_assert_str_eq(on(day(2023, 5, 1))->name, "国家发展改革委令第58号");
	cr_assert_str_eq(on(day(2026, 3, 31))->name, "国家发展改革委令第58号");
	cr_assert_str_eq(on(day(2026, 4, 1))->name, "国家发展改革委令第36号");
}

Test(publicity, before_order_58_three_years_no_minimum)
{
	dates_are(day(2022, 6, 15), SEVERITY_SERIOUS, 1, NULL, "2025-06-15", "2022-06-15");
}

Test(publicity, order_58_three_months_or_a_year_in_special_sectors)
{
	dates_are(day(2024, 1, 10), SEVERITY_NONE, 0, "", "2027-01-10", "2024-04-10");
	dates_are(day(2024, 1, 10), SEVERITY_NONE, 1, "", "2027-01-10", "2025-01-10");
	/* Severity does not matter under Order 58. */
	dates_are(day(2024, 1, 10), SEVERITY_MINOR, 0, "", "2027-01-10", "2024-04-10");
	/* The last day of Order 58 and the first of Order 36. */
	dates_are(day(2026, 3, 31), SEVERITY_GENERAL, 0, NULL, "2029-03-31", "2026-06-30");
	dates_are(day(2026, 4, 1), SEVERITY_GENERAL, 0, NULL, "2027-04-01", "2026-07-01");
}

Test(publicity, order_36_by_severity)
{
	struct publicity_period minor = publicity_period_of(on(day(2026, 5, 1)), SEVERITY_MINOR, 0);

	cr_assert_eq(minor.published, 0);
	dates_are(day(2026, 5, 1), SEVERITY_MINOR, 0, "2026-06-01", "", "2026-05-01");
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, NULL, "2027-05-01", "2026-08-01");
	dates_are(day(2026, 5, 1), SEVERITY_SERIOUS, 0, NULL, "2029-05-01", "2027-05-01");
	/* Unclassified records are treated as general. */
	dates_are(day(2026, 5, 1), SEVERITY_NONE, 0, NULL, "2027-05-01", "2026-08-01");
	/* Order 36 has no special sectors. */
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 1, NULL, "2027-05-01", "2026-08-01");
}

Test(publicity, department_end_shortens_never_lengthens)
{
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "2026-12-31", "2026-12-31", "2026-08-01");
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "2028-01-01", "2027-05-01", "2026-08-01");
	/* Garbage or a date before the decision is ignored, not trusted. */
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "soon", "2027-05-01", "2026-08-01");
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "2026-01-01", "2027-05-01", "2026-08-01");
}

Test(publicity, month_end_clamps)
{
	dates_are(day(2026, 11, 30), SEVERITY_GENERAL, 0, NULL, "2027-11-30", "2027-02-28");
}

Test(publicity, special_sectors)
{
	const struct publicity_rules *r = on(day(2024, 1, 1));

	cr_assert(publicity_sector_is_special(r, "食品"));
	cr_assert(publicity_sector_is_special(r, " 消防安全 "));
	cr_assert(publicity_sector_is_special(r, "\u3000食品"));
	cr_assert(!publicity_sector_is_special(r, "交通运输"));
	cr_assert(!publicity_sector_is_special(r, NULL));
	cr_assert(!publicity_sector_is_special(on(day(2026, 5, 1)), "食品"));
}

Test(publicity, types_that_forbid_repair)
{
	const struct publicity_rules *r = on(day(2026, 5, 1));

	cr_assert(publicity_types_forbid_repair(r, "罚款;吊销营业执照"));
	cr_assert(publicity_types_forbid_repair(r, "暂扣或者吊销许可证"));
	cr_assert(publicity_types_forbid_repair(r, "暂扣或者吊销执照"));
	cr_assert(publicity_types_forbid_repair(r, "责令关闭"));
	cr_assert(publicity_types_forbid_repair(r, "限制开展生产经营活动"));
	cr_assert(!publicity_types_forbid_repair(r, "警告;罚款"));
	cr_assert(!publicity_types_forbid_repair(r, NULL));
}

/* An operator's file replaces the built-in regime of its date, and a new regime starts
 * on its own date. */
Test(publicity, imported_regime_takes_its_place)
{
	const char *text = "{\"kind\":\"publicity\",\"name\":\"试行\",\"effective_from\":\"2027-01-01\","
			   "\"periods\":{\"minor\":{\"published\":true,\"min_months\":0,\"max_months\":3},"
			   "\"general\":{\"min_months\":6,\"max_months\":12},"
			   "\"serious\":{\"min_months\":12,\"max_months\":24}},"
			   "\"severity_rules\":[{\"id\":\"all\",\"name\":\"全部\",\"severity\":\"general\"}]}";
	struct publicity_rules *r;
	struct err e = { 0 };
	size_t n = set.n;

	cr_assert_eq(publicity_rules_parse(text, &r, &e), 0, "%s", e.message);
	cr_assert_eq(publicity_regimes_add(&set, r, &e), 0);
	cr_assert_eq(set.n, n + 1);
	dates_are(day(2026, 12, 31), SEVERITY_GENERAL, 0, NULL, "2027-12-31", "2027-03-31");
	dates_are(day(2027, 1, 1), SEVERITY_GENERAL, 0, NULL, "2028-01-01", "2027-07-01");
	dates_are(day(2027, 1, 1), SEVERITY_MINOR, 0, NULL, "2027-04-01", "2027-01-01");
	cr_assert_eq(publicity_classify(on(day(2027, 1, 1)), "吊销许可证", -1, NULL), SEVERITY_GENERAL);
}

static void refused(const char *text, const char *field)
{
	struct publicity_rules *r = (void *)1;
	struct err e = { 0 };

	cr_assert_eq(publicity_rules_parse(text, &r, &e), -1, "accepted: %s", text);
	cr_assert_null(r);
	cr_assert_str_eq(e.reason, "rules.invalid");
	cr_assert_str_eq(e.field, field, "field %s, expected %s (%s)", e.field, field, e.message);
}

#define PERIODS "\"periods\":{\"minor\":{\"min_months\":0,\"max_months\":3}," \
		"\"general\":{\"min_months\":3,\"max_months\":12}," \
		"\"serious\":{\"min_months\":12,\"max_months\":36}}"
#define HEAD "{\"kind\":\"publicity\",\"name\":\"x\",\"effective_from\":\"2027-01-01\","
#define CLASSES "\"severity_rules\":[{\"id\":\"all\",\"name\":\"全部\",\"severity\":\"general\"}]"

Test(publicity, bad_files_are_refused_naming_the_member)
{
	refused(HEAD PERIODS "}", "severity_rules");
	refused(HEAD CLASSES "}", "periods");
	refused(HEAD PERIODS "," CLASSES ",\"perods\":1}", "perods");
	refused("{\"kind\":\"objection\",\"name\":\"x\"}", "kind");
	refused("{\"kind\":\"publicity\",\"name\":\"x\",\"effective_from\":\"2027-02-30\"," PERIODS
		"," CLASSES "}",
		"effective_from");
	refused(HEAD "\"periods\":{\"minor\":{\"min_months\":4,\"max_months\":3},"
		     "\"general\":{\"min_months\":3,\"max_months\":12},"
		     "\"serious\":{\"min_months\":12,\"max_months\":36}}," CLASSES "}",
		"periods.minor");
	refused(HEAD "\"periods\":{\"minor\":{\"min_months\":0,\"max_months\":3},"
		     "\"general\":{\"min_months\":3,\"max_months\":999},"
		     "\"serious\":{\"min_months\":12,\"max_months\":36}}," CLASSES "}",
		"periods.general.max_months");
	refused(HEAD PERIODS ",\"severity_rules\":[{\"id\":\"x\",\"name\":\"x\",\"severity\":\"bad\"}]}",
		"severity_rules[0].severity");
	/* The last row must match everything, or some record would have no class. */
	refused(HEAD PERIODS ",\"severity_rules\":[{\"id\":\"x\",\"name\":\"x\",\"severity\":"
		     "\"minor\",\"types_only\":[\"警告\"]}]}",
		"severity_rules");
	refused(HEAD PERIODS ",\"severity_rules\":[{\"id\":\"x\",\"name\":\"x\",\"severity\":"
		     "\"serious\",\"fine_at_least\":\"lots\"},{\"id\":\"y\",\"name\":\"y\",\"severity\":"
		     "\"general\"}]}",
		"severity_rules[0].fine_at_least");
}
