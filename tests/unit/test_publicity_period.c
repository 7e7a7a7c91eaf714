/* test_publicity_period.c - publicity periods in every regime and class, the default
 * severity table, the special sectors, the department's own end date and the boundary
 * days between regimes (src/core/publicity_period.c). */
#include <criterion/criterion.h>

#include "core/publicity_period.h"

static struct date day(int y, int m, int d)
{
	struct date x = { y, m, d };

	return x;
}

/* Checks the dates for a decision on `decision` of class sev. */
static void dates_are(struct date decision, enum severity sev, int special, const char *dept_end,
		      const char *until, const char *repairable)
{
	struct publicity_period p = publicity_period_of(decision, sev, special);
	char u[11], r[11];

	publicity_period_dates(decision, &p, dept_end, u, r);
	cr_assert_str_eq(u, until, "until %s, expected %s", u, until);
	cr_assert_str_eq(r, repairable, "repairable_from %s, expected %s", r, repairable);
}

Test(severity, parse_known_and_unknown)
{
	cr_assert_eq(severity_parse("轻微"), SEVERITY_MINOR);
	cr_assert_eq(severity_parse(" 一般 "), SEVERITY_GENERAL);
	cr_assert_eq(severity_parse("严重"), SEVERITY_SERIOUS);
	cr_assert_eq(severity_parse("很严重"), SEVERITY_NONE);
	cr_assert_eq(severity_parse(""), SEVERITY_NONE);
	cr_assert_eq(severity_parse(NULL), SEVERITY_NONE);
	cr_assert_str_eq(severity_name(SEVERITY_SERIOUS), "serious");
}

Test(severity, default_table)
{
	cr_assert_eq(severity_classify("警告", -1), SEVERITY_MINOR);
	cr_assert_eq(severity_classify("警告;通报批评", -1), SEVERITY_MINOR);
	/* A warning with a fine is no longer minor. */
	cr_assert_eq(severity_classify("警告;罚款", 500000), SEVERITY_GENERAL);
	cr_assert_eq(severity_classify("罚款", 500000), SEVERITY_GENERAL);
	cr_assert_eq(severity_classify("罚款;吊销许可证", 500000), SEVERITY_SERIOUS);
	cr_assert_eq(severity_classify("责令停产停业", -1), SEVERITY_SERIOUS);
	cr_assert_eq(severity_classify("降低资质等级", -1), SEVERITY_SERIOUS);
	/* The fine threshold is inclusive: 100万元 = 100000000 分. */
	cr_assert_eq(severity_classify("罚款", 99999999), SEVERITY_GENERAL);
	cr_assert_eq(severity_classify("罚款", 100000000), SEVERITY_SERIOUS);
	cr_assert_eq(severity_classify("", -1), SEVERITY_GENERAL);
}

Test(regime, boundary_days)
{
	cr_assert_eq(publicity_regime_on(day(2023, 4, 30)), REGIME_BEFORE_58);
	cr_assert_eq(publicity_regime_on(day(2023, 5, 1)), REGIME_ORDER_58);
	cr_assert_eq(publicity_regime_on(day(2026, 3, 31)), REGIME_ORDER_58);
	cr_assert_eq(publicity_regime_on(day(2026, 4, 1)), REGIME_ORDER_36);
	cr_assert_str_eq(publicity_regime_name(REGIME_ORDER_36), "order-36");
}

Test(period, before_order_58_three_years_no_minimum)
{
	dates_are(day(2022, 6, 15), SEVERITY_SERIOUS, 1, NULL, "2025-06-15", "2022-06-15");
}

Test(period, order_58_three_months_or_a_year_in_special_sectors)
{
	dates_are(day(2024, 1, 10), SEVERITY_NONE, 0, "", "2027-01-10", "2024-04-10");
	dates_are(day(2024, 1, 10), SEVERITY_NONE, 1, "", "2027-01-10", "2025-01-10");
	/* Severity does not matter under Order 58. */
	dates_are(day(2024, 1, 10), SEVERITY_MINOR, 0, "", "2027-01-10", "2024-04-10");
}

Test(period, order_36_by_severity)
{
	struct publicity_period minor = publicity_period_of(day(2026, 5, 1), SEVERITY_MINOR, 0);

	cr_assert_eq(minor.published, 0);
	dates_are(day(2026, 5, 1), SEVERITY_MINOR, 0, "2026-06-01", "", "2026-05-01");
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, NULL, "2027-05-01", "2026-08-01");
	dates_are(day(2026, 5, 1), SEVERITY_SERIOUS, 0, NULL, "2029-05-01", "2027-05-01");
	/* Unclassified records are treated as general until classified. */
	dates_are(day(2026, 5, 1), SEVERITY_NONE, 0, NULL, "2027-05-01", "2026-08-01");
}

Test(period, department_end_shortens_never_lengthens)
{
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "2026-12-31", "2026-12-31", "2026-08-01");
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "2028-01-01", "2027-05-01", "2026-08-01");
	/* Garbage or a date before the decision is ignored, not trusted. */
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "soon", "2027-05-01", "2026-08-01");
	dates_are(day(2026, 5, 1), SEVERITY_GENERAL, 0, "2026-01-01", "2027-05-01", "2026-08-01");
}

Test(period, month_end_clamps)
{
	dates_are(day(2026, 11, 30), SEVERITY_GENERAL, 0, NULL, "2027-11-30", "2027-02-28");
}

Test(sector, special_sectors)
{
	cr_assert(publicity_sector_is_special("食品"));
	cr_assert(publicity_sector_is_special(" 消防安全 "));
	cr_assert(publicity_sector_is_special("\u3000食品"));
	cr_assert(!publicity_sector_is_special("交通运输"));
	cr_assert(!publicity_sector_is_special(NULL));
}

Test(repair, types_that_forbid_repair)
{
	cr_assert(publicity_types_forbid_repair("罚款;吊销营业执照"));
	cr_assert(publicity_types_forbid_repair("暂扣或者吊销许可证"));
	cr_assert(publicity_types_forbid_repair("责令关闭"));
	cr_assert(publicity_types_forbid_repair("限制开展生产经营活动"));
	cr_assert(!publicity_types_forbid_repair("警告;罚款"));
	cr_assert(!publicity_types_forbid_repair(NULL));
}
