/* subjects.c - subject archive and search; see subjects.h. */
#include "subjects.h"

#include "access.h"
#include "audit_trail.h"
#include "catalogs.h"
#include "codes.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/err.h"
#include "core/mask.h"
#include "core/publicity.h"
#include "core/text.h"
#include "principal.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* Categories met while listing one archive, parsed once each. */
struct archive {
	struct store *store;
	json_t *groups; /* array of category groups, in store order (by category) */
	json_t *current; /* the group of `cat`, NULL until its first shown record */
	struct category *cat;
	int person;
	struct access_view view;
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

/* Loads the category of a record when it differs from the last one's. */
static int subjects_category(struct archive *a, const char *category)
{
	if (a->cat && strcmp(a->cat->id, category) == 0)
		return 0;
	catalog_free(a->cat);
	a->cat = NULL;
	a->current = NULL;
	return catalogs_load(a->store, category, &a->cat, a->e);
}

/* Starts the group of the current category at its first shown record: an empty group
 * would tell a viewer that a record of that kind was there. */
static void subjects_group(struct archive *a)
{
	if (a->current)
		return;
	a->current = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o}", "category", a->cat->id,
			       "name", a->cat->name, "group", a->cat->group,
			       "nature", catalog_nature_name(a->cat->nature),
			       "disclosure", catalog_disclosure_name(a->cat->disclosure), "count", 0,
			       "labels", json_object(), "records", json_array());
	json_array_append_new(a->groups, a->current);
}

/* Personal data (a legal representative's or a sole trader's ID number) is shown masked
 * to whoever does not need it in full: the catalog marks such fields `personal`. */
static void subjects_mask_personal(const struct archive *a, json_t *fields)
{
	size_t i;

	for (i = 0; i < a->cat->nfields; i++) {
		const char *value;
		char masked[CODE_MAX * 4];

		if (!a->cat->fields[i].personal)
			continue;
		value = json_string_value(json_object_get(fields, a->cat->fields[i].id));
		if (!value)
			continue;
		mask_identifier(value, masked, sizeof masked);
		json_object_set_new(fields, a->cat->fields[i].id, json_string(masked));
	}
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
	if (!a->view.ended && st != PUBLICITY_PUBLISHED)
		return 0;
	if (subjects_category(a, rec->category) < 0) {
		a->failed = 1;
		return 1;
	}
	if (!ACCESS_SHOWS(&a->view, a->cat->disclosure))
		return 0;
	subjects_group(a);
	fields = json_loads(rec->data, 0, NULL);
	if (!fields)
		fields = json_object();
	if (!a->view.full_ids)
		subjects_mask_personal(a, fields);
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

static int subjects_is_person(const char *kind, const char *subject_type)
{
	return strcmp(kind, "resident_id") == 0 || catalog_type_is_person(subject_type);
}

/* A person's code and name, masked for whoever may not see them in full. */
static void subjects_mask_identity(json_t *identity)
{
	char masked[CODE_MAX * 4];
	const char *v;

	if ((v = json_string_value(json_object_get(identity, "code")))) {
		mask_identifier(v, masked, sizeof masked);
		json_object_set_new(identity, "code", json_string(masked));
	}
	if ((v = json_string_value(json_object_get(identity, "name")))) {
		mask_person_name(v, masked, sizeof masked);
		json_object_set_new(identity, "name", json_string(masked));
	}
}

/* Records the look at non-public data before it is shown: no entry, no data. */
static int subjects_audit_read(struct store *s, const struct principal *who,
			       const struct access_view *v, const char *code, struct err *e)
{
	struct principal recorded = *who;
	json_t *detail = json_object(), *levels = json_array();
	int d, rc;

	for (d = DISCLOSURE_PUBLIC; d <= DISCLOSURE_AUTHORIZED; d++)
		if (ACCESS_SHOWS(v, d))
			json_array_append_new(levels, json_string(catalog_disclosure_name(d)));
	json_object_set_new(detail, "disclosures", levels);
	if (v->authorization)
		json_object_set_new(detail, "authorization", json_integer(v->authorization));
	snprintf(recorded.purpose, sizeof recorded.purpose, "%s", v->purpose);
	rc = audit_trail_record(s, &recorded, "subject.read", code, detail, e);
	json_decref(detail);
	return rc;
}

int subjects_show(struct store *s, const char *code, const struct principal *who, json_t **out,
		  struct err *e)
{
	struct code_options opts = { CODE_KIND_AUTO, store_code_exception_has, s };
	struct store_subject subj;
	struct code_result res;
	struct archive a;
	json_t *identity;
	int found, rc;

	*out = NULL;
	code_check(code, &opts, &res);
	if (!res.valid)
		return err_set(e, res.reason, "“%s”不是有效的代码：%s", code, res.message);
	memset(&subj, 0, sizeof subj);
	memset(&a, 0, sizeof a);
	found = store_subject_get(s, res.normalized, &subj, e);
	if (found < 0)
		return -1;
	a.person = found && subjects_is_person(subj.kind, subj.subject_type);
	if (found && access_view_of(s, who, subj.code, a.person, &a.view, e) < 0) {
		store_subject_clear(&subj);
		return -1;
	}
	/* A person hidden from this viewer answers exactly as a code nobody holds. */
	if (found && !a.view.exists) {
		store_subject_clear(&subj);
		found = 0;
	}
	if (!found)
		return err_set(e, "subject.not_found", "未找到代码为“%s”的信用主体", res.normalized);
	a.store = s;
	a.groups = json_array();
	a.e = e;
	clock_today(a.today);
	rc = store_records_of_subject(s, subj.code, subjects_add_record, &a, e);
	catalog_free(a.cat);
	if (rc < 0 || a.failed ||
	    (a.view.nonpublic && subjects_audit_read(s, who, &a.view, subj.code, e) < 0)) {
		json_decref(a.groups);
		store_subject_clear(&subj);
		return -1;
	}
	identity = subjects_identity(&subj);
	if (a.person && !a.view.full_ids)
		subjects_mask_identity(identity);
	*out = json_pack("{s:o, s:o}", "subject", identity, "categories",
			 subjects_sort_groups(a.groups));
	store_subject_clear(&subj);
	return 0;
}

struct hits {
	json_t *results;
	int full_ids;
	json_t *persons; /* the codes of the persons among the results */
};

static int subjects_add_hit(void *ctx, const struct store_search_hit *hit)
{
	static const char *const match_names[] = { "code", "name", "prefix", "partial" };
	struct hits *h = ctx;
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "code", hit->code, "name",
				hit->name, "kind", hit->kind, "subject_type", hit->subject_type,
				"region", codes_region_json(hit->region_code), "match",
				match_names[hit->match & 3]);

	if (subjects_is_person(hit->kind, hit->subject_type)) {
		json_array_append_new(h->persons, json_string(hit->code));
		if (!h->full_ids)
			subjects_mask_identity(doc);
	}
	json_array_append_new(h->results, doc);
	return 0;
}

/* A search that lists persons is a look at each of them: one entry per person, about
 * that person, so that it shows in the person's access log, all in one transaction
 * (recorded before the results are sent, or not sent). */
static int subjects_audit_search(struct store *s, const struct principal *who, const char *text,
				 json_t *persons, struct err *e)
{
	json_t *detail;
	size_t i;
	int rc = 0;

	if (store_begin(s, e) < 0)
		return -1;
	detail = json_pack("{s:s, s:I}", "query", text, "persons",
			   (json_int_t)json_array_size(persons));
	for (i = 0; rc == 0 && i < json_array_size(persons); i++)
		rc = audit_trail_record(s, who, "subject.search",
					json_string_value(json_array_get(persons, i)), detail, e);
	json_decref(detail);
	if (rc == 0 && store_commit(s, e) == 0)
		return 0;
	store_rollback(s);
	return -1;
}

int subjects_search(struct store *s, const char *text, int limit, const struct principal *who,
		    json_t **out, struct err *e)
{
	char code[CODE_MAX];
	struct hits h;
	char *key;
	int rc, persons;

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
	/* Persons are found only by government users who state a purpose (and the console). */
	persons = who->kind == PRINCIPAL_CLI || (principal_is_government(who) && who->purpose[0]);
	h.results = json_array();
	h.full_ids = access_full_ids(who);
	h.persons = json_array();
	rc = store_subject_search(s, key, code, limit, persons, subjects_add_hit, &h, e);
	free(key);
	if (rc == 0 && json_array_size(h.persons))
		rc = subjects_audit_search(s, who, text, h.persons, e);
	json_decref(h.persons);
	if (rc < 0) {
		json_decref(h.results);
		return -1;
	}
	*out = json_pack("{s:s, s:i, s:o}", "query", text, "count",
			 (int)json_array_size(h.results), "results", h.results);
	return 0;
}
