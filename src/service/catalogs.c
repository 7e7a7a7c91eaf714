/* catalogs.c - the catalog service; see catalogs.h. */
#include "catalogs.h"

#include "audit_trail.h"
#include "core/catalog.h"
#include "core/embedded.h"
#include "core/err.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* Parses the compiled-in code exception list ("code,note" lines after a header). */
static int catalogs_install_exceptions(struct store *s, struct err *e)
{
	const struct embedded_file *f = &embedded_code_exceptions[0];
	char *copy = strdup(f->data), *line, *save = NULL;
	int rc = 0, first = 1;

	if (!copy)
		return err_set(e, "internal.error", "内存不足");
	for (line = strtok_r(copy, "\r\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *comma = strchr(line, ',');

		if (first || !comma) {
			first = 0;
			continue;
		}
		*comma = '\0';
		if (!store_code_exception_has(s, line))
			rc = store_code_exception_add(s, line, comma + 1, e);
	}
	free(copy);
	return rc;
}

int catalogs_install_builtin(struct store *s, struct err *e)
{
	const struct embedded_file *f;

	for (f = embedded_catalog; f->name; f++) {
		struct category *cat;
		char *existing = NULL;
		int found, rc;

		if (catalog_parse(f->data, &cat, e) < 0)
			return -1;
		found = store_category_get(s, cat->id, &existing, e);
		free(existing);
		rc = found < 0 ? -1 : found ? 0 : store_category_put(s, cat->id, f->data, e);
		catalog_free(cat);
		if (rc < 0)
			return -1;
	}
	return catalogs_install_exceptions(s, e);
}

int catalogs_load(struct store *s, const char *id, struct category **out, struct err *e)
{
	char *json = NULL;
	int found, rc;

	*out = NULL;
	found = store_category_get(s, id, &json, e);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, "catalog.unknown_category",
			       "信息类“%s”不存在，可用 `xinyong catalog list` 查看已有信息类", id);
	rc = catalog_parse(json, out, e);
	free(json);
	return rc;
}

static int catalogs_list_one(void *ctx, const char *id, const char *json)
{
	struct category *cat;
	json_t *item;

	if (catalog_parse(json, &cat, NULL) < 0)
		return 0; /* a broken definition is reported by `catalog show`, not here */
	item = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "id", id, "name", cat->name, "group",
			 cat->group, "nature", catalog_nature_name(cat->nature), "disclosure",
			 catalog_disclosure_name(cat->disclosure), "fields", (int)cat->nfields);
	json_array_append_new(ctx, item);
	catalog_free(cat);
	return 0;
}

int catalogs_list(struct store *s, json_t **out, struct err *e)
{
	json_t *arr = json_array();

	if (store_category_list(s, catalogs_list_one, arr, e) < 0) {
		json_decref(arr);
		return -1;
	}
	*out = arr;
	return 0;
}

int catalogs_show(struct store *s, const char *id, json_t **out, struct err *e)
{
	char *json = NULL;
	int found = store_category_get(s, id, &json, e);

	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, "catalog.unknown_category", "信息类“%s”不存在", id);
	*out = json_loads(json, 0, NULL);
	free(json);
	return *out ? 0 : err_set(e, "catalog.invalid", "信息类“%s”的定义已损坏", id);
}

/* The category and its audit entry in one transaction. */
static int catalogs_put_audited(struct store *s, const struct principal *who,
				const struct category *cat, const char *text, int replaced,
				struct err *e)
{
	json_t *detail = json_pack("{s:s, s:s, s:b}", "category", cat->id, "disclosure",
				   catalog_disclosure_name(cat->disclosure), "replaced", replaced);
	int rc = -1;

	if (store_begin(s, e) == 0) {
		if (store_category_put(s, cat->id, text, e) == 0 &&
		    audit_trail_record(s, who, "catalog.import", NULL, detail, e) == 0 &&
		    store_commit(s, e) == 0)
			rc = 0;
		else
			store_rollback(s);
	}
	json_decref(detail);
	return rc;
}

int catalogs_import(struct store *s, const struct principal *who, const char *path,
		    json_t **out, struct err *e)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	struct category *cat;
	char *text, *existing = NULL;
	int found, rc;

	if (!doc)
		return err_set(e, "catalog.invalid", "无法读取信息类定义 %s：第%d行 %s", path,
			       jerr.line, jerr.text);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text)
		return err_set(e, "internal.error", "内存不足");
	if (catalog_parse(text, &cat, e) < 0) {
		free(text);
		return -1;
	}
	found = store_category_get(s, cat->id, &existing, e);
	free(existing);
	rc = found < 0 ? -1 : catalogs_put_audited(s, who, cat, text, found == 1, e);
	if (rc == 0)
		*out = json_pack("{s:s, s:s, s:i, s:b}", "id", cat->id, "name", cat->name, "fields",
				 (int)cat->nfields, "replaced", found == 1);
	catalog_free(cat);
	free(text);
	return rc;
}
