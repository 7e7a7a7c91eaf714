/* test_json_input.c - JSON request bodies and their members (src/core/json_input.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/json_input.h"
#include "core/text.h"

/* Parses s (strlen bytes) and checks it gives an object. The caller json_decref's it. */
static json_t *parses(const char *s)
{
	json_t *obj = (json_t *)1;
	struct err e;

	err_clear(&e);
	cr_assert_eq(json_input_parse(s, strlen(s), &obj, &e), 0, "\"%s\" should parse: %s", s,
		     e.message);
	cr_assert(json_is_object(obj));
	cr_assert_str_eq(e.reason, "");
	return obj;
}

/* Checks data[0..n) is refused with reason and a message holding every NULL-terminated
 * fragment; the message must be valid UTF-8. */
static void refuses_n(const char *data, size_t n, const char *reason, const char *fragment)
{
	json_t *obj = (json_t *)1;
	struct err e;

	err_clear(&e);
	cr_assert_eq(json_input_parse(data, n, &obj, &e), -1, "input should be refused");
	cr_assert_null(obj, "*out must be NULL on failure");
	cr_assert_str_eq(e.reason, reason, "reason %s, expected %s (%s)", e.reason, reason,
			 e.message);
	cr_assert(text_is_utf8(e.message, strlen(e.message)));
	if (fragment)
		cr_assert(strstr(e.message, fragment) != NULL, "message \"%s\" lacks \"%s\"",
			  e.message, fragment);
}

static void refuses(const char *s, const char *fragment)
{
	refuses_n(s, strlen(s), "request.invalid", fragment);
}

/* A body of depth levels: {"a":{"a":...{}...}}. */
static char *nested(int depth, char open, char close)
{
	char *s = malloc((size_t)depth * 6 + 1), *p = s;
	int i;

	cr_assert_not_null(s);
	for (i = 0; i < depth; i++) {
		*p++ = open;
		if (open == '{' && i < depth - 1) {
			memcpy(p, "\"a\":", 4);
			p += 4;
		}
	}
	for (i = 0; i < depth; i++)
		*p++ = close;
	*p = '\0';
	return s;
}

/* ---- json_input_parse --------------------------------------------------------------- */

Test(json_input_parse, object)
{
	json_t *obj = parses(" {\"username\": \"张三\", \"n\": 1, \"tags\": [1, {\"x\": null}]}\n");

	cr_assert_str_eq(json_string_value(json_object_get(obj, "username")), "张三");
	cr_assert_eq(json_integer_value(json_object_get(obj, "n")), 1);
	json_decref(obj);
	json_decref(parses("{}"));
}

Test(json_input_parse, not_nul_terminated)
{
	/* The body is a byte span: what follows it is not read. */
	const char body[] = "{\"a\":\"b\"}GARBAGE";
	json_t *obj = NULL;
	struct err e;

	cr_assert_eq(json_input_parse(body, 9, &obj, &e), 0, "%s", e.message);
	cr_assert_str_eq(json_string_value(json_object_get(obj, "a")), "b");
	json_decref(obj);
}

Test(json_input_parse, empty)
{
	refuses_n("", 0, "request.invalid", "为空");
	refuses_n(NULL, 0, "request.invalid", "为空");
	refuses(" \r\n\t ", "为空");
}

Test(json_input_parse, not_an_object)
{
	refuses("[1,2]", "实际为数组");
	refuses("\"x\"", "实际为字符串");
	refuses("42", "实际为数字");
	refuses("true", "实际为布尔值");
	refuses("null", "实际为空值（null）");
}

Test(json_input_parse, too_large)
{
	size_t n = JSON_INPUT_MAX_BYTES + 1;
	char *s = malloc(n);
	json_t *obj;
	struct err e;

	cr_assert_not_null(s);
	/* A valid object of exactly the limit is accepted... */
	memset(s, ' ', n);
	s[0] = '{';
	s[JSON_INPUT_MAX_BYTES - 1] = '}';
	cr_assert_eq(json_input_parse(s, JSON_INPUT_MAX_BYTES, &obj, &e), 0, "%s", e.message);
	json_decref(obj);
	/* ...one byte more is refused before anything is read. */
	refuses_n(s, n, "request.too_large", "65536");
	free(s);
}

Test(json_input_parse, depth)
{
	char *s;

	s = nested(JSON_INPUT_MAX_DEPTH, '{', '}');
	json_decref(parses(s));
	free(s);
	s = nested(JSON_INPUT_MAX_DEPTH + 1, '{', '}');
	refuses(s, "嵌套超过 8 层");
	free(s);
	/* Arrays count as levels too, and the position is that of the ninth bracket. */
	refuses("{\"a\":[[[[[[[[1]]]]]]]]}", "第 1 行第 13 列");
	/* Far deeper than jansson's own limit, still refused at once. */
	s = nested(20000, '[', ']');
	refuses(s, "嵌套超过");
	free(s);
}

Test(json_input_parse, depth_ignores_strings)
{
	/* Brackets inside strings, escaped quotes included, are text. */
	json_decref(parses("{\"a\":\"[[[[[[[[[[[[{{{{{{{{{{\"}"));
	json_decref(parses("{\"a\":\"\\\"[[[[[[[[[[[[[[\", \"b\":\"\\\\\"}"));
	/* A backslash before the closing quote does not hide what follows. */
	refuses("{\"a\":\"\\\\\",\"b\":[[[[[[[[1]]]]]]]]}", "嵌套超过");
}

Test(json_input_parse, nul_byte)
{
	const char body[] = "{\"a\":\"b\0\"}";

	refuses_n(body, sizeof body - 1, "request.invalid", "NUL");
	/* The escaped form is refused by jansson. */
	refuses("{\"a\":\"\\u0000\"}", "\\u0000");
	refuses("{\"a\\u0000\":1}", "\\u0000");
}

Test(json_input_parse, invalid_utf8)
{
	/* GB18030 "张" (D5 C5), as a client that does not send UTF-8 would. */
	refuses("{\"name\":\"\xD5\xC5\"}", "第 1 行第 10 列");
	refuses("{\"a\":1,\n\"b\":\"\xC0\xAF\"}", "UTF-8");
	/* A sequence cut by the end of the body. */
	refuses_n("{\"a\":\"\xE5\xBC", 8, "request.invalid", "UTF-8");
	/* Surrogates encoded in UTF-8 (CESU) are not UTF-8. */
	refuses("{\"a\":\"\xED\xA0\x80\"}", "UTF-8");
	/* Invalid UTF-8 before a NUL is reported as what it is. */
	refuses_n("{\"a\":\"\xFF\0\"}", 10, "request.invalid", "UTF-8");
}

Test(json_input_parse, duplicate_keys)
{
	refuses("{\"password\":\"a\",\"password\":\"b\"}", "重复的键");
	/* Duplicates in nested objects too. */
	refuses("{\"a\":{\"x\":1,\"x\":1}}", "重复的键");
}

Test(json_input_parse, syntax_errors_name_the_place)
{
	refuses("{\"a\":1,}", "第 1 行第 8 列");
	refuses("{\n  \"a\": tru\n}", "第 2 行");
	refuses("{\"a\":1} x", "多余的内容");
	refuses("{\"a\":", "不完整");
	refuses("{\"a\":99999999999999999999}", "超出");
	refuses("{'a':1}", "语法错误");
	refuses("{\"a\":\"\\ud800\"}", "语法错误");
	/* Columns count characters, not bytes. */
	refuses("{\"名称\":1,}", "第 1 行第 9 列：语法错误");
}

/* ---- json_input_string -------------------------------------------------------------- */

/* Calls json_input_string on the object that s parses to. */
static int get(const char *s, const char *key, int flags, size_t max, const char **out,
	       struct err *e, json_t **obj)
{
	*obj = parses(s);
	err_clear(e);
	return json_input_string(*obj, key, flags, max, out, e);
}

Test(json_input_string, present)
{
	json_t *obj;
	const char *v = NULL;
	struct err e;

	cr_assert_eq(get("{\"u\":\" 张三 \"}", "u", JSON_INPUT_REQUIRED, 4, &v, &e, &obj), 0,
		     "%s", e.message);
	/* Borrowed from the object, not trimmed. */
	cr_assert_str_eq(v, " 张三 ");
	cr_assert_eq(v, json_string_value(json_object_get(obj, "u")));
	json_decref(obj);
}

Test(json_input_string, optional_absent_or_null)
{
	json_t *obj;
	const char *v = "x";
	struct err e;

	cr_assert_eq(get("{}", "u", 0, 0, &v, &e, &obj), 0);
	cr_assert_null(v);
	json_decref(obj);
	v = "x";
	cr_assert_eq(get("{\"u\":null}", "u", 0, 0, &v, &e, &obj), 0);
	cr_assert_null(v);
	json_decref(obj);
	/* Optional and empty is a value. */
	cr_assert_eq(get("{\"u\":\"\"}", "u", 0, 0, &v, &e, &obj), 0);
	cr_assert_str_eq(v, "");
	json_decref(obj);
}

/* Checks that member key of s is refused with field = key and a message with fragment. */
static void string_refused(const char *s, const char *key, int flags, size_t max,
			   const char *fragment)
{
	json_t *obj;
	const char *v = "x";
	struct err e;

	cr_assert_eq(get(s, key, flags, max, &v, &e, &obj), -1, "%s: %s should be refused", s,
		     key);
	cr_assert_null(v);
	cr_assert_str_eq(e.reason, "request.invalid");
	cr_assert_str_eq(e.field, key);
	cr_assert(strstr(e.message, fragment) != NULL, "message \"%s\" lacks \"%s\"",
		  e.message, fragment);
	json_decref(obj);
}

Test(json_input_string, required_missing)
{
	string_refused("{}", "password", JSON_INPUT_REQUIRED, 0, "缺少必填字段“password”");
	string_refused("{\"password\":null}", "password", JSON_INPUT_REQUIRED, 0, "缺少");
}

Test(json_input_string, not_a_string)
{
	string_refused("{\"u\":1}", "u", 0, 0, "应为字符串，实际为数字");
	string_refused("{\"u\":true}", "u", JSON_INPUT_REQUIRED, 0, "实际为布尔值");
	string_refused("{\"u\":[\"a\"]}", "u", 0, 0, "实际为数组");
	string_refused("{\"u\":{}}", "u", 0, 0, "实际为对象");
}

Test(json_input_string, required_blank)
{
	string_refused("{\"u\":\"\"}", "u", JSON_INPUT_REQUIRED, 0, "不能为空");
	/* ASCII spaces, the ideographic space and a no-break space are all blank. */
	string_refused("{\"u\":\" \\t\u3000\u00a0 \"}", "u", JSON_INPUT_REQUIRED, 0,
		       "不能为空");
}

Test(json_input_string, max_chars)
{
	json_t *obj;
	const char *v;
	struct err e;

	/* Characters, not bytes: four Chinese characters are 12 bytes. */
	cr_assert_eq(get("{\"n\":\"信用中国\"}", "n", 0, 4, &v, &e, &obj), 0, "%s", e.message);
	json_decref(obj);
	string_refused("{\"n\":\"信用中国网\"}", "n", 0, 4, "5 个字符，不得超过 4 个字符");
	/* Escapes count as the character they stand for. */
	cr_assert_eq(get("{\"n\":\"\\u4fe1\\u7528\"}", "n", 0, 2, &v, &e, &obj), 0);
	cr_assert_str_eq(v, "信用");
	json_decref(obj);
}

Test(json_input_string, built_objects)
{
	/* Objects built in code rather than parsed: an embedded NUL and a non-object. */
	json_t *obj = json_object(), *arr = json_array();
	const char *v = "x";
	struct err e;

	json_object_set_new(obj, "u", json_stringn("a\0b", 3));
	cr_assert_eq(json_input_string(obj, "u", 0, 0, &v, &e), -1);
	cr_assert_null(v);
	cr_assert_str_eq(e.field, "u");
	cr_assert_eq(json_input_string(arr, "u", 0, 0, &v, &e), -1);
	cr_assert_str_eq(e.reason, "request.invalid");
	json_decref(obj);
	json_decref(arr);
}

/* ---- json_input_only ---------------------------------------------------------------- */

static const char *const login_fields[] = { "username", "password", "totp", NULL };

Test(json_input_only, all_known)
{
	json_t *obj = parses("{\"password\":\"x\",\"username\":\"y\"}");
	struct err e;

	err_clear(&e);
	cr_assert_eq(json_input_only(obj, login_fields, &e), 0);
	cr_assert_str_eq(e.reason, "");
	json_decref(obj);
	obj = parses("{}");
	cr_assert_eq(json_input_only(obj, login_fields, &e), 0);
	json_decref(obj);
}

Test(json_input_only, typo_is_named_with_a_suggestion)
{
	json_t *obj = parses("{\"username\":\"y\",\"pasword\":\"x\",\"zzz\":1}");
	struct err e;

	cr_assert_eq(json_input_only(obj, login_fields, &e), -1);
	cr_assert_str_eq(e.reason, "request.invalid");
	/* The first unknown member in the body's order. */
	cr_assert_str_eq(e.field, "pasword");
	cr_assert(strstr(e.message, "未知字段“pasword”，是否应为“password”？") != NULL, "%s",
		  e.message);
	json_decref(obj);
}

Test(json_input_only, unrelated_key_lists_the_known_ones)
{
	json_t *obj = parses("{\"role\":\"admin\"}");
	struct err e;
	static const char *const none[] = { NULL };

	cr_assert_eq(json_input_only(obj, login_fields, &e), -1);
	cr_assert_str_eq(e.field, "role");
	cr_assert(strstr(e.message, "username、password、totp") != NULL, "%s", e.message);
	cr_assert_eq(json_input_only(obj, none, &e), -1);
	cr_assert_str_eq(e.message, "未知字段“role”");
	json_decref(obj);
}

Test(json_input_only, long_key_is_quoted)
{
	/* A client's key of any length gives a field and message that fit and stay UTF-8. */
	char body[600], *p = body;
	json_t *obj;
	struct err e;
	int i;

	memcpy(p, "{\"", 2);
	p += 2;
	for (i = 0; i < 150; i++, p += strlen("键"))
		memcpy(p, "键", strlen("键"));
	memcpy(p, "\":1}", 5);
	obj = parses(body);
	cr_assert_eq(json_input_only(obj, login_fields, &e), -1);
	cr_assert(text_is_utf8(e.field, strlen(e.field)));
	cr_assert(text_is_utf8(e.message, strlen(e.message)));
	cr_assert(strstr(e.field, "…") != NULL);
	json_decref(obj);
}
