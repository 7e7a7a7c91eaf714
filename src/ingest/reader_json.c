/*
 * reader_json.c - JSON arrays of objects and NDJSON, one object at a time (see reader.h).
 *
 * jansson only parses whole documents, so for a JSON array a small scanner walks the
 * text chunk by chunk and finds where each top-level element ends (it tracks strings,
 * escapes and bracket depth; nothing else is needed to find the end).  Only that
 * element's bytes are kept and handed to json_loadb.  NDJSON is split at line feeds.
 *
 * Values: strings come decoded by jansson.  Numbers, booleans and nested arrays or
 * objects are taken from the source text of the element instead (nested values with
 * the insignificant whitespace removed), so 44260 stays "44260", 0.2 stays "0.2" and a
 * 20-digit number keeps every digit; jansson would print 0.2 as 0.20000000000000001.
 * The source spans of the members are found by a second, simple pass over the element
 * once jansson has said it is valid, and matched to jansson's members by position:
 * jansson keeps object members in document order, and duplicate keys are refused
 * (JSON_REJECT_DUPLICATES, the row is `row.malformed`) so that the positions agree.
 *
 * Rows: the first element (or the first line of an NDJSON file) is row 2, as in a CSV
 * file with a header.  In NDJSON every line takes a row number, blank lines too, but
 * blank lines are not returned.
 *
 * Problems: an element that is not an object, or not valid JSON, is `row.malformed`;
 * one with bytes that are not UTF-8 (or not GB18030) is `encoding.invalid`; reading
 * goes on with the next one.  An element or line over READER_ROW_MAX is `row.malformed`
 * too: the scanner keeps going without storing it, so reading resumes right after it.
 * A top level that is not an array, text after the closing "]", a missing comma between
 * elements or an array that breaks off make reader_next fail with `file.format` after
 * the rows that were complete.
 */
#include "ingest/reader_int.h"

#include "core/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum json_phase {
	JSON_START,  /* before the "[" */
	JSON_BEFORE, /* after "[" or ",": an element or "]" comes */
	JSON_IN,     /* inside an element */
	JSON_AFTER,  /* after an element: "," or "]" comes */
	JSON_END,    /* after "]": only whitespace may follow */
};

struct reader_json {
	enum json_phase phase;
	int depth, in_str, esc; /* scanner state inside an element */
	struct buf elem;        /* the current element or line */
	int oversize;           /* the element passed READER_ROW_MAX and was not stored */
	size_t *spans;          /* start, end pairs of the members' values */
	size_t spans_cap;       /* in pairs */
	struct buf key;         /* a key being trimmed */
	struct buf tmp;         /* a nested value being compacted */
};

static int json_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void json_elem_append(struct reader_json *j, const char *p, size_t n)
{
	if (j->oversize)
		return;
	if (j->elem.len + n > READER_ROW_MAX || buf_append(&j->elem, p, n) < 0) {
		j->oversize = 1;
		buf_reset(&j->elem);
	}
}

/* Fails the reader for what follows an element where a comma should: p (avail bytes) is
 * that character, quoted whole, or as U+FFFD when its bytes are no character, so that
 * the message stays UTF-8 (a "%c" of a lead byte would not be). */
static int json_missing_comma(struct reader *r, struct err *e, const char *p, size_t avail)
{
	unsigned char ch = (unsigned char)p[0];
	size_t len = ch < 0x80 ? 1 : ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;

	if (len > avail || text_utf8_valid_prefix(p, len, NULL) != len) {
		p = "\xEF\xBF\xBD";
		len = 3;
	}
	return reader_fail(r, e, "file.format",
			   "JSON 数组第 %ld 行之后缺少逗号（遇到“%.*s”），后面的内容无法读取：元素之间应以英文逗号分隔",
			   r->row_no, (int)len, p);
}

/* Scans the array up to the end of the next element, which is left in j->elem.
 * Returns 1, 0 after the closing "]", -1 when the array cannot be read on. */
static int json_array_element(struct reader *r, struct err *e)
{
	struct reader_json *j = r->json;
	const char *t;
	size_t i, n, start, end;
	unsigned char ch;
	int rc;

	buf_reset(&j->elem);
	j->oversize = 0;
	for (;;) {
		if (r->text_pos == r->text_len) {
			rc = reader_input_next(r, e);
			if (rc < 0)
				return -1;
			if (rc == 0) {
				if (j->phase == JSON_END)
					return 0;
				return reader_fail(r, e, "file.format",
						   "JSON 数组在第 %ld 行之后中断（元素不完整或缺少结尾的“]”），后面的内容无法读取：前面的行已读取，请重新导出完整的文件",
						   r->row_no);
			}
		}
		t = r->text;
		n = r->text_len;
		i = r->text_pos;
		if (j->phase != JSON_IN) {
			while (i < n && json_is_space((unsigned char)t[i]))
				i++;
			r->text_pos = i;
			if (i == n)
				continue;
			ch = (unsigned char)t[i];
			switch (j->phase) {
			case JSON_START:
				if (ch != '[')
					return reader_fail(r, e, "file.format",
							   "JSON 文件的顶层不是数组（应以“[”开头）：请导出为对象数组，或使用每行一个对象的 NDJSON 格式");
				j->phase = JSON_BEFORE;
				r->text_pos++;
				continue;
			case JSON_BEFORE:
				if (ch == ']') {
					/* Also after a trailing comma, which is harmless. */
					j->phase = JSON_END;
					r->text_pos++;
					continue;
				}
				if (ch == ',' || ch == '}' || ch == ':')
					return reader_fail(r, e, "file.format",
							   "JSON 数组在第 %ld 行之后有多余的“%c”，后面的内容无法读取：请检查该处的逗号和括号",
							   r->row_no, ch);
				j->phase = JSON_IN;
				j->depth = j->in_str = j->esc = 0;
				break;
			case JSON_AFTER:
				if (ch == ',')
					j->phase = JSON_BEFORE;
				else if (ch == ']')
					j->phase = JSON_END;
				else
					return json_missing_comma(r, e, t + i, n - i);
				r->text_pos++;
				continue;
			case JSON_END:
				return reader_fail(r, e, "file.format",
						   "JSON 数组结束（“]”）之后还有其他内容，无法读取：文件应只包含一个数组");
			case JSON_IN:
				break;
			}
		}
		start = i;
		end = n;
		for (; i < n; i++) {
			ch = (unsigned char)t[i];
			if (j->in_str) {
				if (j->esc)
					j->esc = 0;
				else if (ch == '\\')
					j->esc = 1;
				else if (ch == '"')
					j->in_str = 0;
				if (!j->in_str && j->depth == 0) {
					/* The element was a bare string. */
					end = i + 1;
					break;
				}
				continue;
			}
			if (ch == '"') {
				j->in_str = 1;
			} else if (ch == '{' || ch == '[') {
				j->depth++;
			} else if (ch == '}' || ch == ']') {
				/* At depth 0 this is the array's "]" after a bare scalar. */
				if (j->depth == 0) {
					end = i;
					break;
				}
				if (--j->depth == 0) {
					end = i + 1;
					break;
				}
			} else if (j->depth == 0 && (ch == ',' || json_is_space(ch))) {
				end = i;
				break;
			}
		}
		json_elem_append(j, t + start, end - start);
		r->text_pos = end;
		if (i < n) {
			j->phase = JSON_AFTER;
			return 1;
		}
	}
}

/* Reads the next line of an NDJSON file into j->elem.  Returns 1, 0 at the end. */
static int json_line(struct reader *r, struct err *e)
{
	struct reader_json *j = r->json;
	const char *p;
	size_t end;
	int rc;

	buf_reset(&j->elem);
	j->oversize = 0;
	for (;;) {
		if (r->text_pos == r->text_len) {
			rc = reader_input_next(r, e);
			if (rc < 0)
				return -1;
			if (rc == 0) /* a last line without a line feed */
				return j->elem.len > 0 || j->oversize;
		}
		p = memchr(r->text + r->text_pos, '\n', r->text_len - r->text_pos);
		end = p ? (size_t)(p - r->text) : r->text_len;
		json_elem_append(j, r->text + r->text_pos, end - r->text_pos);
		r->text_pos = p ? end + 1 : end;
		if (p)
			return 1;
	}
}

static size_t json_skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

static size_t json_skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && json_is_space((unsigned char)s[i]))
		i++;
	return i;
}

static size_t json_skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;

	if (i >= n)
		return n;
	if (s[i] == '"')
		return json_skip_string(s, n, i);
	if (s[i] == '{' || s[i] == '[') {
		while (i < n) {
			if (s[i] == '"') {
				i = json_skip_string(s, n, i);
				continue;
			}
			if (s[i] == '{' || s[i] == '[')
				depth++;
			else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
				return i + 1;
			i++;
		}
		return n;
	}
	while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
	       !json_is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* Records where each member's value starts and ends in the text of an object that
 * jansson has already accepted.  Returns the number of members. */
static size_t json_member_spans(struct reader_json *j, const char *s, size_t n)
{
	size_t i = 1, count = 0, start, cap;
	size_t *spans;

	for (;;) {
		i = json_skip_space(s, n, i);
		if (i >= n || s[i] == '}')
			break;
		if (s[i] == ',') {
			i++;
			continue;
		}
		i = json_skip_space(s, n, json_skip_string(s, n, i));
		i = json_skip_space(s, n, i + 1); /* past ':' */
		start = i;
		i = json_skip_value(s, n, i);
		if (count == j->spans_cap) {
			cap = j->spans_cap ? 2 * j->spans_cap : 32;
			spans = realloc(j->spans, 2 * cap * sizeof *spans);
			if (!spans)
				break;
			j->spans = spans;
			j->spans_cap = cap;
		}
		j->spans[2 * count] = start;
		j->spans[2 * count + 1] = i;
		count++;
	}
	return count;
}

/* Copies a nested value without the whitespace between tokens. */
static void json_compact(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, k;

	buf_reset(out);
	while (i < n) {
		if (s[i] == '"') {
			k = json_skip_string(s, n, i);
			buf_append(out, s + i, k - i);
			i = k;
		} else {
			if (!json_is_space((unsigned char)s[i]))
				buf_putc(out, s[i]);
			i++;
		}
	}
}

/* The column of a key: the same position as in the previous objects is tried first,
 * because files almost always repeat one key order. */
static long json_column(struct reader *r, const char *key, size_t ord)
{
	struct reader_json *j = r->json;
	char *name;
	long col;

	if (ord < r->ncols && strcmp(r->cols[ord], key) == 0)
		return (long)ord;
	buf_reset(&j->key);
	if (buf_puts(&j->key, key) < 0)
		return -1;
	name = text_trim(j->key.data);
	col = reader_column_find(r, name);
	return col >= 0 ? col : reader_column_add(r, name);
}

static const char *json_kind(unsigned char c)
{
	switch (c) {
	case '[':
		return "数组";
	case '"':
		return "字符串";
	case 't':
	case 'f':
		return "布尔值";
	case 'n':
		return "null";
	default:
		return (c >= '0' && c <= '9') || c == '-' ? "数字" : "无法识别的内容";
	}
}

/* Turns the element in j->elem into the current row. */
static void json_row(struct reader *r)
{
	struct reader_json *j = r->json;
	const char *s = j->elem.data, *key;
	size_t n = j->elem.len, k, bad, nspans, ord = 0, a, b;
	json_error_t jerr;
	json_t *obj, *v;
	char *dump;
	long col;

	reader_row_begin(r);
	if (j->oversize) {
		reader_row_fail(r, "row.malformed",
				"第 %ld 行超过 %zu MiB，无法读取：请检查该行是否有异常长的内容", r->row_no,
				READER_ROW_MAX >> 20);
		return;
	}
	bad = reader_utf8_check(s, n);
	if (bad != n) {
		reader_row_fail(r, "encoding.invalid",
				r->encoding == READER_GB18030 ?
					"第 %ld 行含有 GB18030/GBK 编码中不存在的字节（第 %zu 个字节附近）：请把文件另存为 UTF-8 编码后重新上传" :
					"第 %ld 行含有不是 UTF-8 编码的字节（第 %zu 个字节附近）：请把文件另存为 UTF-8 编码后重新上传",
				r->row_no, bad + 1);
		return;
	}
	k = json_skip_space(s, n, 0);
	if (k == n || s[k] != '{') {
		reader_row_fail(r, "row.malformed",
				"第 %ld 行不是 JSON 对象（而是%s）：每一行数据应写成 {\"列名\": 值, …}",
				r->row_no, json_kind(k < n ? (unsigned char)s[k] : 0));
		return;
	}
	obj = json_loadb(s, n, JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		/* jansson quotes the bytes where it stopped ("near '...'"), which can end
		 * inside a multi-byte character: cut there, so that the message stays UTF-8. */
		jerr.text[text_utf8_valid_prefix(jerr.text, strlen(jerr.text), NULL)] = '\0';
		reader_row_fail(r, "row.malformed",
				"第 %ld 行不是有效的 JSON 对象（%s，第 %d 个字节附近）：请检查引号、逗号、括号，以及是否有重复的键",
				r->row_no, jerr.text, jerr.position);
		return;
	}
	nspans = json_member_spans(j, s + k, n - k);
	json_object_foreach(obj, key, v) {
		col = json_column(r, key, ord);
		if (col < 0 || reader_row_reserve(r, (size_t)col + 1) < 0) {
			reader_row_fail(r, "row.malformed",
					"第 %ld 行：文件中不同的键超过 %d 个（或内存不足），无法读取",
					r->row_no, READER_COLUMNS_MAX);
			break;
		}
		if (json_is_string(v)) {
			reader_row_put(r, (size_t)col, json_string_value(v), json_string_length(v));
		} else if (json_is_null(v)) {
			r->offs[col] = READER_NONE; /* a repeated (trimmed) key may have set it */
		} else if (ord < nspans) {
			a = k + j->spans[2 * ord];
			b = k + j->spans[2 * ord + 1];
			if (json_is_object(v) || json_is_array(v)) {
				json_compact(&j->tmp, s + a, b - a);
				reader_row_put(r, (size_t)col, buf_cstr(&j->tmp), j->tmp.len);
			} else {
				reader_row_put(r, (size_t)col, s + a, b - a);
			}
		} else {
			/* Not reached when the spans agree with jansson; kept as a fallback. */
			dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			if (dump)
				reader_row_put(r, (size_t)col, dump, strlen(dump));
			free(dump);
		}
		ord++;
	}
	json_decref(obj);
}

int reader_json_open(struct reader *r, struct err *e)
{
	struct reader_json *j;

	j = calloc(1, sizeof *j);
	if (!j)
		return reader_fail(r, e, "internal.error", "内存不足，无法读取 JSON 文件");
	r->json = j;
	j->phase = JSON_START;
	buf_init(&j->elem, 2 * READER_ROW_MAX);
	buf_init(&j->key, 0);
	buf_init(&j->tmp, 2 * READER_ROW_MAX);
	r->row_no = 1; /* as if there were a header line: the first object is row 2 */
	return 0;
}

int reader_json_next(struct reader *r, struct reader_row *row, struct err *e)
{
	struct reader_json *j = r->json;
	size_t n;
	int rc;

	for (;;) {
		rc = r->format == READER_NDJSON ? json_line(r, e) : json_array_element(r, e);
		if (rc <= 0)
			return rc;
		r->row_no++;
		if (r->format == READER_NDJSON && !j->oversize) {
			n = j->elem.len;
			while (n > 0 && json_is_space((unsigned char)j->elem.data[n - 1]))
				n--;
			if (n == 0)
				continue; /* a blank line: numbered, not returned */
			j->elem.len = n;
		}
		json_row(r);
		return reader_row_emit(r, r->ncols, row, e);
	}
}

void reader_json_close(struct reader *r)
{
	struct reader_json *j = r->json;

	buf_free(&j->elem);
	buf_free(&j->key);
	buf_free(&j->tmp);
	free(j->spans);
	free(j);
	r->json = NULL;
}
