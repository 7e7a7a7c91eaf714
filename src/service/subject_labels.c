/* subject_labels.c - a subject's labels and summary; see subject_labels.h. */
#include "subject_labels.h"

#include <string.h>

#include "archive_view.h"
#include "core/catalog.h"
#include "core/report_chapters.h"

/* Whether category `id` of the view has a record in publicity: an entry in force. */
static int has_published(const struct archive_view *v, const char *id)
{
	for (size_t i = 0; i < v->ncategories; i++) {
		const struct archive_category *c = &v->categories[i];

		if (strcmp(c->cat->id, id) != 0)
			continue;
		for (size_t j = 0; j < c->nrecords; j++)
			if (c->records[j].publicity == PUBLICITY_PUBLISHED)
				return 1;
	}
	return 0;
}

/* The registration status of the newest registration record (the store gives a
 * category's records newest first), or NULL. */
static const char *registration_status(const struct archive_view *v)
{
	for (size_t i = 0; i < v->ncategories; i++) {
		const struct archive_category *c = &v->categories[i];

		if (strcmp(c->cat->id, "registration") == 0 && c->nrecords)
			return json_string_value(json_object_get(c->records[0].fields, "status"));
	}
	return NULL;
}

static const char *status_tone(const char *status)
{
	static const char *const ok[] = { "存续", "在业", "开业", NULL };
	static const char *const ended[] = { "吊销", "注销", "撤销", NULL };

	for (size_t i = 0; ok[i]; i++)
		if (strcmp(status, ok[i]) == 0)
			return "ok";
	for (size_t i = 0; ended[i]; i++)
		if (strstr(status, ended[i]))
			return "danger";
	return "neutral";
}

json_t *subject_labels_json(const struct archive_view *v)
{
	json_t *labels = json_array();
	const char *status = registration_status(v);

	if (has_published(v, "dishonest_list"))
		json_array_append_new(labels, json_pack("{s:s, s:s, s:s}", "id", "serious_dishonest",
							"text", "已列入严重失信主体名单", "tone",
							"danger"));
	if (has_published(v, "abnormal_list"))
		json_array_append_new(labels, json_pack("{s:s, s:s, s:s}", "id", "abnormal", "text",
							"列入经营异常名录", "tone", "warning"));
	if (status && *status)
		json_array_append_new(labels, json_pack("{s:s, s:s, s:s}", "id", "status", "text",
							status, "tone", status_tone(status)));
	return labels;
}

json_t *subject_summary_json(const struct archive_view *v)
{
	size_t n, counts[16] = { 0 };
	const struct report_chapter *ch = report_chapters(&n);
	json_t *out = json_array();

	for (size_t i = 0; i < v->ncategories; i++) {
		const struct report_chapter *c = report_chapter_of_group(v->categories[i].cat->group);

		counts[c->number - 1] += v->categories[i].nrecords;
	}
	for (size_t i = 0; i < n; i++)
		if (ch[i].archive)
			json_array_append_new(out, json_pack("{s:i, s:s, s:s, s:s, s:I}", "chapter",
							     ch[i].number, "numeral", ch[i].numeral,
							     "title", ch[i].title, "short_title",
							     ch[i].short_title, "count",
							     (json_int_t)counts[i]));
	return out;
}
