/*
 * json_input.c - parsing JSON request bodies and reading their members; see json_input.h.
 *
 * The checks before json_loadb are cheap single passes that bound what jansson has to
 * do: its own depth limit is 2048, far more than any request of ours needs, and a body
 * of 64 KiB of "[" would otherwise build that deep a tree before failing.  Positions in
 * messages are "line L, column C" with C counted in characters from 1, as jansson counts
 * them, so that every refusal points at the same place an editor shows.
 */
#include "json_input.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "text.h"

/* Keys longer than this are not compared for a "did you mean" suggestion: a typo of a
 * short field name is short too, and the distance table stays on the stack. */
#define JSON_INPUT_SUGGEST_MAX 64
/* The longest known-field list quoted in a message. */
#define JSON_INPUT_LIST_MAX 200

/* Line and character column (both from 1) of byte offset off in data, which is valid
 * UTF-8 up to off. */
static void json_input_locate(const char *data, size_t off, int *line, int *column)
{
	size_t i;

	*line = 1;
	*column = 1;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			(*column)++;
		}
	}
}

/* Byte offset of the first [ or { that opens more than JSON_INPUT_MAX_DEPTH levels, or
 * len when there is none.  Brackets inside strings do not count; a backslash in a string
 * escapes the next byte, so "\"[" is still inside the string.  Unbalanced closers are
 * left for jansson to report. */
static size_t json_input_too_deep(const char *data, size_t len)
{
	size_t i, depth = 0;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > JSON_INPUT_MAX_DEPTH)
				return i;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return len;
}

/* jansson's error text ends in " near 'TOKEN'" when it has the offending token; copies
 * TOKEN (quoted for a message) into out, or "" when there is none. */
static void json_input_near(const char *text, char *out, size_t outsz)
{
	const char *p = strstr(text, " near '");
	size_t n;
	char token[JSON_ERROR_TEXT_LENGTH];

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(" near '");
	n = strlen(p);
	if (n < 1 || p[n - 1] != '\'')
		return;
	memcpy(token, p, n - 1);
	token[n - 1] = '\0';
	text_quote(token, out, outsz);
}

static const char *json_input_describe(enum json_error_code code)
{
	switch (code) {
	case json_error_premature_end_of_input:
		return "内容不完整，可能被截断";
	case json_error_end_of_input_expected:
		return "JSON 值之后还有多余的内容";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "字符串中不允许出现 \\u0000";
	case json_error_duplicate_key:
		return "同一对象中有重复的键";
	case json_error_numeric_overflow:
		return "数字超出可表示的范围";
	case json_error_invalid_utf8:
		return "含有无效的 UTF-8 字节";
	case json_error_stack_overflow:
		return "嵌套层数过多";
	case json_error_invalid_syntax:
		return "语法错误";
	default:
		return "格式错误";
	}
}

static const char *json_input_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "对象";
	case JSON_ARRAY:
		return "数组";
	case JSON_STRING:
		return "字符串";
	case JSON_INTEGER:
	case JSON_REAL:
		return "数字";
	case JSON_TRUE:
	case JSON_FALSE:
		return "布尔值";
	default:
		return "空值（null）";
	}
}

int json_input_parse(const char *data, size_t len, json_t **out, struct err *e)
{
	json_error_t jerr;
	json_t *root;
	const char *nul;
	size_t off, i;
	int line, column;
	char near[32];

	*out = NULL;
	if (len > JSON_INPUT_MAX_BYTES)
		return err_set(e, "request.too_large", "请求体过大：%zu 字节，不得超过 %d 字节",
			       len, JSON_INPUT_MAX_BYTES);
	for (i = 0; data && i < len && data[i] && strchr(" \t\r\n", data[i]); i++)
		;
	if (!data || i == len)
		return err_set(e, "request.invalid", "请求体为空，应为一个 JSON 对象");
	/* NUL first: it is valid UTF-8, and jansson would stop reading at it. */
	nul = memchr(data, '\0', len);
	off = text_utf8_valid_prefix(data, nul ? (size_t)(nul - data) : len, NULL);
	if (nul || off < len) {
		json_input_locate(data, off, &line, &column);
		return err_set(e, "request.invalid", "请求体第 %d 行第 %d 列：%s", line, column,
			       nul && off == (size_t)(nul - data) ? "含有 NUL 字节" :
			       "不是有效的 UTF-8 文本，请以 UTF-8 编码发送");
	}
	off = json_input_too_deep(data, len);
	if (off < len) {
		json_input_locate(data, off, &line, &column);
		return err_set(e, "request.invalid",
			       "请求体第 %d 行第 %d 列：JSON 嵌套超过 %d 层", line, column,
			       JSON_INPUT_MAX_DEPTH);
	}
	/* JSON_DECODE_ANY so that a string or number body gets the clear "must be an
	 * object" message below instead of a syntax error. */
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return err_set(e, "internal.error", "内存不足，无法解析请求体");
		json_input_near(jerr.text, near, sizeof near);
		if (near[0])
			return err_set(e, "request.invalid",
				       "请求体不是有效的 JSON：第 %d 行第 %d 列：%s（“%s”附近）",
				       jerr.line, jerr.column, json_input_describe(json_error_code(&jerr)),
				       near);
		return err_set(e, "request.invalid", "请求体不是有效的 JSON：第 %d 行第 %d 列：%s",
			       jerr.line, jerr.column, json_input_describe(json_error_code(&jerr)));
	}
	if (!json_is_object(root)) {
		err_set(e, "request.invalid", "请求体应为一个 JSON 对象（{...}），实际为%s",
			json_input_type_name(root));
		json_decref(root);
		return -1;
	}
	*out = root;
	return 0;
}

/* Whether s is empty once text_trim's spaces are cut; s is not changed. */
static int json_input_blank(const char *s, struct err *e, int *blank)
{
	char *copy = strdup(s);

	if (!copy)
		return err_set(e, "internal.error", "内存不足，无法读取请求参数");
	*blank = text_trim(copy)[0] == '\0';
	free(copy);
	return 0;
}

int json_input_string(const json_t *obj, const char *key, int flags, size_t max_chars,
		      const char **out, struct err *e)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	const char *s;
	size_t n;
	int blank = 0;
	char field[ERR_FIELD_MAX];

	*out = NULL;
	/* Callers name their own fields, but a key is only known to be a string: quoted, a
	 * long one still fits the field and stays UTF-8. */
	text_quote(key, field, sizeof field);
	if (!json_is_object(obj))
		return err_set(e, "request.invalid", "请求体应为一个 JSON 对象");
	if (!v || json_is_null(v)) {
		if (!(flags & JSON_INPUT_REQUIRED))
			return 0;
		return err_set_field(e, "request.invalid", field, "缺少必填字段“%s”", field);
	}
	if (!json_is_string(v))
		return err_set_field(e, "request.invalid", field, "字段“%s”应为字符串，实际为%s",
				     field, json_input_type_name(v));
	s = json_string_value(v);
	/* A string built with json_stringn may hold a NUL that a C caller would cut at; a
	 * parsed body never does (json_input_parse refuses \u0000). */
	if (strlen(s) != json_string_length(v))
		return err_set_field(e, "request.invalid", field, "字段“%s”中不允许出现 NUL 字符",
				     field);
	if (flags & JSON_INPUT_REQUIRED) {
		if (json_input_blank(s, e, &blank) < 0)
			return -1;
		if (blank)
			return err_set_field(e, "request.invalid", field, "必填字段“%s”不能为空",
					     field);
	}
	if (max_chars > 0 && (n = text_utf8_length(s)) > max_chars)
		return err_set_field(e, "request.invalid", field,
				     "字段“%s”过长：%zu 个字符，不得超过 %zu 个字符", field, n,
				     max_chars);
	*out = s;
	return 0;
}

/* Levenshtein distance between a and b, bytes compared; both at most
 * JSON_INPUT_SUGGEST_MAX bytes. */
static size_t json_input_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[JSON_INPUT_SUGGEST_MAX + 1], diag, up, best;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The known key within two edits of key (and not a mere rewrite of a short one), or
 * NULL. */
static const char *json_input_suggest(const char *key, const char *const *known)
{
	const char *best = NULL;
	size_t best_d = 3, d, i;

	if (strlen(key) > JSON_INPUT_SUGGEST_MAX)
		return NULL;
	for (i = 0; known[i]; i++) {
		if (strlen(known[i]) > JSON_INPUT_SUGGEST_MAX)
			continue;
		d = json_input_distance(key, known[i]);
		if (d < best_d && d < strlen(known[i])) {
			best = known[i];
			best_d = d;
		}
	}
	return best;
}

int json_input_only(const json_t *obj, const char *const *known, struct err *e)
{
	const char *key, *hint;
	json_t *v;
	struct buf list;
	char quoted[ERR_FIELD_MAX];
	size_t i;
	int result = 0;

	if (!json_is_object(obj))
		return err_set(e, "request.invalid", "请求体应为一个 JSON 对象");
	/* jansson keeps members in the order they were parsed, so "first" is the body's. */
	json_object_foreach ((json_t *)obj, key, v) {
		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++)
			;
		if (known[i])
			continue;
		/* The key is the client's: quoted, it stays valid UTF-8 and fits the field. */
		text_quote(key, quoted, sizeof quoted);
		hint = json_input_suggest(key, known);
		if (hint)
			return err_set_field(e, "request.invalid", quoted,
					     "未知字段“%s”，是否应为“%s”？", quoted, hint);
		buf_init(&list, JSON_INPUT_LIST_MAX);
		for (i = 0; known[i]; i++)
			buf_printf(&list, "%s%s", i ? "、" : "", known[i]);
		if (known[0] && !buf_failed(&list))
			result = err_set_field(e, "request.invalid", quoted,
					       "未知字段“%s”，可用的字段为：%s", quoted,
					       buf_cstr(&list));
		else
			result = err_set_field(e, "request.invalid", quoted, "未知字段“%s”",
					       quoted);
		buf_free(&list);
		return result;
	}
	return 0;
}
