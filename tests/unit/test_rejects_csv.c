/* test_rejects_csv.c - the rejects CSV line (src/core/rejects_csv.c). */
#include <criterion/criterion.h>

#include "core/buf.h"
#include "core/rejects_csv.h"

static char *line_of(long row, const char *field, const char *reason, const char *message)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b, 0);
	cr_assert_eq(rejects_csv_line(&b, row, field, reason, message), 0);
	return b.data;
}

Test(rejects_csv, plain_and_quoted)
{
	cr_assert_str_eq(line_of(4, "处罚决定日期", "date.future", "晚于今天"),
			 "4,处罚决定日期,date.future,晚于今天\r\n");
	cr_assert_str_eq(line_of(2, "a,b", NULL, "说“是\"的\"”\n第二行"),
			 "2,\"a,b\",,\"说“是\"\"的\"\"”\n第二行\"\r\n");
}

Test(rejects_csv, formulas_are_defused)
{
	cr_assert_str_eq(line_of(3, "=HYPERLINK(\"x\")", "field.required", "+1"),
			 "3,\"'=HYPERLINK(\"\"x\"\")\",field.required,\"'+1\"\r\n");
	cr_assert_str_eq(line_of(0, "", "row.malformed", "-5 与 @x"),
			 "0,,row.malformed,\"'-5 与 @x\"\r\n");
	cr_assert(rejects_csv_is_formula("\tx"));
	cr_assert(!rejects_csv_is_formula("1+1"));
	cr_assert(!rejects_csv_is_formula(""));
}
