/* rules_json.c - reading the members of a rules file; see rules_json.h. */
#include "rules_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_rules.h"
#include "date.h"
#include "err.h"
#include "text.h"


/* Sets `rules.invalid` with field = the member's path and a message that names it. */
int rules_fail(struct err *e, const char *field, const char *fmt, ...)
{
	char what[ERR_MESSAGE_MAX - ERR_FIELD_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	text_utf8_clip(what);
	return err_set_field(e, "rules.invalid", field, "规则文件的 %s：%s", field, what);
}

int rules_oom(struct err *e)
{
	return err_set(e, "internal.error", "内存不足");
}

void rules_path(char *out, size_t n, const char *list, size_t i, const char *member)
{
	if (member)
		snprintf(out, n, "%s[%zu].%s", list, i, member);
	else
		snprintf(out, n, "%s[%zu]", list, i);
}

int rules_in(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Refuses a member of obj not in `known`, so that a typo ("fianl") is not silently a
 * state that never ends.  prefix is the object's path ("" for the top level). */
int rules_only(json_t *obj, const char *prefix, const char *const *known,
		      struct err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v) {
		char field[ERR_FIELD_MAX], q[RULES_QUOTE_MAX];

		if (rules_in(known, key))
			continue;
		text_quote(key, q, sizeof q);
		snprintf(field, sizeof field, "%s%s%s", prefix, *prefix ? "." : "", q);
		return rules_fail(e, field, "未知的成员“%s”", q);
	}
	return 0;
}

/* Reads a string member: *out borrowed from obj, NULL when absent and optional. */
int rules_string(json_t *obj, const char *key, const char *field, int required,
			const char **out, struct err *e)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return rules_fail(e, field, "缺少该成员");
		return 0;
	}
	if (!json_is_string(v))
		return rules_fail(e, field, "应为字符串");
	if (!*json_string_value(v))
		return rules_fail(e, field, "不能为空");
	*out = json_string_value(v);
	return 0;
}

/* Ids appear in URLs (/actions/{action}) and in the store: lower-case ASCII. */
int rules_id(json_t *obj, const char *key, const char *field, const char **out,
		    struct err *e)
{
	char q[RULES_QUOTE_MAX];
	const char *p;

	if (rules_string(obj, key, field, 1, out, e) < 0)
		return -1;
	for (p = *out; *p; p++) {
		int later = p > *out && ((*p >= '0' && *p <= '9') || *p == '_');

		if (!(*p >= 'a' && *p <= 'z') && !later)
			break;
	}
	if (*p || strlen(*out) > CASE_RULES_ID_MAX) {
		text_quote(*out, q, sizeof q);
		return rules_fail(e, field, "“%s”不是有效的标识：应为小写字母开头、由小写字母、"
				  "数字和下划线组成，至多%d个字符", q, CASE_RULES_ID_MAX);
	}
	return 0;
}

int rules_name(json_t *obj, const char *key, const char *field, const char **out,
		      struct err *e)
{
	if (rules_string(obj, key, field, 1, out, e) < 0)
		return -1;
	if (text_utf8_length(*out) > CASE_RULES_NAME_MAX)
		return rules_fail(e, field, "名称过长，至多%d个字", CASE_RULES_NAME_MAX);
	return 0;
}

/* A window member: -1 when absent. */
int rules_days(json_t *obj, const char *key, const char *field, int *out,
		      struct err *e)
{
	json_t *v = json_object_get(obj, key);

	*out = -1;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > CASE_RULES_DAYS_MAX)
		return rules_fail(e, field, "应为 0 到 %d 的整数", CASE_RULES_DAYS_MAX);
	*out = (int)json_integer_value(v);
	return 0;
}

int rules_flag(json_t *obj, const char *key, const char *field, int *out,
		      struct err *e)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return rules_fail(e, field, "应为 true 或 false");
	*out = json_is_true(v);
	return 0;
}

/* An array member with 1..max elements. */
int rules_array(json_t *obj, const char *key, const char *field, size_t max,
		       json_t **out, struct err *e)
{
	*out = json_object_get(obj, key);
	if (!*out)
		return rules_fail(e, field, "缺少该成员");
	if (!json_is_array(*out) || json_array_size(*out) == 0)
		return rules_fail(e, field, "应为非空数组");
	if (json_array_size(*out) > max)
		return rules_fail(e, field, "至多%zu项", max);
	return 0;
}

/* The string arr[i], refusing an earlier equal one; field is the element's path. */
int rules_element(json_t *arr, size_t i, const char *field, const char **out,
			 struct err *e)
{
	char q[RULES_QUOTE_MAX];
	size_t j;

	*out = json_string_value(json_array_get(arr, i));
	if (!*out || !**out)
		return rules_fail(e, field, "应为非空字符串");
	for (j = 0; j < i; j++)
		if (strcmp(json_string_value(json_array_get(arr, j)), *out) == 0) {
			text_quote(*out, q, sizeof q);
			return rules_fail(e, field, "“%s”重复出现", q);
		}
	return 0;
}

int rules_json_load(const char *json, json_t **root, struct err *e)
{
	json_error_t jerr;

	*root = NULL;
	/* jansson's message may quote the bytes it stopped at, so bytes that are not UTF-8
	 * are refused before it sees them. */
	if (json && !text_is_utf8(json, strlen(json)))
		return err_set(e, "rules.invalid", "规则文件不是有效的 UTF-8 文本");
	/* Two members of one name would let two readers see two different files. */
	*root = json ? json_loads(json, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!*root)
		return err_set(e, "rules.invalid", "规则文件不是有效的 JSON 对象（第%d行第%d列）：%s",
			       json ? jerr.line : 0, json ? jerr.column : 0,
			       !json ? "无内容"
			       : text_is_utf8(jerr.text, strlen(jerr.text)) ? jerr.text
									: "语法错误");
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return err_set(e, "rules.invalid", "规则文件不是有效的 JSON 对象：其顶层应为对象");
	}
	return 0;
}
