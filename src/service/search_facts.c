/* search_facts.c - a search hit's facts; see search_facts.h. */
#include "search_facts.h"

#include <string.h>

#include "core/publicity.h"
#include "store/store.h"

struct facts {
	const char *today;
	json_t *registration; /* the newest registration record's fields (owned) */
	int dishonest, abnormal;
};

static int facts_row(void *ctx, const struct store_record *rec)
{
	struct facts *f = ctx;
	int shown = !(rec->flags & (STORE_RECORD_DELETED | STORE_RECORD_REPAIRED)) &&
		    publicity_status_of(f->today, rec->publicity_end, 0,
					(rec->flags & STORE_RECORD_UNPUBLISHED) != 0,
					0) == PUBLICITY_PUBLISHED;

	if (!shown)
		return 0;
	/* Records come by category, newest decision first: the first one is the newest. */
	if (strcmp(rec->category, "registration") == 0 && !f->registration)
		f->registration = json_loads(rec->data, 0, NULL);
	else if (strcmp(rec->category, "dishonest_list") == 0)
		f->dishonest = 1;
	else if (strcmp(rec->category, "abnormal_list") == 0)
		f->abnormal = 1;
	return 0;
}

static json_t *facts_field(const json_t *fields, const char *id)
{
	const char *v = json_string_value(json_object_get(fields, id));

	return v && *v ? json_string(v) : json_null();
}

int search_facts_add(struct store *s, json_t *result, const char *code, int person,
		     const char *today, struct err *e)
{
	struct facts f = { today, NULL, 0, 0 };
	json_t *tags = json_array();

	if (!person && store_records_of_subject(s, code, facts_row, &f, e) < 0) {
		json_decref(tags);
		return -1;
	}
	json_object_set_new(result, "legal_rep", facts_field(f.registration, "legal_rep"));
	json_object_set_new(result, "established", facts_field(f.registration, "established"));
	json_object_set_new(result, "status", facts_field(f.registration, "status"));
	if (f.dishonest)
		json_array_append_new(tags, json_string("严重失信"));
	if (f.abnormal)
		json_array_append_new(tags, json_string("经营异常"));
	json_object_set_new(result, "tags", tags);
	json_decref(f.registration);
	return 0;
}
