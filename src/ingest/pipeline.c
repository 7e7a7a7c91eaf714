/* pipeline.c - ingesting one file as one atomic batch; see pipeline.h. */
#include "pipeline.h"

#include "clean.h"
#include "core/buf.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/text.h"
#include "mapping.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Separates the parts of a business key; cannot occur in cleaned text. */
#define KEY_SEPARATOR "\x1f"

struct pipeline {
	struct store *store;
	const struct pipeline_request *req;
	const struct category *cat;
	struct reader *reader;
	struct mapping map;
	struct row_clean clean;
	struct store_batch *batch;
	const char **raw; /* per field: the raw value of the current row */
	struct buf data;  /* the record's JSON */
	struct buf key;   /* the business key */
	struct buf line;  /* one rejects CSV line */
	char now[26];
	/* The subject of the previous row: files are often sorted by subject, and this
	 * saves a lookup per row for them. */
	char last_code[CODE_MAX];
	char *last_name;
};

static int pipeline_problem(struct pipeline *p, long row, const char *field, const char *reason,
			    const char *message, int warning, struct err *e)
{
	struct store_problem prob = { p->batch->id, row, field, reason, message, warning };

	if (warning)
		p->batch->warnings++;
	if (!warning && p->req->rejects_csv) {
		buf_reset(&p->line);
		buf_printf(&p->line, "%ld,", row);
		buf_put_csv_field(&p->line, field);
		buf_putc(&p->line, ',');
		buf_put_csv_field(&p->line, reason);
		buf_putc(&p->line, ',');
		buf_put_csv_field(&p->line, message);
		buf_putc(&p->line, '\n');
		fwrite(p->line.data, 1, p->line.len, p->req->rejects_csv);
	}
	return store_problem_add(p->store, &prob, e);
}

/* The column name as the file wrote it, or the catalog name when the file lacks it. */
static const char *pipeline_field_label(const struct pipeline *p, int field)
{
	if (field < 0)
		return "";
	if (p->map.field_col[field] >= 0)
		return reader_column_name(p->reader, (size_t)p->map.field_col[field]);
	return p->cat->fields[field].name;
}

static int pipeline_write_problems(struct pipeline *p, long row, int warnings, struct err *e)
{
	size_t i;

	for (i = 0; i < p->clean.nproblems; i++) {
		const struct row_problem *rp = &p->clean.problems[i];

		if (rp->warning != warnings)
			continue;
		if (pipeline_problem(p, row, pipeline_field_label(p, rp->field), rp->reason,
				     rp->message, rp->warning, e) < 0)
			return -1;
	}
	return 0;
}

/* The record's content: a JSON object of the cleaned values, in catalog order. */
static void pipeline_build_data(struct pipeline *p)
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

static void pipeline_build_key(struct pipeline *p)
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
static void pipeline_publicity_end(const struct pipeline *p, char out[11])
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

/* Finds or creates the row's subject; sets *conflict when the stored name differs. */
static int pipeline_link_subject(struct pipeline *p, int *conflict, struct err *e)
{
	const struct code_result *c = &p->clean.subject;
	const char *name = row_clean_value(&p->clean, p->cat->subject_name);
	struct store_subject subj;
	int found;

	*conflict = 0;
	if (strcmp(p->last_code, c->normalized) != 0) {
		memset(&subj, 0, sizeof subj);
		found = store_subject_get(p->store, c->normalized, &subj, e);
		if (found < 0)
			return -1;
		if (!found) {
			snprintf(subj.code, sizeof subj.code, "%s", c->normalized);
			snprintf(subj.kind, sizeof subj.kind, "%s", code_kind_name(c->kind));
			snprintf(subj.subject_type, sizeof subj.subject_type, "%s",
				 p->clean.subject_type);
			snprintf(subj.region_code, sizeof subj.region_code, "%s", c->region_code);
			subj.name = (char *)name;
			if (store_subject_insert(p->store, &subj, e) < 0)
				return -1;
			subj.name = strdup(name);
		}
		free(p->last_name);
		p->last_name = subj.name;
		snprintf(p->last_code, sizeof p->last_code, "%s", c->normalized);
	}
	*conflict = p->last_name && name && strcmp(p->last_name, name) != 0;
	return 0;
}

static int pipeline_store_row(struct pipeline *p, long row, struct err *e)
{
	unsigned char hash[16];
	char hex[33], decision[11] = "", pub_end[11];
	const char *dd = row_clean_value(&p->clean, p->cat->decision_date);
	struct store_record rec;
	int conflict, rc;

	if (pipeline_link_subject(p, &conflict, e) < 0)
		return -1;
	if (conflict) {
		char msg[1024];

		snprintf(msg, sizeof msg, "主体名称“%s”与平台已登记的名称“%s”不一致，记录已保留并标记，"
			 "请核对", row_clean_value(&p->clean, p->cat->subject_name), p->last_name);
		text_utf8_clip(msg);
		if (pipeline_problem(p, row, pipeline_field_label(p, p->cat->subject_name),
				     "subject.name_conflict", msg, 1, e) < 0)
			return -1;
	}
	if (pipeline_write_problems(p, row, 1, e) < 0)
		return -1;
	pipeline_build_data(p);
	pipeline_build_key(p);
	if (buf_failed(&p->data) || buf_failed(&p->key))
		return err_set(e, "internal.error", "第%ld行数据过大", row);
	crypto_generichash(hash, sizeof hash, (const unsigned char *)p->data.data, p->data.len,
			   NULL, 0);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	if (dd)
		snprintf(decision, sizeof decision, "%s", dd);
	pipeline_publicity_end(p, pub_end);
	memset(&rec, 0, sizeof rec);
	rec.batch_id = p->batch->id;
	rec.category = p->cat->id;
	rec.subject_code = p->clean.subject.normalized;
	rec.dept_code = p->req->dept_code;
	rec.business_key = buf_cstr(&p->key);
	rec.data = buf_cstr(&p->data);
	rec.content_hash = hex;
	rec.decision_date = decision;
	rec.publicity_end = pub_end;
	rec.flags = conflict ? STORE_RECORD_NAME_CONFLICT : 0;
	rc = store_record_put(p->store, &rec, e);
	if (rc < 0)
		return -1;
	if (rc == STORE_PUT_DUPLICATE)
		p->batch->duplicates++;
	else
		p->batch->accepted++;
	return 0;
}

static int pipeline_row(struct pipeline *p, const struct reader_row *row, struct err *e)
{
	size_t i;

	p->batch->rows++;
	if (row->error_reason) {
		p->batch->rejected++;
		return pipeline_problem(p, row->row, "", row->error_reason, row->error_message, 0, e);
	}
	if (row->ncols > p->map.ncols && mapping_update(&p->map, p->reader, e) < 0)
		return -1;
	for (i = 0; i < p->cat->nfields; i++) {
		int col = p->map.field_col[i];

		p->raw[i] = col >= 0 && (size_t)col < row->ncols ? row->values[col] : NULL;
	}
	if (row_clean_run(&p->clean, p->raw) > 0) {
		p->batch->rejected++;
		return pipeline_write_problems(p, row->row, 0, e);
	}
	return pipeline_store_row(p, row->row, e);
}

/* Reads every row; a read error mid-file keeps the rows read so far and is recorded as
 * a problem of the row where reading stopped. */
static int pipeline_rows(struct pipeline *p, struct err *e)
{
	struct reader_row row;
	struct err rerr;
	long last = 1;
	int rc;

	err_clear(&rerr);
	while ((rc = reader_next(p->reader, &row, &rerr)) == 1) {
		last = row.row;
		if (pipeline_row(p, &row, e) < 0)
			return -1;
	}
	if (rc < 0) {
		p->batch->rejected++;
		return pipeline_problem(p, last + 1, "", rerr.reason, rerr.message, 0, e);
	}
	return 0;
}

/* The header must name at least one required field, or the file is not what the
 * department thinks it is (wrong category, wrong export). */
static int pipeline_check_columns(struct pipeline *p, struct err *e)
{
	struct buf expected;
	int rc = 0;

	if (reader_column_count(p->reader) == 0 || mapping_count_required(&p->map) > 0)
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

static const char *pipeline_format_name(enum reader_format f)
{
	return f == READER_JSON ? "json" : f == READER_NDJSON ? "ndjson" : "csv";
}

static int pipeline_execute(struct pipeline *p, struct err *e)
{
	struct store_batch *b = p->batch;

	if (mapping_update(&p->map, p->reader, e) < 0 || pipeline_check_columns(p, e) < 0)
		return -1;
	snprintf(b->category, sizeof b->category, "%s", p->cat->id);
	snprintf(b->dept_code, sizeof b->dept_code, "%s", p->req->dept_code);
	snprintf(b->source, sizeof b->source, "%s", p->req->source_name ? p->req->source_name : "");
	snprintf(b->format, sizeof b->format, "%s", pipeline_format_name(reader_format_of(p->reader)));
	snprintf(b->encoding, sizeof b->encoding, "%s",
		 reader_encoding_of(p->reader) == READER_GB18030 ? "gb18030" : "utf-8");
	if (store_begin(p->store, e) < 0)
		return -1;
	if (store_batch_insert(p->store, b, e) < 0 || pipeline_rows(p, e) < 0 ||
	    (reader_format_of(p->reader) != READER_CSV && pipeline_check_columns(p, e) < 0) ||
	    store_batch_update(p->store, b, e) < 0 || store_commit(p->store, e) < 0) {
		store_rollback(p->store);
		return -1;
	}
	return 0;
}

int pipeline_run(struct store *s, const struct pipeline_request *req, struct store_batch *batch,
		 struct err *e)
{
	struct code_options opts = { CODE_KIND_AUTO, store_code_exception_has, s };
	struct pipeline p;
	int rc = -1;

	memset(&p, 0, sizeof p);
	memset(batch, 0, sizeof *batch);
	p.store = s;
	p.req = req;
	p.cat = req->cat;
	p.batch = batch;
	buf_init(&p.data, 16 << 20);
	buf_init(&p.key, 1 << 20);
	buf_init(&p.line, 1 << 20);
	if (reader_open(req->path, req->format, &p.reader, e) < 0)
		return -1;
	p.raw = calloc(p.cat->nfields, sizeof *p.raw);
	if (!p.raw) {
		err_set(e, "internal.error", "内存不足");
		goto out;
	}
	if (mapping_init(&p.map, p.cat, e) < 0)
		goto out;
	if (row_clean_init(&p.clean, p.cat, &opts, e) < 0)
		goto out_map;
	rc = pipeline_execute(&p, e);
	row_clean_free(&p.clean);
out_map:
	mapping_free(&p.map);
out:
	free(p.raw);
	free(p.last_name);
	buf_free(&p.data);
	buf_free(&p.key);
	buf_free(&p.line);
	reader_close(p.reader);
	return rc;
}
