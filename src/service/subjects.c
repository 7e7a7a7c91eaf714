/* subjects.c - subject archive and search; see subjects.h. */
#include "subjects.h"

#include "catalogs.h"
#include "codes.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/err.h"
#include "core/publicity.h"
#include "core/text.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* Categories met while listing one archive, parsed once each. */
struct archive {
	struct store *store;
	json_t *groups; /* array of category groups, in store order (by category) */
	json_t *current;
	struct category *cat;
	int person;
	enum subjects_view view;
	char today[11];
	struct err *e;
	int failed;
};

static json_t *subjects_identity(const struct store_subject *subj)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "code", subj->code, "kind",
			 subj->kind, "subject_type", subj->subject_type, "name", subj->name,
			 "region", codes_region_json(subj->region_code), "created_at",
			 subj->created_at, "updated_at", subj->updated_at);
}

/* Starts a new category group when the record's category differs from the last. */
static int subjects_group(struct archive *a, const char *category)
{
	json_t *labels;

	if (a->cat && strcmp(a->cat->id, category) == 0)
		return 0;
	catalog_free(a->cat);
	a->cat = NULL;
	if (catalogs_load(a->store, category, &a->cat, a->e) < 0)
		return -1;
	labels = json_object();
	a->current = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o}", "category", category,
			       "name", a->cat->name, "group", a->cat->group,
			       "nature", catalog_nature_name(a->cat->nature),
			       "disclosure", catalog_disclosure_name(a->cat->disclosure), "count", 0,
			       "labels", labels, "records", json_array());
	json_array_append_new(a->groups, a->current);
	return 0;
}

/* Personal data (a legal representative's or a sole trader's ID number) is never
 * published: the catalog marks such fields `personal`. */
static void subjects_strip_personal(const struct archive *a, json_t *fields)
{
	size_t i;

	for (i = 0; i < a->cat->nfields; i++)
		if (a->cat->fields[i].personal)
			json_object_del(fields, a->cat->fields[i].id);
}

/* Names, in the group's labels, the fields these records hold (and only those). */
static void subjects_label_fields(struct archive *a, json_t *fields)
{
	json_t *labels = json_object_get(a->current, "labels");
	const char *id;
	json_t *v;
	int i;

	json_object_foreach(fields, id, v) {
		if (json_object_get(labels, id) || (i = catalog_field_index(a->cat, id)) < 0)
			continue;
		json_object_set_new(labels, id, json_string(a->cat->fields[i].name));
	}
}

/* The order of the national catalog's top-level groups, as the standard credit report
 * presents them: who the subject is first, then what the administration decided, then
 * honours, lists and the rest. */
static const char *const GROUP_ORDER[] = {
	"登记注册基本信息", "行政管理信息", "职称和职业资格信息", "诚实守信相关荣誉",
	"严重失信主体名单", "经营（活动）异常名录", "非正常户", "信用承诺及履行情况",
	"信用评价结果", "合同履行信息", "司法裁判及执行信息", "遵守法律法规情况", "其他",
};

static size_t subjects_group_rank(const json_t *group)
{
	const char *name = json_string_value(json_object_get(group, "group"));
	size_t i;

	for (i = 0; name && i < sizeof GROUP_ORDER / sizeof *GROUP_ORDER; i++)
		if (strcmp(name, GROUP_ORDER[i]) == 0)
			return i;
	return sizeof GROUP_ORDER / sizeof *GROUP_ORDER;
}

static int subjects_group_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	size_t ra = subjects_group_rank(a), rb = subjects_group_rank(b);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(json_string_value(json_object_get(a, "category")),
		      json_string_value(json_object_get(b, "category")));
}

/* Orders the category groups as the credit report does (the store lists them by id). */
static json_t *subjects_sort_groups(json_t *groups)
{
	size_t n = json_array_size(groups), i;
	json_t **v = malloc((n ? n : 1) * sizeof *v), *sorted;

	if (!v)
		return groups;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(groups, i);
	qsort(v, n, sizeof *v, subjects_group_cmp);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(groups);
	return sorted;
}

static int subjects_add_record(void *ctx, const struct store_record *rec)
{
	struct archive *a = ctx;
	enum publicity_status st;
	json_t *fields, *records;

	/* Filtered before its group exists: an empty group would tell the public that a
	 * record of that kind was there. */
	st = publicity_status_of(a->today, rec->publicity_end, a->person);
	if (a->view == SUBJECTS_VIEW_PUBLIC && st != PUBLICITY_PUBLISHED)
		return 0;
	if (subjects_group(a, rec->category) < 0) {
		a->failed = 1;
		return 1;
	}
	fields = json_loads(rec->data, 0, NULL);
	if (!fields)
		fields = json_object();
	if (a->view == SUBJECTS_VIEW_PUBLIC)
		subjects_strip_personal(a, fields);
	subjects_label_fields(a, fields);
	records = json_object_get(a->current, "records");
	json_array_append_new(
		records,
		json_pack("{s:I, s:I, s:s, s:s, s:{s:s, s:s?}, s:b, s:o, s:s}", "id",
			  (json_int_t)rec->id, "batch", (json_int_t)rec->batch_id, "dept_code",
			  rec->dept_code, "decision_date", rec->decision_date, "publicity",
			  "status", publicity_status_name(st), "until",
			  *rec->publicity_end ? rec->publicity_end : NULL, "name_conflict",
			  (rec->flags & STORE_RECORD_NAME_CONFLICT) != 0, "fields",
			  fields, "updated_at", rec->updated_at));
	json_object_set_new(a->current, "count", json_integer((json_int_t)json_array_size(records)));
	return 0;
}

int subjects_show(struct store *s, const char *code, enum subjects_view view, json_t **out,
		  struct err *e)
{
	struct code_options opts = { CODE_KIND_AUTO, store_code_exception_has, s };
	struct store_subject subj;
	struct code_result res;
	struct archive a;
	int found, rc;

	*out = NULL;
	code_check(code, &opts, &res);
	if (!res.valid)
		return err_set(e, res.reason, "“%s”不是有效的代码：%s", code, res.message);
	memset(&subj, 0, sizeof subj);
	found = store_subject_get(s, res.normalized, &subj, e);
	if (found < 0)
		return -1;
	if (found && view == SUBJECTS_VIEW_PUBLIC &&
	    (strcmp(subj.kind, "resident_id") == 0 || catalog_type_is_person(subj.subject_type))) {
		store_subject_clear(&subj);
		found = 0;
	}
	if (!found)
		return err_set(e, "subject.not_found", "未找到代码为“%s”的信用主体", res.normalized);
	memset(&a, 0, sizeof a);
	a.store = s;
	a.groups = json_array();
	a.person = strcmp(subj.kind, "resident_id") == 0 ||
		   catalog_type_is_person(subj.subject_type);
	a.e = e;
	a.view = view;
	clock_today(a.today);
	rc = store_records_of_subject(s, subj.code, subjects_add_record, &a, e);
	catalog_free(a.cat);
	if (rc < 0 || a.failed) {
		json_decref(a.groups);
		store_subject_clear(&subj);
		return -1;
	}
	*out = json_pack("{s:o, s:o}", "subject", subjects_identity(&subj), "categories",
			 subjects_sort_groups(a.groups));
	store_subject_clear(&subj);
	return 0;
}

static int subjects_add_hit(void *ctx, const struct store_search_hit *hit)
{
	static const char *const match_names[] = { "code", "name", "prefix", "partial" };

	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "code", hit->code,
					     "name", hit->name, "kind", hit->kind, "subject_type",
					     hit->subject_type, "region",
					     codes_region_json(hit->region_code), "match",
					     match_names[hit->match & 3]));
	return 0;
}

int subjects_search(struct store *s, const char *text, int limit, int include_persons,
		    json_t **out, struct err *e)
{
	char code[CODE_MAX];
	char *key;
	json_t *results;
	int rc;

	*out = NULL;
	code_normalize(text ? text : "", code, sizeof code);
	key = text_search_key(text ? text : "");
	if (!key)
		return err_set(e, "request.invalid", "查询内容不是有效的 UTF-8 文本");
	if (text_utf8_length(key) < 2) {
		free(key);
		return err_set(e, "request.invalid", "请至少输入两个字符的名称或完整的代码");
	}
	if (limit <= 0)
		limit = SUBJECTS_SEARCH_DEFAULT_LIMIT;
	if (limit > SUBJECTS_SEARCH_MAX_LIMIT)
		limit = SUBJECTS_SEARCH_MAX_LIMIT;
	results = json_array();
	rc = store_subject_search(s, key, code, limit, include_persons, subjects_add_hit, results,
				  e);
	free(key);
	if (rc < 0) {
		json_decref(results);
		return -1;
	}
	*out = json_pack("{s:s, s:i, s:o}", "query", text, "count", (int)json_array_size(results),
			 "results", results);
	return 0;
}
