/* test_attachment.c - attachment types by content, limits, digests and display names
 * (src/core/attachment.c). */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachment.h"
#include "core/err.h"
#include "core/text.h"

/* The first bytes of real files, as their producers write them. */
static const unsigned char pdf_head[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"
					"endobj\n";
static const unsigned char jpeg_head[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F',
					   'I',  'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01 };
/* A whole 1x1 RGBA PNG's signature and IHDR chunk, with its CRC. */
static const unsigned char png_head[] = { 0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n',
					  0x00, 0x00, 0x00, 0x0D, 'I',  'H',  'D',  'R',
					  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
					  0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
					  0x89, 0x00, 0x00, 0x00, 0x0A, 'I',  'D',  'A',
					  'T' };

static const char *sniff_text(const char *s)
{
	return attachment_sniff((const unsigned char *)s, strlen(s));
}

Test(attachment, real_magic_bytes_are_recognised)
{
	const char *type = NULL;
	struct err e;

	cr_assert_str_eq(attachment_sniff(pdf_head, sizeof pdf_head - 1), "application/pdf");
	cr_assert_str_eq(attachment_sniff(jpeg_head, sizeof jpeg_head), "image/jpeg");
	cr_assert_str_eq(attachment_sniff(png_head, sizeof png_head), "image/png");
	cr_assert_eq(attachment_check(png_head, sizeof png_head, &type, &e), 0);
	cr_assert_str_eq(type, "image/png");
	/* Exif JPEGs (cameras, phones) start FF D8 FF E1. */
	cr_assert_str_eq(attachment_sniff((const unsigned char *)"\xFF\xD8\xFF\xE1", 4),
			 "image/jpeg");
}

Test(attachment, pdf_header_may_follow_junk_within_1024_bytes)
{
	unsigned char buf[2048];

	memset(buf, 'x', sizeof buf);
	memcpy(buf + 1023, "%PDF-1.4", 8);
	cr_assert_str_eq(attachment_sniff(buf, sizeof buf), "application/pdf");
	memset(buf, 'x', sizeof buf);
	memcpy(buf + 1024, "%PDF-1.4", 8);
	cr_assert_null(attachment_sniff(buf, sizeof buf));
	/* No "%%EOF" needed: a file cut short is still recognisably a PDF. */
	cr_assert_str_eq(sniff_text("%PDF-2.0\n"), "application/pdf");
}

Test(attachment, text_renamed_pdf_is_refused)
{
	const char *text = "这是一个改了扩展名的文本文件，名为 处罚决定.pdf\n";
	const char *type = "unchanged";
	struct err e;

	err_clear(&e);
	cr_assert_eq(attachment_check((const unsigned char *)text, strlen(text), &type, &e), -1);
	cr_assert_str_eq(e.reason, "attachment.type");
	cr_assert(strstr(e.message, "请上传 PDF、JPEG 或 PNG 文件"), "%s", e.message);
	cr_assert_str_eq(type, "unchanged");
	/* A note that merely names the marker is no PDF either. */
	cr_assert_null(sniff_text("PDF 文件以 %PDF- 开头"));
	cr_assert_null(sniff_text("%PDF-"));
}

Test(attachment, truncated_png_is_refused)
{
	size_t n;

	/* Every prefix short of the whole IHDR chunk, the signature alone included. */
	for (n = 0; n < 33; n++)
		cr_assert_null(attachment_sniff(png_head, n), "prefix of %zu bytes", n);
	cr_assert_str_eq(attachment_sniff(png_head, 33), "image/png");
	/* Signature, then a chunk that is not IHDR. */
	{
		unsigned char bad[sizeof png_head];

		memcpy(bad, png_head, sizeof bad);
		bad[12] = 'I', bad[13] = 'D', bad[14] = 'A', bad[15] = 'T';
		cr_assert_null(attachment_sniff(bad, sizeof bad));
	}
	cr_assert_null(attachment_sniff(jpeg_head, 2));
}

Test(attachment, empty_is_refused_with_a_message)
{
	struct err e;

	err_clear(&e);
	cr_assert_eq(attachment_check(NULL, 0, NULL, &e), -1);
	cr_assert_str_eq(e.reason, "attachment.type");
	cr_assert(strstr(e.message, "空文件"), "%s", e.message);
	cr_assert(text_is_utf8(e.message, strlen(e.message)));
	cr_assert_null(attachment_sniff(NULL, 0));
}

Test(attachment, size_limit_boundary)
{
	size_t max = ATTACHMENT_MAX_BYTES;
	unsigned char *big = malloc(max + 1);
	const char *type = NULL;
	struct err e;

	cr_assert_eq(max, (size_t)10 * 1024 * 1024);
	cr_assert_not_null(big);
	memset(big, 0, max + 1);
	memcpy(big, jpeg_head, sizeof jpeg_head);
	cr_assert_eq(attachment_check(big, max, &type, &e), 0, "%s", e.message);
	cr_assert_str_eq(type, "image/jpeg");
	err_clear(&e);
	cr_assert_eq(attachment_check(big, max + 1, &type, &e), -1);
	cr_assert_str_eq(e.reason, "attachment.too_large");
	cr_assert(strstr(e.message, "10485761"), "%s", e.message);
	free(big);
}

Test(attachment, at_most_five_per_step)
{
	struct err e;
	size_t i;

	for (i = 0; i < ATTACHMENT_MAX_PER_STEP; i++)
		cr_assert_eq(attachment_check_count(i, &e), 0, "%zu already", i);
	err_clear(&e);
	cr_assert_eq(attachment_check_count(ATTACHMENT_MAX_PER_STEP, &e), -1);
	cr_assert_str_eq(e.reason, "attachment.too_many");
	cr_assert_eq(attachment_check_count(ATTACHMENT_MAX_PER_STEP + 3, NULL), -1);
}

/* The digest computed another way: libsodium's streaming interface, fed in uneven
 * pieces, then hex by hand. */
static void digest_in_pieces(const unsigned char *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	crypto_generichash_state st;
	unsigned char d[32];
	size_t off = 0, step = 1, i;

	cr_assert_eq(crypto_generichash_init(&st, NULL, 0, sizeof d), 0);
	while (off < len) {
		size_t n = len - off < step ? len - off : step;

		cr_assert_eq(crypto_generichash_update(&st, data + off, n), 0);
		off += n;
		step = step * 3 + 1;
	}
	cr_assert_eq(crypto_generichash_final(&st, d, sizeof d), 0);
	for (i = 0; i < sizeof d; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

Test(attachment, digest_is_blake2b_256_hex)
{
	char hex[ATTACHMENT_DIGEST_HEX], expected[65];
	unsigned char data[5000];
	size_t i;

	for (i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	attachment_digest(data, sizeof data, hex);
	digest_in_pieces(data, sizeof data, expected);
	cr_assert_str_eq(hex, expected);
	cr_assert_eq(strlen(hex), 64);
	/* The published BLAKE2b-256 of "abc" (RFC 7693's input, 32-byte output). */
	attachment_digest((const unsigned char *)"abc", 3, hex);
	cr_assert_str_eq(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	attachment_digest(NULL, 0, hex);
	digest_in_pieces(NULL, 0, expected);
	cr_assert_str_eq(hex, expected);
}

static const char *clean(const char *raw)
{
	static char out[ATTACHMENT_NAME_SIZE];
	int n = attachment_name_clean(raw, out, sizeof out);

	cr_assert_geq(n, 0);
	cr_assert_eq((size_t)n, strlen(out));
	cr_assert(text_is_utf8(out, strlen(out)), "not UTF-8 from %s", raw);
	return out;
}

Test(attachment, name_is_percent_decoded)
{
	cr_assert_str_eq(clean("%E5%A4%84%E7%BD%9A.pdf"), "处罚.pdf");
	cr_assert_str_eq(clean("%e5%a4%84%e7%bd%9a.pdf"), "处罚.pdf");
	cr_assert_str_eq(clean("处罚决定书.pdf"), "处罚决定书.pdf");
	/* A "%" that starts no escape stays. */
	cr_assert_str_eq(clean("100%.pdf"), "100%.pdf");
	cr_assert_str_eq(clean("a%2"), "a%2");
	cr_assert_str_eq(clean("%zz.png"), "%zz.png");
	/* Decoded once only. */
	cr_assert_str_eq(clean("%252F.pdf"), "%2F.pdf");
}

Test(attachment, name_loses_its_path)
{
	cr_assert_str_eq(clean("../../etc/passwd"), "passwd");
	cr_assert_str_eq(clean("C:\\Users\\张三\\桌面\\收据.jpg"), "收据.jpg");
	cr_assert_str_eq(clean("..%2F..%2Fetc%2Fpasswd"), "passwd");
	cr_assert_str_eq(clean("a%5Cb.png"), "b.png");
	cr_assert_str_eq(clean("dir/"), "");
	cr_assert_str_eq(clean(".."), "");
	cr_assert_str_eq(clean("x/.."), "");
	cr_assert_str_eq(clean("."), "");
	cr_assert_str_eq(clean(""), "");
}

Test(attachment, name_loses_control_characters)
{
	cr_assert_str_eq(clean("a\tb\x7f" "c.pdf"), "abc.pdf");
	cr_assert_str_eq(clean("x.pdf%0D%0ASet-Cookie: a=b"), "x.pdfSet-Cookie: a=b");
	cr_assert_str_eq(clean("a%00b.pdf"), "ab.pdf");
	cr_assert_str_eq(clean("a%C2%85b.png"), "ab.png");            /* C1 NEL */
	cr_assert_str_eq(clean("invoice%E2%80%AEgpj.exe"), "invoicegpj.exe"); /* U+202E */
	cr_assert_str_eq(clean("%0A%0A"), "");
	cr_assert_str_eq(clean("  %E3%80%80 收据.png  "), "收据.png"); /* trimmed, U+3000 */
}

Test(attachment, name_is_valid_utf8)
{
	/* A stray byte, a lone continuation byte, an overlong "/" and a truncated character
	 * each lose their bytes, and what follows stays. */
	cr_assert_str_eq(clean("a%FFb.pdf"), "ab.pdf");
	cr_assert_str_eq(clean("a\x80" "b.pdf"), "ab.pdf");
	cr_assert_str_eq(clean("a%C0%AFb.pdf"), "ab.pdf");
	cr_assert_str_eq(clean("x.pdf%E5%A4"), "x.pdf");
	cr_assert_str_eq(clean("%E5x"), "x");
	/* GB18030 bytes sent as they are: 处罚 is B4 A6 B7 A3 there. */
	cr_assert_str_eq(clean("%B4%A6%B7%A3.pdf"), ".pdf");
}

Test(attachment, overlong_name_is_cut_at_a_character)
{
	char raw[1024], out[ATTACHMENT_NAME_SIZE], small[8];
	size_t i;

	raw[0] = '\0';
	for (i = 0; i < 120; i++)
		strcat(raw, "处");
	strcat(raw, ".pdf");
	cr_assert_eq(attachment_name_clean(raw, out, sizeof out), 300);
	cr_assert_eq(text_utf8_length(out), ATTACHMENT_NAME_CHARS);
	cr_assert(text_is_utf8(out, strlen(out)));
	/* 101 ASCII characters keep 100. */
	memset(raw, 'a', 101);
	raw[101] = '\0';
	cr_assert_eq(attachment_name_clean(raw, out, sizeof out), 100);
	/* A small buffer cuts before a character that would not fit whole: 处 is 3 bytes. */
	cr_assert_eq(attachment_name_clean("处罚决定.pdf", small, sizeof small), 6);
	cr_assert_str_eq(small, "处罚");
	cr_assert_eq(attachment_name_clean("处罚", small, 1), 0);
	cr_assert_str_eq(small, "");
	cr_assert_eq(attachment_name_clean("x", small, 0), -1);
	cr_assert_eq(attachment_name_clean(NULL, small, sizeof small), -1);
}
