/* attachment.c - attachment types, limits, digests and display names; see attachment.h. */
#include "attachment.h"

#include "err.h"
#include "text.h"

#include <sodium.h>
#include <string.h>

/* PDF readers look for the header this far into the file (PDF 1.7, annex H.3, note 13):
 * some producers put a few bytes of junk, or a MacBinary header, before it. */
#define PDF_HEADER_WINDOW 1024

/* What the user is told to send, in every refusal of a type. */
#define ATTACHMENT_ACCEPTED "请上传 PDF、JPEG 或 PNG 文件"

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* "%PDF-" and a version "d.d": the version makes a text that merely mentions the marker
 * (a note about PDF files) less likely to pass. */
static int sniff_pdf(const unsigned char *data, size_t len)
{
	size_t i;

	for (i = 0; i < PDF_HEADER_WINDOW && i + 8 <= len; i++)
		if (data[i] == '%' && memcmp(data + i, "%PDF-", 5) == 0 && is_digit(data[i + 5]) &&
		    data[i + 6] == '.' && is_digit(data[i + 7]))
			return 1;
	return 0;
}

/* The PNG signature, then the first chunk, which must be IHDR with its 13 data bytes and
 * CRC (PNG spec 5.2, 5.6, 11.2.2): a signature alone is 8 bytes anyone can type. */
static int sniff_png(const unsigned char *data, size_t len)
{
	static const unsigned char head[16] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
						0,    0,   0,   13,  'I',  'H',  'D',  'R' };

	return len >= sizeof head + 13 + 4 && memcmp(data, head, sizeof head) == 0;
}

const char *attachment_sniff(const unsigned char *data, size_t len)
{
	if (!data || len == 0)
		return NULL;
	/* SOI and the first byte of the next marker: every JFIF, Exif or raw JPEG has it. */
	if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
		return "image/jpeg";
	if (sniff_png(data, len))
		return "image/png";
	if (sniff_pdf(data, len))
		return "application/pdf";
	return NULL;
}

int attachment_check(const unsigned char *data, size_t len, const char **type, struct err *e)
{
	const char *t;

	if (len == 0)
		return err_set(e, "attachment.type",
			       "附件是空文件（0 字节）。" ATTACHMENT_ACCEPTED "，并确认选择的文件有内容");
	if (len > ATTACHMENT_MAX_BYTES)
		return err_set(e, "attachment.too_large",
			       "附件大小为 %zu 字节，超过每个文件 10 MB（%d 字节）的上限。"
			       "请压缩图片或将 PDF 拆分后分别上传",
			       len, ATTACHMENT_MAX_BYTES);
	t = attachment_sniff(data, len);
	if (!t)
		return err_set(e, "attachment.type",
			       "附件内容不是 PDF、JPEG 或 PNG 文件（按文件内容判断，与文件名无关）。"
			       ATTACHMENT_ACCEPTED "，如为 Word 或其他格式请先转换为 PDF");
	if (type)
		*type = t;
	return 0;
}

int attachment_check_count(size_t count, struct err *e)
{
	if (count < ATTACHMENT_MAX_PER_STEP)
		return 0;
	return err_set(e, "attachment.too_many",
		       "本步骤已有 %zu 个附件，每个步骤最多 %d 个。"
		       "请将其余材料合并为一个 PDF 文件后再上传",
		       count, ATTACHMENT_MAX_PER_STEP);
}

void attachment_digest(const unsigned char *data, size_t len, char hex[ATTACHMENT_DIGEST_HEX])
{
	unsigned char d[32];

	crypto_generichash(d, sizeof d, data, len, NULL, 0);
	sodium_bin2hex(hex, ATTACHMENT_DIGEST_HEX, d, sizeof d);
}

/* ---- display names -------------------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The next byte of raw as percent-decoded, advancing *pos; -1 at the end.  Decoding on
 * the fly keeps the function free of allocation whatever the header's length. */
static int name_next_byte(const char *raw, size_t *pos)
{
	const char *p = raw + *pos;
	int hi, lo;

	if (*p == '\0')
		return -1;
	if (*p == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0) {
		*pos += 3;
		return hi << 4 | lo;
	}
	*pos += 1;
	return (unsigned char)*p;
}

/* Where the last path component of raw starts (a position in raw, not in the decoded
 * text).  Continuation bytes of UTF-8 are >= 0x80, so a byte-wise scan cannot mistake
 * part of a character for a separator. */
static size_t name_skip_path(const char *raw)
{
	size_t pos = 0, start = 0;
	int c;

	while ((c = name_next_byte(raw, &pos)) >= 0)
		if (c == '/' || c == '\\')
			start = pos;
	return start;
}

/* Length of the UTF-8 sequence that the lead byte c starts, 0 when c cannot start one. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

/* A valid character s[0..n) that must not appear in a display name: C0 controls and
 * DEL (a header may smuggle %0D%0A into a Content-Disposition), C1 controls, the line
 * and paragraph separators, and the bidirectional marks, embeddings, overrides and
 * isolates, which reorder what follows them on screen. */
static int name_char_dropped(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7F;
	if (n == 2)
		return (s[0] == 0xC2 && s[1] < 0xA0) || /* U+0080..U+009F */
		       (s[0] == 0xD8 && s[1] == 0x9C);  /* U+061C arabic letter mark */
	if (n == 3 && s[0] == 0xE2 && s[1] == 0x80)
		return s[2] == 0x8E || s[2] == 0x8F ||   /* U+200E, U+200F */
		       (s[2] >= 0xA8 && s[2] <= 0xAE);   /* U+2028..U+202E */
	if (n == 3 && s[0] == 0xE2 && s[1] == 0x81)
		return s[2] >= 0xA6 && s[2] <= 0xA9; /* U+2066..U+2069 */
	return 0;
}

/* The whitespace text_trim removes, so that a name is not cut short by leading blanks
 * before they would be trimmed anyway. */
static int name_char_blank(const unsigned char *s, size_t n)
{
	return (n == 1 && s[0] == ' ') || (n == 2 && s[0] == 0xC2 && s[1] == 0xA0) ||
	       (n == 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) ||
	       (n == 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF);
}

int attachment_name_clean(const char *raw, char *out, size_t size)
{
	size_t pos, o = 0, chars = 0, n, k;
	unsigned char seq[4];
	int c;

	if (!raw || !out || size == 0)
		return -1;
	pos = name_skip_path(raw);
	while (chars < ATTACHMENT_NAME_CHARS && (c = name_next_byte(raw, &pos)) >= 0) {
		size_t next = pos;

		seq[0] = (unsigned char)c;
		n = utf8_seq_len(seq[0]);
		for (k = 1; k < n; k++) {
			int b = name_next_byte(raw, &next);

			if (b < 0)
				break;
			seq[k] = (unsigned char)b;
		}
		/* An invalid sequence loses its first byte only: what follows may be a
		 * character of its own. */
		if (n == 0 || k < n || text_utf8_valid_prefix((const char *)seq, n, NULL) != n)
			continue;
		pos = next;
		if (name_char_dropped(seq, n) || (o == 0 && name_char_blank(seq, n)))
			continue;
		if (o + n >= size)
			break;
		memcpy(out + o, seq, n);
		o += n;
		chars++;
	}
	out[o] = '\0';
	text_trim(out);
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		out[0] = '\0';
	return (int)strlen(out);
}
