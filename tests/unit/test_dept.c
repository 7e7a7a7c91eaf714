/* test_dept.c - the department directory's records and files (src/core/dept.c): one
 * department's validation and normalisation, and the import file in CSV (Chinese header,
 * any column order, quoting, BOM, CRLF) and JSON, each problem named by row and column,
 * every problem of a file collected. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/dept.h"
#include "core/err.h"

/* Codes computed from GB 32100 / GB 11714 (government organs of Zhaoqing). */
#define SAMR "11441200MB2C12348J"
#define EPB "11441200MB2C23450F"
#define EMB "11441200MB2C34563E"
#define SAMR_BAD_CHECK "11441200MB2C12348K"

static const struct code_options OPTS = { CODE_KIND_USCC, NULL, NULL };

static int parse(const char *text, struct dept_file *f, struct err *e)
{
	err_clear(e);
	return dept_file_parse(text, strlen(text), &OPTS, f, e);
}

/* The problem of `row` whose message holds `needle`, with column `field`. */
static void has_problem(const struct dept_file *f, long row, const char *field,
			const char *needle)
{
	size_t i;

	for (i = 0; i < f->nproblems; i++)
		if (f->problems[i].row == row && strcmp(f->problems[i].field, field) == 0 &&
		    strstr(f->problems[i].message, needle))
			return;
	for (i = 0; i < f->nproblems; i++)
		fprintf(stderr, "  problem row %ld field %s: %s\n", f->problems[i].row,
			f->problems[i].field, f->problems[i].message);
	cr_assert_fail("no problem at row %ld, column %s, saying %s", row, field, needle);
}

Test(dept, values_are_trimmed_and_codes_normalized)
{
	const char *v[DEPT_FIELD_COUNT] = { " 11441200mb2c12348j ", "　肇庆市市场监督管理局 ", "市监",
					    "441200", "", " 0758-12315 ", "食品" };
	struct dept d;
	struct err e;

	err_clear(&e);
	cr_assert_eq(dept_from_values(v, &OPTS, &d, &e), 0, "%s", e.message);
	cr_assert_str_eq(d.code, SAMR);
	cr_assert_str_eq(d.name, "肇庆市市场监督管理局");
	cr_assert_str_eq(d.short_name, "市监");
	cr_assert_str_eq(d.region_code, "441200");
	cr_assert_str_eq(d.parent_code, "");
	cr_assert_str_eq(d.contact, "0758-12315");
	cr_assert_str_eq(d.sector, "食品");
}

Test(dept, each_field_is_checked)
{
	static const struct {
		const char *v[DEPT_FIELD_COUNT];
		const char *field, *needle;
	} cases[] = {
		{ { "", "某局" }, "统一社会信用代码", "缺少统一社会信用代码" },
		{ { SAMR_BAD_CHECK, "某局" }, "统一社会信用代码", "校验" },
		{ { "91441200MA4UTEST", "某局" }, "统一社会信用代码", "18位" },
		{ { SAMR, "  " }, "部门名称", "缺少部门名称" },
		{ { SAMR, "某局", NULL, "441299" }, "行政区划", "441299" },
		{ { SAMR, "某局", NULL, "4412" }, "行政区划", "六位" },
		{ { SAMR, "某局", NULL, NULL, SAMR }, "上级部门", "本部门自身" },
		{ { SAMR, "某局", NULL, NULL, "12345" }, "上级部门", "不是有效的统一社会信用代码" },
		{ { SAMR, "某\n局" }, "部门名称", "控制字符" },
		{ { SAMR, "某局", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一" },
		  "简称", "超过上限 30 个字" },
	};
	struct dept d;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		err_clear(&e);
		cr_assert_eq(dept_from_values(cases[i].v, &OPTS, &d, &e), -1, "case %zu passed", i);
		cr_assert_str_eq(e.reason, "directory.invalid", "case %zu", i);
		cr_assert_str_eq(e.field, cases[i].field, "case %zu: field %s", i, e.field);
		cr_assert(strstr(e.message, cases[i].needle), "case %zu: %s", i, e.message);
	}
}

static int listed(void *ctx, const char *code)
{
	return strcmp(code, (const char *)ctx) == 0;
}

Test(dept, a_code_on_the_exception_list_is_accepted)
{
	const char *v[DEPT_FIELD_COUNT] = { SAMR_BAD_CHECK, "某局" };
	struct code_options opts = { CODE_KIND_AUTO, NULL, NULL };
	struct dept d;
	struct err e;

	err_clear(&e);
	cr_assert_eq(dept_from_values(v, &opts, &d, &e), -1);
	opts.is_exception = listed;
	opts.ctx = (void *)SAMR_BAD_CHECK;
	cr_assert_eq(dept_from_values(v, &opts, &d, &e), 0, "%s", e.message);
	cr_assert_str_eq(d.code, SAMR_BAD_CHECK);
}

Test(dept, csv_with_bom_crlf_quotes_and_any_column_order)
{
	struct dept_file f;
	struct err e;
	const char *text = "\xEF\xBB\xBF部门名称,统一社会信用代码,联系方式,行业领域\r\n"
			   "肇庆市市场监督管理局," SAMR ",\"0758-12315, 2222222\",食品\r\n"
			   "\r\n"
			   "肇庆市生态环境局," EPB ",,生态环境\r\n";

	cr_assert_eq(parse(text, &f, &e), 0, "%s", e.message);
	cr_assert_eq(f.n, 2);
	cr_assert_str_eq(f.depts[0].code, SAMR);
	cr_assert_str_eq(f.depts[0].contact, "0758-12315, 2222222");
	cr_assert_str_eq(f.depts[0].sector, "食品");
	cr_assert_str_eq(f.depts[1].name, "肇庆市生态环境局");
	cr_assert_str_eq(f.depts[1].short_name, "");
	dept_file_free(&f);
}

Test(dept, csv_every_bad_row_is_named_and_nothing_is_kept_as_good)
{
	struct dept_file f;
	struct err e;
	const char *text = "统一社会信用代码,部门名称,简称,行政区划,上级部门,联系方式,行业领域\n"
			   SAMR ",肇庆市市场监督管理局,市监,441200,,,食品\n"
			   SAMR_BAD_CHECK ",某局,,,,,\n"
			   EPB ",,,,,,\n"
			   EMB ",肇庆市应急管理局,,999999,,,\n"
			   "\n"
			   SAMR ",又一个市监局,,,,,\n"
			   EPB ",肇庆市生态环境局,环,441200," SAMR ",,生态环境,多余\n";

	cr_assert_eq(parse(text, &f, &e), -1);
	cr_assert_str_eq(e.reason, "directory.invalid");
	cr_assert(strstr(e.message, "共 5 处错误"), "%s", e.message);
	cr_assert(strstr(e.message, "第 3 行"), "the first problem is row 3: %s", e.message);
	cr_assert_eq(f.problems_total, 5);
	has_problem(&f, 3, "统一社会信用代码", "校验");
	has_problem(&f, 4, "部门名称", "缺少部门名称");
	has_problem(&f, 5, "行政区划", "999999");
	/* Row 6 is empty, but counts as a row of the spreadsheet. */
	has_problem(&f, 7, "统一社会信用代码", "与第 2 行重复");
	has_problem(&f, 8, "", "值比列名多");
	dept_file_free(&f);
}

Test(dept, csv_header_problems)
{
	struct dept_file f;
	struct err e;

	cr_assert_eq(parse("统一社会信用代码,名称\n" SAMR ",某局\n", &f, &e), -1);
	has_problem(&f, 1, "名称", "不是部门目录的列");
	has_problem(&f, 1, "部门名称", "缺少“部门名称”列");
	dept_file_free(&f);
	cr_assert_eq(parse("统一社会信用代码,部门名称,简称,简称\n", &f, &e), -1);
	has_problem(&f, 1, "简称", "出现了两次");
	dept_file_free(&f);
	cr_assert_eq(parse("统一社会信用代码,部门名称\n", &f, &e), -1);
	has_problem(&f, 0, "", "没有部门");
	dept_file_free(&f);
	cr_assert_eq(parse("", &f, &e), -1);
	has_problem(&f, 0, "", "为空");
	dept_file_free(&f);
	/* Full-width brackets and spaces in a column name match as ingest's do. */
	cr_assert_eq(parse(" 统一社会信用代码 ,部门名称,\n" SAMR ",某局,\n", &f, &e), 0, "%s",
		     e.message);
	cr_assert_eq(f.n, 1);
	dept_file_free(&f);
}

Test(dept, csv_bad_quotes_and_encoding)
{
	struct dept_file f;
	struct err e;
	const char gbk[] = "\xb2\xbf\xc3\xc5"; /* 部门 in GBK */
	char text[256];

	cr_assert_eq(parse("统一社会信用代码,部门名称\n" SAMR ",\"某局\n", &f, &e), -1);
	has_problem(&f, 2, "", "双引号");
	dept_file_free(&f);
	snprintf(text, sizeof text, "统一社会信用代码,部门名称\n%s,%s\n", SAMR, gbk);
	cr_assert_eq(parse(text, &f, &e), -1);
	has_problem(&f, 0, "", "UTF-8");
	dept_file_free(&f);
}

Test(dept, json_array_and_the_api_document)
{
	struct dept_file f;
	struct err e;

	cr_assert_eq(parse("[{\"code\": \"" SAMR "\", \"name\": \"肇庆市市场监督管理局\", "
			   "\"sector\": \"食品\", \"parent_code\": null}]",
			   &f, &e),
		     0, "%s", e.message);
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(f.depts[0].sector, "食品");
	dept_file_free(&f);
	cr_assert_eq(parse("{\"depts\": [{\"code\": \"" SAMR "\", \"name\": \"某局\"}, "
			   "{\"code\": \"" EPB "\", \"name\": \"另一局\"}]}",
			   &f, &e),
		     0, "%s", e.message);
	cr_assert_eq(f.n, 2);
	dept_file_free(&f);
}

Test(dept, json_problems_are_named_by_item)
{
	struct dept_file f;
	struct err e;

	cr_assert_eq(parse("[{\"code\": \"" SAMR "\", \"name\": \"某局\"}, 7, "
			   "{\"code\": \"" EPB "\", \"name\": \"某局\", \"phone\": \"1\"}, "
			   "{\"code\": \"" EMB "\", \"name\": 12}, "
			   "{\"code\": \"" SAMR "\", \"name\": \"重复\"}]",
			   &f, &e),
		     -1);
	cr_assert_eq(f.problems_total, 4);
	has_problem(&f, 2, "", "第 2 项不是对象");
	has_problem(&f, 3, "phone", "不是部门目录的字段");
	has_problem(&f, 4, "部门名称", "应为字符串");
	has_problem(&f, 5, "统一社会信用代码", "与第 1 项重复");
	dept_file_free(&f);
	cr_assert_eq(parse("[{\"code\": ", &f, &e), -1);
	has_problem(&f, 0, "", "JSON 无法解析");
	dept_file_free(&f);
	cr_assert_eq(parse("{\"code\": \"" SAMR "\"}", &f, &e), -1);
	has_problem(&f, 0, "", "数组");
	dept_file_free(&f);
}

Test(dept, problems_beyond_the_limit_are_counted)
{
	char text[64 * 1024];
	struct dept_file f;
	struct err e;
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof text - n, "统一社会信用代码,部门名称\n");
	for (i = 0; i < DEPT_FILE_PROBLEMS_MAX + 10; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "bad%d,某局\n", i);
	cr_assert_eq(parse(text, &f, &e), -1);
	cr_assert_eq(f.nproblems, DEPT_FILE_PROBLEMS_MAX);
	cr_assert_eq(f.problems_total, DEPT_FILE_PROBLEMS_MAX + 10);
	cr_assert_eq(f.n, 0);
	dept_file_free(&f);
}
