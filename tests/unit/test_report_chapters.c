/* test_report_chapters.c - the national report's chapters and the groups they hold
 * (src/core/report_chapters.c). */
#include <criterion/criterion.h>

#include "core/report_chapters.h"

Test(report_chapters, in_order_with_the_advice_last)
{
	size_t n;
	const struct report_chapter *c = report_chapters(&n);

	cr_assert_eq(n, 10);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(c[i].number, (int)i + 1);
	cr_assert_str_eq(c[0].title, "登记注册基础信息");
	cr_assert_str_eq(c[9].title, "信用状况提升建议");
	cr_assert_eq(c[9].archive, 0, "the advice holds no records");
	cr_assert_str_eq(c[3].numeral, "四");
}

Test(report_chapters, groups_map_to_their_chapter)
{
	cr_assert_eq(report_chapter_of_group("登记注册基本信息")->number, 1);
	cr_assert_eq(report_chapter_of_group("行政管理信息")->number, 2);
	cr_assert_eq(report_chapter_of_group("严重失信主体名单")->number, 4);
	cr_assert_eq(report_chapter_of_group("经营（活动）异常名录")->number, 5);
	cr_assert_eq(report_chapter_of_group("司法裁判及执行信息")->number, 8);
	/* Groups the standard does not name, and none, are 其他信息. */
	cr_assert_eq(report_chapter_of_group("遵守法律法规情况")->number, 9);
	cr_assert_eq(report_chapter_of_group(NULL)->number, 9);
}
