/* records.c - see records.h. */
#include "records.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "audit_trail.h"
#include "codes.h"
#include "depts.h"
#include "core/err.h"
#include "core/text.h"
#include "principal.h"
#include "store/store.h"

#define RECORDS_REASON_MAX_CHARS 200

/* The record's content as stored: a JSON object written by the pipeline.  A value that
 * does not parse (an operator's hand edit) is shown as text rather than lost. */
static json_t *records_data(const char *data)
{
	json_t *v = json_loads(data ? data : "", JSON_DECODE_ANY, NULL);

	return v ? v : json_string(data ? data : "");
}

/* The business key's fields, joined with U+001F in the store, as an array. */
static json_t *records_key(const char *key)
{
	json_t *parts = json_array();
	const char *p = key, *sep;

	for (;;) {
		sep = strchr(p, '\x1f');
		json_array_append_new(parts, json_stringn(p, sep ? (size_t)(sep - p) : strlen(p)));
		if (!sep)
			return parts;
		p = sep + 1;
	}
}

/* What one record callback keeps: the record's JSON, its subject and holder. */
struct record_found {
	json_t *json;
	char subject[CODE_MAX];
	char dept[CODE_MAX];
	int flags;
};

static int records_keep(void *ctx, const struct store_record *r)
{
	struct record_found *f = ctx;

	json_decref(f->json);
	f->json = json_pack("{s:I, s:s, s:s, s:o, s:s, s:I, s:o, s:s, s:s, s:b, s:s, s:s}", "id",
			    (json_int_t)r->id, "subject", r->subject_code, "category", r->category,
			    "key", records_key(r->business_key), "dept", r->dept_code, "batch",
			    (json_int_t)r->batch_id, "data", records_data(r->data),
			    "decision_date", r->decision_date, "publicity_end", r->publicity_end,
			    "name_conflict", (r->flags & STORE_RECORD_NAME_CONFLICT) != 0,
			    "created_at", r->created_at, "updated_at", r->updated_at);
	snprintf(f->subject, sizeof f->subject, "%s", r->subject_code);
	snprintf(f->dept, sizeof f->dept, "%s", r->dept_code);
	f->flags = r->flags;
	return 0;
}

/* Finds record `id` for `who` to do `act` to it: 0 with *f filled, or -1
 * (`record.not_found` also when the record is another department's, so that ids do not
 * tell what others hold). */
struct case_on_record {
	int64_t id;
	const char *dept;
	int found;
};

static int records_case_row(void *ctx, const struct store_case *c)
{
	struct case_on_record *o = ctx;

	if (c->record_id == o->id && strcmp(c->dept_code, o->dept) == 0)
		o->found = 1;
	return o->found;
}

/* Whether a case about record `id` is in the hands of department `dept`: a repair goes
 * to the department that decided the record, which need not be the one that provided
 * it, and the deciding department must read what it is deciding about. */
static int records_case_with(struct store *s, const char *subject, int64_t id,
			     const char *dept, struct err *e)
{
	struct case_on_record o = { id, dept, 0 };
	struct store_case_filter f;

	if (!dept || !*dept)
		return 0;
	memset(&f, 0, sizeof f);
	f.subject_code = subject;
	f.limit = 1000;
	if (store_case_list(s, &f, records_case_row, &o, e) < 0)
		return -1;
	return o.found;
}

static int records_find(struct store *s, const struct principal *who, enum access_action act,
			int64_t id, struct record_found *f, struct err *e)
{
	struct access_target t = { NULL, NULL };
	int found;

	memset(f, 0, sizeof *f);
	found = store_record_get(s, id, records_keep, f, e);
	if (found < 0 || (found && !f->json)) {
		json_decref(f->json);
		f->json = NULL;
		return found < 0 ? -1 : err_set(e, "internal.error", "内存不足，无法输出记录");
	}
	t.dept_code = f->dept;
	if (found && act == ACCESS_RECORD_HISTORY && !access_may(who, act, &t)) {
		int with = records_case_with(s, f->subject, id, who->dept_code, e);

		if (with < 0) {
			json_decref(f->json);
			f->json = NULL;
			return -1;
		}
		if (with)
			t.dept_code = who->dept_code;
	}
	if (!found || !access_may(who, act, &t)) {
		json_decref(f->json);
		f->json = NULL;
		return err_set(e, "record.not_found", "信用记录 %lld 不存在", (long long)id);
	}
	return 0;
}

static int records_add_version(void *ctx, const struct store_record_version *v)
{
	json_t *list = ctx;

	return json_array_append_new(
		       list, json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s}", "batch",
				       (json_int_t)v->batch_id, "dept", v->dept_code, "data",
				       records_data(v->data), "decision_date", v->decision_date,
				       "publicity_end", v->publicity_end, "valid_from",
				       v->valid_from, "replaced_at", v->replaced_at)) != 0;
}

/* Puts "dept_name" (the directory's name, or null) beside "dept" in the record and each
 * version, from the directory read once.  A directory that cannot be read leaves the
 * names null rather than failing a read already audited. */
static void records_name_depts(struct store *s, json_t *record, json_t *versions)
{
	struct depts_directory *dir = NULL;
	json_t *v;
	size_t i;

	if (depts_directory_load(s, &dir, NULL) < 0)
		dir = NULL;
	json_object_set_new(record, "dept_name",
			    depts_directory_name_json(dir, json_string_value(
								   json_object_get(record, "dept"))));
	json_array_foreach(versions, i, v)
		json_object_set_new(v, "dept_name",
				    depts_directory_name_json(dir, json_string_value(
									   json_object_get(v, "dept"))));
	depts_directory_free(dir);
}

int records_history(struct store *s, const struct principal *who, int64_t id, json_t **out,
		    struct err *e)
{
	struct record_found f;
	json_t *versions, *detail;
	int rc;

	*out = NULL;
	if (records_find(s, who, ACCESS_RECORD_HISTORY, id, &f, e) < 0)
		return -1;
	versions = json_array();
	if (store_record_versions(s, f.subject, id, records_add_version, versions, e) < 0) {
		json_decref(versions);
		json_decref(f.json);
		return -1;
	}
	/* Earlier versions may hold what the record no longer shows: the read is recorded
	 * before anything goes out. */
	detail = json_pack("{s:I, s:I}", "record", (json_int_t)id, "versions",
			   (json_int_t)json_array_size(versions));
	rc = audit_trail_record(s, who, "record.history", f.subject, detail, e);
	json_decref(detail);
	if (rc < 0) {
		json_decref(versions);
		json_decref(f.json);
		return -1;
	}
	records_name_depts(s, f.json, versions);
	*out = json_pack("{s:o, s:o}", "record", f.json, "versions", versions);
	return 0;
}

int records_transfer(struct store *s, const struct principal *who, int64_t id,
		     const char *to_dept, const char *reason, json_t **out, struct err *e)
{
	struct record_found f;
	char to[CODE_MAX];
	size_t reason_chars = reason ? text_utf8_length(reason) : 0;
	json_t *detail;
	int rc;

	*out = NULL;
	if (access_check(who, ACCESS_RECORD_TRANSFER, NULL, e) < 0)
		return -1;
	if (codes_require_valid(s, to_dept, CODE_KIND_USCC, "dept", to, e) < 0)
		return -1;
	if (reason_chars == 0 || reason_chars > RECORDS_REASON_MAX_CHARS)
		return err_set_field(e, "request.invalid", "reason",
				     "请填写移交原因（1 到 %d 个字），如“机构改革，职能划转至市场监管局”",
				     RECORDS_REASON_MAX_CHARS);
	if (store_begin(s, e) < 0)
		return -1;
	if (records_find(s, who, ACCESS_RECORD_TRANSFER, id, &f, e) < 0) {
		store_rollback(s);
		return -1;
	}
	json_decref(f.json);
	if (strcmp(f.dept, to) == 0) {
		store_rollback(s);
		return err_set_field(e, "request.invalid", "dept", "信用记录 %lld 已由部门“%s”持有，无需移交",
				     (long long)id, to);
	}
	detail = json_pack("{s:I, s:s, s:s, s:s}", "record", (json_int_t)id, "from", f.dept, "to",
			   to, "reason", reason);
	rc = store_record_transfer(s, f.subject, id, to, e);
	if (rc == 0)
		err_set(e, "record.not_found", "信用记录 %lld 不存在", (long long)id);
	if (rc <= 0 || audit_trail_record(s, who, "record.transfer", f.subject, detail, e) < 0 ||
	    store_commit(s, e) < 0) {
		store_rollback(s);
		json_decref(detail);
		return -1;
	}
	*out = detail;
	return 0;
}

int records_statement(struct store *s, const struct principal *who, int64_t id,
		      const char *text, json_t **out, struct err *e)
{
	struct record_found f;
	struct access_target t = { NULL, NULL };
	size_t chars = text ? text_utf8_length(text) : 0;
	char actor[96];
	json_t *detail;
	int found;

	*out = NULL;
	/* Whoever may never add one hears so before anything is looked up. */
	if (access_judge(who, ACCESS_STATEMENT_PUT, NULL) == ACCESS_REFUSED)
		return access_check(who, ACCESS_STATEMENT_PUT, NULL, e);
	if (chars > RECORDS_STATEMENT_MAX_CHARS)
		return err_set_field(e, "request.invalid", "text",
				     "说明最多 %d 个字，现在有 %zu 个字：请精简后再提交",
				     RECORDS_STATEMENT_MAX_CHARS, chars);
	if (store_begin(s, e) < 0)
		return -1;
	memset(&f, 0, sizeof f);
	found = store_record_get(s, id, records_keep, &f, e);
	json_decref(f.json);
	if (found < 0)
		goto fail;
	/* A record deleted by a decision is in no view: nothing to say beside it. */
	if (!found || (f.flags & STORE_RECORD_DELETED)) {
		err_set(e, "record.not_found", "信用记录 %lld 不存在", (long long)id);
		goto fail;
	}
	t.subject_code = f.subject;
	if (access_check(who, ACCESS_STATEMENT_PUT, &t, e) < 0)
		goto fail;
	principal_actor(who, actor, sizeof actor);
	detail = json_pack("{s:I, s:i}", "record", (json_int_t)id, "chars", (int)chars);
	if (store_statement_put(s, f.subject, id, text ? text : "", actor, e) < 0 ||
	    audit_trail_record(s, who, "record.statement", f.subject, detail, e) < 0 ||
	    store_commit(s, e) < 0) {
		json_decref(detail);
		goto fail;
	}
	json_decref(detail);
	*out = json_pack("{s:I, s:s?}", "record", (json_int_t)id, "statement",
			 text && text[0] ? text : NULL);
	return 0;
fail:
	store_rollback(s);
	return -1;
}
