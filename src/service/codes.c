/* codes.c - code check results as JSON; see codes.h. */
#include "codes.h"

#include "core/embedded.h"
#include "core/err.h"
#include "core/region.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

json_t *codes_region_json(const char *region_code)
{
	const struct region *r;

	if (!region_code || !*region_code)
		return json_null();
	r = region_lookup(region_code);
	if (!r)
		return json_null();
	return json_pack("{s:s, s:s}", "code", r->code, "name", r->name);
}

int codes_builtin_exception(void *ctx, const char *code)
{
	const char *data = embedded_code_exceptions[0].data;
	size_t n = strlen(code);
	const char *p;

	(void)ctx;
	/* Each entry starts a line and ends at the comma before its note. */
	for (p = strstr(data, code); p; p = strstr(p + 1, code))
		if ((p == data || p[-1] == '\n') && p[n] == ',')
			return 1;
	return 0;
}

json_t *codes_check(struct store *s, const char *input, enum code_kind force)
{
	return codes_check_with(input, force, s ? store_code_exception_has : NULL, s);
}

/* Whether the normalized code has a space inside it (the ends are already trimmed). */
static int codes_has_inner_space(const char *normalized)
{
	return strchr(normalized, ' ') != NULL || strchr(normalized, '\t') != NULL;
}

/* The input without its spaces and tabs (a full-width space is normalized first). */
static void codes_strip_spaces(const char *normalized, char out[CODE_MAX])
{
	size_t i, n = 0;

	for (i = 0; normalized[i] && n < CODE_MAX - 1; i++)
		if (normalized[i] != ' ' && normalized[i] != '\t')
			out[n++] = normalized[i];
	out[n] = '\0';
}

/* Characters of UTF-8 text. */
static size_t codes_char_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

json_t *codes_check_with(const char *input, enum code_kind force,
			 int (*is_exception)(void *ctx, const char *code), void *ctx)
{
	struct code_options opts = { force, is_exception, ctx };
	struct code_result res;
	json_t *warnings = json_array(), *out;
	int i, spaced = 0;

	code_check(input, &opts, &res);
	/* "9144 1200 MA00 ..." as printed on some licences: the same code, said so. */
	if (codes_has_inner_space(res.normalized)) {
		char compact[CODE_MAX];

		codes_strip_spaces(res.normalized, compact);
		code_check(compact, &opts, &res);
		spaced = 1;
	}
	/* By shape alone, only 18 characters (a USCC or an ID number) or 15 digits (an old ID
	 * number) are a code: "123" is not a valid one of anything.  The kind `other`
	 * (passports, permits) must be asked for. */
	if (force == CODE_KIND_AUTO && res.kind == CODE_KIND_OTHER && res.valid) {
		res.valid = 0;
		res.reason = "code.kind_unknown";
		snprintf(res.message, sizeof res.message,
			 "无法判断代码类型：统一社会信用代码和身份证号码为18位，旧身份证号码为15位数字，"
			 "这里是%zu个字符。请核对是否多字或漏字；护照等其他证件号码请加 --kind other",
			 codes_char_count(res.normalized));
	}
	if (spaced)
		json_array_append_new(warnings, json_string("code.inner_space"));
	for (i = 0; i < res.nwarnings; i++)
		json_array_append_new(warnings, json_string(res.warnings[i]));
	out = json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?, s:o, s:o}", "input", input, "normalized",
			res.normalized, "kind", code_kind_name(res.kind), "valid", res.valid,
			"reason", res.reason, "message", res.valid ? NULL : res.message,
			"warnings", warnings, "region",
			res.region_name ? codes_region_json(res.region_code) : json_null());
	return out;
}

int codes_require_valid(struct store *s, const char *input, enum code_kind kind,
			const char *field, char out[CODE_MAX], struct err *e)
{
	struct code_options opts = { kind, s ? store_code_exception_has : NULL, s };
	struct code_result res;

	out[0] = '\0';
	if (!input || !*input)
		return err_set_field(e, "request.invalid", field, "缺少 %s：应为%s", field,
				     kind == CODE_KIND_USCC ? "统一社会信用代码"
							    : "统一社会信用代码或身份证号码");
	code_check(input, &opts, &res);
	if (!res.valid)
		return err_set_field(e, res.reason, field, "%s“%s”无效：%s", field, input,
				     res.message);
	memcpy(out, res.normalized, CODE_MAX);
	return 0;
}
