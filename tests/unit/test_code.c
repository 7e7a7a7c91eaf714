/*
 * test_code.c - unit tests for code.c (USCC and resident ID checks) and region.c.
 *
 * Vectors come from docs/domain.md section 2: the worked examples of GB 32100 and GB 11643
 * and real published codes.  Codes that the standards do not give (unknown divisions,
 * organisation-code failures, bad birth dates) are built here with the library's own
 * check-character functions, which are themselves pinned to the published vectors first.
 */
#include "core/code.h"
#include "core/reasons.h"
#include "core/region.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------------------- */

static struct code_result check(const char *input)
{
	struct code_result r;

	code_check(input, NULL, &r);
	return r;
}

static struct code_result check_as(const char *input, enum code_kind kind)
{
	struct code_options o = { kind, NULL, NULL };
	struct code_result r;

	code_check(input, &o, &r);
	return r;
}

static int has_warning(const struct code_result *r, const char *reason)
{
	int i;

	for (i = 0; i < r->nwarnings; i++)
		if (strcmp(r->warnings[i], reason) == 0)
			return 1;
	return 0;
}

/* Completes 17 USCC characters with their check character. */
static void make_uscc(const char *first17, char out[19])
{
	memcpy(out, first17, 17);
	out[17] = code_uscc_check_char(first17);
	out[18] = '\0';
	cr_assert(out[17], "not a USCC body: %s", first17);
}

/* Builds a USCC from authority+type (2), division (6) and organisation body (8): the
 * organisation check character and the USCC check character are computed. */
static void make_uscc_parts(const char *head2, const char *div6, const char *body8, char out[19])
{
	char first17[18];

	memcpy(first17, head2, 2);
	memcpy(first17 + 2, div6, 6);
	memcpy(first17 + 8, body8, 8);
	first17[16] = code_org_check_char(body8);
	first17[17] = '\0';
	cr_assert(first17[16]);
	make_uscc(first17, out);
}

static void make_id(const char *first17, char out[19])
{
	memcpy(out, first17, 17);
	out[17] = code_resident_id_check_char(first17);
	out[18] = '\0';
	cr_assert(out[17], "not an ID body: %s", first17);
}

/* Strict UTF-8 validity, to prove normalized strings and messages are safe for JSON. */
static int utf8_valid(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;

	while (*s) {
		int n, i;
		long c;

		if (*s < 0x80) {
			s++;
			continue;
		} else if (*s >= 0xC2 && *s <= 0xDF) {
			n = 2;
			c = *s & 0x1F;
		} else if (*s >= 0xE0 && *s <= 0xEF) {
			n = 3;
			c = *s & 0x0F;
		} else if (*s >= 0xF0 && *s <= 0xF4) {
			n = 4;
			c = *s & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (s[i] & 0x3F);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
		    (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		s += n;
	}
	return 1;
}

/* Invariants every result must satisfy, whatever the input. */
static void assert_consistent(const struct code_result *r)
{
	int i;

	cr_assert(memchr(r->normalized, '\0', sizeof r->normalized));
	cr_assert(utf8_valid(r->normalized), "normalized not UTF-8");
	cr_assert(utf8_valid(r->message), "message not UTF-8: %s", r->message);
	cr_assert(r->kind == CODE_KIND_USCC || r->kind == CODE_KIND_RESIDENT_ID ||
		  r->kind == CODE_KIND_OTHER);
	if (r->valid) {
		cr_assert_null(r->reason);
		cr_assert_str_empty(r->message);
	} else {
		const struct reason_info *ri;

		cr_assert_not_null(r->reason);
		ri = reasons_find(r->reason);
		cr_assert_not_null(ri, "unknown reason %s", r->reason);
		cr_assert_eq(ri->kind, REASON_ERROR, "%s is not an ERROR", r->reason);
		cr_assert_str_not_empty(r->message);
	}
	cr_assert(r->nwarnings >= 0 && r->nwarnings <= CODE_MAX_WARNINGS);
	for (i = 0; i < r->nwarnings; i++) {
		const struct reason_info *ri = reasons_find(r->warnings[i]);

		cr_assert_not_null(ri, "unknown warning %s", r->warnings[i]);
		cr_assert_eq(ri->kind, REASON_WARNING, "%s is not a WARNING", r->warnings[i]);
	}
	if (r->valid && r->kind == CODE_KIND_USCC) {
		cr_assert_eq(strlen(r->normalized), 18);
		cr_assert(code_uscc_check_char(r->normalized) == r->normalized[17] ||
			  has_warning(r, "code.known_exception"));
	}
	if (r->valid && r->kind == CODE_KIND_RESIDENT_ID) {
		cr_assert_eq(strlen(r->normalized), 18);
		cr_assert_eq(strlen(r->birth_date), 10);
		cr_assert_not_null(r->sex);
	}
	if (r->region_code[0])
		cr_assert_eq(strlen(r->region_code), 6);
	if (r->region_name)
		cr_assert(r->region_code[0]);
}

/* ---- check characters ------------------------------------------------------------------ */

static const char *valid_usccs[] = {
	"914403001922038216", /* Huawei */
	"91440300708461136T",
	"9144030071526726XG", /* Tencent */
	"91440300192317458F", /* BYD */
	"91110108551385082Q", /* Xiaomi */
};

Test(code_check_char, uscc_published_vectors)
{
	size_t i;

	for (i = 0; i < sizeof valid_usccs / sizeof valid_usccs[0]; i++)
		cr_assert_eq(code_uscc_check_char(valid_usccs[i]), valid_usccs[i][17], "%s",
			     valid_usccs[i]);
	/* The standard's worked example: the check character is 3. */
	cr_assert_eq(code_uscc_check_char("91350100M000100Y4"), '3');
}

Test(code_check_char, uscc_rejects_bad_bodies)
{
	cr_assert_eq(code_uscc_check_char(NULL), 0);
	cr_assert_eq(code_uscc_check_char(""), 0);
	cr_assert_eq(code_uscc_check_char("9144030019220382"), 0); /* 16 characters */
	cr_assert_eq(code_uscc_check_char("91440300I92203821"), 0);
	cr_assert_eq(code_uscc_check_char("91440300O92203821"), 0);
	cr_assert_eq(code_uscc_check_char("91440300Z92203821"), 0);
	cr_assert_eq(code_uscc_check_char("91440300S92203821"), 0);
	cr_assert_eq(code_uscc_check_char("91440300V92203821"), 0);
	cr_assert_eq(code_uscc_check_char("91350100m000100y4"), 0); /* lower case */
}

Test(code_check_char, uscc_every_result_in_charset)
{
	/* Whatever the body, the check character is one of the 31 code characters. */
	char body[18] = "91440300192203820";
	int i;

	for (i = 0; i < 31; i++) {
		char c;

		body[15] = "0123456789ABCDEFGHJKLMNPQRTUWXY"[i];
		c = code_uscc_check_char(body);
		cr_assert(c && strchr("0123456789ABCDEFGHJKLMNPQRTUWXY", c));
	}
}

Test(code_check_char, resident_id_vectors)
{
	cr_assert_eq(code_resident_id_check_char("44052418800101001"), '4');
	cr_assert_eq(code_resident_id_check_char("11010519491231002"), 'X');
	cr_assert_eq(code_resident_id_check_char("1101051949123100X"), 0);
	cr_assert_eq(code_resident_id_check_char("1101051949"), 0);
	cr_assert_eq(code_resident_id_check_char(NULL), 0);
}

Test(code_check_char, org_code_vectors)
{
	/* Positions 9-17 of the published USCCs are real organisation codes. */
	size_t i;

	for (i = 0; i < sizeof valid_usccs / sizeof valid_usccs[0]; i++)
		cr_assert_eq(code_org_check_char(valid_usccs[i] + 8), valid_usccs[i][16], "%s",
			     valid_usccs[i]);
	cr_assert_eq(code_org_check_char("M000100Y"), '4');
	cr_assert_eq(code_org_check_char("M0001TGQ"), 'X');
	cr_assert_eq(code_org_check_char("1922038"), 0);
	cr_assert_eq(code_org_check_char("1922038a"), 0);
	cr_assert_eq(code_org_check_char(NULL), 0);
}

Test(code_check_char, org_code_ten_and_eleven)
{
	/* 11 - sum mod 11 gives 10 -> X and 11 -> 0; find bodies for both and for a digit. */
	char body[9] = "00000000";
	int seen_x = 0, seen_0 = 0, n;

	for (n = 0; n < 1000 && !(seen_x && seen_0); n++) {
		char c;

		snprintf(body, sizeof body, "%08d", n);
		c = code_org_check_char(body);
		cr_assert(c == 'X' || (c >= '0' && c <= '9'));
		seen_x |= c == 'X';
		seen_0 |= c == '0';
	}
	cr_assert(seen_x && seen_0);
	cr_assert_eq(code_org_check_char("00000000"), '0'); /* sum 0 -> 11 -> 0 */
}

/* ---- USCC ------------------------------------------------------------------------------ */

Test(code_uscc, published_codes_are_valid)
{
	size_t i;

	for (i = 0; i < sizeof valid_usccs / sizeof valid_usccs[0]; i++) {
		struct code_result r = check(valid_usccs[i]);

		assert_consistent(&r);
		cr_assert(r.valid, "%s: %s", valid_usccs[i], r.message);
		cr_assert_eq(r.kind, CODE_KIND_USCC);
		cr_assert_str_eq(r.normalized, valid_usccs[i]);
		cr_assert_eq(r.nwarnings, 0, "%s: %d warnings", valid_usccs[i], r.nwarnings);
		cr_assert_str_eq(r.authority, "市场监管");
		cr_assert_str_eq(r.institution_type, "企业");
		cr_assert_not_null(r.region_name);
		cr_assert_str_empty(r.birth_date);
		cr_assert_null(r.sex);
	}
}

Test(code_uscc, decodes_region)
{
	struct code_result r = check("914403001922038216");

	cr_assert_str_eq(r.region_code, "440300");
	cr_assert_str_eq(r.region_name, "广东省深圳市");
	r = check("91110108551385082Q");
	cr_assert_str_eq(r.region_code, "110108");
	cr_assert_str_eq(r.region_name, "北京市海淀区");
}

Test(code_uscc, standard_example_is_invalid)
{
	struct code_result r = check("91350100M000100Y4Z");

	assert_consistent(&r);
	cr_assert_not(r.valid);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.check_char");
	cr_assert_str_eq(r.message, "统一社会信用代码第18位校验位应为“3”，实际为“Z”，请核对代码");
	/* The rest is still decoded for the person reading the result. */
	cr_assert_str_eq(r.region_code, "350100");
	cr_assert_str_eq(r.region_name, "福建省福州市");
	cr_assert_str_eq(r.authority, "市场监管");
}

Test(code_uscc, corrected_standard_example_is_valid)
{
	struct code_result r = check("91350100M000100Y43");

	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_eq(r.nwarnings, 0);
}

static int exception_calls;

static int list_exception(void *ctx, const char *normalized)
{
	const char **list = ctx;

	exception_calls++;
	for (; *list; list++)
		if (strcmp(*list, normalized) == 0)
			return 1;
	return 0;
}

static const char *exceptions[] = { "91350100M0001TGQXM", "11010519491231002Y", NULL };

Test(code_uscc, known_exception)
{
	struct code_options o = { CODE_KIND_AUTO, list_exception, exceptions };
	struct code_result r = check("91350100M0001TGQXM");

	assert_consistent(&r);
	cr_assert_not(r.valid);
	cr_assert_str_eq(r.reason, "code.check_char");

	exception_calls = 0;
	/* The callback sees the normalized code. */
	code_check("  91350100m0001tgqxm　", &o, &r);
	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.normalized, "91350100M0001TGQXM");
	cr_assert(has_warning(&r, "code.known_exception"));
	cr_assert_eq(r.nwarnings, 1);
	cr_assert_eq(exception_calls, 1);
}

Test(code_uscc, exception_list_only_excuses_the_check_char)
{
	struct code_options o = { CODE_KIND_AUTO, list_exception, exceptions };
	struct code_result r;

	exception_calls = 0;
	code_check("914403001922038216", &o, &r); /* valid: not asked */
	cr_assert(r.valid);
	cr_assert_eq(r.nwarnings, 0);
	code_check("91350100M0001TGQ", &o, &r); /* length: not asked */
	cr_assert_str_eq(r.reason, "code.length");
	code_check("91350100M0001TGQIM", &o, &r); /* charset: not asked */
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert_eq(exception_calls, 0);
	code_check("91350100M000100Y4Z", &o, &r); /* not listed: asked, still invalid */
	cr_assert_str_eq(r.reason, "code.check_char");
	cr_assert_eq(exception_calls, 1);
}

Test(code_uscc, exception_callback_may_be_null)
{
	struct code_options o = { CODE_KIND_USCC, NULL, NULL };
	struct code_result r;

	code_check("91350100M0001TGQXM", &o, &r);
	cr_assert_not(r.valid);
	cr_assert_str_eq(r.reason, "code.check_char");
}

Test(code_uscc, full_width_and_spaces)
{
	struct code_result r = check("　９１４４０３００１９２２０３８２１６　");

	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_str_eq(r.normalized, "914403001922038216");
	r = check("\t ９１４４０３００７１５２６７２６ｘｇ \r\n");
	cr_assert(r.valid, "%s", r.message);
	cr_assert_str_eq(r.normalized, "9144030071526726XG");
}

Test(code_uscc, lower_case_is_normalized)
{
	struct code_result r = check("91440300708461136t");

	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_str_eq(r.normalized, "91440300708461136T");
	r = check("91440300192317458f");
	cr_assert(r.valid);
	cr_assert_str_eq(r.normalized, "91440300192317458F");
}

Test(code_uscc, charset_excluded_letters)
{
	static const struct {
		const char *in;
		const char *fragment;
	} cases[] = {
		{ "9144030019220382I6", "第17位“I”" }, { "91440300O92203821X", "第9位“O”" },
		{ "9Z4403001922038216", "第2位“Z”" },  { "914403001922038S16", "第16位“S”" },
		{ "9144030019220V8216", "第14位“V”" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct code_result r = check(cases[i].in);

		assert_consistent(&r);
		cr_assert_not(r.valid);
		cr_assert_eq(r.kind, CODE_KIND_USCC, "%s", cases[i].in);
		cr_assert_str_eq(r.reason, "code.charset", "%s", cases[i].in);
		cr_assert(strstr(r.message, cases[i].fragment), "%s: %s", cases[i].in, r.message);
		cr_assert(strstr(r.message, "统一社会信用代码"));
	}
}

Test(code_uscc, excluded_letter_at_18_is_a_check_char_error)
{
	/* Like the standard's example ending in Z: the message names the right character. */
	struct code_result r = check("91440300192203821I");

	assert_consistent(&r);
	cr_assert_str_eq(r.reason, "code.check_char");
	cr_assert_str_eq(r.message, "统一社会信用代码第18位校验位应为“6”，实际为“I”，请核对代码");
	r = check("91440300192203821O");
	cr_assert_str_eq(r.reason, "code.check_char");
}

Test(code_uscc, charset_hint_for_lookalikes)
{
	struct code_result r = check("9144030019220382I6");

	cr_assert(strstr(r.message, "数字1"), "%s", r.message);
	r = check("91440300O92203821X");
	cr_assert(strstr(r.message, "数字0"), "%s", r.message);
}

Test(code_uscc, charset_non_ascii_and_spaces)
{
	struct code_result r = check("91440300192203821中");

	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第18位“中”"), "%s", r.message);

	r = check("91440300 192203821");
	assert_consistent(&r);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第9位“空格”"), "%s", r.message);

	r = check("9144030019-2203821");
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第11位“-”"), "%s", r.message);

	/* A character of four bytes where the code has one. */
	r = check("91440300192203821\xF0\x9F\x98\x80");
	assert_consistent(&r);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第18位"), "%s", r.message);
}

Test(code_uscc, length_errors)
{
	static const char *cases[] = {
		"9144030019220382",     /* 16 */
		"91440300192203821",    /* 17 */
		"9144030019220382161",  /* 19 */
		"91440300192203821612", /* 20 */
		"91350100M000100Y4",    /* 17 with letters */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct code_result r = check(cases[i]);

		assert_consistent(&r);
		cr_assert_not(r.valid);
		cr_assert_eq(r.kind, CODE_KIND_USCC, "%s", cases[i]);
		cr_assert_str_eq(r.reason, "code.length", "%s", cases[i]);
		cr_assert(strstr(r.message, "应为18位"), "%s", r.message);
	}
	{
		struct code_result r = check("91440300192203821");

		cr_assert_str_eq(r.message, "统一社会信用代码应为18位，实际为17位，请核对代码");
	}
}

Test(code_uscc, forced_length_errors)
{
	struct code_result r = check_as("123", CODE_KIND_USCC);

	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.length");
	cr_assert(strstr(r.message, "实际为3位"), "%s", r.message);
	/* Length counts characters, not bytes. */
	r = check_as("统一社会信用代码", CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.length");
	cr_assert(strstr(r.message, "实际为8位"), "%s", r.message);
}

Test(code_uscc, unknown_division_is_a_warning)
{
	char code[19];
	struct code_result r;

	make_uscc_parts("91", "990000", "MA5G3C2B", code);
	r = check(code);
	assert_consistent(&r);
	cr_assert(r.valid, "%s: %s", code, r.message);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.region_code, "990000");
	cr_assert_null(r.region_name);
	cr_assert_eq(r.nwarnings, 1);
	cr_assert_str_eq(r.warnings[0], "region.unknown");
}

Test(code_uscc, central_division_is_known)
{
	char code[19];
	struct code_result r;

	make_uscc_parts("11", "100000", "00001312", code);
	r = check(code);
	assert_consistent(&r);
	cr_assert(r.valid, "%s: %s", code, r.message);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_eq(r.nwarnings, 0);
	cr_assert_str_eq(r.region_code, "100000");
	cr_assert_str_eq(r.region_name, "中央");
	cr_assert_str_eq(r.authority, "机构编制");
	cr_assert_str_eq(r.institution_type, "机关");
}

Test(code_uscc, org_check_failure_is_a_warning)
{
	char first17[18], code[19];
	struct code_result r;

	/* Huawei's code with a different organisation check character, made whole again
	 * at position 18. */
	memcpy(first17, "91440300192203822", 18);
	cr_assert_neq(code_org_check_char(first17 + 8), '2');
	make_uscc(first17, code);
	r = check(code);
	assert_consistent(&r);
	cr_assert(r.valid, "%s: %s", code, r.message);
	cr_assert_eq(r.nwarnings, 1);
	cr_assert_str_eq(r.warnings[0], "code.org_check_char");
}

Test(code_uscc, several_warnings)
{
	char first17[18], code[19];
	struct code_result r;

	/* Unknown division and a wrong organisation check character together. */
	memcpy(first17, "91990000192203822", 18);
	make_uscc(first17, code);
	r = check(code);
	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_eq(r.nwarnings, 2);
	cr_assert(has_warning(&r, "region.unknown"));
	cr_assert(has_warning(&r, "code.org_check_char"));
}

Test(code_uscc, authorities_and_types)
{
	static const struct {
		const char *head;
		const char *authority;
		const char *type;
	} cases[] = {
		{ "11", "机构编制", "机关" },
		{ "12", "机构编制", "事业单位" },
		{ "13", "机构编制", "中央编办直接管理机构编制的群众团体" },
		{ "19", "机构编制", "其他" },
		{ "31", "司法行政", "律师执业机构" },
		{ "41", "文化", "外国在华文化中心" },
		{ "51", "民政", "社会团体" },
		{ "52", "民政", "民办非企业单位" },
		{ "53", "民政", "基金会" },
		{ "59", "民政", "其他" },
		{ "61", "旅游", "外国旅游部门常驻代表机构" },
		{ "71", "宗教", "宗教活动场所" },
		{ "81", "工会", "工会" },
		{ "91", "市场监管", "企业" },
		{ "92", "市场监管", "个体工商户" },
		{ "93", "市场监管", "农民专业合作社" },
		{ "N1", "农业", "组级集体经济组织" },
		{ "N2", "农业", "村级集体经济组织" },
		{ "N3", "农业", "乡镇级集体经济组织" },
		{ "Y1", "其他", "其他" },
		{ "2X", "外交", NULL },
		{ "94", "市场监管", NULL },
		{ "A1", "军队编制", "军队事业单位" },
		{ "B1", NULL, NULL },
		{ "01", NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char code[19];
		struct code_result r;

		/* Letters in the body keep these codes from looking like ID numbers. */
		make_uscc_parts(cases[i].head, "440300", "MA5G3C2B", code);
		r = check(code);
		assert_consistent(&r);
		cr_assert(r.valid, "%s: %s", code, r.message);
		cr_assert_eq(r.kind, CODE_KIND_USCC);
		if (cases[i].authority)
			cr_assert_str_eq(r.authority, cases[i].authority, "%s", cases[i].head);
		else
			cr_assert_null(r.authority, "%s", cases[i].head);
		if (cases[i].type)
			cr_assert_str_eq(r.institution_type, cases[i].type, "%s", cases[i].head);
		else
			cr_assert_null(r.institution_type, "%s", cases[i].head);
	}
}

Test(code_uscc, generated_codes_round_trip)
{
	/* Every body built from the character set, completed with its check character,
	 * is valid; changing the last character makes it invalid with the right message. */
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	unsigned seed = 12345;
	int n;

	for (n = 0; n < 2000; n++) {
		char body[9], code[19], bad[19], want[64];
		struct code_result r;
		int i;

		for (i = 0; i < 8; i++) {
			seed = seed * 1103515245u + 12345u;
			body[i] = set[(seed >> 16) % 31];
		}
		body[8] = '\0';
		make_uscc_parts("91", "440300", body, code);
		r = check(code);
		assert_consistent(&r);
		cr_assert(r.valid, "%s: %s", code, r.message);
		cr_assert_eq(r.kind, CODE_KIND_USCC, "%s", code);
		memcpy(bad, code, 19);
		bad[17] = code[17] == '0' ? '1' : '0';
		r = check(bad);
		assert_consistent(&r);
		cr_assert_str_eq(r.reason, "code.check_char", "%s", bad);
		snprintf(want, sizeof want, "应为“%c”，实际为“%c”", code[17], bad[17]);
		cr_assert(strstr(r.message, want), "%s", r.message);
	}
}

/* ---- resident ID ----------------------------------------------------------------------- */

Test(code_id, standard_example_born_1880)
{
	struct code_result r = check("440524188001010014");

	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.birth_date, "1880-01-01");
	cr_assert_str_eq(r.sex, "男");
	cr_assert_str_eq(r.region_code, "440524");
	/* 440524 (the old 潮阳县) is no longer in the division table. */
	cr_assert_null(r.region_name);
	cr_assert_eq(r.nwarnings, 1);
	cr_assert_str_eq(r.warnings[0], "region.unknown");
	cr_assert_null(r.authority);
	cr_assert_null(r.institution_type);
}

Test(code_id, check_char_x)
{
	struct code_result r = check("11010519491231002X");

	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.birth_date, "1949-12-31");
	cr_assert_str_eq(r.sex, "女");
	cr_assert_str_eq(r.region_name, "北京市朝阳区");
	cr_assert_eq(r.nwarnings, 0);
	r = check("11010519491231002x");
	cr_assert(r.valid);
	cr_assert_str_eq(r.normalized, "11010519491231002X");
}

Test(code_id, fifteen_digits_are_converted)
{
	struct code_result r = check("110105491231002");

	assert_consistent(&r);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.normalized, "11010519491231002X");
	cr_assert_str_eq(r.birth_date, "1949-12-31");
	cr_assert_str_eq(r.sex, "女");

	r = check_as(" １１０１０５４９１２３１００２ ", CODE_KIND_RESIDENT_ID);
	cr_assert(r.valid, "%s", r.message);
	cr_assert_str_eq(r.normalized, "11010519491231002X");
}

Test(code_id, fifteen_digits_bad_date)
{
	struct code_result r = check("110105490230002");

	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "id.birth_date");
	cr_assert_eq(strlen(r.normalized), 18); /* converted even when invalid */
}

Test(code_id, fifteen_characters_forced)
{
	struct code_result r = check_as("11010549123100A", CODE_KIND_RESIDENT_ID);

	assert_consistent(&r);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第15位“A”"), "%s", r.message);
}

Test(code_id, bad_birth_date)
{
	char id[19];
	struct code_result r;

	make_id("44052419800230001", id);
	r = check(id);
	assert_consistent(&r);
	cr_assert_not(r.valid);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "id.birth_date");
	cr_assert(strstr(r.message, "1980年02月30日"), "%s", r.message);
	cr_assert_str_empty(r.birth_date);
}

Test(code_id, leap_years)
{
	static const struct {
		const char *first17;
		int ok;
	} cases[] = {
		{ "11010520000229001", 1 }, /* divisible by 400 */
		{ "11010520240229001", 1 },
		{ "11010519000229001", 0 }, /* divisible by 100 only */
		{ "11010520230229001", 0 },
		{ "11010519801131001", 0 },
		{ "11010519801231001", 1 },
		{ "11010519800100001", 0 },
		{ "11010518000101001", 1 },
		{ "11010517991231001", 0 }, /* before 1800 */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char id[19];
		struct code_result r;

		make_id(cases[i].first17, id);
		r = check_as(id, CODE_KIND_RESIDENT_ID);
		assert_consistent(&r);
		if (cases[i].ok)
			cr_assert(r.valid, "%s: %s", id, r.message);
		else
			cr_assert_str_eq(r.reason, "id.birth_date", "%s", id);
	}
}

Test(code_id, wrong_check_char)
{
	struct code_result r = check("110105194912310021");

	assert_consistent(&r);
	cr_assert_not(r.valid);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.check_char");
	cr_assert_str_eq(r.message, "身份证号码第18位校验位应为“X”，实际为“1”，请核对号码");
	/* What could be read is still filled in. */
	cr_assert_str_eq(r.birth_date, "1949-12-31");
	cr_assert_str_eq(r.region_name, "北京市朝阳区");
}

Test(code_id, exception_list_applies_to_ids_too)
{
	struct code_options o = { CODE_KIND_AUTO, list_exception, exceptions };
	struct code_result r;

	/* Y is not a valid 18th character of an ID, so this is a charset error, not asked. */
	exception_calls = 0;
	o.force = CODE_KIND_RESIDENT_ID;
	code_check("11010519491231002Y", &o, &r);
	o.force = CODE_KIND_AUTO;
	cr_assert_eq(exception_calls, 0);
	cr_assert_not(r.valid);

	{
		const char *list[] = { "110105194912310021", NULL };

		o.ctx = list;
		code_check("110105194912310021", &o, &r);
		assert_consistent(&r);
		cr_assert(r.valid, "%s", r.message);
		cr_assert(has_warning(&r, "code.known_exception"));
	}
}

Test(code_id, charset_errors)
{
	struct code_result r = check_as("1101051949A231002X", CODE_KIND_RESIDENT_ID);

	assert_consistent(&r);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第11位“A”不是数字"), "%s", r.message);
	r = check_as("11010519491231002Y", CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第18位“Y”应为数字或X"), "%s", r.message);
	r = check_as("1101051949123100X2", CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.charset");
	cr_assert(strstr(r.message, "第17位"), "%s", r.message);
}

Test(code_id, length_errors)
{
	struct code_result r = check("4405241880010100");  /* 16 digits, shaped like an ID */

	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.length");
	cr_assert(strstr(r.message, "实际为16位"), "%s", r.message);
	r = check("44052418800101001");
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.length");
	r = check("4405241880010100144");
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.length");
	r = check_as("E12345678", CODE_KIND_RESIDENT_ID);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.length");
}

Test(code_id, sex_from_seventeenth_digit)
{
	char id[19];
	struct code_result r;
	int d;

	for (d = 0; d <= 9; d++) {
		char first17[18];

		snprintf(first17, sizeof first17, "1101051980010100%d", d);
		make_id(first17, id);
		r = check(id);
		cr_assert(r.valid, "%s: %s", id, r.message);
		cr_assert_str_eq(r.sex, d % 2 ? "男" : "女");
	}
}

Test(code_id, residence_permits_of_hk_macao_taiwan)
{
	/* GB 11643-format permits start with 81, 82, 83: judged as IDs; the division is not
	 * in the table, which is only a warning. */
	char id[19];
	struct code_result r;

	make_id("83000019900101002", id);
	r = check(id);
	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert(r.valid, "%s", r.message);
	cr_assert(has_warning(&r, "region.unknown"));
}

/* ---- kind judgement -------------------------------------------------------------------- */

Test(code_kind, empty)
{
	static const char *cases[] = { "", "   ", "　", "\t\r\n", "\xC2\xA0\xEF\xBB\xBF" };
	size_t i;
	struct code_result r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = check(cases[i]);
		assert_consistent(&r);
		cr_assert_not(r.valid);
		cr_assert_eq(r.kind, CODE_KIND_OTHER);
		cr_assert_str_eq(r.reason, "code.empty");
		cr_assert_str_empty(r.normalized);
	}
	r = check(NULL);
	cr_assert_str_eq(r.reason, "code.empty");
	r = check_as("  ", CODE_KIND_USCC);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.empty");
	r = check_as("", CODE_KIND_OTHER);
	cr_assert_str_eq(r.reason, "code.empty");
}

Test(code_kind, other_documents)
{
	static const char *cases[] = {
		"E12345678",          /* passport */
		"H12345678",          /* Hong Kong/Macao permit */
		"12345678",           /* Taiwan permit */
		"USA123456789012",    /* 15 characters, old foreign permanent residence card */
		"ABC",
		"护照E1234567",
		"912345678901234567890", /* 21 characters */
		"91440300-192203821-6",  /* 20 characters but not alphanumeric */
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct code_result r = check(cases[i]);

		assert_consistent(&r);
		cr_assert_eq(r.kind, CODE_KIND_OTHER, "%s", cases[i]);
		cr_assert(r.valid, "%s", cases[i]);
		cr_assert_eq(r.nwarnings, 0);
		cr_assert_str_empty(r.region_code);
		cr_assert_null(r.region_name);
	}
}

Test(code_kind, eighteen_characters)
{
	struct code_result r;

	/* Not shaped like an ID: USCC rules apply. */
	r = check("ABCDEFGHIJKLMNOPQR");
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.charset");
	r = check("991234198001010011"); /* no province 99 */
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	r = check("110105180013010011"); /* month 13 */
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	r = check("110105179912310011"); /* year 1799 */
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	r = check("110105210112310011"); /* year 2101 */
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	/* Shaped like an ID: ID rules apply, even when they then fail. */
	r = check("110105210012310011");
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	r = check("110105198002300011");
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
}

Test(code_kind, ambiguous_all_digit_uscc)
{
	/* A public institution (12) whose division ends in 19 and whose organisation code
	 * starts with 8005 reads like an ID born in 1980-05: the USCC check character
	 * decides.  Find such a code whose ID check fails. */
	int n, found = 0;

	for (n = 0; n < 10000 && !found; n++) {
		char body[9], code[19];
		struct code_result r;

		snprintf(body, sizeof body, "8005%04d", n);
		make_uscc_parts("12", "440319", body, code);
		if (strspn(code, "0123456789") < 17 || code[17] == 'X' ||
		    code_resident_id_check_char(code) == code[17])
			continue;
		found = 1;
		r = check(code);
		assert_consistent(&r);
		cr_assert_eq(r.kind, CODE_KIND_USCC, "%s", code);
		cr_assert(r.valid, "%s: %s", code, r.message);
		cr_assert_str_eq(r.institution_type, "事业单位");
	}
	cr_assert(found);
}

Test(code_kind, forced)
{
	struct code_result r;

	/* A resident ID forced to USCC rules: its check character does not match. */
	r = check_as("440524188001010014", CODE_KIND_USCC);
	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert_not(r.valid);
	cr_assert_str_eq(r.reason, "code.check_char");

	/* A USCC forced to ID rules. */
	r = check_as("91440300708461136T", CODE_KIND_RESIDENT_ID);
	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_str_eq(r.reason, "code.charset");
	r = check_as("914403001922038216", CODE_KIND_RESIDENT_ID);
	cr_assert_eq(r.kind, CODE_KIND_RESIDENT_ID);
	cr_assert_not(r.valid);

	/* Forced other: no checks at all, but still normalized. */
	r = check_as(" 91350100m000100y4z ", CODE_KIND_OTHER);
	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_OTHER);
	cr_assert(r.valid);
	cr_assert_str_eq(r.normalized, "91350100M000100Y4Z");

	/* A 15-digit number forced to USCC is a length error, not converted. */
	r = check_as("110105491231002", CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.length");
	cr_assert_str_eq(r.normalized, "110105491231002");

	/* An out-of-range kind is treated as auto. */
	r = check_as("914403001922038216", (enum code_kind)42);
	cr_assert_eq(r.kind, CODE_KIND_USCC);
	cr_assert(r.valid);
}

Test(code_kind, too_long_other)
{
	char in[201];
	struct code_result r;

	memset(in, 'A', 200);
	in[200] = '\0';
	r = check(in);
	assert_consistent(&r);
	cr_assert_eq(r.kind, CODE_KIND_OTHER);
	cr_assert_str_eq(r.reason, "code.length");
	cr_assert_eq(strlen(r.normalized), CODE_MAX - 1);
	cr_assert(strstr(r.message, "200"), "%s", r.message);
	r = check_as(in, CODE_KIND_USCC);
	cr_assert_str_eq(r.reason, "code.length");
	cr_assert(strstr(r.message, "实际为200位"), "%s", r.message);
}

Test(code_kind, names)
{
	cr_assert_str_eq(code_kind_name(CODE_KIND_USCC), "uscc");
	cr_assert_str_eq(code_kind_name(CODE_KIND_RESIDENT_ID), "resident_id");
	cr_assert_str_eq(code_kind_name(CODE_KIND_OTHER), "other");
	cr_assert_str_eq(code_kind_name(CODE_KIND_AUTO), "other");
}

/* ---- normalisation --------------------------------------------------------------------- */

Test(code_normalize, basics)
{
	char out[CODE_MAX];

	code_normalize("  abc　", out, sizeof out);
	cr_assert_str_eq(out, "ABC");
	code_normalize("ａｂｃ１２３－", out, sizeof out);
	cr_assert_str_eq(out, "ABC123-");
	code_normalize("a　b", out, sizeof out); /* an inner full-width space is kept, half-width */
	cr_assert_str_eq(out, "A B");
	code_normalize("\xEF\xBB\xBF" "e123\xC2\xA0\xE2\x80\x8B", out, sizeof out);
	cr_assert_str_eq(out, "E123");
	code_normalize("中文ｚ", out, sizeof out);
	cr_assert_str_eq(out, "中文Z");
	code_normalize(NULL, out, sizeof out);
	cr_assert_str_empty(out);
}

Test(code_normalize, invalid_utf8_is_replaced)
{
	char out[CODE_MAX];

	code_normalize("a\xFF" "b", out, sizeof out);
	cr_assert_str_eq(out, "A\xEF\xBF\xBD" "B");
	code_normalize("\xE4\xB8", out, sizeof out); /* truncated sequence */
	cr_assert_str_eq(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
	code_normalize("\xC0\xAF", out, sizeof out); /* overlong */
	cr_assert(utf8_valid(out));
	code_normalize("\xED\xA0\x80", out, sizeof out); /* surrogate */
	cr_assert(utf8_valid(out));
}

Test(code_normalize, truncation_keeps_characters_whole)
{
	char out[8];

	code_normalize("中国人", out, 5);
	cr_assert_str_eq(out, "中");
	code_normalize("abcdefghij", out, sizeof out);
	cr_assert_str_eq(out, "ABCDEFG");
	code_normalize("ab", out, 1);
	cr_assert_str_empty(out);
	out[0] = 'x';
	code_normalize("ab", out, 0);
	cr_assert_eq(out[0], 'x');
}

/* ---- robustness ------------------------------------------------------------------------ */

Test(code_fuzz, random_inputs_keep_invariants)
{
	static const char *pieces[] = { "0", "1", "4", "9", "X", "x", "A", "I", "O", " ", "　",
					"９", "中", "\xFF", "\xE4\xB8", "\xF0\x9F\x98\x80", "-",
					"11", "44", "19", "20", "\t" };
	unsigned seed = 7;
	int n;

	for (n = 0; n < 20000; n++) {
		char in[128] = "";
		size_t len = 0;
		int k, parts;
		struct code_result r;
		struct code_options o = { CODE_KIND_AUTO, list_exception, exceptions };

		seed = seed * 1103515245u + 12345u;
		parts = (int)((seed >> 16) % 24);
		for (k = 0; k < parts; k++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
			if (len + strlen(p) >= sizeof in)
				break;
			memcpy(in + len, p, strlen(p) + 1);
			len += strlen(p);
		}
		o.force = (enum code_kind)(n % 4);
		code_check(in, &o, &r);
		assert_consistent(&r);
	}
}

/* ---- regions --------------------------------------------------------------------------- */

Test(region, lookup_levels)
{
	const struct region *r = region_lookup("440000");

	cr_assert_not_null(r);
	cr_assert_str_eq(r->name, "广东省");
	r = region_lookup("440300");
	cr_assert_str_eq(r->name, "广东省深圳市");
	r = region_lookup("110105");
	cr_assert_str_eq(r->name, "北京市朝阳区");
	cr_assert_str_eq(r->code, "110105");
	cr_assert_not_null(region_lookup("110000"));
	cr_assert_not_null(region_lookup("650000"));
}

Test(region, lookup_rejects_malformed)
{
	cr_assert_null(region_lookup(NULL));
	cr_assert_null(region_lookup(""));
	cr_assert_null(region_lookup("44030"));
	cr_assert_null(region_lookup("4403000"));
	cr_assert_null(region_lookup("44030a"));
	cr_assert_null(region_lookup(" 44030"));
	cr_assert_null(region_lookup("990000"));
	cr_assert_null(region_lookup("000000"));
	cr_assert_null(region_lookup("999999"));
}

Test(region, counties)
{
	int n = region_county_count(), i;
	const struct region *prev = NULL;

	cr_assert_gt(n, 2000);
	cr_assert_null(region_county_at(-1));
	cr_assert_null(region_county_at(n));
	for (i = 0; i < n; i++) {
		const struct region *r = region_county_at(i);

		cr_assert_not_null(r);
		cr_assert_eq(strlen(r->code), 6);
		/* Each county is found by lookup, and the list is in code order. */
		cr_assert_eq(region_lookup(r->code), r, "%s", r->code);
		if (prev)
			cr_assert_lt(strcmp(prev->code, r->code), 0);
		prev = r;
	}
}
