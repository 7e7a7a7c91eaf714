/* test_pipeline.c - cleaning and validating rows (src/ingest/clean.c) against the
 * built-in categories, without files or databases. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/embedded.h"
#include "core/err.h"
#include "ingest/clean.h"

static struct category *cat;
static struct row_clean rc;
static const char *raw[64];

static void setup_category(const char *file)
{
	const struct embedded_file *f;
	struct err e;

	setenv("XINYONG_NOW", "2026-11-20T10:00:00+08:00", 1);
	for (f = embedded_catalog; f->name; f++)
		if (strcmp(f->name, file) == 0)
			cr_assert_eq(catalog_parse(f->data, &cat, &e), 0, "%s", e.message);
	cr_assert_not_null(cat);
	cr_assert_eq(row_clean_init(&rc, cat, NULL, &e), 0);
	memset(raw, 0, sizeof raw);
}

static void setup_penalty(void)
{
	setup_category("penalty.json");
}

static void setup_license(void)
{
	setup_category("license.json");
}

static void teardown(void)
{
	row_clean_free(&rc);
	catalog_free(cat);
	cat = NULL;
}

static void set(const char *field, const char *value)
{
	int i = catalog_field_index(cat, field);

	cr_assert_geq(i, 0, "field %s", field);
	raw[i] = value;
}

static const char *value(const char *field)
{
	return row_clean_value(&rc, catalog_field_index(cat, field));
}

static void good_org_penalty(void)
{
	set("party_name", " 肇庆星湖（集团）有限公司 ");
	set("party_type", "法人及非法人组织");
	set("party_code", "９１４４０３００１９２２０３８２１６");
	set("legal_rep", "张三");
	set("decision_no", "肇市监罚〔2024〕1号");
	set("violation_type", "销售不合格产品");
	set("facts", "经查，当事人销售不合格产品。");
	set("basis", "《产品质量法》第四十九条");
	set("penalty_type", "警告；罚款");
	set("content", "警告，并处罚款");
	set("fine", "0.20");
	set("decision_date", "2024年3月5日");
	set("authority", "肇庆市市场监督管理局");
	set("authority_code", "91440300708461136T");
	set("source_dept", "肇庆市市场监督管理局");
	set("source_dept_code", "91440300708461136T");
}

/* Returns the reason of the first problem on `field`, or NULL. */
static const char *problem_on(const char *field)
{
	int i = catalog_field_index(cat, field);
	size_t k;

	for (k = 0; k < rc.nproblems; k++)
		if (rc.problems[k].field == i)
			return rc.problems[k].reason;
	return NULL;
}

Test(clean, good_row_is_cleaned, .init = setup_penalty, .fini = teardown)
{
	good_org_penalty();
	cr_assert_eq(row_clean_run(&rc, raw), 0, "first problem: %s",
		     rc.nproblems ? rc.problems[0].message : "");
	cr_assert_str_eq(value("party_name"), "肇庆星湖(集团)有限公司"); /* trimmed, NFKC */
	cr_assert_str_eq(value("party_code"), "914403001922038216");
	cr_assert_str_eq(value("decision_date"), "2024-03-05");
	cr_assert_str_eq(value("fine"), "0.2");
	cr_assert_str_eq(value("penalty_type"), "警告;罚款");
	cr_assert_str_eq(rc.subject.normalized, "914403001922038216");
	cr_assert_eq(rc.subject.kind, CODE_KIND_USCC);
	cr_assert_str_eq(rc.subject_type, "法人及非法人组织");
}

Test(clean, fine_required_only_when_penalty_includes_fine, .init = setup_penalty,
     .fini = teardown)
{
	good_org_penalty();
	set("fine", NULL);
	cr_assert_eq(row_clean_run(&rc, raw), 1);
	cr_assert_str_eq(problem_on("fine"), "field.required");
	set("penalty_type", "警告");
	cr_assert_eq(row_clean_run(&rc, raw), 0);
}

Test(clean, organisation_needs_legal_rep_person_needs_document, .init = setup_penalty,
     .fini = teardown)
{
	good_org_penalty();
	set("legal_rep", "  ");
	cr_assert_eq(row_clean_run(&rc, raw), 1);
	cr_assert_str_eq(problem_on("legal_rep"), "field.required");

	set("legal_rep", NULL);
	set("party_code", NULL);
	set("party_type", "自然人");
	set("party_name", "李四");
	cr_assert_geq(row_clean_run(&rc, raw), 2);
	cr_assert_str_eq(problem_on("id_type"), "field.required");
	cr_assert_str_eq(problem_on("id_number"), "field.required");

	set("id_type", "居民身份证");
	set("id_number", "110105491231002");
	cr_assert_eq(row_clean_run(&rc, raw), 0, "%s", rc.nproblems ? rc.problems[0].message : "");
	cr_assert_str_eq(value("id_type"), "身份证");
	cr_assert_eq(rc.subject.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(rc.subject.normalized, "11010519491231002X");
}

Test(clean, passport_is_not_checked_as_an_id_number, .init = setup_penalty, .fini = teardown)
{
	good_org_penalty();
	set("party_code", NULL);
	set("legal_rep", NULL);
	set("party_type", "2");
	set("id_type", "护照");
	set("id_number", "e12345678");
	cr_assert_eq(row_clean_run(&rc, raw), 0, "%s", rc.nproblems ? rc.problems[0].message : "");
	cr_assert_eq(rc.subject.kind, CODE_KIND_OTHER);
	cr_assert_str_eq(rc.subject.normalized, "E12345678");
}

Test(clean, every_problem_of_a_row_is_reported, .init = setup_penalty, .fini = teardown)
{
	good_org_penalty();
	set("party_type", "公司");
	set("penalty_type", "警告;打板子");
	set("decision_date", "2026-11-21");
	set("authority_code", "91350100M000100Y4Z");
	set("fine", "-1");
	row_clean_run(&rc, raw);
	cr_assert_str_eq(problem_on("party_type"), "field.enum");
	cr_assert_str_eq(problem_on("penalty_type"), "field.enum");
	cr_assert_str_eq(problem_on("decision_date"), "date.future");
	cr_assert_str_eq(problem_on("authority_code"), "code.check_char");
	cr_assert_str_eq(problem_on("fine"), "money.invalid");
	cr_assert_geq(rc.nerrors, 5);
}

Test(clean, dates_before_1949_and_unreadable, .init = setup_penalty, .fini = teardown)
{
	good_org_penalty();
	set("decision_date", "1948-12-31");
	row_clean_run(&rc, raw);
	cr_assert_str_eq(problem_on("decision_date"), "date.too_old");
	set("decision_date", "去年三月");
	row_clean_run(&rc, raw);
	cr_assert_str_eq(problem_on("decision_date"), "date.unparseable");
	set("decision_date", "44260");
	cr_assert_eq(row_clean_run(&rc, raw), 0);
	cr_assert_str_eq(value("decision_date"), "2021-03-05");
}

Test(clean, licence_end_before_start_is_refused, .init = setup_license, .fini = teardown)
{
	set("party_name", "肇庆市端州区星湖建材有限公司");
	set("party_type", "法人及非法人组织");
	set("party_code", "914403001922038216");
	set("legal_rep", "王五");
	set("doc_name", "食品经营许可决定书");
	set("decision_no", "JY14412020001");
	set("license_type", "普通");
	set("content", "准予食品经营许可");
	set("decision_date", "2024-01-02");
	set("valid_from", "2024-01-02");
	set("valid_to", "2023-01-01");
	set("authority", "肇庆市市场监督管理局");
	set("authority_code", "91440300708461136T");
	set("source_dept", "肇庆市市场监督管理局");
	set("source_dept_code", "91440300708461136T");
	cr_assert_eq(row_clean_run(&rc, raw), 1);
	cr_assert_str_eq(problem_on("valid_to"), "date.order");
	set("valid_to", "2099-12-31");
	cr_assert_eq(row_clean_run(&rc, raw), 0);
}
