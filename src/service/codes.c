/* codes.c - code check results as JSON; see codes.h. */
#include "codes.h"

#include "core/embedded.h"
#include "core/err.h"
#include "core/region.h"
#include "store/store.h"

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

json_t *codes_check_with(const char *input, enum code_kind force,
			 int (*is_exception)(void *ctx, const char *code), void *ctx)
{
	struct code_options opts = { force, is_exception, ctx };
	struct code_result res;
	json_t *warnings = json_array(), *out;
	int i;

	code_check(input, &opts, &res);
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
