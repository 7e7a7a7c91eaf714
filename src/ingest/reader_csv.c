/*
 * reader_csv.c - CSV records on top of libcsv, one record at a time (see reader.h).
 *
 * libcsv parses whatever it is given in one go and reports fields and record ends
 * through callbacks.  To hold only the current row, the parser is fed one line at a
 * time: up to and including the next CR or LF of the chunk.  A record can only end at
 * such a byte, so each csv_parse call ends at most one record, and a record with quoted
 * line breaks simply takes several calls.
 *
 * Choices worth knowing:
 *  - Values are raw: libcsv's space trimming is switched off (a space function that
 *    says "never"), so ` a ` stays ` a `; only the encoding is converted.  The pipeline
 *    trims.
 *  - Row numbers are spreadsheet rows: every physical record counts, blank lines too
 *    (CSV_REPALL_NL reports them), and the LF of a CR LF pair is folded into the CR.
 *    A record whose fields are all empty or spaces/tabs is not returned.
 *  - Short rows: missing columns are NULL.  Extra values beyond the header are dropped
 *    when empty (Excel often writes trailing commas) and make the row `row.malformed`
 *    when not: a value with an unquoted comma shifts every column after it, and such a
 *    row must not be loaded as if it were right.
 *  - CSV_STRICT is on so that bad quoting is noticed, and then handled per case: a
 *    quote inside an unquoted value (`北京"某某"公司`) is kept as a literal character,
 *    as Excel does; text right after a closing quote (`"abc"x`) makes the row
 *    `row.malformed` and parsing resumes as if a comma stood there, which keeps the
 *    quote state right for the rows after it.  A quote still open at the end of the
 *    file makes that last row `row.malformed` (CSV_STRICT_FINI).
 *  - Size: a row over READER_ROW_MAX is returned as `row.malformed` and reading goes
 *    on.  A single value over READER_ROW_MAX (libcsv's field buffer is capped through
 *    its realloc hook) almost always means a quote that never closes; there is then no
 *    way to find where the next record starts, so reader_next fails with `file.format`.
 */
#include "ingest/reader_int.h"

#include "core/text.h"

#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)
#define CSV_BLOCK ((size_t)64 << 10)

struct reader_csv {
	struct csv_parser p;
	int header;     /* reading the header record: keep every field */
	size_t nfields; /* fields of the current record so far */
	size_t extra;   /* non-empty values beyond the header */
	int content;    /* some field of the record is not blank */
	int prev_term;  /* terminator of the previous record, to fold CR LF */
	int done;       /* the current record has ended */
	int eof;        /* csv_fini has run */
	size_t lf, cr;  /* next LF / CR in the chunk (text_len: none), SIZE_MAX unknown */
};

/* libcsv grows its field buffer through this hook; refusing past the row limit turns a
 * runaway quoted value into CSV_ENOMEM instead of unbounded memory. */
static void *csv_realloc_capped(void *p, size_t n)
{
	if (n > READER_ROW_MAX)
		return NULL;
	return realloc(p, n);
}

/* Keeps spaces and tabs as part of values (see the top of the file). */
static int csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int csv_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/* Names a column in messages: its header name, or its position. */
static const char *csv_column_label(struct reader *r, size_t i, char *tmp, size_t n)
{
	if (i < r->ncols && r->cols[i][0])
		return r->cols[i];
	snprintf(tmp, n, "第 %zu 列", i + 1);
	return tmp;
}

static void csv_on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	struct reader_csv *c = r->csv;
	const char *p = s;
	size_t i = c->nfields++;
	char tmp[32];
	int blank = csv_blank(p, len);

	if (!blank)
		c->content = 1;
	if (!c->header && i >= r->ncols) {
		if (!blank)
			c->extra++;
		return;
	}
	if (i >= READER_COLUMNS_MAX) {
		reader_row_fail(r, "row.malformed", "第 %ld 行超过 %d 列，无法读取", r->row_no + 1,
				READER_COLUMNS_MAX);
		return;
	}
	if (len && memchr(p, '\0', len))
		reader_row_fail(r, "encoding.invalid",
				"第 %ld 行“%s”含有 NUL 字节：该行可能混入了二进制内容或 UTF-16 文字，请检查后另存为 UTF-8 编码",
				r->row_no + 1, csv_column_label(r, i, tmp, sizeof tmp));
	if (reader_row_reserve(r, i + 1) < 0) {
		reader_row_fail(r, "row.malformed", "第 %ld 行：内存不足，无法读取该行",
				r->row_no + 1);
		return;
	}
	reader_row_put(r, i, p, len);
}

static void csv_on_record(int t, void *data)
{
	struct reader *r = data;
	struct reader_csv *c = r->csv;
	int fold = t == '\n' && c->prev_term == '\r';

	c->prev_term = t;
	if (c->nfields == 0) {
		/* An empty line (CSV_REPALL_NL): it takes a row number in a spreadsheet,
		 * unless it is only the LF of a CR LF. */
		if (!fold)
			r->row_no++;
		return;
	}
	r->row_no++;
	c->done = 1;
}

static void csv_record_begin(struct reader *r)
{
	struct reader_csv *c = r->csv;

	reader_row_begin(r);
	c->nfields = 0;
	c->extra = 0;
	c->content = 0;
	c->done = 0;
}

/* Puts the parser back to "between records" without reporting anything. */
static void csv_parser_reset(struct reader_csv *c)
{
	csv_set_opts(&c->p, CSV_OPTIONS & ~CSV_STRICT_FINI);
	csv_fini(&c->p, NULL, NULL, NULL);
	csv_set_opts(&c->p, CSV_OPTIONS);
}

/* End of input: flush a last record that has no line break after it. */
static void csv_finish(struct reader *r)
{
	struct reader_csv *c = r->csv;

	if (csv_fini(&c->p, csv_on_field, csv_on_record, r) != 0) {
		reader_row_fail(r, "row.malformed",
				"第 %ld 行的英文双引号没有闭合，从这里到文件末尾都被当成了一个值：请检查该行的引号",
				r->row_no + 1);
		csv_parser_reset(c);
		r->row_no++;
		c->done = 1;
	}
	c->eof = 1;
}

/* A single value passed READER_ROW_MAX: libcsv cannot go on, and nothing tells where
 * the next record would start. */
static int csv_too_big(struct reader *r, struct err *e)
{
	char tmp[32];

	return reader_fail(r, e, "file.format",
			   "第 %ld 行“%s”的值超过 %zu MiB，多半是英文双引号没有闭合，文件其余部分无法读取：请检查该行的引号",
			   r->row_no + 1, csv_column_label(r, r->csv->nfields, tmp, sizeof tmp),
			   READER_ROW_MAX >> 20);
}

/* csv_parse stopped early: a strict-mode quoting error, or a value too large. */
static int csv_recover(struct reader *r, struct err *e)
{
	struct reader_csv *c = r->csv;
	char tmp[32];
	size_t n;

	if (csv_error(&c->p) != CSV_EPARSE)
		return csv_too_big(r, e);
	c->p.status = CSV_SUCCESS;
	if (r->text[r->text_pos] == '"') {
		/* A quote inside an unquoted value: keep it as a character. */
		csv_set_opts(&c->p, CSV_OPTIONS & ~CSV_STRICT);
		n = csv_parse(&c->p, "\"", 1, csv_on_field, csv_on_record, r);
		csv_set_opts(&c->p, CSV_OPTIONS);
		if (n != 1)
			return csv_too_big(r, e);
		r->text_pos++;
		return 0;
	}
	/* Text after a closing quote.  A comma closes the quoted value so that the
	 * offending text starts a value of its own and the quote state stays right. */
	reader_row_fail(r, "row.malformed",
			"第 %ld 行“%s”：右引号后面紧跟着其他字符，无法确定值的边界：值里的英文双引号要写成两个（\"\"），引号与逗号之间不要有空格",
			r->row_no + 1, csv_column_label(r, c->nfields, tmp, sizeof tmp));
	n = csv_parse(&c->p, ",", 1, csv_on_field, csv_on_record, r);
	if (n != 1)
		return csv_too_big(r, e);
	return 0;
}

/* Where the next line-sized piece of the chunk ends: just after the next CR or LF. */
static size_t csv_segment_end(struct reader *r)
{
	struct reader_csv *c = r->csv;
	const char *t = r->text, *p;
	size_t pos = r->text_pos, len = r->text_len, m;

	if (c->lf == SIZE_MAX || c->lf < pos) {
		p = memchr(t + pos, '\n', len - pos);
		c->lf = p ? (size_t)(p - t) : len;
	}
	if (c->cr == SIZE_MAX || c->cr < pos) {
		p = memchr(t + pos, '\r', len - pos);
		c->cr = p ? (size_t)(p - t) : len;
	}
	m = c->lf < c->cr ? c->lf : c->cr;
	return m < len ? m + 1 : len;
}

/* Reads the next record that is not blank (or has a problem).  Returns 1, 0 at the
 * end, -1 on a fatal error. */
static int csv_record(struct reader *r, struct err *e)
{
	struct reader_csv *c = r->csv;
	size_t seg, n;
	int rc;

	csv_record_begin(r);
	for (;;) {
		if (c->done) {
			if (c->content || r->row_reason)
				return 1;
			csv_record_begin(r); /* blank: numbered already, not returned */
			continue;
		}
		if (c->eof)
			return 0;
		if (r->text_pos == r->text_len) {
			rc = reader_input_next(r, e);
			if (rc < 0)
				return -1;
			c->lf = c->cr = SIZE_MAX;
			if (rc == 0) {
				csv_finish(r);
				continue;
			}
		}
		seg = csv_segment_end(r) - r->text_pos;
		n = csv_parse(&c->p, r->text + r->text_pos, seg, csv_on_field, csv_on_record, r);
		r->text_pos += n;
		if (n < seg && csv_recover(r, e) < 0)
			return -1;
	}
}

/* Checks the encoding of the whole record at once: values are stored NUL-separated
 * and NUL is valid UTF-8, so one pass covers all of them. */
static void csv_check_encoding(struct reader *r)
{
	size_t bad, i, col = 0;
	char tmp[32];

	bad = reader_utf8_check(r->rowbuf.data, r->rowbuf.len);
	if (bad == r->rowbuf.len)
		return;
	for (i = 0; i < r->offs_cap; i++)
		if (r->offs[i] != READER_NONE && r->offs[i] <= bad)
			col = i;
	if (r->encoding == READER_GB18030)
		reader_row_fail(r, "encoding.invalid",
				"第 %ld 行“%s”含有 GB18030/GBK 编码中不存在的字节：该行可能混入了其他编码的文字，请把文件另存为 UTF-8 编码后重新上传",
				r->row_no, csv_column_label(r, col, tmp, sizeof tmp));
	else
		reader_row_fail(r, "encoding.invalid",
				"第 %ld 行“%s”含有不是 UTF-8 编码的字节：该行可能混入了其他编码的文字，请把整个文件另存为 UTF-8 编码（Excel 中选“CSV UTF-8”）后重新上传",
				r->row_no, csv_column_label(r, col, tmp, sizeof tmp));
}

int reader_csv_open(struct reader *r, struct err *e)
{
	struct reader_csv *c;
	size_t i, named = 0;
	char *name;
	int rc;

	c = calloc(1, sizeof *c);
	if (!c)
		return reader_fail(r, e, "internal.error", "内存不足，无法读取 CSV 文件");
	r->csv = c;
	csv_init(&c->p, CSV_OPTIONS);
	csv_set_space_func(&c->p, csv_no_space);
	csv_set_realloc_func(&c->p, csv_realloc_capped);
	csv_set_blk_size(&c->p, CSV_BLOCK);
	c->lf = c->cr = SIZE_MAX;

	/* The header is the first record that is not blank; blank lines before it still
	 * count as rows, so its row number is what a spreadsheet shows. */
	r->row_no = 0;
	c->header = 1;
	rc = csv_record(r, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return reader_fail(r, e, "file.format",
				   "CSV 文件只有空行，没有表头：第一行应是列名，例如“行政相对人名称,行政相对人代码_1（统一社会信用代码）”");
	if (!r->row_reason)
		csv_check_encoding(r);
	if (r->row_reason)
		return reader_fail(r, e, "file.format", "表头（第 %ld 行）无法读取：%s", r->row_no,
				   r->row_msg);
	for (i = 0; i < c->nfields; i++) {
		name = text_trim(r->rowbuf.data + r->offs[i]);
		if (*name)
			named++;
		if (reader_column_add(r, name) < 0)
			return reader_fail(r, e, "internal.error", "内存不足，无法读取表头");
	}
	if (!named)
		return reader_fail(r, e, "file.format",
				   "表头（第 %ld 行）没有列名：第一行应是列名，例如“行政相对人名称,行政相对人代码_1（统一社会信用代码）”",
				   r->row_no);
	c->header = 0;
	if (reader_row_reserve(r, r->ncols) < 0)
		return reader_fail(r, e, "internal.error", "内存不足，无法读取 CSV 文件");
	return 0;
}

int reader_csv_next(struct reader *r, struct reader_row *row, struct err *e)
{
	struct reader_csv *c = r->csv;
	int rc;

	rc = csv_record(r, e);
	if (rc <= 0)
		return rc;
	if (!r->row_reason && c->extra)
		reader_row_fail(r, "row.malformed",
				"第 %ld 行有 %zu 个值，比表头的 %zu 列多，且多出的值不为空：请检查含英文逗号的值是否用英文双引号括起来",
				r->row_no, c->nfields, r->ncols);
	if (!r->row_reason)
		csv_check_encoding(r);
	return reader_row_emit(r, r->ncols, row, e);
}

void reader_csv_close(struct reader *r)
{
	csv_free(&r->csv->p);
	free(r->csv);
	r->csv = NULL;
}
