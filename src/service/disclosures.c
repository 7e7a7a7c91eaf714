/* disclosures.c - the portal's 双公示; see disclosures.h. */
#include "disclosures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "depts.h"
#include "store/store.h"

/* What an item says it decided, by category: the first of these fields it has. */
static const struct {
	const char *category;
	const char *title[3];
	const char *summary[3];
} KINDS[] = {
	{ "penalty", { "decision_no", NULL }, { "content", "penalty_type", NULL } },
	{ "license", { "decision_no", "license_no", NULL }, { "content", "doc_name", "cert_name" } },
};

struct page {
	int kind;
	const struct depts_directory *dir;
	json_t *items;
	char last_date[11];
	long long last_id;
	size_t n, limit;
	int more;
};

static const char *first_field(const json_t *data, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n && ids[i]; i++) {
		const char *v = json_string_value(json_object_get(data, ids[i]));

		if (v && *v)
			return v;
	}
	return NULL;
}

static int disclosures_row(void *ctx, const struct store_disclosure *d)
{
	struct page *p = ctx;
	json_t *data, *item;

	if (p->n == p->limit) {
		p->more = 1;
		return 1;
	}
	data = json_loads(d->data, 0, NULL);
	item = json_pack("{s:I, s:{s:s, s:s}, s:s?, s:s?, s:s?, s:s, s:s?, s:s, s:o}", "id",
			 (json_int_t)d->id, "subject", "code", d->subject_code, "name",
			 d->subject_name, "title", first_field(data, KINDS[p->kind].title, 3),
			 "summary", first_field(data, KINDS[p->kind].summary, 3), "authority",
			 json_string_value(json_object_get(data, "authority")), "decision_date",
			 d->decision_date, "until", *d->publicity_end ? d->publicity_end : NULL,
			 "dept_code", d->dept_code, "dept_name",
			 depts_directory_name_json(p->dir, d->dept_code));
	json_decref(data);
	if (!item)
		return 1;
	json_array_append_new(p->items, item);
	snprintf(p->last_date, sizeof p->last_date, "%s", d->decision_date);
	p->last_id = d->id;
	p->n++;
	return 0;
}

static int disclosures_date(const char *value, const char *member, const char *fallback,
			    const char **out, struct err *e)
{
	struct date d;

	*out = fallback;
	if (!value || !*value)
		return 0;
	if (date_parse_iso(value, &d) < 0)
		return err_set_field(e, "request.invalid", member,
				     "%s“%s”不是有效日期，应写作 YYYY-MM-DD", member, value);
	*out = value;
	return 0;
}

int disclosures_list(struct store *s, const struct disclosures_query *q, json_t **out,
		     struct err *e)
{
	struct store_disclosure_query sq;
	struct depts_directory *dir = NULL;
	struct page p;
	char today[11], after[11] = "", next[40];
	long long after_id = 0;
	int kind = -1, n = 0, rc;

	*out = NULL;
	for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
		if (q->category && strcmp(q->category, KINDS[i].category) == 0)
			kind = (int)i;
	if (kind < 0)
		return err_set_field(e, "request.invalid", "category",
				     "category 应为 license（行政许可）或 penalty（行政处罚）");
	memset(&sq, 0, sizeof sq);
	if (disclosures_date(q->from, "from", "0000-01-01", &sq.from, e) < 0 ||
	    disclosures_date(q->to, "to", "9999-12-31", &sq.to, e) < 0)
		return -1;
	if (strcmp(sq.from, sq.to) > 0)
		return err_set_field(e, "request.invalid", "from", "起始日期 %s 晚于截止日期 %s",
				     sq.from, sq.to);
	if (q->cursor && *q->cursor &&
	    (sscanf(q->cursor, "%10[0-9-].%lld%n", after, &after_id, &n) != 2 ||
	     q->cursor[n] || strlen(after) != 10 || after_id <= 0))
		return err_set_field(e, "request.invalid", "cursor",
				     "cursor“%s”无效：请使用上一页结果中的 next", q->cursor);
	clock_today(today);
	sq.category = q->category;
	sq.dept_code = q->dept && *q->dept ? q->dept : NULL;
	sq.today = today;
	sq.after_date = after[0] ? after : NULL;
	sq.after_id = after_id;
	memset(&p, 0, sizeof p);
	p.kind = kind;
	p.limit = q->limit > 0 ? (size_t)q->limit : DISCLOSURES_DEFAULT_LIMIT;
	if (p.limit > DISCLOSURES_MAX_LIMIT)
		p.limit = DISCLOSURES_MAX_LIMIT;
	/* One more than the page tells whether there is a next one. */
	sq.limit = (int)p.limit + 1;
	if (depts_directory_load(s, &dir, e) < 0)
		return -1;
	p.dir = dir;
	p.items = json_array();
	rc = store_disclosures(s, &sq, disclosures_row, &p, e);
	depts_directory_free(dir);
	if (rc < 0) {
		json_decref(p.items);
		return -1;
	}
	snprintf(next, sizeof next, "%s.%lld", p.last_date, p.last_id);
	*out = json_pack("{s:s, s:o, s:s?}", "category", q->category, "items", p.items, "next",
			 p.more ? next : NULL);
	return 0;
}

int disclosures_totals(struct store *s, json_t **out, struct err *e)
{
	struct store_counts c;
	long long license = 0, penalty = 0;
	char today[11], from[11], month[8];

	*out = NULL;
	clock_today(today);
	snprintf(month, sizeof month, "%.7s", today);
	snprintf(from, sizeof from, "%s-01", month);
	if (store_counts(s, &c, e) < 0 ||
	    store_disclosures_count(s, "license", from, today, &license, e) < 0 ||
	    store_disclosures_count(s, "penalty", from, today, &penalty, e) < 0)
		return -1;
	*out = json_pack("{s:I, s:I, s:s, s:{s:I, s:I}}", "subjects", (json_int_t)c.subjects,
			 "records", (json_int_t)c.records, "month", month, "this_month", "license",
			 (json_int_t)license, "penalty", (json_int_t)penalty);
	return 0;
}
