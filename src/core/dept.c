/* dept.c - department directory records and files; see dept.h. */
#include "dept.h"

#include "core/region.h"
#include "core/text.h"

#include <csv.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPT_REASON "directory.invalid"
#define DEPT_HEADER_HINT "统一社会信用代码,部门名称,简称,行政区划,上级部门,联系方式,行业领域"

static const char *const LABELS[DEPT_FIELD_COUNT] = {
	[DEPT_FIELD_CODE] = "统一社会信用代码", [DEPT_FIELD_NAME] = "部门名称",
	[DEPT_FIELD_SHORT_NAME] = "简称",       [DEPT_FIELD_REGION] = "行政区划",
	[DEPT_FIELD_PARENT] = "上级部门",       [DEPT_FIELD_CONTACT] = "联系方式",
	[DEPT_FIELD_SECTOR] = "行业领域",
};
static const char *const KEYS[DEPT_FIELD_COUNT] = {
	[DEPT_FIELD_CODE] = "code",           [DEPT_FIELD_NAME] = "name",
	[DEPT_FIELD_SHORT_NAME] = "short_name", [DEPT_FIELD_REGION] = "region_code",
	[DEPT_FIELD_PARENT] = "parent_code",  [DEPT_FIELD_CONTACT] = "contact",
	[DEPT_FIELD_SECTOR] = "sector",
};

const char *dept_field_label(enum dept_field f)
{
	return f < DEPT_FIELD_COUNT ? LABELS[f] : "";
}

const char *dept_field_key(enum dept_field f)
{
	return f < DEPT_FIELD_COUNT ? KEYS[f] : "";
}

/* ---- one department --------------------------------------------------------------- */

/* A control character (a line break inside a name, a tab) has no place in a directory
 * entry shown on every record. */
static int dept_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Copies the trimmed value of field f into dst (size bytes, at most max_chars
 * characters), checking it is valid UTF-8 text without control characters. */
static int dept_text(enum dept_field f, const char *value, char *dst, size_t size,
		     size_t max_chars, struct err *e)
{
	char *v = strdup(value ? value : ""), quoted[64];
	size_t chars, n;
	int rc = -1;

	dst[0] = '\0';
	if (!v)
		return err_set(e, "internal.error", "内存不足");
	text_trim(v);
	n = strlen(v);
	if (!text_is_utf8(v, n)) {
		err_set_field(e, DEPT_REASON, LABELS[f],
			      "%s含有无法识别的字符：请以 UTF-8 编码保存文件后重新导入", LABELS[f]);
		goto out;
	}
	if (dept_has_control(v)) {
		text_quote(v, quoted, sizeof quoted);
		err_set_field(e, DEPT_REASON, LABELS[f],
			      "%s“%s”含有换行符或其他控制字符：请删去后重新导入", LABELS[f], quoted);
		goto out;
	}
	chars = text_utf8_length(v);
	if (chars > max_chars || n >= size) {
		text_quote(v, quoted, sizeof quoted);
		err_set_field(e, DEPT_REASON, LABELS[f],
			      "%s“%s”有 %zu 个字，超过上限 %zu 个字：请缩短后重新导入", LABELS[f],
			      quoted, chars, max_chars);
		goto out;
	}
	memcpy(dst, v, n + 1);
	rc = 0;
out:
	free(v);
	return rc;
}

/* A department's own code, or its parent's: a USCC, normalized. */
static int dept_code_value(enum dept_field f, const char *value, const struct code_options *opts,
			   char out[CODE_MAX], struct err *e)
{
	struct code_options o = { CODE_KIND_USCC, opts ? opts->is_exception : NULL,
				  opts ? opts->ctx : NULL };
	struct code_result res;
	char quoted[64];

	out[0] = '\0';
	code_check(value, &o, &res);
	if (res.valid) {
		memcpy(out, res.normalized, CODE_MAX);
		return 0;
	}
	text_quote(value, quoted, sizeof quoted);
	if (f == DEPT_FIELD_CODE)
		return err_set_field(e, DEPT_REASON, LABELS[f],
				     "统一社会信用代码“%s”无效：%s", quoted, res.message);
	return err_set_field(e, DEPT_REASON, LABELS[f],
			     "上级部门“%s”不是有效的统一社会信用代码：%s；请填写上级部门的统一社会信用代码，"
			     "没有上级部门时留空",
			     quoted, res.message);
}

int dept_from_values(const char *const values[DEPT_FIELD_COUNT], const struct code_options *opts,
		     struct dept *out, struct err *e)
{
	char region[64], parent[CODE_MAX * 2];

	memset(out, 0, sizeof *out);
	/* The code first: a message about another field names the department by it. */
	if (!values[DEPT_FIELD_CODE] || !*values[DEPT_FIELD_CODE])
		return err_set_field(e, DEPT_REASON, LABELS[DEPT_FIELD_CODE],
				     "缺少统一社会信用代码：请填写该部门的 18 位统一社会信用代码");
	if (dept_code_value(DEPT_FIELD_CODE, values[DEPT_FIELD_CODE], opts, out->code, e) < 0)
		return -1;
	if (dept_text(DEPT_FIELD_NAME, values[DEPT_FIELD_NAME], out->name, sizeof out->name,
		      DEPT_NAME_MAX_CHARS, e) < 0)
		return -1;
	if (!out->name[0])
		return err_set_field(e, DEPT_REASON, LABELS[DEPT_FIELD_NAME],
				     "缺少部门名称：请填写部门的全称，如“肇庆市市场监督管理局”");
	if (dept_text(DEPT_FIELD_SHORT_NAME, values[DEPT_FIELD_SHORT_NAME], out->short_name,
		      sizeof out->short_name, DEPT_SHORT_NAME_MAX_CHARS, e) < 0 ||
	    dept_text(DEPT_FIELD_CONTACT, values[DEPT_FIELD_CONTACT], out->contact,
		      sizeof out->contact, DEPT_CONTACT_MAX_CHARS, e) < 0 ||
	    dept_text(DEPT_FIELD_SECTOR, values[DEPT_FIELD_SECTOR], out->sector,
		      sizeof out->sector, DEPT_SECTOR_MAX_CHARS, e) < 0 ||
	    dept_text(DEPT_FIELD_REGION, values[DEPT_FIELD_REGION], region, sizeof region, 15,
		      e) < 0 ||
	    dept_text(DEPT_FIELD_PARENT, values[DEPT_FIELD_PARENT], parent, sizeof parent,
		      CODE_MAX, e) < 0)
		return -1;
	if (region[0]) {
		if (strlen(region) != 6 || !region_lookup(region))
			return err_set_field(e, DEPT_REASON, LABELS[DEPT_FIELD_REGION],
					     "行政区划“%s”不是已知的六位行政区划代码（GB/T 2260）：请填写如 "
					     "441200（广东省肇庆市），不清楚时留空",
					     region);
		memcpy(out->region_code, region, 7);
	}
	if (parent[0]) {
		if (dept_code_value(DEPT_FIELD_PARENT, parent, opts, out->parent_code, e) < 0)
			return -1;
		if (strcmp(out->parent_code, out->code) == 0)
			return err_set_field(e, DEPT_REASON, LABELS[DEPT_FIELD_PARENT],
					     "上级部门不能是本部门自身（%s）：请填写上级部门的统一社会信用代码，"
					     "没有上级部门时留空",
					     out->code);
	}
	return 0;
}

/* ---- a directory file --------------------------------------------------------------- */

struct dept_parse {
	struct dept_file *f;
	const struct code_options *opts;
	size_t cap;
	long *rows_of; /* the row each kept department came from */
	int oom;
};

static void dept_problem_add(struct dept_parse *p, long row, const char *field, const char *fmt,
			     ...) __attribute__((format(printf, 4, 5)));

static void dept_problem_add(struct dept_parse *p, long row, const char *field, const char *fmt,
			     ...)
{
	struct dept_file *f = p->f;
	struct dept_problem *pr;
	va_list ap;

	f->problems_total++;
	if (f->nproblems >= DEPT_FILE_PROBLEMS_MAX)
		return;
	if (!f->problems) {
		f->problems = calloc(DEPT_FILE_PROBLEMS_MAX, sizeof *f->problems);
		if (!f->problems) {
			p->oom = 1;
			return;
		}
	}
	pr = &f->problems[f->nproblems++];
	pr->row = row;
	snprintf(pr->field, sizeof pr->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(pr->message, sizeof pr->message, fmt, ap);
	va_end(ap);
	text_utf8_clip(pr->message);
}

/* "第 3 行" or "第 3 项". */
static const char *dept_row_unit(const struct dept_parse *p)
{
	return p->f->json ? "项" : "行";
}

/* Validates one row and appends it, or notes its problem.  A code met before is a
 * problem naming the row that had it. */
static void dept_add_row(struct dept_parse *p, long row, const char *const values[DEPT_FIELD_COUNT])
{
	struct dept_file *f = p->f;
	struct dept d;
	struct err e;
	size_t i;

	err_clear(&e);
	if (dept_from_values(values, p->opts, &d, &e) < 0) {
		if (strcmp(e.reason, "internal.error") == 0) {
			p->oom = 1;
			return;
		}
		dept_problem_add(p, row, e.field, "第 %ld %s，%s：%s", row, dept_row_unit(p),
				 e.field[0] ? e.field : "整行", e.message);
		return;
	}
	for (i = 0; i < f->n; i++)
		if (strcmp(f->depts[i].code, d.code) == 0) {
			dept_problem_add(p, row, LABELS[DEPT_FIELD_CODE],
					 "第 %ld %s，统一社会信用代码：%s 与第 %ld %s重复，同一部门只能出现"
					 "一次：请删去其中一%s",
					 row, dept_row_unit(p), d.code, p->rows_of[i], dept_row_unit(p),
					 dept_row_unit(p));
			return;
		}
	if (f->n >= DEPT_FILE_MAX_DEPTS) {
		if (f->n == DEPT_FILE_MAX_DEPTS)
			dept_problem_add(p, row, "", "第 %ld %s：部门目录文件最多 %d 个部门，请分成几个文件导入",
					 row, dept_row_unit(p), DEPT_FILE_MAX_DEPTS);
		return;
	}
	if (f->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct dept *grown = realloc(f->depts, cap * sizeof *grown);
		long *rows;

		if (!grown) {
			p->oom = 1;
			return;
		}
		f->depts = grown;
		rows = realloc(p->rows_of, cap * sizeof *rows);
		if (!rows) {
			p->oom = 1;
			return;
		}
		p->rows_of = rows;
		p->cap = cap;
	}
	p->rows_of[f->n] = row;
	f->depts[f->n++] = d;
}

/* ---- CSV ---- */

#define DEPT_CSV_COLUMNS_MAX 32

struct dept_csv {
	struct dept_parse *p;
	long row;          /* the spreadsheet row of the record being read (1: the header) */
	int header_done;
	int bad_header;
	int ncols;
	int col_field[DEPT_CSV_COLUMNS_MAX]; /* the field of each column, -1 none */
	char *fields[DEPT_CSV_COLUMNS_MAX];  /* the current record's values */
	int nfields;
	int extra;         /* values beyond the header's columns */
	int prev_term;
};

static void dept_csv_on_field(void *data, size_t len, void *ctx)
{
	struct dept_csv *c = ctx;
	char *v;

	if (c->nfields >= DEPT_CSV_COLUMNS_MAX) {
		if (len)
			c->extra++;
		c->nfields++;
		return;
	}
	v = malloc(len + 1);
	if (!v) {
		c->p->oom = 1;
		return;
	}
	if (len)
		memcpy(v, data, len);
	v[len] = '\0';
	c->fields[c->nfields++] = v;
}

static void dept_csv_clear_fields(struct dept_csv *c)
{
	int i;

	for (i = 0; i < c->nfields && i < DEPT_CSV_COLUMNS_MAX; i++) {
		free(c->fields[i]);
		c->fields[i] = NULL;
	}
	c->nfields = 0;
	c->extra = 0;
}

static void dept_csv_header(struct dept_csv *c)
{
	int seen[DEPT_FIELD_COUNT], i, f;
	char quoted[64];

	for (f = 0; f < DEPT_FIELD_COUNT; f++)
		seen[f] = -1;
	c->ncols = c->nfields < DEPT_CSV_COLUMNS_MAX ? c->nfields : DEPT_CSV_COLUMNS_MAX;
	for (i = 0; i < c->ncols; i++) {
		char *key = text_header_key(c->fields[i]);

		c->col_field[i] = -1;
		for (f = 0; key && f < DEPT_FIELD_COUNT; f++) {
			char *want = text_header_key(LABELS[f]);
			int same = want && strcmp(key, want) == 0;

			free(want);
			if (same) {
				c->col_field[i] = f;
				break;
			}
		}
		free(key);
		text_quote(c->fields[i], quoted, sizeof quoted);
		if (c->col_field[i] < 0) {
			/* An empty trailing column (a spreadsheet's extra comma) is harmless. */
			if (!*text_trim(c->fields[i]))
				continue;
			dept_problem_add(c->p, 1, quoted,
					 "第 1 行的列名“%s”不是部门目录的列：第 1 行应为 " DEPT_HEADER_HINT
					 "（简称及其后各列可省略）",
					 quoted);
			c->bad_header = 1;
		} else if (seen[c->col_field[i]] >= 0) {
			dept_problem_add(c->p, 1, LABELS[c->col_field[i]],
					 "第 1 行的列名“%s”出现了两次（第 %d 列和第 %d 列）：请删去其中一列",
					 LABELS[c->col_field[i]], seen[c->col_field[i]] + 1, i + 1);
			c->bad_header = 1;
		} else {
			seen[c->col_field[i]] = i;
		}
	}
	for (f = DEPT_FIELD_CODE; f <= DEPT_FIELD_NAME; f++)
		if (seen[f] < 0) {
			dept_problem_add(c->p, 1, LABELS[f],
					 "缺少“%s”列：第 1 行应为列名 " DEPT_HEADER_HINT
					 "（简称及其后各列可省略）",
					 LABELS[f]);
			c->bad_header = 1;
		}
}

static void dept_csv_row(struct dept_csv *c)
{
	const char *values[DEPT_FIELD_COUNT] = { NULL };
	int i, blank = 1, n = c->nfields < DEPT_CSV_COLUMNS_MAX ? c->nfields : DEPT_CSV_COLUMNS_MAX;

	for (i = 0; i < n; i++)
		if (*c->fields[i])
			blank = 0;
	if (blank && !c->extra)
		return; /* ",,,": an empty spreadsheet row */
	for (i = c->ncols; i < n; i++)
		if (*c->fields[i])
			c->extra++;
	if (c->extra) {
		dept_problem_add(c->p, c->row, "",
				 "第 %ld 行的值比列名多（列名 %d 列，该行 %d 列）：含英文逗号的值请用英文"
				 "双引号括起，如 \"0758-2222222, 2333333\"",
				 c->row, c->ncols, c->nfields);
		return;
	}
	for (i = 0; i < n && i < c->ncols; i++)
		if (c->col_field[i] >= 0)
			values[c->col_field[i]] = c->fields[i];
	dept_add_row(c->p, c->row, values);
}

static void dept_csv_on_record(int t, void *ctx)
{
	struct dept_csv *c = ctx;
	int fold = t == '\n' && c->prev_term == '\r';

	c->prev_term = t;
	if (c->nfields == 0) {
		/* An empty line takes a row number in a spreadsheet, unless it is only the LF
		 * of a CR LF. */
		if (!fold)
			c->row++;
		return;
	}
	c->row++;
	if (!c->header_done) {
		c->header_done = 1;
		dept_csv_header(c);
	} else if (!c->bad_header) {
		dept_csv_row(c);
	}
	dept_csv_clear_fields(c);
}

static void dept_parse_csv(struct dept_parse *p, const char *text, size_t len)
{
	struct dept_csv c;
	struct csv_parser parser;

	memset(&c, 0, sizeof c);
	c.p = p;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		p->oom = 1;
		return;
	}
	if (csv_parse(&parser, text, len, dept_csv_on_field, dept_csv_on_record, &c) != len ||
	    csv_fini(&parser, dept_csv_on_field, dept_csv_on_record, &c) != 0) {
		if (csv_error(&parser) == CSV_ENOMEM)
			p->oom = 1;
		else
			dept_problem_add(p, c.row + 1, "",
					 "第 %ld 行的英文双引号用法有误（没有闭合，或引号后紧跟其他字符）："
					 "含逗号或引号的值请整个用英文双引号括起，值中的双引号写成两个",
					 c.row + 1);
	}
	dept_csv_clear_fields(&c);
	csv_free(&parser);
	if (!c.header_done && !p->oom)
		dept_problem_add(p, 0, "",
				 "部门目录文件为空：第 1 行应为列名 " DEPT_HEADER_HINT "，其后每行一个部门");
	else if (!p->oom && !c.bad_header && p->f->n == 0 && p->f->problems_total == 0)
		dept_problem_add(p, 0, "", "部门目录文件只有列名，没有部门：请在第 2 行起每行填写一个部门");
}

/* ---- JSON ---- */

static void dept_parse_json(struct dept_parse *p, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *list, *item, *v;
	const char *values[DEPT_FIELD_COUNT];
	const char *key;
	size_t i;
	int f, ok;

	p->f->json = 1;
	if (!doc) {
		dept_problem_add(p, 0, "",
				 "JSON 无法解析（第 %d 行第 %d 列：%s）：请检查该处的括号、引号和逗号",
				 jerr.line, jerr.column, jerr.text);
		return;
	}
	list = json_is_object(doc) ? json_object_get(doc, "depts") : doc;
	if (!json_is_array(list)) {
		dept_problem_add(p, 0, "",
				 "JSON 部门目录应为部门对象的数组，如 [{\"code\": \"...\", \"name\": "
				 "\"肇庆市市场监督管理局\"}]");
		goto out;
	}
	if (json_array_size(list) == 0) {
		dept_problem_add(p, 0, "", "部门目录文件是空数组，没有部门：请每个部门写一个对象");
		goto out;
	}
	json_array_foreach(list, i, item) {
		long row = (long)i + 1;

		if (!json_is_object(item)) {
			dept_problem_add(p, row, "", "第 %ld 项不是对象：每个部门应写成 {\"code\": ..., "
						     "\"name\": ...}", row);
			continue;
		}
		ok = 1;
		json_object_foreach(item, key, v) {
			for (f = 0; f < DEPT_FIELD_COUNT && strcmp(key, KEYS[f]) != 0; f++)
				;
			if (f == DEPT_FIELD_COUNT) {
				char quoted[64];

				text_quote(key, quoted, sizeof quoted);
				dept_problem_add(p, row, quoted,
						 "第 %ld 项的成员“%s”不是部门目录的字段：可用的字段为 code, "
						 "name, short_name, region_code, parent_code, contact, sector",
						 row, quoted);
				ok = 0;
			} else if (!json_is_string(v) && !json_is_null(v)) {
				dept_problem_add(p, row, LABELS[f],
						 "第 %ld 项，%s：%s 应为字符串（用英文双引号括起），如 \"%s\"",
						 row, LABELS[f], KEYS[f],
						 f == DEPT_FIELD_REGION ? "441200" : "…");
				ok = 0;
			}
		}
		if (!ok)
			continue;
		for (f = 0; f < DEPT_FIELD_COUNT; f++)
			values[f] = json_string_value(json_object_get(item, KEYS[f]));
		dept_add_row(p, row, values);
	}
out:
	json_decref(doc);
}

int dept_file_parse(const char *text, size_t len, const struct code_options *opts,
		    struct dept_file *out, struct err *e)
{
	struct dept_parse p = { out, opts, 0, NULL, 0 };
	size_t i = 0;

	memset(out, 0, sizeof *out);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (len > (size_t)DEPT_FILE_MAX_BYTES) {
		dept_problem_add(&p, 0, "", "部门目录文件超过 %ld 字节，不像部门目录：请检查是否选错了文件",
				 DEPT_FILE_MAX_BYTES);
	} else if (!text_is_utf8(text, len) || memchr(text, '\0', len)) {
		dept_problem_add(&p, 0, "",
				 "部门目录文件不是 UTF-8 编码的文本：请以 UTF-8 编码保存（Excel：另存为"
				 "“CSV UTF-8（逗号分隔）”）后重新导入");
	} else {
		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
				   text[i] == '\n'))
			i++;
		if (i < len && (text[i] == '[' || text[i] == '{'))
			dept_parse_json(&p, text, len);
		else
			dept_parse_csv(&p, text, len);
	}
	free(p.rows_of);
	if (p.oom)
		return err_set(e, "internal.error", "内存不足");
	if (out->problems_total == 0)
		return 0;
	if (out->problems_total == 1)
		return err_set_field(e, DEPT_REASON, out->problems[0].field, "%s",
				     out->problems[0].message);
	return err_set_field(e, DEPT_REASON, out->problems[0].field, "共 %zu 处错误，第一处：%s",
			     out->problems_total, out->problems[0].message);
}

void dept_file_free(struct dept_file *f)
{
	free(f->depts);
	free(f->problems);
	memset(f, 0, sizeof *f);
}
