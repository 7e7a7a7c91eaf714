/* subjects.c - subject archive and search; see subjects.h. */
#include "subjects.h"

#include "access.h"
#include "archive_view.h"
#include "audit_trail.h"
#include "codes.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/err.h"
#include "core/mask.h"
#include "core/publicity.h"
#include "core/report_chapters.h"
#include "core/text.h"
#include "depts.h"
#include "principal.h"
#include "search_facts.h"
#include "store/store.h"
#include "subject_labels.h"

#include <stdlib.h>
#include <string.h>

static json_t *subjects_identity(const struct store_subject *subj)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "code", subj->code, "kind",
			 subj->kind, "subject_type", subj->subject_type, "name", subj->name,
			 "region", codes_region_json(subj->region_code), "created_at",
			 subj->created_at, "updated_at", subj->updated_at);
}

/* Names, in the group's labels, the fields these records hold (and only those). */
static void subjects_label_fields(const struct category *cat, json_t *labels,
				  const json_t *fields)
{
	const char *id;
	json_t *v;
	int i;

	json_object_foreach((json_t *)fields, id, v) {
		if (json_object_get(labels, id) || (i = catalog_field_index(cat, id)) < 0)
			continue;
		json_object_set_new(labels, id, json_string(cat->fields[i].name));
	}
}

/* {"status", "until"}, and for a record whose publicity goes by rules its class, the
 * rule that gave it, the regime and the earliest day of a repair. */
static json_t *subjects_publicity_json(const struct archive_record *r)
{
	const struct record_publicity *f = &r->facts;
	json_t *p = json_pack("{s:s, s:s?}", "status", publicity_status_name(r->publicity),
			      "until", *r->publicity_end ? r->publicity_end : NULL);

	if (f->regime) {
		json_object_set_new(p, "repairable_from", json_string(f->repairable_from));
		json_object_set_new(p, "severity", json_string(severity_name(f->severity)));
		json_object_set_new(p, "severity_label", json_string(severity_label(f->severity)));
		json_object_set_new(p, "severity_rule", json_string(f->severity_rule));
		json_object_set_new(p, "severity_rule_name", json_string(f->severity_rule_name));
		json_object_set_new(p, "regime", json_string(f->regime->name));
	}
	if (r->publicity == PUBLICITY_REPAIRED && r->repaired_on[0]) {
		json_object_set_new(p, "repaired_on", json_string(r->repaired_on));
		json_object_set_new(p, "repair_case", json_integer((json_int_t)r->repair_case));
	}
	return p;
}

static json_t *subjects_record_json(const struct archive_record *r,
				    const struct depts_directory *dir)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:s, s:o, s:b, s:O, s:s, s:b, s:o, s:s?}",
			 "id", (json_int_t)r->id, "batch", (json_int_t)r->batch_id, "dept_code",
			 r->dept_code, "dept_name", depts_directory_name_json(dir, r->dept_code),
			 "decision_date", r->decision_date, "publicity",
			 subjects_publicity_json(r), "name_conflict",
			 r->name_conflict, "fields", r->fields, "updated_at", r->updated_at,
			 "disputed", r->disputed,
			 "case", r->case_id ? json_integer((json_int_t)r->case_id) : json_null(),
			 "statement", r->statement);
}

static json_t *subjects_category_json(const struct archive_category *c,
				      const struct depts_directory *dir)
{
	const struct category *cat = c->cat;
	json_t *labels = json_object(), *records = json_array();
	size_t i;

	for (i = 0; i < c->nrecords; i++) {
		subjects_label_fields(cat, labels, c->records[i].fields);
		json_array_append_new(records, subjects_record_json(&c->records[i], dir));
	}
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:o, s:o}", "category", cat->id,
			 "name", cat->name, "group", cat->group, "chapter",
			 report_chapter_of_group(cat->group)->number, "nature",
			 catalog_nature_name(cat->nature), "disclosure",
			 catalog_disclosure_name(cat->disclosure), "count", (int)c->nrecords,
			 "labels", labels, "records", records);
}

int subjects_show(struct store *s, const char *code, const struct principal *who, json_t **out,
		  struct err *e)
{
	struct depts_directory *dir = NULL;
	struct archive_view v;
	json_t *categories;
	size_t i;

	*out = NULL;
	if (archive_view_build(s, who, code, &v, e) < 0)
		return -1;
	/* The departments' names, read once for every record of the view. */
	if (depts_directory_load(s, &dir, e) < 0) {
		archive_view_free(&v);
		return -1;
	}
	categories = json_array();
	for (i = 0; i < v.ncategories; i++)
		json_array_append_new(categories, subjects_category_json(&v.categories[i], dir));
	*out = json_pack("{s:o, s:o, s:o, s:o}", "subject", subjects_identity(&v.subject), "labels",
			 subject_labels_json(&v), "summary", subject_summary_json(&v), "categories",
			 categories);
	depts_directory_free(dir);
	archive_view_free(&v);
	return 0;
}

struct hits {
	struct store *s;
	json_t *results;
	int full_ids;
	json_t *persons; /* the codes of the persons among the results */
	char today[11];
	size_t limit;             /* the page's size: one hit more only says a page follows */
	int more;
	char last[CODE_MAX + 32]; /* the cursor of the last hit: "match.chars.code" */
	struct err *e;
	int failed;
};

static int subjects_add_hit(void *ctx, const struct store_search_hit *hit)
{
	static const char *const match_names[] = { "code", "name", "prefix", "partial" };
	struct hits *h = ctx;
	int person = archive_subject_is_person(hit->kind, hit->subject_type);
	const char *code = hit->code, *name = hit->name;
	char masked_code[CODE_MAX * 4], masked_name[CODE_MAX * 4];

	/* A person's code and name, masked for whoever may not see them in full. */
	if (person && !h->full_ids) {
		mask_identifier(hit->code, masked_code, sizeof masked_code);
		mask_person_name(hit->name, masked_name, sizeof masked_name);
		code = masked_code;
		name = masked_name;
	}
	json_t *result;

	if (json_array_size(h->results) == h->limit) {
		h->more = 1;
		return 1;
	}
	if (person)
		json_array_append_new(h->persons, json_string(hit->code));
	result = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "code", code, "name", name, "kind",
			   hit->kind, "subject_type", hit->subject_type, "region",
			   codes_region_json(hit->region_code), "match",
			   match_names[hit->match & 3]);
	if (!result || search_facts_add(h->s, result, hit->code, person, h->today, h->e) < 0) {
		json_decref(result);
		h->failed = 1;
		return 1;
	}
	json_array_append_new(h->results, result);
	snprintf(h->last, sizeof h->last, "%d.%zu.%s", hit->match, text_utf8_length(hit->name),
		 hit->code);
	return 0;
}

/* A page's cursor, "match.chars.code" (subjects_add_hit), into q's keyset. */
static int subjects_parse_cursor(const char *cursor, struct store_search *q, char *code,
				 size_t codesz, struct err *e)
{
	int match, chars, n = 0;

	if (sscanf(cursor, "%d.%d.%n", &match, &chars, &n) != 2 || n == 0 || match < 0 ||
	    match > 3 || chars < 0 || !cursor[n] || strlen(cursor + n) >= codesz)
		return err_set_field(e, "request.invalid", "cursor",
				     "cursor“%s”无效：请使用上一页结果中的 next", cursor);
	snprintf(code, codesz, "%s", cursor + n);
	q->after_match = match;
	q->after_name_chars = chars;
	q->after_code = code;
	return 0;
}

static const char *const SUBJECT_TYPES[] = { "法人及非法人组织", "个体工商户", "自然人", NULL };

/* The filters of a request, checked. */
static int subjects_filters(const struct subjects_query *r, struct store_search *q,
			    struct err *e)
{
	size_t n = r->region ? strlen(r->region) : 0;
	int known = 0;

	if (n) {
		int digits = strspn(r->region, "0123456789") == n;

		if (!digits || (n != 2 && n != 4 && n != 6))
			return err_set_field(e, "request.invalid", "region",
					     "region 应为 2、4 或 6 位行政区划代码（如 4412 肇庆市、"
					     "441202 端州区）");
		q->region = r->region;
	}
	if (r->subject_type && *r->subject_type) {
		for (size_t i = 0; SUBJECT_TYPES[i]; i++)
			known |= strcmp(SUBJECT_TYPES[i], r->subject_type) == 0;
		if (!known)
			return err_set_field(e, "request.invalid", "type",
					     "主体类型“%s”无法识别：应为 法人及非法人组织、个体工商户 或 "
					     "自然人",
					     r->subject_type);
		q->subject_type = r->subject_type;
	}
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

int subjects_search(struct store *s, const struct subjects_query *r,
		    const struct principal *who, json_t **out, struct err *e)
{
	const char *text = r->text ? r->text : "";
	char code[CODE_MAX], after[CODE_MAX];
	struct store_search q;
	struct hits h;
	long total = 0;
	char *key;
	int rc, persons, limit = r->limit;

	*out = NULL;
	code_normalize(text, code, sizeof code);
	key = text_search_key(text);
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
	persons = access_may(who, ACCESS_SUBJECT_FIND_PERSONS, NULL);
	store_search_init(&q, key, code, limit, persons);
	if (subjects_filters(r, &q, e) < 0 ||
	    (r->cursor && *r->cursor &&
	     subjects_parse_cursor(r->cursor, &q, after, sizeof after, e) < 0)) {
		free(key);
		return -1;
	}
	memset(&h, 0, sizeof h);
	h.s = s;
	h.e = e;
	clock_today(h.today);
	h.results = json_array();
	h.full_ids = access_may(who, ACCESS_SUBJECT_FULL_IDS, NULL);
	h.persons = json_array();
	h.limit = (size_t)limit;
	/* One more than the page tells whether there is a next one. */
	q.limit = limit + 1;
	rc = store_subject_search(s, &q, subjects_add_hit, &h, e);
	if (rc == 0 && h.failed)
		rc = -1;
	if (rc == 0)
		rc = store_subject_search_count(s, &q, SUBJECTS_SEARCH_TOTAL_CAP + 1, &total, e);
	free(key);
	if (rc == 0 && json_array_size(h.persons))
		rc = subjects_audit_search(s, who, text, h.persons, e);
	json_decref(h.persons);
	if (rc < 0) {
		json_decref(h.results);
		return -1;
	}
	*out = json_pack("{s:s, s:i, s:I, s:b, s:o, s:s?}", "query", text, "count",
			 (int)json_array_size(h.results), "total",
			 (json_int_t)(total > SUBJECTS_SEARCH_TOTAL_CAP ? SUBJECTS_SEARCH_TOTAL_CAP
									: total),
			 "total_capped", total > SUBJECTS_SEARCH_TOTAL_CAP, "results", h.results,
			 "next", h.more ? h.last : NULL);
	return 0;
}
