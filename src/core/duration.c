/*
 * duration.c - "30d", "12h", "2w" to seconds; see duration.h.
 */
#include "duration.h"

#include "err.h"
#include "text.h"

#define DURATION_FORMS "有效期格式应为正整数加单位，如 90s、45m、12h、30d、2w、1y（不写单位表示天）"

static int duration_fail(struct err *e, const char *text, const char *why)
{
	char quoted[64];

	if (!e)
		return -1;
	text_quote(text, quoted, sizeof quoted);
	return err_set(e, "request.invalid", "有效期“%s”%s；" DURATION_FORMS, quoted, why);
}

static long long duration_unit(char c)
{
	switch (c) {
	case '\0':
	case 'd':
		return 86400;
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'w':
		return 7 * 86400;
	case 'y':
		return 365 * 86400;
	default:
		return 0;
	}
}

int duration_parse(const char *text, long long *seconds, struct err *e)
{
	const char *p = text;
	long long count = 0, unit;

	if (!text || !*text)
		return err_set(e, "request.invalid", "有效期为空；" DURATION_FORMS);
	if (*p == '-')
		return duration_fail(e, text, "不能为负数");
	if (*p < '0' || *p > '9')
		return duration_fail(e, text, "无法识别");
	for (; *p >= '0' && *p <= '9'; p++) {
		/* Stops growing once past the limit, so that no number of digits overflows. */
		if (count <= DURATION_MAX_SECONDS)
			count = count * 10 + (*p - '0');
	}
	unit = duration_unit(*p);
	if (unit == 0 || (*p && p[1]))
		return duration_fail(e, text, "无法识别");
	if (count == 0)
		return duration_fail(e, text, "必须大于零");
	if (count > DURATION_MAX_SECONDS / unit)
		return duration_fail(e, text, "超过 100 年");
	*seconds = count * unit;
	return 0;
}
