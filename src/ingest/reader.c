/*
 * reader.c - the format-independent half of the streaming readers (see reader.h and
 * reader_int.h): opening, format detection, encoding detection and GB18030 -> UTF-8
 * conversion chunk by chunk, the column list and the current row.
 *
 * Encoding detection.  A UTF-8 BOM decides UTF-8; a UTF-16/UTF-32 BOM, a NUL byte in the
 * first chunk or an Excel signature make the file unusable (file.format).  Otherwise
 * the decision waits for the first non-ASCII byte, because until then both encodings
 * read the same, and is taken on up to READER_CHUNK bytes from there: a sample that is
 * valid UTF-8 (a sequence cut by the chunk end allowed) means UTF-8; a sample with a
 * few invalid bytes among many valid multi-byte sequences (at least 8 per invalid byte)
 * is still UTF-8 with a few damaged rows, which then come back as `encoding.invalid`;
 * anything else is GB18030, a superset of GBK and GB2312.  GB18030 text is hardly ever
 * valid UTF-8 for more than a few characters, so the ratio separates the two well, and
 * it keeps one stray byte in a UTF-8 file from turning every row into mojibake.
 */
#include "ingest/reader_int.h"

#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The encoding decision wants at least this much text after the first non-ASCII byte
 * unless the file ends sooner (see reader_input_next). */
#define READER_SNIFF_MIN ((size_t)4 << 10)

int reader_fail(struct reader *r, struct err *e, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	snprintf(r->fail.reason, sizeof r->fail.reason, "%s", reason);
	r->fail.field[0] = '\0';
	vsnprintf(r->fail.message, sizeof r->fail.message, fmt, ap);
	text_utf8_clip(r->fail.message);
	va_end(ap);
	r->state = -1;
	if (e)
		*e = r->fail;
	return -1;
}

/* ---- input ------------------------------------------------------------------------ */

/* Moves the unconsumed bytes to the front and reads until the buffer is full or the
 * file ends, so that every chunk but the last is exactly READER_CHUNK bytes. */
static int reader_raw_fill(struct reader *r, struct err *e)
{
	ssize_t n;

	if (r->raw_pos > 0) {
		memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
		r->raw_len -= r->raw_pos;
		r->raw_pos = 0;
	}
	while (r->raw_len < READER_CHUNK && !r->raw_eof) {
		n = read(r->fd, r->raw + r->raw_len, READER_CHUNK - r->raw_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return reader_fail(r, e, "file.unreadable",
					   "读取文件时出错（已读到第 %llu 字节）：%s；请确认文件完整、磁盘正常后重试",
					   r->bytes_read, strerror(errno));
		if (n == 0)
			r->raw_eof = 1;
		r->raw_len += (size_t)n;
		r->bytes_read += (unsigned long long)n;
	}
	return 0;
}

size_t reader_utf8_check(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	/* Most values are ASCII; skip them eight bytes at a time before handing the rest
	 * to the full validator. */
	while (i + 8 <= n) {
		memcpy(&w, s + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
		i += 8;
	}
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	if (i == n)
		return n;
	return i + text_utf8_valid_prefix(s + i, n - i, NULL);
}

/* Counts the valid multi-byte UTF-8 sequences and the invalid bytes of a sample. */
static void reader_utf8_census(const char *s, size_t n, int at_eof, size_t *ok, size_t *bad)
{
	size_t i = 0, j, v, inc;

	*ok = *bad = 0;
	while (i < n) {
		inc = 0;
		v = text_utf8_valid_prefix(s + i, n - i, &inc);
		for (j = i; j < i + v; j++)
			if ((unsigned char)s[j] >= 0xC0)
				(*ok)++;
		i += v;
		if (i >= n)
			break;
		/* A sequence cut by the end of the chunk is not an error. */
		if (!at_eof && inc > 0 && i + inc == n)
			break;
		(*bad)++;
		i++;
	}
}

static int reader_encoding_decide(struct reader *r, const char *s, size_t n, struct err *e)
{
	size_t ok, bad;

	reader_utf8_census(s, n, r->raw_eof, &ok, &bad);
	r->enc_decided = 1;
	if (bad == 0 || ok >= 8 * bad) {
		r->encoding = READER_UTF8;
		return 0;
	}
	r->encoding = READER_GB18030;
	r->cd = iconv_open("UTF-8", "GB18030");
	if (r->cd == (iconv_t)-1)
		return reader_fail(r, e, "internal.error",
				   "本机的 iconv 不支持 GB18030 到 UTF-8 的转换（%s）：请把文件另存为 UTF-8 编码后重试",
				   strerror(errno));
	r->conv_cap = 2 * READER_CHUNK + 16;
	r->conv = malloc(r->conv_cap);
	if (!r->conv)
		return reader_fail(r, e, "internal.error", "内存不足，无法转换文件编码");
	return 0;
}

/* Converts as much of the raw buffer as fits into conv.  An incomplete multi-byte tail
 * stays in raw for the next round (reader_raw_fill moves it to the front); a byte that
 * is not GB18030 becomes the 0xFF marker (see reader_int.h). */
static void reader_convert(struct reader *r)
{
	char *in = r->raw + r->raw_pos, *out = r->conv;
	size_t inleft = r->raw_len - r->raw_pos, outleft = r->conv_cap;

	while (inleft > 0) {
		if (iconv(r->cd, &in, &inleft, &out, &outleft) != (size_t)-1)
			break;
		if (errno == EILSEQ || (errno == EINVAL && r->raw_eof)) {
			if (outleft == 0)
				break;
			*out++ = (char)0xFF;
			outleft--;
			in++;
			inleft--;
			continue;
		}
		/* EINVAL: tail cut by the chunk end; E2BIG: conv is full.  Either way the
		 * rest is converted on the next call. */
		break;
	}
	r->raw_pos = (size_t)(in - r->raw);
	r->text = r->conv;
	r->text_len = (size_t)(out - r->conv);
	r->text_pos = 0;
}

/* While the encoding is undecided, decides it once the buffer holds a non-ASCII byte
 * with enough text after it (or the file ends).  *n is set to how many bytes may be
 * handed out now: all of them, or only the ASCII prefix when the decision waits for
 * more lookahead. */
static int reader_encoding_sniff(struct reader *r, size_t *n, struct err *e)
{
	const char *s = r->raw + r->raw_pos;
	size_t len = r->raw_len - r->raw_pos, i;

	*n = len;
	if (r->enc_decided)
		return 0;
	for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
		;
	if (i == len)
		return 0;
	if (i > 0 && len - i < READER_SNIFF_MIN && !r->raw_eof) {
		*n = i;
		return 0;
	}
	return reader_encoding_decide(r, s + i, len - i, e);
}

int reader_input_next(struct reader *r, struct err *e)
{
	size_t n;

	for (;;) {
		/* Refill when everything was handed out, and also when a converted tail or
		 * an ASCII prefix left bytes behind: they move to the front of raw. */
		if (r->raw_len - r->raw_pos < READER_CHUNK && !r->raw_eof &&
		    (r->raw_pos == r->raw_len || r->encoding == READER_GB18030 ||
		     !r->enc_decided) &&
		    reader_raw_fill(r, e) < 0)
			return -1;
		if (r->raw_pos == r->raw_len && r->raw_eof) {
			r->text_len = r->text_pos = 0;
			return 0;
		}
		if (reader_encoding_sniff(r, &n, e) < 0)
			return -1;
		if (r->encoding == READER_UTF8) {
			/* ASCII read while undecided is the same in both encodings. */
			r->text = r->raw + r->raw_pos;
			r->text_len = n;
			r->text_pos = 0;
			r->raw_pos += n;
			return 1;
		}
		reader_convert(r);
		if (r->text_len > 0)
			return 1;
		/* Only an incomplete sequence was left: read more and convert again. */
	}
}

/* ---- columns ---------------------------------------------------------------------- */

static size_t reader_hash_str(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

static void reader_hash_insert(struct reader *r, size_t idx, const char *name)
{
	size_t mask = r->hash_cap - 1, h = reader_hash_str(name) & mask;

	while (r->hash[h])
		h = (h + 1) & mask;
	r->hash[h] = idx + 1;
}

long reader_column_find(const struct reader *r, const char *name)
{
	size_t mask, h;

	if (!r->hash_cap)
		return -1;
	mask = r->hash_cap - 1;
	for (h = reader_hash_str(name) & mask; r->hash[h]; h = (h + 1) & mask)
		if (strcmp(r->cols[r->hash[h] - 1], name) == 0)
			return (long)(r->hash[h] - 1);
	return -1;
}

/* Keeps the hash at most half full: rebuilds it at twice the size when needed. */
static int reader_hash_reserve(struct reader *r)
{
	size_t i, cap;
	size_t *hash;

	if (2 * (r->ncols + 1) <= r->hash_cap)
		return 0;
	cap = r->hash_cap ? 2 * r->hash_cap : 64;
	hash = calloc(cap, sizeof *hash);
	if (!hash)
		return -1;
	free(r->hash);
	r->hash = hash;
	r->hash_cap = cap;
	for (i = 0; i < r->ncols; i++)
		reader_hash_insert(r, i, r->cols[i]);
	return 0;
}

long reader_column_add(struct reader *r, const char *name)
{
	char *copy;

	if (r->ncols >= READER_COLUMNS_MAX || reader_hash_reserve(r) < 0)
		return -1;
	copy = strdup(name);
	if (!copy)
		return -1;
	/* A repeated CSV header name keeps its position but the lookup finds the first. */
	if (reader_column_find(r, name) < 0)
		reader_hash_insert(r, r->ncols, copy);
	r->cols[r->ncols] = copy;
	return (long)r->ncols++;
}

/* ---- the current row -------------------------------------------------------------- */

void reader_row_begin(struct reader *r)
{
	size_t i;

	buf_reset(&r->rowbuf);
	for (i = 0; i < r->offs_cap; i++)
		r->offs[i] = READER_NONE;
	r->row_oversize = 0;
	r->row_reason = NULL;
	r->row_msg[0] = '\0';
}

int reader_row_reserve(struct reader *r, size_t n)
{
	size_t cap, i;
	size_t *offs;

	if (n <= r->offs_cap)
		return 0;
	cap = r->offs_cap ? r->offs_cap : 16;
	while (cap < n)
		cap *= 2;
	offs = realloc(r->offs, cap * sizeof *offs);
	if (!offs)
		return -1;
	for (i = r->offs_cap; i < cap; i++)
		offs[i] = READER_NONE;
	r->offs = offs;
	r->offs_cap = cap;
	return 0;
}

int reader_row_put(struct reader *r, size_t col, const char *p, size_t n)
{
	/* The CSV parser counts a record when it ends, the JSON parsers when it begins. */
	long row = r->format == READER_CSV ? r->row_no + 1 : r->row_no;

	if (r->row_oversize)
		return -1;
	if (r->rowbuf.len + n + 1 > READER_ROW_MAX) {
		r->row_oversize = 1;
		reader_row_fail(r, "row.malformed",
				"第 %ld 行超过 %zu MiB，无法读取：请检查该行是否有未闭合的引号或异常长的内容",
				row, READER_ROW_MAX >> 20);
		return -1;
	}
	r->offs[col] = r->rowbuf.len;
	buf_append(&r->rowbuf, p, n);
	buf_putc(&r->rowbuf, '\0');
	if (buf_failed(&r->rowbuf)) {
		r->row_oversize = 1;
		reader_row_fail(r, "row.malformed", "第 %ld 行：内存不足，无法读取该行", row);
		return -1;
	}
	return 0;
}

void reader_row_fail(struct reader *r, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (r->row_reason)
		return;
	r->row_reason = reason;
	va_start(ap, fmt);
	vsnprintf(r->row_msg, sizeof r->row_msg, fmt, ap);
	text_utf8_clip(r->row_msg);
	va_end(ap);
}

int reader_row_emit(struct reader *r, size_t ncols, struct reader_row *row, struct err *e)
{
	size_t i;

	if (ncols > r->values_cap) {
		const char **v = realloc(r->values, ncols * sizeof *v);

		if (!v)
			return reader_fail(r, e, "internal.error", "内存不足，无法读取第 %ld 行",
					   r->row_no);
		r->values = v;
		r->values_cap = ncols;
	}
	/* A row with a problem hands out no values at all, so that bytes in an unknown
	 * encoding or half-parsed fields cannot leak into the data. */
	for (i = 0; i < ncols; i++)
		r->values[i] = !r->row_reason && i < r->offs_cap && r->offs[i] != READER_NONE ?
				       r->rowbuf.data + r->offs[i] :
				       NULL;
	row->row = r->row_no;
	row->ncols = ncols;
	row->values = r->values;
	row->error_reason = r->row_reason;
	row->error_message = r->row_reason ? r->row_msg : NULL;
	return 1;
}

/* ---- open / next / close ---------------------------------------------------------- */

static int reader_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Format from the file name, READER_AUTO when the extension says nothing. */
static enum reader_format reader_format_by_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (!dot || (slash && dot < slash))
		return READER_AUTO;
	if (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".txt"))
		return READER_CSV;
	if (!strcasecmp(dot, ".json"))
		return READER_JSON;
	if (!strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".jsonl"))
		return READER_NDJSON;
	return READER_AUTO;
}

/* Looks at the first chunk: BOMs, signatures of files that are not text, emptiness and,
 * for READER_AUTO, the format. */
static int reader_sniff(struct reader *r, const char *path, const char *shown,
			enum reader_format format,
			struct err *e)
{
	const unsigned char *s = (const unsigned char *)r->raw;
	size_t n = r->raw_len, i;

	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		return reader_fail(r, e, "file.format",
				   "文件 %s 是 UTF-16 编码（带 BOM），无法读取：请另存为 UTF-8 或 GB18030 编码",
				   shown);
	if (n >= 4 && memcmp(s, "PK\x03\x04", 4) == 0)
		return reader_fail(r, e, "file.format",
				   "文件 %s 是 Excel（.xlsx）或压缩文件，不是 CSV/JSON：请在 Excel 中“另存为”CSV UTF-8 格式后上传",
				   shown);
	if (n >= 4 && memcmp(s, "\xD0\xCF\x11\xE0", 4) == 0)
		return reader_fail(r, e, "file.format",
				   "文件 %s 是旧版 Excel（.xls）文件，不是 CSV/JSON：请在 Excel 中“另存为”CSV UTF-8 格式后上传",
				   shown);
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		r->raw_pos = 3;
		r->encoding = READER_UTF8;
		r->enc_decided = 1;
	}
	if (memchr(s + r->raw_pos, '\0', n - r->raw_pos))
		return reader_fail(r, e, "file.format",
				   "文件 %s 含有 NUL 字节，可能是 UTF-16 编码或二进制文件：请另存为 UTF-8 或 GB18030 编码的 CSV",
				   shown);
	if (reader_encoding_sniff(r, &i, e) < 0)
		return -1;
	for (i = r->raw_pos; i < n && reader_is_space(s[i]); i++)
		;
	if (i == n && r->raw_eof)
		return reader_fail(r, e, "file.format", "文件 %s 是空文件：请确认导出时选择了数据", shown);

	if (format == READER_AUTO)
		format = reader_format_by_name(path);
	if (format == READER_AUTO) {
		/* Uploads are spooled without a useful name, so the content decides. */
		if (i < n && s[i] == '[')
			format = READER_JSON;
		else if (i < n && s[i] == '{')
			format = READER_NDJSON;
		else
			format = READER_CSV;
	}
	if (format == READER_JSON && (i == n || s[i] != '['))
		return reader_fail(r, e, "file.format",
				   "文件 %s 不是 JSON 数组（应以“[”开头）：请导出为对象数组，或使用每行一个对象的 NDJSON 格式",
				   shown);
	r->format = format;
	return 0;
}

int reader_open_named(const char *path, const char *shown, enum reader_format format,
		      struct reader **out, struct err *e)
{
	struct reader *r;
	int result = -1;

	*out = NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return err_set(e, "internal.error", "内存不足，无法打开文件 %s", shown);
	r->fd = -1;
	r->cd = (iconv_t)-1;
	r->encoding = READER_UTF8;
	r->row_no = 1;
	buf_init(&r->rowbuf, 2 * READER_ROW_MAX);
	r->raw = malloc(READER_CHUNK);
	/* The column limit is small enough to allocate the whole array at once. */
	r->cols = calloc(READER_COLUMNS_MAX, sizeof *r->cols);
	if (!r->raw || !r->cols) {
		err_set(e, "internal.error", "内存不足，无法打开文件 %s", shown);
		goto out;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		err_set(e, "file.unreadable", "无法打开文件 %s：%s；请确认路径正确且有读取权限", shown,
			strerror(errno));
		goto out;
	}
	if (reader_raw_fill(r, e) < 0 || reader_sniff(r, path, shown, format, e) < 0)
		goto out;
	if (r->format == READER_CSV)
		result = reader_csv_open(r, e);
	else
		result = reader_json_open(r, e);
	if (result < 0)
		goto out;
	*out = r;
	r = NULL;
out:
	reader_close(r);
	return result;
}

int reader_open(const char *path, enum reader_format format, struct reader **out,
		struct err *e)
{
	return reader_open_named(path, path, format, out, e);
}

int reader_next(struct reader *r, struct reader_row *row, struct err *e)
{
	int rc;

	if (r->state < 0) {
		if (e)
			*e = r->fail;
		return -1;
	}
	if (r->state > 0)
		return 0;
	rc = r->format == READER_CSV ? reader_csv_next(r, row, e) : reader_json_next(r, row, e);
	if (rc == 0)
		r->state = 1;
	return rc;
}

size_t reader_column_count(const struct reader *r)
{
	return r->ncols;
}

const char *reader_column_name(const struct reader *r, size_t i)
{
	return i < r->ncols ? r->cols[i] : NULL;
}

enum reader_format reader_format_of(const struct reader *r)
{
	return r->format;
}

enum reader_encoding reader_encoding_of(const struct reader *r)
{
	return r->encoding;
}

unsigned long long reader_bytes_read(const struct reader *r)
{
	return r->bytes_read;
}

void reader_close(struct reader *r)
{
	size_t i;

	if (!r)
		return;
	if (r->csv)
		reader_csv_close(r);
	if (r->json)
		reader_json_close(r);
	if (r->fd >= 0)
		close(r->fd);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	for (i = 0; i < r->ncols; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->hash);
	free(r->offs);
	free(r->values);
	buf_free(&r->rowbuf);
	free(r->conv);
	free(r->raw);
	free(r);
}
