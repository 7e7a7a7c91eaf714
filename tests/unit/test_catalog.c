/* test_catalog.c - the category model: built-in definitions and malformed ones. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/embedded.h"
#include "core/err.h"

static struct category *parse_builtin(const char *name)
{
	const struct embedded_file *f;
	struct category *cat = NULL;
	struct err e;

	for (f = embedded_catalog; f->name; f++)
		if (strcmp(f->name, name) == 0) {
			cr_assert_eq(catalog_parse(f->data, &cat, &e), 0, "%s: %s", name, e.message);
			return cat;
		}
	cr_assert_fail("no built-in %s", name);
	return NULL;
}

Test(catalog, every_builtin_parses_with_roles)
{
	const char *ids[] = { "registration",	  "license",		      "penalty",
			      "dishonest_list", "abnormal_list", "social_insurance_arrears",
			      "utility_payment" };
	const struct embedded_file *f;
	size_t n = 0, i;

	for (f = embedded_catalog; f->name; f++, n++) {
		struct category *cat;
		struct err e;

		cr_assert_eq(catalog_parse(f->data, &cat, &e), 0, "%s: %s", f->name, e.message);
		cr_assert_geq(cat->subject_name, 0);
		cr_assert_geq(cat->subject_code, 0);
		cr_assert_geq(cat->decision_date, 0, "%s has a decision date", cat->id);
		catalog_free(cat);
	}
	cr_assert_eq(n, sizeof ids / sizeof *ids);
	for (i = 0; i < sizeof ids / sizeof *ids; i++) {
		char file[64];
		struct category *cat;

		snprintf(file, sizeof file, "%s.json", ids[i]);
		cat = parse_builtin(file);
		cr_assert_str_eq(cat->id, ids[i]);
		catalog_free(cat);
	}
}

Test(catalog, penalty_follows_national_layout)
{
	struct category *cat = parse_builtin("penalty.json");
	int fine = catalog_field_index(cat, "fine");
	int type = catalog_field_index(cat, "penalty_type");
	int code = catalog_field_index(cat, "party_code");

	cr_assert_str_eq(cat->name, "行政处罚");
	cr_assert_eq(cat->nature, NATURE_NEGATIVE);
	cr_assert_eq(cat->disclosure, DISCLOSURE_PUBLIC);
	cr_assert_str_eq(cat->fields[catalog_field_index(cat, "decision_no")].name,
			 "行政处罚决定书文号");
	cr_assert_eq(cat->fields[fine].type, FIELD_MONEY);
	cr_assert_eq(cat->fields[fine].required_if_field, type);
	cr_assert_eq(cat->fields[code].type, FIELD_USCC);
	cr_assert_eq(cat->fields[code].required_if_field, cat->subject_type);
	cr_assert_eq(cat->nkey, 1);
	cr_assert_eq(cat->key[0], catalog_field_index(cat, "decision_no"));
	cr_assert_eq(cat->publicity_max_months, 36);
	cr_assert_eq(cat->fields[catalog_field_index(cat, "decision_date")].not_future, 1);
	catalog_free(cat);
}

Test(catalog, enum_values_and_aliases)
{
	struct category *cat = parse_builtin("penalty.json");
	const struct catalog_field *t = &cat->fields[cat->subject_type];

	cr_assert_str_eq(catalog_enum_value(t, "自然人"), "自然人");
	cr_assert_str_eq(catalog_enum_value(t, "1"), "法人及非法人组织");
	cr_assert_null(catalog_enum_value(t, "公司"));
	cr_assert(catalog_type_is_person("自然人"));
	cr_assert_not(catalog_type_is_person("个体工商户"));
	catalog_free(cat);
}

static void expect_invalid(const char *json, const char *needle)
{
	struct category *cat = (struct category *)1;
	struct err e;

	err_clear(&e);
	cr_assert_lt(catalog_parse(json, &cat, &e), 0, "should fail: %s", json);
	cr_assert_null(cat);
	cr_assert_str_eq(e.reason, "catalog.invalid");
	cr_assert(strstr(e.message, needle), "message '%s' should mention '%s'", e.message, needle);
}

Test(catalog, malformed_definitions_are_refused_with_the_member_named)
{
	expect_invalid("not json", "JSON");
	expect_invalid("{\"id\":\"x\",\"name\":\"X\",\"nature\":\"bad\",\"disclosure\":\"public\","
		       "\"fields\":[{\"id\":\"a\",\"name\":\"A\"}],\"subject\":{\"name\":\"a\",\"code\":\"a\"}}",
		       "nature");
	expect_invalid("{\"id\":\"Bad-Id\",\"name\":\"X\"}", "Bad-Id");
	expect_invalid("{\"id\":\"x\",\"name\":\"X\",\"nature\":\"basic\",\"disclosure\":\"public\","
		       "\"fields\":[{\"id\":\"a\",\"name\":\"A\",\"type\":\"blob\"}],"
		       "\"subject\":{\"name\":\"a\",\"code\":\"a\"}}",
		       "blob");
	expect_invalid("{\"id\":\"x\",\"name\":\"X\",\"nature\":\"basic\",\"disclosure\":\"public\","
		       "\"fields\":[{\"id\":\"a\",\"name\":\"A\"}],"
		       "\"subject\":{\"name\":\"a\",\"code\":\"nope\"}}",
		       "nope");
	expect_invalid("{\"id\":\"x\",\"name\":\"X\",\"nature\":\"basic\",\"disclosure\":\"public\","
		       "\"fields\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"a\",\"name\":\"B\"}],"
		       "\"subject\":{\"name\":\"a\",\"code\":\"a\"}}",
		       "重复");
	expect_invalid("{\"id\":\"x\",\"name\":\"X\",\"nature\":\"basic\",\"disclosure\":\"public\","
		       "\"fields\":[{\"id\":\"a\",\"name\":\"A\",\"type\":\"enum\"}],"
		       "\"subject\":{\"name\":\"a\",\"code\":\"a\"}}",
		       "values");
}

/* The built-in catalog holds a category of every disclosure level, so that the access
 * rules (docs/security.md) are exercised on real definitions. */
Test(catalog, builtin_has_every_disclosure_level)
{
	static const char *const files[] = { "penalty.json", "social_insurance_arrears.json",
					     "utility_payment.json" };
	enum catalog_disclosure want[] = { DISCLOSURE_PUBLIC, DISCLOSURE_SHARED,
					   DISCLOSURE_AUTHORIZED };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct category *cat = parse_builtin(files[i]);

		cr_assert_eq(cat->disclosure, want[i], "%s", files[i]);
		catalog_free(cat);
	}
}
