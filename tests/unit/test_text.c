/* test_text.c - UTF-8 validation, trimming, NFKC and the matching keys (src/core/text.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static size_t prefix(const char *s, size_t n, size_t *inc)
{
	*inc = 99;
	return text_utf8_valid_prefix(s, n, inc);
}

Test(text, valid_ascii_and_cjk)
{
	const char *s = "abc 统一社会信用代码 0123456789 😀 é";
	size_t inc;

	cr_assert_eq(prefix(s, strlen(s), &inc), strlen(s));
	cr_assert_eq(inc, 0);
	cr_assert(text_is_utf8(s, strlen(s)));
	cr_assert(text_is_utf8("", 0));
}

Test(text, long_ascii_runs_then_multibyte)
{
	char s[64];

	memset(s, 'a', sizeof s);
	memcpy(s + 37, "中", 3);
	cr_assert_eq(text_utf8_valid_prefix(s, sizeof s, NULL), sizeof s);
	s[50] = (char)0xFF;
	cr_assert_eq(text_utf8_valid_prefix(s, sizeof s, NULL), 50);
}

Test(text, rejects_invalid_bytes)
{
	size_t inc;

	/* Stray continuation byte. */
	cr_assert_eq(prefix("ab\x80" "cd", 5, &inc), 2);
	cr_assert_eq(inc, 0);
	/* C0/C1 and F5..FF can never appear. */
	cr_assert_eq(prefix("\xC0\x80", 2, &inc), 0);
	cr_assert_eq(prefix("\xC1\xBF", 2, &inc), 0);
	cr_assert_eq(prefix("x\xF5\x80\x80\x80", 5, &inc), 1);
	cr_assert_eq(prefix("\xFF", 1, &inc), 0);
	cr_assert_eq(inc, 0);
	/* Lead byte followed by a non-continuation byte. */
	cr_assert_eq(prefix("\xE4\xB8" "a", 3, &inc), 0);
	cr_assert_eq(inc, 0);
	/* GBK bytes of "中文" are not UTF-8. */
	cr_assert_not(text_is_utf8("\xD6\xD0\xCE\xC4", 4));
}

Test(text, rejects_overlongs)
{
	size_t inc;

	cr_assert_eq(prefix("\xE0\x80\xAF", 3, &inc), 0);       /* '/' in three bytes */
	cr_assert_eq(prefix("\xE0\x9F\xBF", 3, &inc), 0);
	cr_assert_eq(prefix("\xF0\x80\x80\xAF", 4, &inc), 0);   /* '/' in four bytes */
	cr_assert_eq(prefix("\xF0\x8F\xBF\xBF", 4, &inc), 0);
	cr_assert_eq(inc, 0);
	cr_assert_eq(prefix("\xE0\xA0\x80", 3, &inc), 3);       /* U+0800, the smallest */
	cr_assert_eq(prefix("\xF0\x90\x80\x80", 4, &inc), 4);   /* U+10000 */
}

Test(text, rejects_surrogates_and_above_max)
{
	size_t inc;

	cr_assert_eq(prefix("\xED\xA0\x80", 3, &inc), 0);       /* U+D800 */
	cr_assert_eq(prefix("\xED\xBF\xBF", 3, &inc), 0);       /* U+DFFF */
	cr_assert_eq(prefix("\xED\x9F\xBF", 3, &inc), 3);       /* U+D7FF is fine */
	cr_assert_eq(prefix("\xF4\x90\x80\x80", 4, &inc), 0);   /* U+110000 */
	cr_assert_eq(prefix("\xF4\x8F\xBF\xBF", 4, &inc), 4);   /* U+10FFFF */
}

Test(text, incomplete_tail)
{
	const char *s = "ab中";   /* 中 = E4 B8 AD */
	size_t inc;

	cr_assert_eq(prefix(s, 3, &inc), 2);
	cr_assert_eq(inc, 1);
	cr_assert_eq(prefix(s, 4, &inc), 2);
	cr_assert_eq(inc, 2);
	cr_assert_eq(prefix(s, 5, &inc), 5);
	cr_assert_eq(inc, 0);
	cr_assert_eq(prefix("\xF0\x9F\x98", 3, &inc), 0);   /* 😀 cut after three bytes */
	cr_assert_eq(inc, 3);
	/* A cut tail that is already wrong is not "incomplete". */
	cr_assert_eq(prefix("a\xED\xA0", 3, &inc), 1);
	cr_assert_eq(inc, 0);
	cr_assert_eq(prefix("a\xE0\x80", 3, &inc), 1);
	cr_assert_eq(inc, 0);
	/* NULL is allowed for the out parameter. */
	cr_assert_eq(text_utf8_valid_prefix(s, 4, NULL), 2);
}

Test(text, trim)
{
	char a[] = "  \t abc \r\n";
	char b[] = "\xE3\x80\x80\xC2\xA0\xEF\xBB\xBF名称 内部\xE3\x80\x80\xC2\xA0";
	char c[] = " \xE3\x80\x80 ";
	char d[] = "";
	char e[] = "x";

	cr_assert_str_eq(text_trim(a), "abc");
	cr_assert_str_eq(text_trim(b), "名称 内部");
	cr_assert_str_eq(text_trim(c), "");
	cr_assert_str_eq(text_trim(d), "");
	cr_assert_str_eq(text_trim(e), "x");
	cr_assert_eq(text_trim(a), a);
}

Test(text, trim_keeps_other_multibyte_ends)
{
	/* "中" ends in AD and "　" (U+3000) must not be confused with it. */
	char a[] = "中";
	char b[] = "\xC2\xA1";   /* ¡ shares the C2 lead byte with U+00A0 */

	cr_assert_str_eq(text_trim(a), "中");
	cr_assert_str_eq(text_trim(b), "\xC2\xA1");
}

Test(text, nfkc)
{
	char *s = text_nfkc("ＡＢＣ１２３（测试）　ｶﾞ");

	cr_assert_not_null(s);
	cr_assert_str_eq(s, "ABC123(测试) ガ");
	free(s);
	s = text_nfkc("e\xCC\x81");   /* e + combining acute composes */
	cr_assert_str_eq(s, "\xC3\xA9");
	free(s);
	s = text_nfkc("");
	cr_assert_str_eq(s, "");
	free(s);
	cr_assert_null(text_nfkc("\xD6\xD0"));
	cr_assert_null(text_nfkc("\xED\xA0\x80"));
}

Test(text, header_key_brackets_and_width)
{
	char *a = text_header_key("行政相对人代码_1（统一社会信用代码）");
	char *b = text_header_key("行政相对人代码_1(统一社会信用代码)");
	char *c = text_header_key("行政相对人代码_1【统一社会信用代码】");
	char *d = text_header_key("行政相对人代码_1[统一社会信用代码]");
	char *f = text_header_key("行政相对人代码_1〔统一社会信用代码〕");

	cr_assert_str_eq(b, "行政相对人代码_1(统一社会信用代码)");
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(c, b);
	cr_assert_str_eq(d, b);
	cr_assert_str_eq(f, b);
	free(a);
	free(b);
	free(c);
	free(d);
	free(f);
}

Test(text, header_key_case_and_spaces)
{
	char *a = text_header_key(" ＸＤＲ＿ＭＣ ");
	char *b = text_header_key("xdr_mc");
	char *c = text_header_key("\xEF\xBB\xBF罚款金额\xE3\x80\x80（ 万元 ）\t");
	char *d = text_header_key("罚款金额(万元)");

	cr_assert_str_eq(a, "xdr_mc");
	cr_assert_str_eq(b, "xdr_mc");
	cr_assert_str_eq(c, "罚款金额(万元)");
	cr_assert_str_eq(c, d);
	free(a);
	free(b);
	free(c);
	free(d);
}

Test(text, header_key_only_ascii_lowered)
{
	/* Header keys lower-case ASCII only; Greek capitals stay as they are. */
	char *a = text_header_key("ΑBC");

	cr_assert_str_eq(a, "Αbc");
	free(a);
}

Test(text, header_key_space_between_combining_marks)
{
	/* Spaces are removed before NFKC so the kana and its voicing mark compose. */
	char *a = text_header_key("ｶ ﾞ");

	cr_assert_str_eq(a, "ガ");
	free(a);
}

Test(text, header_key_invalid)
{
	cr_assert_null(text_header_key("\xFF"));
	cr_assert_null(text_header_key("ab\xC0\xAF"));
}

Test(text, search_key)
{
	char *a = text_search_key("  北京ＡＢＣ科技 有限公司（分公司） ");
	char *b = text_search_key("北京abc科技有限公司【分公司】");
	char *c = text_search_key("Straße");
	char *d = text_search_key("ΑΒΓ");
	char *f = text_search_key("〔2021〕\xE2\x80\x8B号");

	cr_assert_str_eq(a, "北京abc科技有限公司(分公司)");
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(c, "strasse");
	cr_assert_str_eq(d, "αβγ");
	cr_assert_str_eq(f, "(2021)号");
	free(a);
	free(b);
	free(c);
	free(d);
	free(f);
	cr_assert_null(text_search_key("\xE4\xB8"));
}

Test(text, search_key_empty)
{
	char *a = text_search_key(" \xE3\x80\x80 ");

	cr_assert_str_eq(a, "");
	free(a);
}

Test(text, utf8_length)
{
	cr_assert_eq(text_utf8_length(""), 0);
	cr_assert_eq(text_utf8_length("abc"), 3);
	cr_assert_eq(text_utf8_length("统一社会信用代码"), 8);
	cr_assert_eq(text_utf8_length("a中😀é"), 4);
}
