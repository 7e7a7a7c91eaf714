/* report_chapters.c - the national report's chapters; see report_chapters.h. */
#include "report_chapters.h"

#include <string.h>

static const struct report_chapter chapters[] = {
	{ 1, "登记注册基础信息", "一", "基础信息", 1 },
	{ 2, "行政管理信息", "二", "行政管理", 1 },
	{ 3, "诚实守信相关荣誉信息", "三", "诚实守信", 1 },
	{ 4, "严重失信主体名单信息", "四", "严重失信", 1 },
	{ 5, "经营（活动）异常名录", "五", "经营异常", 1 },
	{ 6, "信用承诺信息", "六", "信用承诺", 1 },
	{ 7, "信用评价信息", "七", "信用评价", 1 },
	{ 8, "司法判决及执行信息", "八", "司法", 1 },
	{ 9, "其他信息", "九", "其他", 1 },
	{ 10, "信用状况提升建议", "十", "提升建议", 0 },
};

#define NCHAPTERS (sizeof chapters / sizeof chapters[0])
#define OTHER 8 /* 其他信息 */

/* The catalog's groups (docs/data-formats.md) by chapter index. */
static const struct {
	const char *group;
	int chapter;
} groups[] = {
	{ "登记注册基本信息", 0 }, { "行政管理信息", 1 },     { "职称和职业资格信息", 1 },
	{ "诚实守信相关荣誉", 2 }, { "严重失信主体名单", 3 }, { "经营（活动）异常名录", 4 },
	{ "非正常户", 4 },         { "信用承诺及履行情况", 5 }, { "信用评价结果", 6 },
	{ "司法裁判及执行信息", 7 },
};

const struct report_chapter *report_chapters(size_t *n)
{
	*n = NCHAPTERS;
	return chapters;
}

const struct report_chapter *report_chapter_of_group(const char *group)
{
	for (size_t i = 0; group && i < sizeof groups / sizeof groups[0]; i++)
		if (strcmp(groups[i].group, group) == 0)
			return &chapters[groups[i].chapter];
	return &chapters[OTHER];
}
