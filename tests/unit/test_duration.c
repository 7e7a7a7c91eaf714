/* test_duration.c - lifetimes such as "30d" and "12h" (src/core/duration.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/duration.h"
#include "core/err.h"

static void parses(const char *s, long long expected)
{
	long long out = -1;
	struct err e;

	err_clear(&e);
	cr_assert_eq(duration_parse(s, &out, &e), 0, "\"%s\" should parse: %s", s, e.message);
	cr_assert_eq(out, expected, "\"%s\" gave %lld, expected %lld", s, out, expected);
}

static void refuses(const char *s)
{
	long long out = 12345;
	struct err e;

	err_clear(&e);
	cr_assert_eq(duration_parse(s, &out, &e), -1, "\"%s\" should be refused (gave %lld)",
		     s ? s : "(null)", out);
	cr_assert_str_eq(e.reason, "request.invalid");
	cr_assert(strstr(e.message, "30d"), "message \"%s\" should list the forms", e.message);
	cr_assert_eq(out, 12345, "failure must not write the result");
}

Test(duration, units)
{
	parses("90s", 90);
	parses("45m", 45 * 60);
	parses("12h", 12 * 3600);
	parses("30d", 30 * 86400LL);
	parses("2w", 14 * 86400LL);
	parses("1y", 365 * 86400LL);
	parses("30", 30 * 86400LL);
	parses("007d", 7 * 86400LL);
}

Test(duration, limits)
{
	parses("100y", 100LL * 365 * 86400);
	parses("36500", 100LL * 365 * 86400);
	refuses("101y");
	refuses("36501d");
	refuses("5215w"); /* 36505 days */
	refuses("3153600001s");
	parses("3153600000s", 3153600000LL);
	refuses("99999999999999999999999999d");
	refuses("9223372036854775807s");
}

Test(duration, malformed)
{
	refuses("");
	refuses(NULL);
	refuses("0");
	refuses("0d");
	refuses("-5d");
	refuses("+5d");
	refuses("d");
	refuses("5x");
	refuses("5dd");
	refuses("5d ");
	refuses(" 5d");
	refuses("1.5d");
	refuses("5D");
	refuses("5 d");
}

Test(duration, null_err_is_allowed)
{
	long long out = 1;

	cr_assert_eq(duration_parse("junk", &out, NULL), -1);
	cr_assert_eq(out, 1);
}
