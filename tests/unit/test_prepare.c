/* test_prepare.c - preparing rows into records (src/ingest/prepare.c): one row given as
 * values (preparer_values) must come out exactly as the same row read from a file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/catalog.h"
#include "core/embedded.h"
#include "core/err.h"
#include "ingest/prepare.h"
#include "ingest/reader.h"

static struct category *cat;
static const char *raw[64];

static void setup(void)
{
	const struct embedded_file *f;
	struct err e;

	setenv("XINYONG_NOW", "2026-11-20T10:00:00+08:00", 1);
	for (f = embedded_catalog; f->name; f++)
		if (strcmp(f->name, "penalty.json") == 0)
			cr_assert_eq(catalog_parse(f->data, &cat, &e), 0, "%s", e.message);
	cr_assert_not_null(cat);
	cr_assert_lt(cat->nfields, sizeof raw / sizeof *raw);
	memset(raw, 0, sizeof raw);
}

static void teardown(void)
{
	catalog_free(cat);
	cat = NULL;
}

static void set(const char *field, const char *value)
{
	int i = catalog_field_index(cat, field);

	cr_assert_geq(i, 0, "field %s", field);
	raw[i] = value;
}

/* A valid penalty of an organisation, as a department writes it (untrimmed, full-width
 * code, Chinese date), so that cleaning has work to do. */
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

/* Writes raw as a CSV file with the catalog's column names (only the fields that have
 * a value) and returns its malloc'd path. */
static char *write_csv(void)
{
	char *path = strdup("/tmp/xy_prepare_XXXXXX.csv");
	FILE *fp;
	size_t i;
	int fd, first = 1;

	cr_assert_not_null(path);
	fd = mkstemps(path, 4);
	cr_assert(fd >= 0, "mkstemps: %s", strerror(errno));
	fp = fdopen(fd, "w");
	cr_assert_not_null(fp);
	for (i = 0; i < cat->nfields; i++)
		if (raw[i]) {
			fprintf(fp, "%s\"%s\"", first ? "" : ",", cat->fields[i].name);
			first = 0;
		}
	fputs("\r\n", fp);
	first = 1;
	for (i = 0; i < cat->nfields; i++)
		if (raw[i]) {
			cr_assert_null(strchr(raw[i], '"'));
			fprintf(fp, "%s\"%s\"", first ? "" : ",", raw[i]);
			first = 0;
		}
	fputs("\r\n", fp);
	cr_assert_eq(fclose(fp), 0);
	return path;
}

/* Prepares the one row of a CSV file made of raw, through a reader. */
static void prepare_from_file(struct prepared_row *out)
{
	char *path = write_csv();
	struct reader *r;
	struct preparer p;
	struct prepared_row end;
	struct err e;

	cr_assert_eq(reader_open(path, READER_CSV, &r, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_init(&p, cat, r, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_check_columns(&p, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_next(&p, out, &e), 1, "%s", e.message);
	prepared_row_init(&end);
	cr_assert_eq(preparer_next(&p, &end, &e), 0);
	prepared_row_free(&end);
	preparer_free(&p);
	reader_close(r);
	unlink(path);
	free(path);
}

static void assert_same_str(const struct prepared_row *a, const struct prepared_row *b,
			    size_t oa, size_t ob, const char *what)
{
	cr_assert_str_eq(prepared_str(a, oa), prepared_str(b, ob), "%s differs", what);
}

Test(prepare, values_give_what_a_file_row_gives, .init = setup, .fini = teardown)
{
	struct prepared_row file, vals;
	struct preparer p;
	struct err e;

	good_org_penalty();
	prepared_row_init(&file);
	prepared_row_init(&vals);
	prepare_from_file(&file);
	cr_assert_eq(file.kind, PREPARED_RECORD, "%s",
		     file.nproblems ? prepared_str(&file, file.problems[0].message) : "");

	cr_assert_eq(preparer_init_values(&p, cat, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_values(&p, raw, 7, &vals, &e), 0, "%s", e.message);
	cr_assert_eq(vals.kind, PREPARED_RECORD);
	cr_assert_eq(vals.row, 7);
	assert_same_str(&vals, &file, vals.key, file.key, "business key");
	assert_same_str(&vals, &file, vals.hash, file.hash, "hash");
	assert_same_str(&vals, &file, vals.publicity_end, file.publicity_end, "publicity end");
	assert_same_str(&vals, &file, vals.data, file.data, "content");
	assert_same_str(&vals, &file, vals.code, file.code, "code");
	assert_same_str(&vals, &file, vals.kind_name, file.kind_name, "code kind");
	assert_same_str(&vals, &file, vals.subject_type, file.subject_type, "subject type");
	assert_same_str(&vals, &file, vals.name, file.name, "name");
	assert_same_str(&vals, &file, vals.decision_date, file.decision_date, "decision date");
	assert_same_str(&vals, &file, vals.name_label, file.name_label, "name label");
	assert_same_str(&vals, &file, vals.code_label, file.code_label, "code label");
	cr_assert_eq(vals.nproblems, file.nproblems);
	/* Not vacuous: the values were cleaned, not copied. */
	cr_assert_str_eq(prepared_str(&vals, vals.code), "914403001922038216");
	cr_assert_str_eq(prepared_str(&vals, vals.key), "肇市监罚〔2024〕1号");
	cr_assert_eq(strlen(prepared_str(&vals, vals.hash)), 32);
	cr_assert_neq(prepared_str(&vals, vals.publicity_end)[0], '\0');

	preparer_free(&p);
	prepared_row_free(&vals);
	prepared_row_free(&file);
}

Test(prepare, invalid_code_rejects_naming_the_field, .init = setup, .fini = teardown)
{
	int field = catalog_field_index(cat, "party_code");
	struct prepared_row out;
	struct preparer p;
	struct err e;
	size_t i;
	int found = 0;

	good_org_penalty();
	set("party_code", "914403001922038217"); /* wrong check character */
	prepared_row_init(&out);
	cr_assert_eq(preparer_init_values(&p, cat, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_values(&p, raw, 1, &out, &e), 0, "%s", e.message);
	cr_assert_eq(out.kind, PREPARED_REJECTED);
	cr_assert_gt(out.nproblems, 0);
	for (i = 0; i < out.nproblems; i++) {
		cr_assert_eq(out.problems[i].warning, 0);
		if (strcmp(out.problems[i].reason, "code.check_char") == 0) {
			cr_assert_str_eq(prepared_str(&out, out.problems[i].field),
					 cat->fields[field].name);
			cr_assert_neq(prepared_str(&out, out.problems[i].message)[0], '\0');
			found = 1;
		}
	}
	cr_assert(found, "no code.check_char problem");
	/* A rejected row is not a record: nothing to store. */
	cr_assert_str_eq(prepared_str(&out, out.key), "");
	cr_assert_str_eq(prepared_str(&out, out.hash), "");

	/* The same preparer then takes the corrected values, with nothing left over. */
	set("party_code", "914403001922038216");
	cr_assert_eq(preparer_values(&p, raw, 2, &out, &e), 0, "%s", e.message);
	cr_assert_eq(out.kind, PREPARED_RECORD);
	cr_assert_eq(out.nproblems, 0);
	preparer_free(&p);
	prepared_row_free(&out);
}

Test(prepare, missing_required_value_is_rejected, .init = setup, .fini = teardown)
{
	int field = catalog_field_index(cat, "decision_no");
	struct prepared_row out;
	struct preparer p;
	struct err e;

	good_org_penalty();
	set("decision_no", NULL);
	prepared_row_init(&out);
	cr_assert_eq(preparer_init_values(&p, cat, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_values(&p, raw, 1, &out, &e), 0, "%s", e.message);
	cr_assert_eq(out.kind, PREPARED_REJECTED);
	cr_assert_eq(out.nproblems, 1);
	cr_assert_str_eq(out.problems[0].reason, "field.required");
	cr_assert_str_eq(prepared_str(&out, out.problems[0].field), cat->fields[field].name);
	preparer_free(&p);
	prepared_row_free(&out);
}

Test(prepare, values_preparer_reads_no_file, .init = setup, .fini = teardown)
{
	struct prepared_row out;
	struct preparer p;
	struct err e;

	prepared_row_init(&out);
	cr_assert_eq(preparer_init_values(&p, cat, NULL, &e), 0, "%s", e.message);
	cr_assert_eq(preparer_check_columns(&p, &e), 0);
	err_clear(&e);
	cr_assert_eq(preparer_next(&p, &out, &e), -1);
	cr_assert_str_eq(e.reason, "internal.error");
	preparer_free(&p);
	/* Freeing twice (after the memset of the first) is harmless too. */
	preparer_free(&p);
	prepared_row_free(&out);
}
