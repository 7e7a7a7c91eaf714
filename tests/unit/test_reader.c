/* test_reader.c - the streaming CSV / JSON / NDJSON readers (src/ingest/reader*.c). */
#include <criterion/criterion.h>

#include "core/err.h"
#include "core/text.h"
#include "ingest/reader.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------------- */

/* Writes data to a new file in /tmp whose name ends in suffix ("" for none); returns
 * the malloc'd path. */
static char *tmp_file(const char *suffix, const void *data, size_t n)
{
	char *path = malloc(64);
	int fd;

	cr_assert_not_null(path);
	snprintf(path, 64, "/tmp/xy_reader_XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	cr_assert(fd >= 0, "mkstemps: %s", strerror(errno));
	cr_assert_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

static char *tmp_text(const char *suffix, const char *s)
{
	return tmp_file(suffix, s, strlen(s));
}

static void tmp_remove(char *path)
{
	unlink(path);
	free(path);
}

/* Converts UTF-8 to GB18030 with iconv, as a department's Windows export would be. */
static char *to_gb(const char *utf8, size_t *len)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t inleft = strlen(utf8), cap = 2 * inleft + 8, outleft = cap;
	char *out = malloc(cap), *in = (char *)utf8, *o = out;

	cr_assert(cd != (iconv_t)-1);
	cr_assert_not_null(out);
	cr_assert_neq(iconv(cd, &in, &inleft, &o, &outleft), (size_t)-1);
	iconv_close(cd);
	*len = cap - outleft;
	return out;
}

/* A copy of every row, so tests can look at all of them after the reader is closed. */
struct trow {
	long row;
	size_t ncols;
	char **v;
	char *reason;
	char *msg;
};

struct tfile {
	struct trow *rows;
	size_t n;
	int end_rc;         /* what the last reader_next returned: 0 or -1 */
	struct err end_err; /* its error when -1 */
	char **cols;
	size_t ncols;
	enum reader_format format;
	enum reader_encoding encoding;
	unsigned long long bytes;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void read_all(const char *path, enum reader_format format, struct tfile *t)
{
	struct reader *r = NULL;
	struct reader_row row;
	struct err e;
	size_t i;
	int rc;

	memset(t, 0, sizeof *t);
	err_clear(&e);
	rc = reader_open(path, format, &r, &e);
	cr_assert_eq(rc, 0, "reader_open: %s %s", e.reason, e.message);
	while ((rc = reader_next(r, &row, &e)) == 1) {
		struct trow *tr;

		t->rows = realloc(t->rows, (t->n + 1) * sizeof *t->rows);
		tr = &t->rows[t->n++];
		tr->row = row.row;
		tr->ncols = row.ncols;
		tr->v = calloc(row.ncols + 1, sizeof *tr->v);
		for (i = 0; i < row.ncols; i++)
			tr->v[i] = dup_or_null(row.values[i]);
		tr->reason = dup_or_null(row.error_reason);
		tr->msg = dup_or_null(row.error_message);
		cr_assert_eq(row.ncols, reader_column_count(r));
		cr_assert(!row.error_reason || row.error_message);
	}
	t->end_rc = rc;
	t->end_err = e;
	t->ncols = reader_column_count(r);
	t->cols = calloc(t->ncols + 1, sizeof *t->cols);
	for (i = 0; i < t->ncols; i++)
		t->cols[i] = strdup(reader_column_name(r, i));
	cr_assert_null(reader_column_name(r, t->ncols));
	t->format = reader_format_of(r);
	t->encoding = reader_encoding_of(r);
	t->bytes = reader_bytes_read(r);
	/* The end is sticky. */
	cr_assert_eq(reader_next(r, &row, &e), rc);
	reader_close(r);
}

static void tfile_free(struct tfile *t)
{
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		for (k = 0; k < t->rows[i].ncols; k++)
			free(t->rows[i].v[k]);
		free(t->rows[i].v);
		free(t->rows[i].reason);
		free(t->rows[i].msg);
	}
	free(t->rows);
	for (i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	free(t->cols);
}

static void read_text(const char *suffix, const char *text, enum reader_format f, struct tfile *t)
{
	char *path = tmp_text(suffix, text);

	read_all(path, f, t);
	tmp_remove(path);
}

/* Expects reader_open to fail with reason; returns nothing, checks the message holds
 * `hint` when given. */
static void expect_open_fails(const char *suffix, const void *data, size_t n,
			      enum reader_format f, const char *reason, const char *hint)
{
	char *path = tmp_file(suffix, data, n);
	struct reader *r = (struct reader *)1;
	struct err e;

	err_clear(&e);
	cr_assert_eq(reader_open(path, f, &r, &e), -1);
	cr_assert_null(r);
	cr_assert_str_eq(e.reason, reason, "message: %s", e.message);
	cr_assert_neq(e.message[0], '\0');
	if (hint)
		cr_assert(strstr(e.message, hint), "message lacks \"%s\": %s", hint, e.message);
	tmp_remove(path);
}

/* ---- CSV: encodings ---------------------------------------------------------------- */

Test(reader_csv, utf8_without_bom)
{
	struct tfile t;

	read_text(".csv", "名称,代码,金额\n某某科技有限公司,91110000MA01ABCD1X,1000.50\n乙公司,,0\n",
		  READER_AUTO, &t);
	cr_assert_eq(t.format, READER_CSV);
	cr_assert_eq(t.encoding, READER_UTF8);
	cr_assert_eq(t.ncols, 3);
	cr_assert_str_eq(t.cols[0], "名称");
	cr_assert_str_eq(t.cols[2], "金额");
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.end_rc, 0);
	cr_assert_eq(t.rows[0].row, 2);
	cr_assert_null(t.rows[0].reason);
	cr_assert_str_eq(t.rows[0].v[0], "某某科技有限公司");
	cr_assert_str_eq(t.rows[0].v[1], "91110000MA01ABCD1X");
	cr_assert_str_eq(t.rows[0].v[2], "1000.50");
	cr_assert_eq(t.rows[1].row, 3);
	cr_assert_str_eq(t.rows[1].v[1], "", "an empty value is \"\", not NULL");
	tfile_free(&t);
}

Test(reader_csv, utf8_bom_stripped_and_header_trimmed)
{
	struct tfile t;

	read_text(".csv", "\xEF\xBB\xBF 名称 ,\xE3\x80\x80代码\t\n 甲 ,1\n", READER_AUTO, &t);
	cr_assert_eq(t.encoding, READER_UTF8);
	cr_assert_eq(t.ncols, 2);
	cr_assert_str_eq(t.cols[0], "名称", "BOM and spaces removed from the header");
	cr_assert_str_eq(t.cols[1], "代码", "ideographic space and tab removed");
	cr_assert_eq(t.n, 1);
	cr_assert_str_eq(t.rows[0].v[0], " 甲 ", "values are handed out raw, not trimmed");
	tfile_free(&t);
}

Test(reader_csv, gb18030_converted)
{
	const char *text = "行政相对人名称,处罚类别,备注\n"
			   "北京某某科技有限公司,行政处罚,罚款\n"
			   "𠮷野家餐饮（上海）有限公司,警告,䶮字·€\n";
	struct tfile t;
	size_t n;
	char *gb = to_gb(text, &n), *path;

	cr_assert(n != strlen(text), "the bytes really are GB18030");
	path = tmp_file(".csv", gb, n);
	read_all(path, READER_AUTO, &t);
	cr_assert_eq(t.encoding, READER_GB18030);
	cr_assert_eq(t.ncols, 3);
	cr_assert_str_eq(t.cols[0], "行政相对人名称");
	cr_assert_str_eq(t.cols[1], "处罚类别");
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.rows[0].v[1], "行政处罚");
	cr_assert_str_eq(t.rows[1].v[0], "𠮷野家餐饮（上海）有限公司", "4-byte GB18030 sequence");
	cr_assert_str_eq(t.rows[1].v[2], "䶮字·€");
	cr_assert_null(t.rows[1].reason);
	cr_assert_eq(t.bytes, n);
	tfile_free(&t);
	tmp_remove(path);
	free(gb);
}

/* Multi-byte characters cut by the 64 KiB read boundary must be carried over. */
Test(reader_csv, gb18030_chunk_boundary)
{
	const char *chars = "𠮷行政处罚䶮𠮷"; /* 4-byte, 2-byte and 4-byte sequences */
	size_t shift, hlen, clen, tlen, pad, i, n;
	char *head = to_gb("名称,说明\n1,", &hlen);
	char *mid = to_gb(chars, &clen);
	char *tail = to_gb("\n2,尾\n", &tlen);

	for (shift = 1; shift <= 5; shift++) {
		struct tfile t;
		char *data, *path;

		/* The multi-byte text starts `shift` bytes before offset 65536, so the
		 * first read ends inside a 4-byte (shift 1..3) or 2-byte (5) sequence. */
		pad = 65536 - hlen - shift;
		n = hlen + pad + clen + tlen;
		data = malloc(n);
		memcpy(data, head, hlen);
		memset(data + hlen, 'a', pad);
		memcpy(data + hlen + pad, mid, clen);
		memcpy(data + hlen + pad + clen, tail, tlen);
		path = tmp_file(".csv", data, n);
		read_all(path, READER_AUTO, &t);
		cr_assert_eq(t.encoding, READER_GB18030);
		cr_assert_eq(t.n, 2, "shift %zu", shift);
		cr_assert_null(t.rows[0].reason, "shift %zu: %s", shift, t.rows[0].msg);
		cr_assert_eq(strlen(t.rows[0].v[1]), pad + strlen(chars), "shift %zu", shift);
		for (i = 0; i < pad; i++)
			cr_assert_eq(t.rows[0].v[1][i], 'a');
		cr_assert_str_eq(t.rows[0].v[1] + pad, chars, "shift %zu", shift);
		cr_assert_str_eq(t.rows[1].v[1], "尾");
		cr_assert_eq(t.rows[1].row, 3);
		tfile_free(&t);
		tmp_remove(path);
		free(data);
	}
	free(head);
	free(mid);
	free(tail);
}

/* In a UTF-8 file, bad bytes after the sniffed first chunk spoil only their row. */
Test(reader_csv, invalid_utf8_in_later_row)
{
	struct tfile t;
	char *data, *path, *p;
	size_t cap = 200000, i, nrows = 2000;

	data = malloc(cap);
	p = data;
	p += sprintf(p, "名称,代码\n");
	for (i = 0; i < nrows; i++)
		p += sprintf(p, "北京某某科技有限公司第%zu分公司,%zu\n", i, i);
	cr_assert(p - data > 70000, "the bad row is past the first 64 KiB");
	p += sprintf(p, "\xB1\xB1\xBE\xA9\xC4\xB3\xC4\xB3,bad\n"); /* "北京某某" in GBK */
	p += sprintf(p, "好的公司,ok\n");
	path = tmp_file(".csv", data, (size_t)(p - data));
	read_all(path, READER_AUTO, &t);
	cr_assert_eq(t.encoding, READER_UTF8);
	cr_assert_eq(t.n, nrows + 2);
	cr_assert_null(t.rows[nrows - 1].reason);
	cr_assert_str_eq(t.rows[nrows].reason, "encoding.invalid");
	cr_assert_eq(t.rows[nrows].row, (long)nrows + 2);
	cr_assert(strstr(t.rows[nrows].msg, "第 2002 行"), "%s", t.rows[nrows].msg);
	cr_assert(strstr(t.rows[nrows].msg, "名称"), "names the column: %s", t.rows[nrows].msg);
	cr_assert(strstr(t.rows[nrows].msg, "UTF-8"), "%s", t.rows[nrows].msg);
	cr_assert_null(t.rows[nrows].v[0], "no values from a bad row");
	cr_assert_null(t.rows[nrows + 1].reason);
	cr_assert_str_eq(t.rows[nrows + 1].v[0], "好的公司");
	cr_assert_eq(t.end_rc, 0);
	tfile_free(&t);
	tmp_remove(path);
	free(data);
}

/* One stray byte among plenty of UTF-8 Chinese must not make the file GB18030. */
Test(reader_csv, stray_byte_in_mostly_utf8_sample)
{
	struct tfile t;

	read_text(".csv",
		  "行政相对人名称,处罚事由\n"
		  "北京某某科技有限公司,未按规定公示年度报告\n"
		  "上海某某贸易有限公司,\xA1\xAA 超范围经营\n"
		  "广州某某餐饮管理有限公司,食品安全违法行为\n",
		  READER_CSV, &t);
	cr_assert_eq(t.encoding, READER_UTF8);
	cr_assert_eq(t.n, 3);
	cr_assert_null(t.rows[0].reason);
	cr_assert_str_eq(t.rows[1].reason, "encoding.invalid");
	cr_assert(strstr(t.rows[1].msg, "处罚事由"), "%s", t.rows[1].msg);
	cr_assert_str_eq(t.rows[2].v[1], "食品安全违法行为");
	tfile_free(&t);
}

Test(reader_csv, invalid_gb18030_byte_spoils_its_row)
{
	const char *head = "名称,说明\n甲公司,行政处罚\n";
	struct tfile t;
	size_t n;
	char *gb = to_gb(head, &n), *data, *path, *gb2;
	size_t n2;

	gb2 = to_gb("丙公司,警告\n", &n2);
	data = malloc(n + n2 + 16);
	memcpy(data, gb, n);
	memcpy(data + n, "\xD2\xD2,\x80\xFF\n", 6); /* 0x80 and 0xFF are not GB18030 */
	memcpy(data + n + 6, gb2, n2);
	path = tmp_file(".csv", data, n + 6 + n2);
	read_all(path, READER_AUTO, &t);
	cr_assert_eq(t.encoding, READER_GB18030);
	cr_assert_eq(t.n, 3);
	cr_assert_str_eq(t.rows[0].v[1], "行政处罚");
	cr_assert_str_eq(t.rows[1].reason, "encoding.invalid");
	cr_assert(strstr(t.rows[1].msg, "GB18030"), "%s", t.rows[1].msg);
	cr_assert_null(t.rows[2].reason);
	cr_assert_str_eq(t.rows[2].v[0], "丙公司");
	tfile_free(&t);
	tmp_remove(path);
	free(data);
	free(gb);
	free(gb2);
}

/* The encoding is decided at the first non-ASCII byte, even far into the file, and
 * with enough text after it even when that byte sits at the end of a chunk. */
Test(reader_csv, gb18030_after_ascii_start)
{
	size_t lead[] = { 70000, 65536 - 100 }, k, n, glen, i;

	for (k = 0; k < 2; k++) {
		struct tfile t;
		char *data = malloc(lead[k] + 16384), *gb, *path;

		if (!data)
			abort();
		n = (size_t)sprintf(data, "name,note\n");
		for (i = 0; n + 8 <= lead[k]; i++)
			n += (size_t)sprintf(data + n, "%06zu,\n", i % 1000000);
		while (n < lead[k] - 1)
			data[n++] = 'p'; /* pads the last ASCII row's note */
		data[n++] = '\n';
		/* Enough GB18030 rows that the file goes on past the first chunk. */
		gb = to_gb("甲公司,行政处罚决定书\n", &glen);
		for (i = 0; i < 300; i++, n += glen)
			memcpy(data + n, gb, glen);
		free(gb);
		gb = to_gb("乙,𠮷\n", &glen);
		memcpy(data + n, gb, glen);
		n += glen;
		path = tmp_file(".csv", data, n);
		read_all(path, READER_AUTO, &t);
		cr_assert_eq(t.encoding, READER_GB18030, "lead %zu", lead[k]);
		cr_assert_geq(t.n, 2);
		cr_assert_str_eq(t.rows[t.n - 2].v[0], "甲公司", "lead %zu", lead[k]);
		cr_assert_str_eq(t.rows[t.n - 2].v[1], "行政处罚决定书");
		cr_assert_str_eq(t.rows[t.n - 1].v[1], "𠮷");
		cr_assert_str_eq(t.rows[0].v[0], "000000");
		for (i = 0; i < t.n; i++)
			cr_assert_null(t.rows[i].reason, "row %ld: %s", t.rows[i].row, t.rows[i].msg);
		tfile_free(&t);
		tmp_remove(path);
		free(gb);
		free(data);
	}
}

/* ---- CSV: structure ---------------------------------------------------------------- */

Test(reader_csv, quoted_fields_newlines_quotes_commas)
{
	struct tfile t;

	read_text(".csv",
		  "名称,地址,说明\n"
		  "\"甲公司\",\"北京市\n海淀区\n中关村\",\"他说\"\"好\"\"，然后走了\"\n"
		  "乙公司,\"上海,浦东\",\"\"\n"
		  "丙公司,广州,末行\n",
		  READER_CSV, &t);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.rows[0].row, 2);
	cr_assert_str_eq(t.rows[0].v[0], "甲公司");
	cr_assert_str_eq(t.rows[0].v[1], "北京市\n海淀区\n中关村");
	cr_assert_str_eq(t.rows[0].v[2], "他说\"好\"，然后走了");
	cr_assert_eq(t.rows[1].row, 3, "a record with line breaks counts as one row");
	cr_assert_str_eq(t.rows[1].v[1], "上海,浦东");
	cr_assert_str_eq(t.rows[1].v[2], "");
	cr_assert_eq(t.rows[2].row, 4);
	cr_assert_str_eq(t.rows[2].v[2], "末行");
	tfile_free(&t);
}

Test(reader_csv, crlf_and_blank_lines_numbered)
{
	struct tfile t;

	read_text(".csv", "a,b\r\n1,2\r\n\r\n\"x\r\ny\",4\r\n,\r\n5,6", READER_CSV, &t);
	cr_assert_eq(t.ncols, 2);
	cr_assert_str_eq(t.cols[1], "b", "no CR left in the header");
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.rows[0].row, 2);
	cr_assert_str_eq(t.rows[0].v[1], "2");
	cr_assert_eq(t.rows[1].row, 4, "the blank line is row 3");
	cr_assert_str_eq(t.rows[1].v[0], "x\r\ny");
	cr_assert_str_eq(t.rows[1].v[1], "4");
	cr_assert_eq(t.rows[2].row, 6, "\",\" (all empty) is row 5, skipped");
	cr_assert_str_eq(t.rows[2].v[1], "6", "last line without a line break");
	tfile_free(&t);
}

Test(reader_csv, cr_only_line_ends)
{
	struct tfile t;

	read_text(".csv", "a,b\r1,2\r\r3,\"x\ry\"\r", READER_CSV, &t);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.rows[0].v[1], "2");
	cr_assert_eq(t.rows[1].row, 4);
	cr_assert_str_eq(t.rows[1].v[1], "x\ry");
	tfile_free(&t);
}

Test(reader_csv, row_numbers_lf_blank_lines)
{
	struct tfile t;

	read_text(".csv", "\n名称\n\n甲\n\n\n乙\n  \n丙\n", READER_CSV, &t);
	cr_assert_eq(t.ncols, 1);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.rows[0].row, 4, "header on row 2 after a leading blank line");
	cr_assert_eq(t.rows[1].row, 7);
	cr_assert_eq(t.rows[2].row, 9, "a line of spaces is blank too");
	cr_assert_str_eq(t.rows[2].v[0], "丙");
	tfile_free(&t);
}

Test(reader_csv, ragged_rows)
{
	struct tfile t;

	read_text(".csv", "a,b,c\n1\n1,2,3,,\n1,2,3,多余\n4,5,6\n", READER_CSV, &t);
	cr_assert_eq(t.n, 4);
	cr_assert_eq(t.rows[0].ncols, 3);
	cr_assert_str_eq(t.rows[0].v[0], "1");
	cr_assert_null(t.rows[0].v[1], "missing columns are NULL");
	cr_assert_null(t.rows[0].v[2]);
	cr_assert_null(t.rows[1].reason, "trailing empty values are dropped");
	cr_assert_str_eq(t.rows[1].v[2], "3");
	cr_assert_str_eq(t.rows[2].reason, "row.malformed", "a non-empty extra value");
	cr_assert(strstr(t.rows[2].msg, "第 4 行"), "%s", t.rows[2].msg);
	cr_assert_null(t.rows[3].reason);
	cr_assert_str_eq(t.rows[3].v[2], "6");
	tfile_free(&t);
}

Test(reader_csv, bad_quoting)
{
	struct tfile t;

	read_text(".csv",
		  "名称,代码\n"
		  "北京\"某某\"公司,1\n"
		  "\"甲\"x,2\n"
		  "\"乙\",\"3\"\n"
		  "\"丙\n",
		  READER_CSV, &t);
	cr_assert_eq(t.n, 4);
	cr_assert_null(t.rows[0].reason, "a quote inside an unquoted value is literal");
	cr_assert_str_eq(t.rows[0].v[0], "北京\"某某\"公司");
	cr_assert_str_eq(t.rows[1].reason, "row.malformed", "text after a closing quote");
	cr_assert_eq(t.rows[1].row, 3);
	cr_assert_null(t.rows[2].reason, "the next row is read normally");
	cr_assert_str_eq(t.rows[2].v[1], "3");
	cr_assert_eq(t.rows[2].row, 4);
	cr_assert_str_eq(t.rows[3].reason, "row.malformed", "quote open at the end of the file");
	cr_assert(strstr(t.rows[3].msg, "引号"), "%s", t.rows[3].msg);
	tfile_free(&t);
}

Test(reader_csv, empty_and_headerless_files)
{
	expect_open_fails(".csv", "", 0, READER_AUTO, "file.format", "空文件");
	expect_open_fails(".csv", "\xEF\xBB\xBF", 3, READER_AUTO, "file.format", NULL);
	expect_open_fails(".csv", "\n\r\n  \n", 6, READER_CSV, "file.format", NULL);
	expect_open_fails(".csv", ",,\n,\n", 5, READER_CSV, "file.format", "表头");
	expect_open_fails(".csv", "\xE3\x80\x80,\xE3\x80\x80\n1,2\n", 12, READER_CSV, "file.format",
			  "没有列名");
}

Test(reader_csv, header_only)
{
	struct tfile t;

	read_text(".csv", "名称,代码\n", READER_CSV, &t);
	cr_assert_eq(t.ncols, 2);
	cr_assert_eq(t.n, 0);
	cr_assert_eq(t.end_rc, 0);
	tfile_free(&t);
}

/* A runaway quoted value over the row limit cannot be resynchronised: file.format,
 * after the rows that were good. */
Test(reader_csv, value_over_limit_fails_file)
{
	size_t big = ((size_t)16 << 20) + 1024, n;
	char *data = malloc(big + 64), *path;
	struct tfile t;

	if (!data)
		abort();

	n = (size_t)sprintf(data, "a,b\n1,2\n3,\"");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\"\n5,6\n");
	path = tmp_file(".csv", data, n);
	read_all(path, READER_CSV, &t);
	cr_assert_eq(t.n, 1);
	cr_assert_str_eq(t.rows[0].v[1], "2");
	cr_assert_eq(t.end_rc, -1);
	cr_assert_str_eq(t.end_err.reason, "file.format");
	cr_assert(strstr(t.end_err.message, "第 3 行"), "%s", t.end_err.message);
	tfile_free(&t);
	tmp_remove(path);
	free(data);
}

/* A row over the limit made of many smaller values is returned as row.malformed and
 * reading goes on. */
Test(reader_csv, row_over_limit_is_malformed)
{
	size_t cols = 4000, i, n = 0;
	char *data = malloc(cols * 4200 + cols * 8 + 64), *path;
	struct tfile t;

	if (!data)
		abort();
	for (i = 0; i < cols; i++)
		n += (size_t)sprintf(data + n, "%sc%zu", i ? "," : "", i);
	data[n++] = '\n';
	for (i = 0; i < cols; i++) {
		if (i)
			data[n++] = ',';
		memset(data + n, 'y', 4200);
		n += 4200;
	}
	data[n++] = '\n';
	n += (size_t)sprintf(data + n, "7,8\n");
	path = tmp_file(".csv", data, n);
	read_all(path, READER_CSV, &t);
	cr_assert_eq(t.ncols, cols);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.rows[0].reason, "row.malformed");
	cr_assert(strstr(t.rows[0].msg, "MiB"), "%s", t.rows[0].msg);
	cr_assert_null(t.rows[1].reason);
	cr_assert_str_eq(t.rows[1].v[0], "7");
	cr_assert_null(t.rows[1].v[2]);
	cr_assert_eq(t.rows[1].row, 3);
	tfile_free(&t);
	tmp_remove(path);
	free(data);
}

/* ---- JSON and NDJSON --------------------------------------------------------------- */

Test(reader_json, array_values_and_growing_columns)
{
	struct tfile t;

	read_text(".json",
		  "[\n"
		  "  {\"名称\": \"甲公司\", \"金额\": 44260, \"比例\": 0.2, \"有效\": true,\n"
		  "   \"附加\": {\"a\": [1, 2.50, \"x y\"], \"b\": null}, \"空\": null},\n"
		  "  {\"名称\": \"乙\\n公司\\u4e00\", \"新列\": \"新\", \"有效\": false},\n"
		  "  {\"金额\": 1E5, \"大数\": 123456789012345678901234567890, \"负\": -0.000001}\n"
		  "]\n",
		  READER_AUTO, &t);
	cr_assert_eq(t.format, READER_JSON);
	cr_assert_eq(t.end_rc, 0, "%s", t.end_err.message);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.ncols, 9);
	cr_assert_str_eq(t.cols[0], "名称");
	cr_assert_str_eq(t.cols[5], "空");
	cr_assert_str_eq(t.cols[6], "新列");
	cr_assert_str_eq(t.cols[8], "负");

	cr_assert_eq(t.rows[0].row, 2);
	cr_assert_eq(t.rows[0].ncols, 6, "columns known at that row");
	cr_assert_str_eq(t.rows[0].v[0], "甲公司");
	cr_assert_str_eq(t.rows[0].v[1], "44260");
	cr_assert_str_eq(t.rows[0].v[2], "0.2");
	cr_assert_str_eq(t.rows[0].v[3], "true");
	cr_assert_str_eq(t.rows[0].v[4], "{\"a\":[1,2.50,\"x y\"],\"b\":null}");
	cr_assert_null(t.rows[0].v[5], "null is NULL");

	cr_assert_eq(t.rows[1].row, 3);
	cr_assert_eq(t.rows[1].ncols, 7);
	cr_assert_str_eq(t.rows[1].v[0], "乙\n公司一", "escapes decoded");
	cr_assert_null(t.rows[1].v[1], "missing key is NULL");
	cr_assert_str_eq(t.rows[1].v[3], "false");
	cr_assert_str_eq(t.rows[1].v[6], "新");

	cr_assert_eq(t.rows[2].ncols, 9);
	cr_assert_str_eq(t.rows[2].v[1], "1E5");
	cr_assert_str_eq(t.rows[2].v[7], "123456789012345678901234567890");
	cr_assert_str_eq(t.rows[2].v[8], "-0.000001");
	cr_assert_null(t.rows[2].v[0]);
	tfile_free(&t);
}

Test(reader_json, non_object_elements_are_malformed)
{
	struct tfile t;

	read_text(".json", "[{\"a\":\"1\"}, 5, \"s]\", [1,{\"x\":2}], null, {\"a\":\"2\"}, {\"a\" 1}, {\"a\":\"3\"}]",
		  READER_JSON, &t);
	cr_assert_eq(t.end_rc, 0, "%s", t.end_err.message);
	cr_assert_eq(t.n, 8);
	cr_assert_null(t.rows[0].reason);
	cr_assert_str_eq(t.rows[1].reason, "row.malformed");
	cr_assert(strstr(t.rows[1].msg, "数字"), "%s", t.rows[1].msg);
	cr_assert_str_eq(t.rows[2].reason, "row.malformed");
	cr_assert_str_eq(t.rows[3].reason, "row.malformed");
	cr_assert(strstr(t.rows[3].msg, "数组"), "%s", t.rows[3].msg);
	cr_assert_str_eq(t.rows[4].reason, "row.malformed");
	cr_assert_eq(t.rows[5].row, 7);
	cr_assert_str_eq(t.rows[5].v[0], "2");
	cr_assert_str_eq(t.rows[6].reason, "row.malformed", "invalid JSON inside the element");
	cr_assert_str_eq(t.rows[7].v[0], "3");
	tfile_free(&t);
}

Test(reader_json, duplicate_and_untrimmed_keys)
{
	struct tfile t;

	read_text(".json", "[{\" 名称 \": \"甲\", \"n\": 1}, {\"名称\": \"乙\", \"n\": 2, \"n\": 3}]",
		  READER_JSON, &t);
	cr_assert_eq(t.n, 2);
	cr_assert_eq(t.ncols, 2);
	cr_assert_str_eq(t.cols[0], "名称", "keys are trimmed like CSV headers");
	cr_assert_str_eq(t.rows[0].v[0], "甲");
	cr_assert_str_eq(t.rows[0].v[1], "1");
	cr_assert_str_eq(t.rows[1].reason, "row.malformed", "duplicate key");
	tfile_free(&t);
}

/* jansson quotes the bytes where it stopped, which can end inside a multi-byte
 * character (here the first byte of 日 after a short \u escape): the message must stay
 * UTF-8 all the same, since it goes into rejects files and JSON.  Found by fuzz_csv. */
Test(reader_json, error_message_stays_utf8)
{
	struct tfile t;

	read_text(".json", "[{\"a\":\"\\u752日期\"}, {\"a\":\"2\"}]", READER_JSON, &t);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.rows[0].reason, "row.malformed");
	cr_assert(text_is_utf8(t.rows[0].msg, strlen(t.rows[0].msg)), "%s", t.rows[0].msg);
	cr_assert_str_eq(t.rows[1].v[0], "2");
	tfile_free(&t);
}

/* A missing comma is reported with the character found instead, a whole one even when
 * it is not ASCII (a lone "%c" of its first byte was not UTF-8).  Found by fuzz_csv. */
Test(reader_json, missing_comma_names_the_character)
{
	struct tfile t;

	read_text(".json", "[{\"a\":\"1\"} 日期]", READER_JSON, &t);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.end_rc, -1);
	cr_assert_str_eq(t.end_err.reason, "file.format");
	cr_assert(text_is_utf8(t.end_err.message, strlen(t.end_err.message)), "%s",
		  t.end_err.message);
	cr_assert(strstr(t.end_err.message, "“日”"), "%s", t.end_err.message);
	tfile_free(&t);
}

Test(reader_json, truncated_array_fails_after_good_rows)
{
	struct tfile t;

	read_text(".json", "[{\"a\":\"1\"},{\"a\":\"2\"},{\"a\":\"3", READER_AUTO, &t);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.rows[1].v[0], "2");
	cr_assert_eq(t.end_rc, -1);
	cr_assert_str_eq(t.end_err.reason, "file.format");
	cr_assert(strstr(t.end_err.message, "第 3 行之后"), "%s", t.end_err.message);
	tfile_free(&t);

	read_text(".json", "[{\"a\":\"1\"}", READER_AUTO, &t);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.end_rc, -1, "missing ]");
	tfile_free(&t);

	read_text(".json", "[{\"a\":\"1\"} {\"a\":\"2\"}]", READER_AUTO, &t);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.end_rc, -1, "missing comma");
	cr_assert(strstr(t.end_err.message, "逗号"), "%s", t.end_err.message);
	tfile_free(&t);

	read_text(".json", "[{\"a\":\"1\"}] x", READER_AUTO, &t);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.end_rc, -1, "text after ]");
	tfile_free(&t);
}

Test(reader_json, empty_array_and_trailing_comma)
{
	struct tfile t;

	read_text(".json", " [ ] \n", READER_JSON, &t);
	cr_assert_eq(t.n, 0);
	cr_assert_eq(t.end_rc, 0);
	tfile_free(&t);

	read_text(".json", "[{\"a\":\"1\"},]", READER_JSON, &t);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.end_rc, 0);
	tfile_free(&t);
}

Test(reader_json, top_level_not_array)
{
	expect_open_fails(".json", "{\"a\":1}", 7, READER_AUTO, "file.format", "数组");
	expect_open_fails("", "{\"a\":1}", 7, READER_JSON, "file.format", "数组");
	expect_open_fails(".json", "  \n", 3, READER_JSON, "file.format", NULL);
}

Test(reader_json, gb18030_json)
{
	struct tfile t;
	size_t n;
	char *gb = to_gb("[{\"名称\":\"北京某某有限公司\",\"类别\":\"行政处罚\"}]", &n);
	char *path = tmp_file(".json", gb, n);

	read_all(path, READER_AUTO, &t);
	cr_assert_eq(t.encoding, READER_GB18030);
	cr_assert_eq(t.n, 1);
	cr_assert_str_eq(t.cols[1], "类别");
	cr_assert_str_eq(t.rows[0].v[0], "北京某某有限公司");
	tfile_free(&t);
	tmp_remove(path);
	free(gb);
}

Test(reader_json, element_over_limit_is_malformed)
{
	size_t big = ((size_t)16 << 20) + 100, n;
	char *data = malloc(big + 128), *path;
	struct tfile t;

	if (!data)
		abort();

	n = (size_t)sprintf(data, "[{\"a\":\"1\"},{\"a\":\"");
	memset(data + n, 'z', big);
	n += big;
	n += (size_t)sprintf(data + n, "\"},{\"a\":\"3\"}]");
	path = tmp_file(".json", data, n);
	read_all(path, READER_AUTO, &t);
	cr_assert_eq(t.end_rc, 0);
	cr_assert_eq(t.n, 3);
	cr_assert_str_eq(t.rows[1].reason, "row.malformed");
	cr_assert(strstr(t.rows[1].msg, "MiB"), "%s", t.rows[1].msg);
	cr_assert_eq(t.rows[2].row, 4);
	cr_assert_str_eq(t.rows[2].v[0], "3");
	tfile_free(&t);
	tmp_remove(path);
	free(data);
}

Test(reader_ndjson, lines_and_blank_lines)
{
	struct tfile t;

	read_text(".ndjson",
		  "{\"名称\":\"甲\",\"金额\":1.10}\n"
		  "\n"
		  "   \r\n"
		  "{\"名称\":\"乙\",\"日期\":\"2024-01-02\"}\r\n"
		  "{\"名称\": oops}\n"
		  "[1]\n"
		  "{\"名称\":\"丙\"}",
		  READER_AUTO, &t);
	cr_assert_eq(t.format, READER_NDJSON);
	cr_assert_eq(t.end_rc, 0);
	cr_assert_eq(t.n, 5);
	cr_assert_eq(t.rows[0].row, 2);
	cr_assert_str_eq(t.rows[0].v[1], "1.10");
	cr_assert_eq(t.rows[1].row, 5, "blank lines take row numbers");
	cr_assert_str_eq(t.rows[1].v[2], "2024-01-02");
	cr_assert_null(t.rows[1].v[1]);
	cr_assert_str_eq(t.rows[2].reason, "row.malformed");
	cr_assert_str_eq(t.rows[3].reason, "row.malformed");
	cr_assert_eq(t.rows[4].row, 8);
	cr_assert_str_eq(t.rows[4].v[0], "丙", "last line without a line feed");
	tfile_free(&t);
}

Test(reader_ndjson, invalid_utf8_line)
{
	struct tfile t;
	char *data = malloc(200000), *p = data, *path;
	size_t i;

	for (i = 0; i < 1500; i++)
		p += sprintf(p, "{\"名称\":\"北京某某科技有限公司%zu\"}\n", i);
	p += sprintf(p, "{\"名称\":\"\xB1\xB1\"}\n{\"名称\":\"好\"}\n");
	path = tmp_file(".jsonl", data, (size_t)(p - data));
	read_all(path, READER_AUTO, &t);
	cr_assert_eq(t.format, READER_NDJSON);
	cr_assert_eq(t.encoding, READER_UTF8);
	cr_assert_eq(t.n, 1502);
	cr_assert_str_eq(t.rows[1500].reason, "encoding.invalid");
	cr_assert_str_eq(t.rows[1501].v[0], "好");
	tfile_free(&t);
	tmp_remove(path);
	free(data);
}

/* ---- detection and rejection ------------------------------------------------------- */

Test(reader_detect, by_content_without_extension)
{
	struct tfile t;

	read_text("", "  \n[{\"a\":\"1\"}]", READER_AUTO, &t);
	cr_assert_eq(t.format, READER_JSON);
	cr_assert_eq(t.n, 1);
	tfile_free(&t);

	read_text("", "{\"a\":\"1\"}\n{\"a\":\"2\"}\n", READER_AUTO, &t);
	cr_assert_eq(t.format, READER_NDJSON);
	cr_assert_eq(t.n, 2);
	tfile_free(&t);

	read_text("", "\xEF\xBB\xBF[]", READER_AUTO, &t);
	cr_assert_eq(t.format, READER_JSON, "BOM before the bracket");
	tfile_free(&t);

	read_text("", "a,b\n1,2\n", READER_AUTO, &t);
	cr_assert_eq(t.format, READER_CSV);
	cr_assert_eq(t.n, 1);
	tfile_free(&t);
}

Test(reader_detect, by_extension)
{
	struct tfile t;

	read_text(".TXT", "[x\n1\n", READER_AUTO, &t);
	cr_assert_eq(t.format, READER_CSV, "the extension wins over the content");
	cr_assert_str_eq(t.cols[0], "[x");
	tfile_free(&t);

	read_text(".jsonl", "{\"a\":\"1\"}\n", READER_AUTO, &t);
	cr_assert_eq(t.format, READER_NDJSON);
	tfile_free(&t);

	read_text(".json", "{\"a\":\"1\"}\n", READER_NDJSON, &t);
	cr_assert_eq(t.format, READER_NDJSON, "an explicit format wins over the extension");
	cr_assert_eq(t.n, 1);
	tfile_free(&t);
}

Test(reader_detect, utf16_and_binary_rejected)
{
	expect_open_fails(".csv", "\xFF\xFE" "a\0,\0b\0\n\0", 10, READER_AUTO, "file.format",
			  "请另存为 UTF-8 或 GB18030 编码");
	expect_open_fails("", "\xFE\xFF\0a\0,\0b", 8, READER_AUTO, "file.format", "UTF-16");
	expect_open_fails(".csv", "a\0,\0b\0\n\0", 8, READER_AUTO, "file.format", "NUL");
	expect_open_fails("", "PK\x03\x04\x14\0\0\0", 8, READER_AUTO, "file.format", "Excel");
}

Test(reader_detect, missing_file)
{
	struct reader *r;
	struct err e;

	cr_assert_eq(reader_open("/tmp/xy_reader_does_not_exist.csv", READER_AUTO, &r, &e), -1);
	cr_assert_str_eq(e.reason, "file.unreadable");
	cr_assert(strstr(e.message, "xy_reader_does_not_exist"), "%s", e.message);
}

/* ---- streaming --------------------------------------------------------------------- */

Test(reader_stream, large_csv, .timeout = 120)
{
	const size_t nrows = 200000;
	size_t i, n = 0, cap = nrows * 120 + 64, count = 0;
	char *data = malloc(cap), *path;
	struct reader *r;
	struct reader_row row;
	struct err e;
	long last = 0;
	int rc;

	n += (size_t)sprintf(data, "名称,代码,金额,说明\n");
	for (i = 0; i < nrows; i++)
		n += (size_t)sprintf(data + n, "某某公司%zu,9111%014zu,%zu.%02zu,\"第%zu行\n说明\"\n", i,
				     i, i, i % 100, i);
	path = tmp_file("", data, n);
	cr_assert_eq(reader_open(path, READER_AUTO, &r, &e), 0, "%s", e.message);
	cr_assert_lt(reader_bytes_read(r), (unsigned long long)n, "not read whole at open");
	while ((rc = reader_next(r, &row, &e)) == 1) {
		cr_assert_null(row.error_reason);
		if (count == 123456) {
			cr_assert_str_eq(row.values[0], "某某公司123456");
			cr_assert_str_eq(row.values[1], "911100000000123456");
			cr_assert_str_eq(row.values[2], "123456.56");
			cr_assert_str_eq(row.values[3], "第123456行\n说明");
		}
		last = row.row;
		count++;
	}
	cr_assert_eq(rc, 0, "%s", e.message);
	cr_assert_eq(count, nrows);
	cr_assert_eq(last, (long)nrows + 1);
	cr_assert_eq(reader_bytes_read(r), (unsigned long long)n);
	reader_close(r);
	tmp_remove(path);
	free(data);
}

Test(reader_stream, large_gb18030_ndjson, .timeout = 120)
{
	const size_t nrows = 50000;
	size_t i, n = 0, count = 0;
	char *text = malloc(nrows * 100 + 64), *gb, *path;
	struct reader *r;
	struct reader_row row;
	struct err e;
	char expect[64];
	int rc;

	for (i = 0; i < nrows; i++)
		n += (size_t)sprintf(text + n, "{\"名称\":\"某某𠮷公司%zu\",\"类别\":\"行政处罚\"}\n", i);
	gb = to_gb(text, &n);
	path = tmp_file("", gb, n);
	cr_assert_eq(reader_open(path, READER_AUTO, &r, &e), 0, "%s", e.message);
	cr_assert_eq(reader_format_of(r), READER_NDJSON);
	while ((rc = reader_next(r, &row, &e)) == 1) {
		cr_assert_null(row.error_reason, "row %ld: %s", row.row, row.error_message);
		snprintf(expect, sizeof expect, "某某𠮷公司%zu", count);
		cr_assert_str_eq(row.values[0], expect);
		count++;
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(reader_encoding_of(r), READER_GB18030);
	cr_assert_eq(count, nrows);
	reader_close(r);
	tmp_remove(path);
	free(gb);
	free(text);
}
