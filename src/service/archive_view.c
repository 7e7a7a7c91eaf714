/* archive_view.c - see archive_view.h. */
#include "archive_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_trail.h"
#include "catalogs.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/err.h"
#include "core/mask.h"
#include "objection.h"
#include "principal.h"
#include "repair.h"
#include "rules.h"

/* What the walk over a subject's records keeps between two records. */
struct archive_builder {
	struct store *store;
	struct archive_view *v;
	struct category *cat; /* the category of the last record, parsed once per run */
	int adopted;          /* cat belongs to v's last category (it had a record shown) */
	size_t cat_cap;       /* room in v->categories */
	size_t rec_cap;       /* room in the last category's records */
	char today[11];
	int regimes_loaded; /* v->regimes is read at the first record that needs it */
	struct err *e;
	int failed;
};

int archive_subject_is_person(const char *kind, const char *subject_type)
{
	return strcmp(kind, "resident_id") == 0 || catalog_type_is_person(subject_type);
}

static void archive_record_free(struct archive_record *r)
{
	free(r->dept_code);
	free(r->decision_date);
	free(r->publicity_end);
	free(r->updated_at);
	free(r->statement);
	json_decref(r->fields);
}

void archive_view_free(struct archive_view *v)
{
	size_t i, j;

	for (i = 0; i < v->ncategories; i++) {
		struct archive_category *c = &v->categories[i];

		for (j = 0; j < c->nrecords; j++)
			archive_record_free(&c->records[j]);
		free(c->records);
		catalog_free(c->cat);
	}
	free(v->categories);
	publicity_regimes_free(&v->regimes);
	store_subject_clear(&v->subject);
	memset(v, 0, sizeof *v);
}

/* Loads the category of a record when it differs from the last one's. */
static int archive_category_of(struct archive_builder *b, const char *category)
{
	if (b->cat && strcmp(b->cat->id, category) == 0)
		return 0;
	if (!b->adopted)
		catalog_free(b->cat);
	b->cat = NULL;
	b->adopted = 0;
	return catalogs_load(b->store, category, &b->cat, b->e);
}

/* The category of the current record, started at its first shown record. */
static struct archive_category *archive_group(struct archive_builder *b)
{
	struct archive_view *v = b->v;
	struct archive_category *c;

	if (b->adopted)
		return &v->categories[v->ncategories - 1];
	if (v->ncategories == b->cat_cap) {
		size_t cap = b->cat_cap ? 2 * b->cat_cap : 8;

		c = realloc(v->categories, cap * sizeof *c);
		if (!c)
			return NULL;
		v->categories = c;
		b->cat_cap = cap;
	}
	c = &v->categories[v->ncategories++];
	memset(c, 0, sizeof *c);
	c->cat = b->cat;
	b->adopted = 1;
	b->rec_cap = 0;
	return c;
}

/* Personal data (a legal representative's or a sole trader's ID number) is shown masked
 * to whoever does not need it in full: the catalog marks such fields `personal`. */
static void archive_mask_personal(const struct category *cat, json_t *fields)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		const char *value;
		char masked[CODE_MAX * 4];

		if (!cat->fields[i].personal)
			continue;
		value = json_string_value(json_object_get(fields, cat->fields[i].id));
		if (!value)
			continue;
		mask_identifier(value, masked, sizeof masked);
		json_object_set_new(fields, cat->fields[i].id, json_string(masked));
	}
}

/* Appends one shown record to category c: 0, or -1 when memory ran out. */
static int archive_keep(struct archive_builder *b, struct archive_category *c,
			const struct store_record *rec, enum publicity_status st)
{
	struct archive_record *r;

	if (c->nrecords == b->rec_cap) {
		size_t cap = b->rec_cap ? 2 * b->rec_cap : 8;

		r = realloc(c->records, cap * sizeof *r);
		if (!r)
			return -1;
		c->records = r;
		b->rec_cap = cap;
	}
	r = &c->records[c->nrecords];
	memset(r, 0, sizeof *r);
	r->id = rec->id;
	r->batch_id = rec->batch_id;
	r->publicity = st;
	if (c->cat->publicity_by_rules)
		record_publicity_of(&b->v->regimes, rec->decision_date, rec->flags, &r->facts);
	r->name_conflict = (rec->flags & STORE_RECORD_NAME_CONFLICT) != 0;
	r->dept_code = strdup(rec->dept_code);
	r->decision_date = strdup(rec->decision_date);
	r->publicity_end = strdup(rec->publicity_end);
	r->updated_at = strdup(rec->updated_at);
	r->fields = json_loads(rec->data, 0, NULL);
	if (!r->fields)
		r->fields = json_object();
	if (!r->dept_code || !r->decision_date || !r->publicity_end || !r->updated_at ||
	    !r->fields) {
		archive_record_free(r);
		return -1;
	}
	if (!b->v->view.full_ids)
		archive_mask_personal(c->cat, r->fields);
	c->nrecords++;
	b->v->nrecords++;
	return 0;
}

/* Whether department `dept` decided the record: it holds it, or it is the record's
 * 处罚机关 (authority_code), which may differ from the department that reported it. */
static int archive_decided_by(const struct store_record *rec, const char *dept)
{
	json_t *data;
	const char *authority;
	int yes;

	if (!dept || !*dept)
		return 0;
	if (strcmp(rec->dept_code, dept) == 0)
		return 1;
	data = json_loads(rec->data, 0, NULL);
	authority = json_string_value(json_object_get(data, "authority_code"));
	yes = authority && strcmp(authority, dept) == 0;
	json_decref(data);
	return yes;
}

static int archive_add_record(void *ctx, const struct store_record *rec)
{
	struct archive_builder *b = ctx;
	const struct access_view *view = &b->v->view;
	struct archive_category *c;
	enum publicity_status st;

	/* Filtered before its category is started: an empty group would tell the public
	 * that a record of that kind was there. */
	/* A record deleted by a decided objection is in no view (its versions and the
	 * audit trail keep it). */
	if (rec->flags & STORE_RECORD_DELETED)
		return 0;
	st = publicity_status_of(b->today, rec->publicity_end, b->v->person,
				 (rec->flags & STORE_RECORD_UNPUBLISHED) != 0,
				 (rec->flags & STORE_RECORD_REPAIRED) != 0);
	if (st == PUBLICITY_REPAIRED ? !view->repaired && !archive_decided_by(rec, view->dept)
				     : !view->ended && st != PUBLICITY_PUBLISHED)
		return 0;
	if (archive_category_of(b, rec->category) < 0) {
		b->failed = 1;
		return 1;
	}
	if (!ACCESS_SHOWS(view, b->cat->disclosure))
		return 0;
	if (b->cat->publicity_by_rules && !b->regimes_loaded) {
		if (rules_publicity_regimes(b->store, &b->v->regimes, b->e) < 0) {
			b->failed = 1;
			return 1;
		}
		b->regimes_loaded = 1;
	}
	c = archive_group(b);
	if (!c || archive_keep(b, c, rec, st) < 0) {
		err_set(b->e, "internal.error", "内存不足，无法输出信用档案");
		b->failed = 1;
		return 1;
	}
	return 0;
}

/* The order of the national catalog's top-level groups, as the standard credit report
 * presents them: who the subject is first, then what the administration decided, then
 * honours, lists and the rest. */
static const char *const GROUP_ORDER[] = {
	"登记注册基本信息", "行政管理信息", "职称和职业资格信息", "诚实守信相关荣誉",
	"严重失信主体名单", "经营（活动）异常名录", "非正常户", "信用承诺及履行情况",
	"信用评价结果", "合同履行信息", "司法裁判及执行信息", "遵守法律法规情况", "其他",
};

static size_t archive_group_rank(const struct category *cat)
{
	size_t i;

	for (i = 0; cat->group && i < sizeof GROUP_ORDER / sizeof *GROUP_ORDER; i++)
		if (strcmp(cat->group, GROUP_ORDER[i]) == 0)
			return i;
	return sizeof GROUP_ORDER / sizeof *GROUP_ORDER;
}

static int archive_category_cmp(const void *pa, const void *pb)
{
	const struct archive_category *a = pa, *b = pb;
	size_t ra = archive_group_rank(a->cat), rb = archive_group_rank(b->cat);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(a->cat->id, b->cat->id);
}

/* The record of `id` in the view, or NULL when it is not shown. */
static struct archive_record *archive_find(struct archive_view *v, int64_t id)
{
	size_t i, j;

	for (i = 0; i < v->ncategories; i++)
		for (j = 0; j < v->categories[i].nrecords; j++)
			if (v->categories[i].records[j].id == id)
				return &v->categories[i].records[j];
	return NULL;
}

static int archive_mark_dispute(void *ctx, int64_t record_id, int64_t case_id)
{
	struct archive_record *r = archive_find(ctx, record_id);

	if (r) {
		r->disputed = 1;
		r->case_id = case_id;
	}
	return 0;
}

static int archive_mark_statement(void *ctx, int64_t record_id, const char *text,
				  const char *author, const char *updated_at)
{
	struct archive_record *r = archive_find(ctx, record_id);

	(void)author;
	(void)updated_at;
	if (r && !r->statement && !(r->statement = strdup(text)))
		return 1;
	return 0;
}

/* What objections add to the records shown: the dispute marks of open cases, and the
 * subject's statements (a subject has few of either). */
static int archive_mark_repair(void *ctx, int64_t record_id, int64_t case_id, const char *day)
{
	struct archive_record *r = archive_find(ctx, record_id);

	if (r && r->publicity == PUBLICITY_REPAIRED) {
		snprintf(r->repaired_on, sizeof r->repaired_on, "%s", day);
		r->repair_case = case_id;
	}
	return 0;
}

/* Whether the view shows a repaired record: only then are repairs looked up. */
static int archive_has_repaired(const struct archive_view *v)
{
	for (size_t i = 0; i < v->ncategories; i++)
		for (size_t j = 0; j < v->categories[i].nrecords; j++)
			if (v->categories[i].records[j].publicity == PUBLICITY_REPAIRED)
				return 1;
	return 0;
}

static int archive_marks_fill(struct store *s, struct archive_view *v, struct err *e)
{
	if (v->nrecords == 0)
		return 0;
	if (objection_disputes_of_subject(s, v->subject.code, archive_mark_dispute, v, e) < 0 ||
	    store_statements_of_subject(s, v->subject.code, archive_mark_statement, v, e) < 0 ||
	    (archive_has_repaired(v) &&
	     repair_approvals_of_subject(s, v->subject.code, archive_mark_repair, v, e) < 0))
		return -1;
	return 0;
}

/* A person's code and name, masked for whoever may not see them in full. */
static int archive_mask_identity(struct store_subject *subj)
{
	char masked[CODE_MAX * 4], code[CODE_MAX];
	char *name;

	/* In place: masking never lengthens valid UTF-8, which a normalized code is. */
	memcpy(code, subj->code, sizeof code);
	mask_identifier(code, subj->code, sizeof subj->code);
	if (!subj->name)
		return 0;
	mask_person_name(subj->name, masked, sizeof masked);
	name = strdup(masked);
	if (!name)
		return -1;
	free(subj->name);
	subj->name = name;
	return 0;
}

/* Records the look at non-public data before it is shown: no entry, no data. */
static int archive_audit_read(struct store *s, const struct principal *who,
			      const struct access_view *v, const char *code, const char *action,
			      const json_t *extra, struct err *e)
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
	if (extra)
		json_object_update(detail, (json_t *)extra);
	snprintf(recorded.purpose, sizeof recorded.purpose, "%s", v->purpose);
	rc = audit_trail_record(s, &recorded, action, code, detail, e);
	json_decref(detail);
	return rc;
}

/* The subject of `code` as `who` may know it: 1 and out->subject, out->person and
 * out->view filled; 0 when nobody holds it, or it is a person hidden from `who`. */
static int archive_subject(struct store *s, const struct principal *who, const char *code,
			   struct archive_view *out, struct err *e)
{
	int found = store_subject_get(s, code, &out->subject, e);

	if (found <= 0)
		return found;
	out->person = archive_subject_is_person(out->subject.kind, out->subject.subject_type);
	if (access_view_of(s, who, out->subject.code, out->person, &out->view, e) < 0)
		return -1;
	/* A person hidden from this viewer answers exactly as a code nobody holds. */
	return out->view.exists;
}

int archive_view_build(struct store *s, const struct principal *who, const char *code,
		       struct archive_view *out, struct err *e)
{
	return archive_view_build_for(s, who, code, "subject.read", NULL, out, e);
}

int archive_view_build_for(struct store *s, const struct principal *who, const char *code,
			   const char *action, const json_t *extra, struct archive_view *out,
			   struct err *e)
{
	struct code_options opts = { CODE_KIND_AUTO, store_code_exception_has, s };
	struct archive_builder b;
	struct code_result res;
	int found, rc;

	memset(out, 0, sizeof *out);
	code_check(code, &opts, &res);
	if (!res.valid)
		return err_set(e, res.reason, "“%s”不是有效的代码：%s", code, res.message);
	found = archive_subject(s, who, res.normalized, out, e);
	if (found < 0)
		goto fail;
	if (!found) {
		archive_view_free(out);
		return err_set(e, "subject.not_found", "未找到代码为“%s”的信用主体",
			       res.normalized);
	}
	memset(&b, 0, sizeof b);
	b.store = s;
	b.v = out;
	b.e = e;
	clock_today(b.today);
	rc = store_records_of_subject(s, out->subject.code, archive_add_record, &b, e);
	if (!b.adopted)
		catalog_free(b.cat);
	if (rc < 0 || b.failed ||
	    (out->view.nonpublic && archive_audit_read(s, who, &out->view, out->subject.code,
						       action, extra, e) < 0))
		goto fail;
	if (archive_marks_fill(s, out, e) < 0)
		goto fail;
	if (out->ncategories > 1)
		qsort(out->categories, out->ncategories, sizeof *out->categories,
		      archive_category_cmp);
	if (out->person && !out->view.full_ids && archive_mask_identity(&out->subject) < 0) {
		err_set(e, "internal.error", "内存不足，无法输出信用档案");
		goto fail;
	}
	return 0;
fail:
	archive_view_free(out);
	return -1;
}
