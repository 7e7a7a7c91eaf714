/*
 * code.c - checking subject identifiers: the unified social credit code (USCC, GB 32100-2015)
 * and the resident ID number (GB 11643-1999); see code.h and docs/domain.md section 2.
 *
 * Everything here is pure: no I/O, no clock, no allocation.  The only outside knowledge is
 * the division table (region.c) and the operator's exception list, reached through a
 * callback so that this file does not depend on the store.
 */
#include "code.h"

#include "region.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* GB 32100: a character's value is its index in this string (no I, O, Z, S, V). */
static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* GB 32100 weights for positions 1-17: 3^(i-1) mod 31. */
static const int uscc_weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10,
				      30, 28 };

/* GB 11714 weights for the eight body characters of the organisation code. */
static const int org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };

/* GB 11643 (ISO 7064 MOD 11-2) weights for positions 1-17 and the check character that
 * each remainder of the weighted sum mod 11 calls for. */
static const int id_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char id_check_chars[] = "10X98765432";

/* Central-level bodies (ministries, national social organisations) carry the division
 * "100000", which is not in GB/T 2260: it is legitimate and must not raise a warning. */
#define CODE_CENTRAL_DIVISION "100000"
#define CODE_CENTRAL_NAME "中央"

/* ---- UTF-8 and normalisation ------------------------------------------------------- */

/* Decodes one UTF-8 sequence from s (n > 0 bytes available).  Returns its length and
 * stores the code point in *cp; a byte that does not start a well-formed sequence
 * (stray continuation, truncated, overlong, surrogate, beyond U+10FFFF) gives 1 and -1. */
static size_t code_utf8_decode(const unsigned char *s, size_t n, long *cp)
{
	size_t len, i;
	long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
		min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
		min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		*cp = -1;
		return 1;
	}
	if (n < len) {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = c;
	return len;
}

/* What is trimmed from both ends.  Beyond the ASCII and full-width (U+3000) spaces that
 * people type, spreadsheets and web pages leave no-break spaces, byte-order marks and
 * zero-width spaces around copied codes; none of them can be part of a code. */
static int code_is_trim_space(long cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x3000 || cp == 0xA0 ||
	       cp == 0xFEFF || cp == 0x200B;
}

/* The normaliser behind code_normalize.  Writes the (possibly truncated) result into out
 * and returns the byte length the whole result has; *nchars receives its length in
 * characters.  Truncation never splits a character, so out stays valid UTF-8. */
static size_t code_normalize_full(const char *in, char *out, size_t outsz, size_t *nchars)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), start = n, end = 0, i, step, total = 0, w = 0;
	int full = outsz == 0;
	long cp;

	/* First pass: find the first and the last character that is not a space. */
	for (i = 0; i < n; i += step) {
		step = code_utf8_decode(s + i, n - i, &cp);
		if (code_is_trim_space(cp))
			continue;
		if (start == n)
			start = i;
		end = i + step;
	}
	*nchars = 0;
	for (i = start; i < end; i += step) {
		char tmp[4];
		const char *src = tmp;
		size_t len;

		step = code_utf8_decode(s + i, end - i, &cp);
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
			/* Full-width ASCII sits at a fixed offset from its half-width form. */
			tmp[0] = (char)(cp - 0xFEE0);
			len = 1;
		} else if (cp == 0x3000) {
			tmp[0] = ' ';
			len = 1;
		} else if (cp < 0) {
			/* An invalid byte becomes U+FFFD so that the result can go into JSON and
			 * messages as it is. */
			memcpy(tmp, "\xEF\xBF\xBD", 3);
			len = 3;
		} else {
			src = (const char *)s + i;
			len = step;
		}
		if (len == 1 && src[0] >= 'a' && src[0] <= 'z') {
			tmp[0] = (char)(src[0] - 'a' + 'A');
			src = tmp;
		}
		if (!full && w + len < outsz) {
			memcpy(out + w, src, len);
			w += len;
		} else {
			full = 1;
		}
		total += len;
		(*nchars)++;
	}
	if (outsz)
		out[w] = '\0';
	return total;
}

void code_normalize(const char *in, char *out, size_t outsz)
{
	size_t nchars;

	code_normalize_full(in, out, outsz, &nchars);
}

/* ---- check characters ---------------------------------------------------------------- */

static int code_uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_charset, c);
	return p ? (int)(p - uscc_charset) : -1;
}

char code_uscc_check_char(const char *first17)
{
	int i, sum = 0;

	if (!first17)
		return 0;
	for (i = 0; i < 17; i++) {
		int v = code_uscc_value(first17[i]);

		if (v < 0)
			return 0;
		sum += v * uscc_weights[i];
	}
	return uscc_charset[(31 - sum % 31) % 31];
}

char code_resident_id_check_char(const char *first17)
{
	int i, sum = 0;

	if (!first17)
		return 0;
	for (i = 0; i < 17; i++) {
		if (first17[i] < '0' || first17[i] > '9')
			return 0;
		sum += (first17[i] - '0') * id_weights[i];
	}
	return id_check_chars[sum % 11];
}

char code_org_check_char(const char *body8)
{
	int i, sum = 0, c;

	if (!body8)
		return 0;
	for (i = 0; i < 8; i++) {
		char ch = body8[i];
		int v;

		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A' + 10; /* GB 11714: A=10 ... Z=35, i.e. ASCII - 55 */
		else
			return 0;
		sum += v * org_weights[i];
	}
	c = 11 - sum % 11;
	return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

const char *code_kind_name(enum code_kind kind)
{
	switch (kind) {
	case CODE_KIND_USCC:
		return "uscc";
	case CODE_KIND_RESIDENT_ID:
		return "resident_id";
	default:
		return "other";
	}
}

/* ---- USCC registration authority and institution type (GB 32100 appendix A) ----------- */

struct code_uscc_type {
	char code[3];
	const char *name;
};

static const struct code_uscc_type uscc_authorities[] = {
	{ "1", "机构编制" }, { "2", "外交" },     { "3", "司法行政" }, { "4", "文化" },
	{ "5", "民政" },     { "6", "旅游" },     { "7", "宗教" },     { "8", "工会" },
	{ "9", "市场监管" }, { "A", "军队编制" }, { "N", "农业" },     { "Y", "其他" },
};

static const struct code_uscc_type uscc_types[] = {
	{ "11", "机关" },
	{ "12", "事业单位" },
	{ "13", "中央编办直接管理机构编制的群众团体" },
	{ "19", "其他" },
	{ "21", "外国常驻新闻机构" },
	{ "29", "其他" },
	{ "31", "律师执业机构" },
	{ "32", "公证处" },
	{ "33", "基层法律服务所" },
	{ "34", "司法鉴定机构" },
	{ "35", "仲裁委员会" },
	{ "39", "其他" },
	{ "41", "外国在华文化中心" },
	{ "49", "其他" },
	{ "51", "社会团体" },
	{ "52", "民办非企业单位" },
	{ "53", "基金会" },
	{ "59", "其他" },
	{ "61", "外国旅游部门常驻代表机构" },
	{ "62", "港澳台地区旅游部门常驻内地（大陆）代表机构" },
	{ "69", "其他" },
	{ "71", "宗教活动场所" },
	{ "72", "宗教院校" },
	{ "79", "其他" },
	{ "81", "工会" },
	{ "89", "其他" },
	{ "91", "企业" },
	{ "92", "个体工商户" },
	{ "93", "农民专业合作社" },
	{ "A1", "军队事业单位" },
	{ "A9", "其他" },
	{ "N1", "组级集体经济组织" },
	{ "N2", "村级集体经济组织" },
	{ "N3", "乡镇级集体经济组织" },
	{ "N9", "其他" },
	{ "Y1", "其他" },
};

static const char *code_uscc_authority(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof uscc_authorities / sizeof uscc_authorities[0]; i++)
		if (uscc_authorities[i].code[0] == s[0])
			return uscc_authorities[i].name;
	return NULL;
}

static const char *code_uscc_institution_type(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof uscc_types / sizeof uscc_types[0]; i++)
		if (uscc_types[i].code[0] == s[0] && uscc_types[i].code[1] == s[1])
			return uscc_types[i].name;
	return NULL;
}

/* ---- filling the result --------------------------------------------------------------- */

static void code_fail(struct code_result *out, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void code_fail(struct code_result *out, const char *reason, const char *fmt, ...)
{
	va_list ap;

	out->valid = 0;
	out->reason = reason;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof out->message, fmt, ap);
	va_end(ap);
}

static void code_warn(struct code_result *out, const char *reason)
{
	if (out->nwarnings < CODE_MAX_WARNINGS)
		out->warnings[out->nwarnings++] = reason;
}

/* Copies the division at s into region_code and names it; an unknown division is only a
 * warning because divisions are merged and renamed while old codes stay in use. */
static void code_set_region(struct code_result *out, const char *s)
{
	const struct region *r;

	memcpy(out->region_code, s, 6);
	out->region_code[6] = '\0';
	r = region_lookup(out->region_code);
	if (r)
		out->region_name = r->name;
	else
		code_warn(out, "region.unknown");
}

/* Describes the character at p for a message: the character itself, or a word for the
 * invisible ones that a person could not see between quotes. */
static void code_describe_char(const char *p, char *buf, size_t bufsz)
{
	const unsigned char *u = (const unsigned char *)p;
	long cp;
	size_t len = code_utf8_decode(u, strlen(p), &cp);

	if (cp == ' ')
		snprintf(buf, bufsz, "空格");
	else if (cp >= 0 && (cp < 0x20 || cp == 0x7F))
		snprintf(buf, bufsz, "控制字符");
	else
		snprintf(buf, bufsz, "%.*s", (int)len, p);
}

/* Finds the first character of s (nchars characters) for which ok() fails; returns its
 * 1-based position and points *at to it, or returns 0 when all pass.  pos is passed so
 * that the last position can have its own rule. */
static size_t code_find_bad(const char *s, size_t nchars, int (*ok)(char c, size_t pos),
			    const char **at)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, pos, n = strlen(s);
	long cp;

	for (pos = 1; pos <= nchars && i < n; pos++) {
		size_t step = code_utf8_decode(u + i, n - i, &cp);

		if (step != 1 || !ok(s[i], pos)) {
			*at = s + i;
			return pos;
		}
		i += step;
	}
	return 0;
}

/* Position 18 only has to be a letter or digit here: any wrong one there, even a letter
 * outside the set (the standard's own example ends in Z), is reported as a wrong check
 * character, because that message can name the character that belongs there. */
static int code_uscc_char_ok(char c, size_t pos)
{
	if (pos == 18)
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
	return code_uscc_value(c) >= 0;
}

static int code_id_char_ok(char c, size_t pos)
{
	return (c >= '0' && c <= '9') || (pos == 18 && c == 'X');
}

/* The characters people most often type by mistake for a USCC character. */
static const char *code_uscc_hint(char c)
{
	switch (c) {
	case 'I':
		return "（字母I不使用，是否为数字1？）";
	case 'O':
		return "（字母O不使用，是否为数字0？）";
	case 'Z':
		return "（字母Z不使用，是否为数字2？）";
	case 'S':
		return "（字母S不使用，是否为数字5？）";
	case 'V':
		return "（字母V不使用，是否为字母U？）";
	default:
		return "";
	}
}

/* ---- the USCC ------------------------------------------------------------------------ */

static void code_check_uscc(struct code_result *out, size_t nchars, const struct code_options *opts)
{
	const char *s = out->normalized, *bad;
	char desc[16], expected, org;
	size_t pos;

	if (nchars != 18) {
		code_fail(out, "code.length", "统一社会信用代码应为18位，实际为%zu位，请核对代码",
			  nchars);
		return;
	}
	pos = code_find_bad(s, nchars, code_uscc_char_ok, &bad);
	if (pos) {
		code_describe_char(bad, desc, sizeof desc);
		code_fail(out, "code.charset",
			  "统一社会信用代码第%zu位“%s”不是允许的字符%s：只能是数字0-9和除I、O、S、V、Z以外的大写字母",
			  pos, desc, code_uscc_hint(*bad));
		return;
	}
	/* From here on the code is 18 ASCII characters, the first 17 of the USCC set. */
	out->authority = code_uscc_authority(s);
	out->institution_type = code_uscc_institution_type(s);
	if (memcmp(s + 2, CODE_CENTRAL_DIVISION, 6) == 0) {
		memcpy(out->region_code, s + 2, 6);
		out->region_name = CODE_CENTRAL_NAME;
	} else {
		code_set_region(out, s + 2);
	}
	/* Mainstream validators ignore the embedded organisation code's check character, and
	 * some legally issued codes fail it, so it can only ever be a warning. */
	org = code_org_check_char(s + 8);
	if (org != s[16])
		code_warn(out, "code.org_check_char");

	out->valid = 1;
	expected = code_uscc_check_char(s);
	if (expected == s[17])
		return;
	if (opts && opts->is_exception && opts->is_exception(opts->ctx, s)) {
		code_warn(out, "code.known_exception");
		return;
	}
	code_fail(out, "code.check_char", "统一社会信用代码第18位校验位应为“%c”，实际为“%c”，请核对代码",
		  expected, s[17]);
}

/* ---- the resident ID number ---------------------------------------------------------- */

static int code_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A real calendar date from 1800 on.  The ID standard's own example was born in 1880, so
 * there is no recent lower bound, and no upper one either: comparing with today would make
 * the check depend on the clock. */
static int code_birth_date_ok(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1800 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && code_is_leap(y));
}

static int code_digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

static void code_check_resident_id(struct code_result *out, size_t nchars,
				   const struct code_options *opts)
{
	char *s = out->normalized, desc[16], expected;
	const char *bad;
	size_t pos;
	int y, m, d;

	if (nchars == 15) {
		pos = code_find_bad(s, nchars, code_id_char_ok, &bad);
		if (pos) {
			code_describe_char(bad, desc, sizeof desc);
			code_fail(out, "code.charset", "15位身份证号码第%zu位“%s”不是数字", pos, desc);
			return;
		}
		/* GB 11643: the old number has a two-digit year of the 1900s and no check
		 * character; insert "19" after the division and append the check. */
		memmove(s + 8, s + 6, 9);
		s[6] = '1';
		s[7] = '9';
		s[17] = code_resident_id_check_char(s);
		s[18] = '\0';
	} else if (nchars != 18) {
		code_fail(out, "code.length", "身份证号码应为18位（旧号码为15位），实际为%zu位，请核对号码",
			  nchars);
		return;
	} else {
		pos = code_find_bad(s, nchars, code_id_char_ok, &bad);
		if (pos) {
			code_describe_char(bad, desc, sizeof desc);
			if (pos == 18)
				code_fail(out, "code.charset", "身份证号码第18位“%s”应为数字或X", desc);
			else
				code_fail(out, "code.charset", "身份证号码第%zu位“%s”不是数字", pos, desc);
			return;
		}
	}
	/* From here on s is 17 digits and a digit or X. */
	code_set_region(out, s);
	out->sex = (s[16] - '0') % 2 ? "男" : "女";
	y = code_digits(s + 6, 4);
	m = code_digits(s + 10, 2);
	d = code_digits(s + 12, 2);
	/* A wrong date is reported before a wrong check character: it says which part of
	 * the number to look at. */
	if (!code_birth_date_ok(y, m, d)) {
		code_fail(out, "id.birth_date", "身份证号码中的出生日期“%.4s年%.2s月%.2s日”不存在，请核对号码",
			  s + 6, s + 10, s + 12);
		return;
	}
	/* The digits are already the date: copy them rather than format numbers. */
	memcpy(out->birth_date, s + 6, 4);
	out->birth_date[4] = '-';
	memcpy(out->birth_date + 5, s + 10, 2);
	out->birth_date[7] = '-';
	memcpy(out->birth_date + 8, s + 12, 2);
	out->birth_date[10] = '\0';

	out->valid = 1;
	expected = code_resident_id_check_char(s);
	if (expected == s[17])
		return;
	if (opts && opts->is_exception && opts->is_exception(opts->ctx, s)) {
		code_warn(out, "code.known_exception");
		return;
	}
	code_fail(out, "code.check_char", "身份证号码第18位校验位应为“%c”，实际为“%c”，请核对号码",
		  expected, s[17]);
}

/* ---- kind judgement ------------------------------------------------------------------ */

/* Whether s (n ASCII characters, n >= 12) is shaped like a resident ID number: digits, the
 * last possibly X; a province code at positions 1-2 (the GB/T 2260 provinces, plus 81-83
 * which GB 11643-format residence permits of Hong Kong, Macao and Taiwan residents use);
 * and a plausible year (1800-2100) and month at positions 7-12. */
static int code_is_id_shaped(const char *s, size_t n)
{
	char prov[7];
	size_t i;
	int y, m;

	for (i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(i == n - 1 && s[i] == 'X'))
			return 0;
	if (n < 12)
		return 0;
	memcpy(prov, s, 2);
	memcpy(prov + 2, "0000", 5);
	if (!region_lookup(prov) && !(s[0] == '8' && s[1] >= '1' && s[1] <= '3'))
		return 0;
	y = code_digits(s + 6, 4);
	m = code_digits(s + 10, 2);
	return y >= 1800 && y <= 2100 && m >= 1 && m <= 12;
}

static int code_is_upper_alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(s[i] >= 'A' && s[i] <= 'Z'))
			return 0;
	return 1;
}

/* The kind rule documented in code.h.  s is the normalized code, len its length in bytes
 * and nchars in characters; len == nchars means plain ASCII. */
static enum code_kind code_judge(const char *s, size_t len, size_t nchars)
{
	if (len == 15 && nchars == 15 && strspn(s, "0123456789") == 15)
		return CODE_KIND_RESIDENT_ID;
	if (nchars == 18) {
		if (len != 18 || !code_is_id_shaped(s, 18))
			return CODE_KIND_USCC;
		/* Some all-digit USCCs (types 11, 12, 31, 51...) start like a province and
		 * can read a plausible date: when the shape is ambiguous, the check
		 * character decides. */
		if (code_resident_id_check_char(s) != s[17] && code_uscc_check_char(s) == s[17])
			return CODE_KIND_USCC;
		return CODE_KIND_RESIDENT_ID;
	}
	if (len == nchars && nchars >= 16 && nchars <= 20 && code_is_upper_alnum(s, len))
		return code_is_id_shaped(s, len) ? CODE_KIND_RESIDENT_ID : CODE_KIND_USCC;
	return CODE_KIND_OTHER;
}

void code_check(const char *input, const struct code_options *opts, struct code_result *out)
{
	enum code_kind force = opts ? opts->force : CODE_KIND_AUTO;
	size_t len, nchars;

	memset(out, 0, sizeof *out);
	len = code_normalize_full(input, out->normalized, sizeof out->normalized, &nchars);
	if (force == CODE_KIND_USCC || force == CODE_KIND_RESIDENT_ID || force == CODE_KIND_OTHER)
		out->kind = force;
	else
		out->kind = code_judge(out->normalized, len, nchars);

	if (nchars == 0) {
		code_fail(out, "code.empty", "代码为空，请填写统一社会信用代码或证件号码");
		return;
	}
	switch (out->kind) {
	case CODE_KIND_USCC:
		code_check_uscc(out, nchars, opts);
		break;
	case CODE_KIND_RESIDENT_ID:
		code_check_resident_id(out, nchars, opts);
		break;
	default:
		/* Passports, permits and the like have no published check rule; the only thing
		 * that can go wrong is a value too long to keep. */
		if (len >= CODE_MAX)
			code_fail(out, "code.length", "证件号码过长（共%zu个字符），请核对", nchars);
		else
			out->valid = 1;
		break;
	}
}
