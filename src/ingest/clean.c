/* clean.c - cleaning and validating one row; see clean.h. */
#include "clean.h"

#include "core/catalog.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/money.h"
#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dates before the People's Republic cannot be decisions of its administration. */
static const struct date EARLIEST_DATE = { 1949, 1, 1 };

/* Separators between the values of a multi-valued field (处罚类别: "罚款;没收违法所得").
 * The enumeration comma 、 is not one: it appears inside older values. */
static const char *const MULTI_SEPARATORS[] = { ";", "；", ",", "，", "|" };

int row_clean_init(struct row_clean *rc, const struct category *cat,
		   const struct code_options *code_opts, struct err *e)
{
	size_t i;

	memset(rc, 0, sizeof *rc);
	rc->cat = cat;
	if (code_opts)
		rc->code_opts = *code_opts;
	clock_today(rc->today);
	rc->values = calloc(cat->nfields, sizeof *rc->values);
	rc->capproblems = cat->nfields * 2 + 4;
	rc->problems = calloc(rc->capproblems, sizeof *rc->problems);
	if (!rc->values || !rc->problems) {
		row_clean_free(rc);
		return err_set(e, "internal.error", "内存不足");
	}
	for (i = 0; i < cat->nfields; i++)
		buf_init(&rc->values[i], CLEAN_VALUE_MAX);
	return 0;
}

void row_clean_free(struct row_clean *rc)
{
	size_t i;

	for (i = 0; rc->values && i < rc->cat->nfields; i++)
		buf_free(&rc->values[i]);
	free(rc->values);
	free(rc->problems);
	memset(rc, 0, sizeof *rc);
}

const char *row_clean_value(const struct row_clean *rc, int field)
{
	if (field < 0 || rc->values[field].len == 0)
		return NULL;
	return rc->values[field].data;
}

static void row_clean_problem(struct row_clean *rc, int field, const char *reason, int warning,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void row_clean_problem(struct row_clean *rc, int field, const char *reason, int warning,
			      const char *fmt, ...)
{
	struct row_problem *p;
	va_list ap;

	if (rc->nproblems == rc->capproblems)
		return; /* every field already has its problems listed; more would repeat */
	p = &rc->problems[rc->nproblems++];
	p->field = field;
	p->reason = reason;
	p->warning = warning;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof p->message, fmt, ap);
	va_end(ap);
	text_utf8_clip(p->message);
	if (!warning)
		rc->nerrors++;
}

/* Sets field i's value to s[0..n). */
static void row_clean_set(struct row_clean *rc, int i, const char *s, size_t n)
{
	buf_reset(&rc->values[i]);
	buf_append(&rc->values[i], s, n);
}

/* Trims the raw value and, for names, NFKC-normalises it. */
static void row_clean_text(struct row_clean *rc, int i, const char *raw)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	struct buf *v = &rc->values[i];

	buf_reset(v);
	if (!raw)
		return;
	if (buf_puts(v, raw) < 0) {
		/* Keep a marker so that the required check does not call the field empty. */
		buf_reset(v);
		buf_puts(v, "-");
		row_clean_problem(rc, i, "field.too_long", 0, "“%s”的值过长（超过 %zu 字节），请精简",
				  f->name, CLEAN_VALUE_MAX);
		return;
	}
	if (v->len == 0)
		return;
	text_trim(v->data);
	v->len = strlen(v->data);
	if (f->nfkc && v->len) {
		char *n = text_nfkc(v->data);

		if (n) {
			row_clean_set(rc, i, n, strlen(n));
			free(n);
		}
	}
}

/* Reports a value that is not in the field's code table, listing the table. */
static void row_clean_enum_problem(struct row_clean *rc, int i, const char *value,
				   const char *hint)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	struct buf allowed;
	char quoted[128];
	size_t k;

	buf_init(&allowed, 4096);
	for (k = 0; k < f->nvalues; k++)
		buf_printf(&allowed, "%s%s", k ? "、" : "", f->values[k]);
	text_quote(value, quoted, sizeof quoted);
	row_clean_problem(rc, i, "field.enum", 0, "“%s”不是有效的%s，应为以下之一%s：%s", quoted,
			  f->name, hint, buf_cstr(&allowed));
	buf_free(&allowed);
}

static void row_clean_enum(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	const char *canon = catalog_enum_value(f, rc->values[i].data);

	if (!canon)
		row_clean_enum_problem(rc, i, rc->values[i].data, "");
	else if (canon != rc->values[i].data)
		row_clean_set(rc, i, canon, strlen(canon));
}

/* Finds the next separator in s; returns its position and sets *seplen. */
static const char *row_clean_next_separator(const char *s, size_t *seplen)
{
	const char *best = NULL;
	size_t k;

	for (k = 0; k < sizeof MULTI_SEPARATORS / sizeof *MULTI_SEPARATORS; k++) {
		const char *p = strstr(s, MULTI_SEPARATORS[k]);

		if (p && (!best || p < best)) {
			best = p;
			*seplen = strlen(MULTI_SEPARATORS[k]);
		}
	}
	return best;
}

/* Splits, maps every value, and joins them with ";" in the order given. */
static void row_clean_enum_multi(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	char *copy = strdup(rc->values[i].data);
	char *item = copy;
	size_t seplen = 0, errors_before = rc->nerrors;
	struct buf out;

	if (!copy)
		return;
	buf_init(&out, CLEAN_VALUE_MAX);
	while (item) {
		const char *sep = row_clean_next_separator(item, &seplen);
		const char *canon;

		if (sep)
			*(char *)sep = '\0';
		text_trim(item);
		if (*item) {
			canon = catalog_enum_value(f, item);
			if (!canon)
				row_clean_enum_problem(rc, i, item, "（多个值用分号分隔）");
			else
				buf_printf(&out, "%s%s", out.len ? ";" : "", canon);
		}
		item = sep ? (char *)sep + seplen : NULL;
	}
	/* On error the value stays as given, so that no later check calls it empty. */
	if (rc->nerrors == errors_before)
		row_clean_set(rc, i, buf_cstr(&out), out.len);
	buf_free(&out);
	free(copy);
}

static void row_clean_date(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	struct date d, today;
	struct err e;
	char iso[11];

	if (date_parse(rc->values[i].data, &d, &e) < 0) {
		row_clean_problem(rc, i, "date.unparseable", 0, "%s：%s", f->name, e.message);
		return;
	}
	date_format(d, iso);
	if (date_cmp(d, EARLIEST_DATE) < 0) {
		row_clean_problem(rc, i, "date.too_old", 0,
				  "%s“%s”早于1949年，请核对日期（Excel 中可能被误存为数字）",
				  f->name, rc->values[i].data);
		return;
	}
	if (f->not_future && date_parse_iso(rc->today, &today) == 0 && date_cmp(d, today) > 0) {
		row_clean_problem(rc, i, "date.future", 0, "%s“%s”晚于今天（%s），请核对日期",
				  f->name, iso, rc->today);
		return;
	}
	row_clean_set(rc, i, iso, 10);
}

static void row_clean_money(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	int64_t fen;
	char out[40];

	if (money_parse_wan(rc->values[i].data, &fen, NULL) < 0) {
		row_clean_problem(rc, i, "money.invalid", 0,
				  "%s“%s”不是有效金额，应为以万元为单位的非负数，如 0.2 表示 2000 元",
				  f->name, rc->values[i].data);
		return;
	}
	money_format_wan(fen, out, sizeof out);
	row_clean_set(rc, i, out, strlen(out));
}

/* Checks a code, records its problems, and keeps the normalized form. */
static void row_clean_code(struct row_clean *rc, int i, enum code_kind kind,
			   struct code_result *res)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	struct code_options opts = rc->code_opts;
	int w;

	opts.force = kind;
	code_check(rc->values[i].data, &opts, res);
	if (!res->valid) {
		row_clean_problem(rc, i, res->reason, 0, "%s：%s", f->name, res->message);
		return;
	}
	for (w = 0; w < res->nwarnings; w++)
		row_clean_problem(rc, i, res->warnings[w], 1, "%s“%s”：%s", f->name,
				  res->normalized,
				  strcmp(res->warnings[w], "region.unknown") == 0 ?
					  "代码中的行政区划不在区划表中（可能是已撤并的旧区划），已保留" :
				  strcmp(res->warnings[w], "code.known_exception") == 0 ?
					  "校验位不符，但属于已登记的合法早期代码，已保留" :
					  "第9-17位（组织机构代码）校验位不符，已保留，请核对");
	row_clean_set(rc, i, res->normalized, strlen(res->normalized));
}

/* A person's document number is checked as a resident ID only when its type says so;
 * passports and other documents are kept as given. */
static enum code_kind row_clean_id_kind(const struct row_clean *rc, int i)
{
	const char *type = row_clean_value(rc, rc->cat->fields[i].id_type_field);

	return (!type || strcmp(type, "身份证") == 0) ? CODE_KIND_RESIDENT_ID : CODE_KIND_OTHER;
}

/* The subject type the row declares, or the category's default. */
static const char *row_clean_subject_type(const struct row_clean *rc)
{
	const char *t = row_clean_value(rc, rc->cat->subject_type);

	if (t)
		return t;
	return rc->cat->default_subject_type && *rc->cat->default_subject_type ?
		       rc->cat->default_subject_type :
		       "法人及非法人组织";
}

static int row_clean_condition_holds(const struct row_clean *rc, const struct catalog_field *f)
{
	const char *v = f->required_if_field == rc->cat->subject_type ?
				row_clean_subject_type(rc) :
				row_clean_value(rc, f->required_if_field);
	size_t k;

	if (!v)
		return 0;
	for (k = 0; k < f->nrequired_if_any; k++) {
		const char *want = f->required_if_any[k];
		const char *p = strstr(v, want);
		size_t n = strlen(want);

		/* For multi-valued fields the value is "a;b;c": match whole items only. */
		while (p) {
			if ((p == v || p[-1] == ';') && (p[n] == '\0' || p[n] == ';'))
				return 1;
			p = strstr(p + 1, want);
		}
	}
	return 0;
}

static void row_clean_required(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];

	if (rc->values[i].len)
		return;
	if (f->required) {
		row_clean_problem(rc, i, "field.required", 0, "必填字段“%s”为空，请补充", f->name);
	} else if (f->required_if_field >= 0 && row_clean_condition_holds(rc, f)) {
		const struct catalog_field *cond = &rc->cat->fields[f->required_if_field];
		const char *v = f->required_if_field == rc->cat->subject_type ?
					row_clean_subject_type(rc) :
					row_clean_value(rc, f->required_if_field);

		row_clean_problem(rc, i, "field.required", 0, "%s为“%s”时，“%s”必填，请补充",
				  cond->name, v, f->name);
	}
}

static void row_clean_order(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	const char *v = row_clean_value(rc, i);
	const char *before = row_clean_value(rc, f->not_before);

	/* Both values are YYYY-MM-DD by now, so text order is date order. */
	if (v && before && f->type == FIELD_DATE && strlen(v) == 10 && strlen(before) == 10 &&
	    strcmp(v, before) < 0)
		row_clean_problem(rc, i, "date.order", 0, "%s（%s）早于%s（%s），请核对", f->name,
				  v, rc->cat->fields[f->not_before].name, before);
}

static void row_clean_field(struct row_clean *rc, int i)
{
	const struct catalog_field *f = &rc->cat->fields[i];
	/* The subject's own code fields keep their result: the subject is resolved from
	 * it below, without checking the code a second time. */
	struct code_result local, *res = i == rc->cat->subject_code ? &rc->checked[0] :
					 i == rc->cat->subject_id_number ? &rc->checked[1] :
					 &local;

	if (f->max_chars > 0 && text_utf8_length(rc->values[i].data) > (size_t)f->max_chars) {
		row_clean_problem(rc, i, "field.too_long", 0, "“%s”超过%d个字符，请精简",
				  f->name, f->max_chars);
		return;
	}
	switch (f->type) {
	case FIELD_TEXT: break;
	case FIELD_ENUM: row_clean_enum(rc, i); break;
	case FIELD_ENUM_MULTI: row_clean_enum_multi(rc, i); break;
	case FIELD_DATE: row_clean_date(rc, i); break;
	case FIELD_MONEY: row_clean_money(rc, i); break;
	case FIELD_USCC: row_clean_code(rc, i, CODE_KIND_USCC, res); break;
	case FIELD_ID_NUMBER: row_clean_code(rc, i, row_clean_id_kind(rc, i), res); break;
	}
}

/* Resolves the subject: a person by document number, anyone else by USCC. */
static void row_clean_subject(struct row_clean *rc)
{
	const struct category *cat = rc->cat;
	int person, field;

	rc->subject_type = row_clean_subject_type(rc);
	person = catalog_type_is_person(rc->subject_type) && cat->subject_id_number >= 0;
	field = person ? cat->subject_id_number : cat->subject_code;
	if (!row_clean_value(rc, field)) {
		if (!rc->nerrors) /* the required checks name the missing field already */
			row_clean_problem(rc, field, "field.required", 0, "必填字段“%s”为空，请补充",
					  cat->fields[field].name);
		return;
	}
	/* Checked with the kind the subject needs (USCC, or what the document type says),
	 * unless a custom category declared its code field as plain text. */
	rc->subject = rc->checked[person ? 1 : 0];
	if (!rc->subject.normalized[0]) {
		struct code_options opts = rc->code_opts;

		opts.force = person ? row_clean_id_kind(rc, field) : CODE_KIND_USCC;
		code_check(row_clean_value(rc, field), &opts, &rc->subject);
	}
}

size_t row_clean_run(struct row_clean *rc, const char *const *raw)
{
	const struct category *cat = rc->cat;
	size_t i;

	rc->nproblems = 0;
	rc->nerrors = 0;
	memset(&rc->subject, 0, sizeof rc->subject);
	memset(rc->checked, 0, sizeof rc->checked);
	for (i = 0; i < cat->nfields; i++)
		row_clean_text(rc, (int)i, raw[i]);
	/* Document numbers last: their check depends on the cleaned document type. */
	for (i = 0; i < cat->nfields; i++)
		if (rc->values[i].len && cat->fields[i].type != FIELD_ID_NUMBER)
			row_clean_field(rc, (int)i);
	for (i = 0; i < cat->nfields; i++)
		if (rc->values[i].len && cat->fields[i].type == FIELD_ID_NUMBER)
			row_clean_field(rc, (int)i);
	for (i = 0; i < cat->nfields; i++) {
		row_clean_required(rc, (int)i);
		row_clean_order(rc, (int)i);
	}
	row_clean_subject(rc);
	return rc->nerrors;
}
