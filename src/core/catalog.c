/* catalog.c - parsing category definitions; see catalog.h and docs/data-formats.md. */
#include "catalog.h"

#include "err.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_type_names[] = {
	[FIELD_TEXT] = "text",   [FIELD_ENUM] = "enum", [FIELD_ENUM_MULTI] = "enum_multi",
	[FIELD_DATE] = "date",   [FIELD_MONEY] = "money", [FIELD_USCC] = "uscc",
	[FIELD_ID_NUMBER] = "id_number",
};
static const char *const nature_names[] = { "basic", "positive", "negative", "neutral" };
static const char *const disclosure_names[] = { "public", "shared", "authorized" };

const char *catalog_nature_name(enum catalog_nature n)
{
	return nature_names[n];
}

const char *catalog_disclosure_name(enum catalog_disclosure d)
{
	return disclosure_names[d];
}

int catalog_type_is_person(const char *subject_type)
{
	return subject_type && strcmp(subject_type, "自然人") == 0;
}

static int catalog_lookup_name(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static char *catalog_strdup_member(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return strdup(s ? s : "");
}

/* Copies a JSON array of strings; returns 0, or -1 when it is not one. */
static int catalog_string_array(json_t *arr, char ***out, size_t *n)
{
	size_t i;

	*out = NULL;
	*n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return -1;
	*out = calloc(json_array_size(arr) + 1, sizeof **out);
	if (!*out)
		return -1;
	for (i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		if (!s || !((*out)[i] = strdup(s)))
			return -1;
		*n = i + 1;
	}
	return 0;
}

static void catalog_free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Resolves a member that names another field ("end": "publicity_end") to its index. */
static int catalog_ref(const struct category *cat, json_t *obj, const char *key, int *out,
		       struct err *e)
{
	const char *id;

	*out = -1;
	if (!obj || !json_object_get(obj, key))
		return 0;
	id = json_string_value(json_object_get(obj, key));
	if (!id || (*out = catalog_field_index(cat, id)) < 0)
		return err_set(e, "catalog.invalid", "信息类“%s”的“%s”引用了不存在的字段“%s”",
			       cat->id, key, id ? id : "(非字符串)");
	return 0;
}

static int catalog_parse_field(struct category *cat, size_t i, json_t *jf, struct err *e)
{
	struct catalog_field *f = &cat->fields[i];
	const char *type = json_string_value(json_object_get(jf, "type"));
	json_t *va = json_object_get(jf, "value_aliases");
	const char *key;
	json_t *val;
	int t;

	f->id = catalog_strdup_member(jf, "id");
	f->name = catalog_strdup_member(jf, "name");
	if (!f->id || !f->name || !*f->id || !*f->name)
		return err_set(e, "catalog.invalid", "信息类“%s”第%zu个字段缺少 id 或 name",
			       cat->id, i + 1);
	t = catalog_lookup_name(field_type_names, sizeof field_type_names / sizeof *field_type_names,
				type ? type : "text");
	if (t < 0)
		return err_set(e, "catalog.invalid", "字段“%s”的类型“%s”无效，应为 text、enum、"
			       "enum_multi、date、money、uscc 或 id_number", f->id, type);
	f->type = (enum field_type)t;
	f->required = json_is_true(json_object_get(jf, "required"));
	f->max_chars = (int)json_integer_value(json_object_get(jf, "max"));
	f->not_future = json_is_true(json_object_get(jf, "not_future"));
	f->nfkc = json_is_true(json_object_get(jf, "nfkc"));
	f->personal = json_is_true(json_object_get(jf, "personal"));
	if (catalog_string_array(json_object_get(jf, "aliases"), &f->aliases, &f->naliases) < 0 ||
	    catalog_string_array(json_object_get(jf, "values"), &f->values, &f->nvalues) < 0)
		return err_set(e, "catalog.invalid", "字段“%s”的 aliases 或 values 应为字符串数组",
			       f->id);
	if ((f->type == FIELD_ENUM || f->type == FIELD_ENUM_MULTI) && f->nvalues == 0)
		return err_set(e, "catalog.invalid", "代码表字段“%s”缺少 values", f->id);
	if (va) {
		size_t n = 0;

		if (!json_is_object(va))
			return err_set(e, "catalog.invalid", "字段“%s”的 value_aliases 应为对象",
				       f->id);
		f->value_aliases = calloc(json_object_size(va) + 1, sizeof *f->value_aliases);
		if (!f->value_aliases)
			return err_set(e, "internal.error", "内存不足");
		json_object_foreach(va, key, val) {
			if (!json_is_string(val))
				return err_set(e, "catalog.invalid",
					       "字段“%s”的 value_aliases 值应为字符串", f->id);
			f->value_aliases[n].from = strdup(key);
			f->value_aliases[n].to = strdup(json_string_value(val));
			f->nvalue_aliases = ++n;
		}
	}
	return 0;
}

/* Second pass: members that refer to other fields, now that all fields are known. */
static int catalog_resolve_field(struct category *cat, size_t i, json_t *jf, struct err *e)
{
	struct catalog_field *f = &cat->fields[i];
	json_t *ri = json_object_get(jf, "required_if");

	if (catalog_ref(cat, jf, "not_before", &f->not_before, e) < 0 ||
	    catalog_ref(cat, jf, "id_type_field", &f->id_type_field, e) < 0 ||
	    catalog_ref(cat, ri, "field", &f->required_if_field, e) < 0)
		return -1;
	if (ri && (f->required_if_field < 0 ||
		   catalog_string_array(json_object_get(ri, "any_of"), &f->required_if_any,
					&f->nrequired_if_any) < 0 || f->nrequired_if_any == 0))
		return err_set(e, "catalog.invalid",
			       "字段“%s”的 required_if 应为 {\"field\": 字段, \"any_of\": [值...]}",
			       f->id);
	return 0;
}

/* "rules": {"severity", "types", "fine", "sector"} of "publicity": each names a field. */
static int catalog_parse_publicity_rules(struct category *cat, json_t *pub, struct err *e)
{
	json_t *rules = pub ? json_object_get(pub, "rules") : NULL;

	cat->publicity_severity = cat->publicity_types = -1;
	cat->publicity_fine = cat->publicity_sector = -1;
	if (!rules)
		return 0;
	if (!json_is_object(rules))
		return err_set(e, "catalog.invalid",
			       "信息类“%s”的 publicity.rules 应为对象：{\"severity\", \"types\", "
			       "\"fine\", \"sector\"}，各指一个字段",
			       cat->id);
	cat->publicity_by_rules = 1;
	if (catalog_ref(cat, rules, "severity", &cat->publicity_severity, e) < 0 ||
	    catalog_ref(cat, rules, "types", &cat->publicity_types, e) < 0 ||
	    catalog_ref(cat, rules, "fine", &cat->publicity_fine, e) < 0 ||
	    catalog_ref(cat, rules, "sector", &cat->publicity_sector, e) < 0)
		return -1;
	if (cat->publicity_start < 0)
		return err_set(e, "catalog.invalid",
			       "信息类“%s”按公示期限规则公示，须以 publicity.start 指明处罚决定日期字段",
			       cat->id);
	return 0;
}

static int catalog_parse_roles(struct category *cat, json_t *root, struct err *e)
{
	json_t *subject = json_object_get(root, "subject");
	json_t *pub = json_object_get(root, "publicity");
	json_t *key = json_object_get(root, "key");
	size_t i;

	if (!json_is_object(subject))
		return err_set(e, "catalog.invalid", "信息类“%s”缺少 subject（主体字段）", cat->id);
	if (catalog_ref(cat, subject, "name", &cat->subject_name, e) < 0 ||
	    catalog_ref(cat, subject, "type", &cat->subject_type, e) < 0 ||
	    catalog_ref(cat, subject, "code", &cat->subject_code, e) < 0 ||
	    catalog_ref(cat, subject, "id_type", &cat->subject_id_type, e) < 0 ||
	    catalog_ref(cat, subject, "id_number", &cat->subject_id_number, e) < 0 ||
	    catalog_ref(cat, root, "decision_date", &cat->decision_date, e) < 0 ||
	    catalog_ref(cat, pub, "start", &cat->publicity_start, e) < 0 ||
	    catalog_ref(cat, pub, "end", &cat->publicity_end, e) < 0 ||
	    catalog_ref(cat, pub, "end_alt", &cat->publicity_end_alt, e) < 0)
		return -1;
	if (catalog_parse_publicity_rules(cat, pub, e) < 0)
		return -1;
	if (cat->subject_name < 0 || cat->subject_code < 0)
		return err_set(e, "catalog.invalid", "信息类“%s”的 subject 须指明 name 和 code 字段",
			       cat->id);
	cat->default_subject_type = catalog_strdup_member(subject, "default_type");
	cat->publicity_max_months = (int)json_integer_value(json_object_get(pub, "max_months"));
	if (key && !json_is_array(key))
		return err_set(e, "catalog.invalid", "信息类“%s”的 key 应为字段数组", cat->id);
	cat->key = calloc(json_array_size(key) + 1, sizeof *cat->key);
	if (!cat->key)
		return err_set(e, "internal.error", "内存不足");
	for (i = 0; i < json_array_size(key); i++) {
		const char *id = json_string_value(json_array_get(key, i));

		if (!id || (cat->key[i] = catalog_field_index(cat, id)) < 0)
			return err_set(e, "catalog.invalid", "信息类“%s”的 key 引用了不存在的字段“%s”",
				       cat->id, id ? id : "(非字符串)");
		cat->nkey = i + 1;
	}
	return 0;
}

static int catalog_parse_root(struct category *cat, json_t *root, struct err *e)
{
	json_t *fields = json_object_get(root, "fields");
	int n;
	size_t i;

	cat->id = catalog_strdup_member(root, "id");
	cat->name = catalog_strdup_member(root, "name");
	cat->group = catalog_strdup_member(root, "group");
	cat->description = catalog_strdup_member(root, "description");
	if (!cat->id || !*cat->id || !cat->name || !*cat->name)
		return err_set(e, "catalog.invalid", "信息类定义缺少 id 或 name");
	if (strspn(cat->id, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(cat->id))
		return err_set(e, "catalog.invalid", "信息类标识“%s”只能由小写字母、数字和下划线组成",
			       cat->id);
	n = catalog_lookup_name(nature_names, 4, json_string_value(json_object_get(root, "nature")));
	if (n < 0)
		return err_set(e, "catalog.invalid", "信息类“%s”的 nature 应为 basic、positive、"
			       "negative 或 neutral", cat->id);
	cat->nature = (enum catalog_nature)n;
	n = catalog_lookup_name(disclosure_names, 3,
				json_string_value(json_object_get(root, "disclosure")));
	if (n < 0)
		return err_set(e, "catalog.invalid", "信息类“%s”的 disclosure 应为 public、shared "
			       "或 authorized", cat->id);
	cat->disclosure = (enum catalog_disclosure)n;
	if (!json_is_array(fields) || json_array_size(fields) == 0)
		return err_set(e, "catalog.invalid", "信息类“%s”缺少 fields", cat->id);
	cat->fields = calloc(json_array_size(fields), sizeof *cat->fields);
	if (!cat->fields)
		return err_set(e, "internal.error", "内存不足");
	for (i = 0; i < json_array_size(fields); i++) {
		cat->fields[i].required_if_field = -1;
		cat->fields[i].not_before = -1;
		cat->fields[i].id_type_field = -1;
	}
	for (i = 0; i < json_array_size(fields); i++) {
		cat->nfields = i + 1;
		if (catalog_parse_field(cat, i, json_array_get(fields, i), e) < 0)
			return -1;
		if (catalog_field_index(cat, cat->fields[i].id) != (int)i)
			return err_set(e, "catalog.invalid", "信息类“%s”的字段“%s”重复", cat->id,
				       cat->fields[i].id);
	}
	for (i = 0; i < cat->nfields; i++)
		if (catalog_resolve_field(cat, i, json_array_get(fields, i), e) < 0)
			return -1;
	return catalog_parse_roles(cat, root, e);
}

int catalog_parse(const char *json, struct category **out, struct err *e)
{
	struct category *cat;
	json_error_t jerr;
	json_t *root;
	int rc;

	*out = NULL;
	root = json_loads(json, 0, &jerr);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return err_set(e, "catalog.invalid", "信息类定义不是有效的 JSON 对象（第%d行：%s）",
			       jerr.line, jerr.text);
	}
	cat = calloc(1, sizeof *cat);
	if (!cat) {
		json_decref(root);
		return err_set(e, "internal.error", "内存不足");
	}
	rc = catalog_parse_root(cat, root, e);
	json_decref(root);
	if (rc < 0) {
		catalog_free(cat);
		return -1;
	}
	*out = cat;
	return 0;
}

void catalog_free(struct category *cat)
{
	size_t i, j;

	if (!cat)
		return;
	for (i = 0; i < cat->nfields; i++) {
		struct catalog_field *f = &cat->fields[i];

		free(f->id);
		free(f->name);
		catalog_free_strings(f->aliases, f->naliases);
		catalog_free_strings(f->values, f->nvalues);
		catalog_free_strings(f->required_if_any, f->nrequired_if_any);
		for (j = 0; j < f->nvalue_aliases; j++) {
			free(f->value_aliases[j].from);
			free(f->value_aliases[j].to);
		}
		free(f->value_aliases);
	}
	free(cat->fields);
	free(cat->key);
	free(cat->id);
	free(cat->name);
	free(cat->group);
	free(cat->description);
	free(cat->default_subject_type);
	free(cat);
}

int catalog_field_index(const struct category *cat, const char *id)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].id && strcmp(cat->fields[i].id, id) == 0)
			return (int)i;
	return -1;
}

const char *catalog_enum_value(const struct catalog_field *f, const char *value)
{
	size_t i;

	for (i = 0; i < f->nvalues; i++)
		if (strcmp(f->values[i], value) == 0)
			return f->values[i];
	for (i = 0; i < f->nvalue_aliases; i++)
		if (strcmp(f->value_aliases[i].from, value) == 0)
			return f->value_aliases[i].to;
	return NULL;
}
