/* prepare.c - cleaning rows into records ready to store; see prepare.h. */
#include "prepare.h"

#include "core/catalog.h"
#include "core/date.h"
#include "core/money.h"
#include "core/publicity_period.h"
#include "core/reasons.h"
#include "core/text.h"
#include "store/store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Separates the parts of a business key; cannot occur in cleaned text. */
#define KEY_SEPARATOR "\x1f"

void prepared_row_init(struct prepared_row *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->text, 64 << 20);
}

void prepared_row_free(struct prepared_row *r)
{
	buf_free(&r->text);
	free(r->problems);
	memset(r, 0, sizeof *r);
}

const char *prepared_str(const struct prepared_row *r, size_t off)
{
	return r->text.data + off;
}

static size_t prepared_add(struct prepared_row *r, const char *s)
{
	size_t off = r->text.len;

	buf_append(&r->text, s ? s : "", strlen(s ? s : "") + 1);
	return off;
}

int prepared_add_problem(struct prepared_row *r, const char *field, const char *reason,
			 const char *message, int warning)
{
	struct prepared_problem *p;

	if (r->nproblems == r->capproblems) {
		size_t cap = r->capproblems ? r->capproblems * 2 : 8;

		p = realloc(r->problems, cap * sizeof *p);
		if (!p)
			return -1;
		r->problems = p;
		r->capproblems = cap;
	}
	p = &r->problems[r->nproblems++];
	p->field = prepared_add(r, field);
	p->message = prepared_add(r, message);
	p->reason = reason;
	p->warning = warning;
	return 0;
}

static void prepared_reset(struct prepared_row *r)
{
	buf_reset(&r->text);
	r->nproblems = 0;
	/* Offset 0 is always the empty string, so unset members read as "". */
	prepared_add(r, "");
	r->code = r->kind_name = r->subject_type = r->region = r->name = 0;
	r->data = r->key = r->hash = r->decision_date = r->publicity_end = 0;
	r->flags = 0;
	r->name_label = r->code_label = 0;
}

int preparer_init_values(struct preparer *p, const struct category *cat,
			 const struct code_options *code_opts, struct err *e)
{
	memset(p, 0, sizeof *p);
	p->cat = cat;
	p->last_row = 1;
	buf_init(&p->data, 16 << 20);
	buf_init(&p->key, 1 << 20);
	return row_clean_init(&p->clean, cat, code_opts, e);
}

/* A file's preparer is a preparer of values plus what reading takes: the column mapping
 * and the row's values in field order. */
int preparer_init(struct preparer *p, const struct category *cat, struct reader *reader,
		  const struct code_options *code_opts, struct err *e)
{
	if (preparer_init_values(p, cat, code_opts, e) < 0)
		return -1;
	p->reader = reader;
	p->raw = calloc(cat->nfields, sizeof *p->raw);
	if (!p->raw)
		return err_set(e, "internal.error", "内存不足");
	if (mapping_init(&p->map, cat, e) < 0)
		return -1;
	return mapping_update(&p->map, reader, e);
}

void preparer_free(struct preparer *p)
{
	if (p->clean.values)
		row_clean_free(&p->clean);
	if (p->map.cat)
		mapping_free(&p->map);
	free(p->raw);
	buf_free(&p->data);
	buf_free(&p->key);
	memset(p, 0, sizeof *p);
}

int preparer_check_columns(struct preparer *p, struct err *e)
{
	struct buf expected;
	int rc;

	/* Values have no columns to check: each field is given or absent by itself. */
	if (!p->reader || reader_column_count(p->reader) == 0 ||
	    mapping_count_required(&p->map) > 0)
		return 0;
	buf_init(&expected, 1 << 16);
	mapping_describe_expected(p->cat, &expected);
	rc = err_set(e, "file.no_columns",
		     "文件表头没有任何一列与信息类“%s”（%s）的必填字段对应。应包含的列：%s。"
		     "请确认信息类选择正确，并使用标准表头",
		     p->cat->name, p->cat->id, buf_cstr(&expected));
	buf_free(&expected);
	return rc;
}

/* The column name as the file wrote it, or the catalog name when the file lacks it or
 * there is no file. */
static const char *preparer_field_label(const struct preparer *p, int field)
{
	if (field < 0)
		return "";
	if (p->reader && p->map.field_col[field] >= 0)
		return reader_column_name(p->reader, (size_t)p->map.field_col[field]);
	return p->cat->fields[field].name;
}

/* The record's content: a JSON object of the cleaned values, in catalog order. */
static void preparer_build_data(struct preparer *p)
{
	size_t i;
	int first = 1;

	buf_reset(&p->data);
	buf_putc(&p->data, '{');
	for (i = 0; i < p->cat->nfields; i++) {
		const char *v = row_clean_value(&p->clean, (int)i);

		if (!v)
			continue;
		if (!first)
			buf_putc(&p->data, ',');
		first = 0;
		buf_put_json_string(&p->data, p->cat->fields[i].id);
		buf_putc(&p->data, ':');
		buf_put_json_string(&p->data, v);
	}
	buf_putc(&p->data, '}');
}

static void preparer_build_key(struct preparer *p)
{
	size_t i;

	buf_reset(&p->key);
	for (i = 0; i < p->cat->nkey; i++) {
		const char *v = row_clean_value(&p->clean, p->cat->key[i]);

		if (i)
			buf_puts(&p->key, KEY_SEPARATOR);
		buf_puts(&p->key, v ? v : "");
	}
}

/* Publicity ends at the end field (or its alternative), capped at start + max months;
 * "" means open-ended. */
static void preparer_publicity_end(const struct preparer *p, char out[11])
{
	const struct category *cat = p->cat;
	const char *end = row_clean_value(&p->clean, cat->publicity_end);
	const char *start = row_clean_value(&p->clean, cat->publicity_start);
	struct date d;

	out[0] = '\0';
	if (!end)
		end = row_clean_value(&p->clean, cat->publicity_end_alt);
	if (end && strlen(end) == 10)
		memcpy(out, end, 11);
	if (start && cat->publicity_max_months > 0 && date_parse_iso(start, &d) == 0) {
		char cap[11];

		date_format(date_add_months(d, cat->publicity_max_months), cap);
		if (!out[0] || strcmp(cap, out) < 0)
			memcpy(out, cap, 11);
	}
}

/* The regime in force on the decision date sets the period (the department's own end
 * date may only shorten it) and the class, kept in the record's flags.  Returns 0 when
 * no regime applies (no decision date, or one older than every regime): the category's
 * own rule stands. */
static int preparer_publicity_by_rules(const struct preparer *p, char until[11], int *flags)
{
	const struct category *cat = p->cat;
	const char *start = row_clean_value(&p->clean, cat->publicity_start);
	const char *types = row_clean_value(&p->clean, cat->publicity_types);
	const char *fine = row_clean_value(&p->clean, cat->publicity_fine);
	const char *sector = row_clean_value(&p->clean, cat->publicity_sector);
	const char *end = row_clean_value(&p->clean, cat->publicity_end);
	const struct publicity_rules *r;
	struct publicity_period period;
	enum severity sev;
	int64_t fine_fen = -1;
	int rule = 0, special;
	char repairable[11];
	struct date d;
	struct err ignore;

	if (!cat->publicity_by_rules || !p->regimes || !start || date_parse_iso(start, &d) < 0 ||
	    !(r = publicity_regimes_on(p->regimes, d)))
		return 0;
	err_clear(&ignore);
	/* The value was cleaned as money already; a failure here means no fine. */
	if (fine && money_parse_wan(fine, &fine_fen, &ignore) < 0)
		fine_fen = -1;
	sev = severity_parse(row_clean_value(&p->clean, cat->publicity_severity));
	if (sev == SEVERITY_NONE)
		sev = publicity_classify(r, types, fine_fen, &rule);
	special = publicity_sector_is_special(r, sector) ||
		  publicity_sector_is_special(r, p->dept_sector);
	period = publicity_period_of(r, sev, special);
	publicity_period_dates(d, &period, end, until, repairable);
	*flags = ((int)sev << STORE_RECORD_SEVERITY_SHIFT) | (rule << STORE_RECORD_RULE_SHIFT) |
		 (special ? STORE_RECORD_SPECIAL_SECTOR : 0) |
		 (period.published ? 0 : STORE_RECORD_UNPUBLISHED);
	return 1;
}

static int preparer_copy_problems(struct preparer *p, struct prepared_row *out)
{
	size_t i;

	for (i = 0; i < p->clean.nproblems; i++) {
		const struct row_problem *rp = &p->clean.problems[i];

		/* A rejected row reports its errors; a kept row its warnings. */
		if (rp->warning != (out->kind == PREPARED_RECORD))
			continue;
		if (prepared_add_problem(out, preparer_field_label(p, rp->field), rp->reason,
					 rp->message, rp->warning) < 0)
			return -1;
	}
	return 0;
}

static int preparer_record(struct preparer *p, struct prepared_row *out, struct err *e)
{
	const struct code_result *c = &p->clean.subject;
	unsigned char hash[16];
	char hex[33], pub_end[11];

	preparer_build_data(p);
	preparer_build_key(p);
	if (buf_failed(&p->data) || buf_failed(&p->key))
		return err_set(e, "internal.error", "第%ld行数据过大", out->row);
	crypto_generichash(hash, sizeof hash, (const unsigned char *)p->data.data, p->data.len,
			   NULL, 0);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	if (!preparer_publicity_by_rules(p, pub_end, &out->flags))
		preparer_publicity_end(p, pub_end);
	out->code = prepared_add(out, c->normalized);
	out->kind_name = prepared_add(out, code_kind_name(c->kind));
	out->subject_type = prepared_add(out, p->clean.subject_type);
	out->region = prepared_add(out, c->region_code);
	out->name = prepared_add(out, row_clean_value(&p->clean, p->cat->subject_name));
	out->data = prepared_add(out, p->data.data);
	out->key = prepared_add(out, buf_cstr(&p->key));
	out->hash = prepared_add(out, hex);
	out->decision_date = prepared_add(out, row_clean_value(&p->clean, p->cat->decision_date));
	out->publicity_end = prepared_add(out, pub_end);
	return 0;
}

/* Cleans raw (one value per field) into out, whose row number is already set: what
 * preparing a file's row and preparing values share, so that a correction is judged
 * exactly like a submission.  Returns 0 or -1 with e filled. */
static int preparer_finish(struct preparer *p, const char *const *raw, struct prepared_row *out,
			   struct err *e)
{
	out->kind = row_clean_run(&p->clean, raw) > 0 ? PREPARED_REJECTED : PREPARED_RECORD;
	if (out->kind == PREPARED_RECORD && preparer_record(p, out, e) < 0)
		return -1;
	if (preparer_copy_problems(p, out) < 0)
		return err_set(e, "internal.error", "内存不足");
	out->name_label = prepared_add(out, preparer_field_label(p, p->cat->subject_name));
	out->code_label = prepared_add(
		out, preparer_field_label(p, catalog_type_is_person(p->clean.subject_type) &&
						     p->cat->subject_id_number >= 0 ?
					     p->cat->subject_id_number :
					     p->cat->subject_code));
	return buf_failed(&out->text) ? err_set(e, "internal.error", "内存不足") : 0;
}

int preparer_next(struct preparer *p, struct prepared_row *out, struct err *e)
{
	struct reader_row row;
	struct err rerr;
	size_t i;
	int rc;

	prepared_reset(out);
	if (!p->reader)
		return err_set(e, "internal.error", "该预处理器没有文件可读（应使用 preparer_values）");
	if (p->done)
		return 0;
	err_clear(&rerr);
	rc = reader_next(p->reader, &row, &rerr);
	if (rc == 0) {
		p->done = 1;
		/* JSON keys appear as rows are read: only now is the header complete. */
		return preparer_check_columns(p, e) < 0 ? -1 : 0;
	}
	if (rc < 0) {
		/* A file that breaks off (truncated JSON, an I/O error) keeps the rows read so
		 * far, and the break is reported where it happened; anything else (out of
		 * memory) is the platform's failure, not the file's, and stops the batch. */
		if (strcmp(rerr.reason, "file.format") != 0 &&
		    strcmp(rerr.reason, "file.unreadable") != 0) {
			*e = rerr;
			return -1;
		}
		p->done = 1;
		out->kind = PREPARED_BREAK;
		out->row = p->last_row + 1;
		/* Problems hold static reason strings; rerr is about to go out of scope. */
		return prepared_add_problem(out, "", reasons_find(rerr.reason)->code,
					    rerr.message, 0) < 0 ?
			       err_set(e, "internal.error", "内存不足") : 1;
	}
	p->last_row = row.row;
	out->row = row.row;
	if (row.error_reason) {
		out->kind = PREPARED_REJECTED;
		return prepared_add_problem(out, "", row.error_reason, row.error_message, 0) < 0 ?
			       err_set(e, "internal.error", "内存不足") : 1;
	}
	if (row.ncols > p->map.ncols && mapping_update(&p->map, p->reader, e) < 0)
		return -1;
	for (i = 0; i < p->cat->nfields; i++) {
		int col = p->map.field_col[i];

		p->raw[i] = col >= 0 && (size_t)col < row.ncols ? row.values[col] : NULL;
	}
	return preparer_finish(p, p->raw, out, e) < 0 ? -1 : 1;
}

int preparer_values(struct preparer *p, const char *const *raw, long row,
		    struct prepared_row *out, struct err *e)
{
	prepared_reset(out);
	out->row = row;
	return preparer_finish(p, raw, out, e);
}
