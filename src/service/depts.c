/* depts.c - the department directory service; see depts.h. */
#include "depts.h"

#include "audit_trail.h"
#include "core/code.h"
#include "core/err.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one department --------------------------------------------------------------- */

static json_t *depts_json(const struct store_dept *d)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", d->code, "name", d->name,
			 "short_name", d->short_name, "region_code", d->region_code,
			 "parent_code", d->parent_code, "contact", d->contact, "sector", d->sector);
}

static void depts_to_store(const struct dept *d, struct store_dept *out)
{
	out->code = d->code;
	out->name = d->name;
	out->short_name = d->short_name;
	out->region_code = d->region_code;
	out->parent_code = d->parent_code;
	out->contact = d->contact;
	out->sector = d->sector;
	out->updated_at = NULL;
}

/* A store callback copying the listed department into a struct dept. */
static int depts_copy_row(void *ctx, const struct store_dept *d)
{
	struct dept *out = ctx;

	snprintf(out->code, sizeof out->code, "%s", d->code);
	snprintf(out->name, sizeof out->name, "%s", d->name);
	snprintf(out->short_name, sizeof out->short_name, "%s", d->short_name);
	snprintf(out->region_code, sizeof out->region_code, "%s", d->region_code);
	snprintf(out->parent_code, sizeof out->parent_code, "%s", d->parent_code);
	snprintf(out->contact, sizeof out->contact, "%s", d->contact);
	snprintf(out->sector, sizeof out->sector, "%s", d->sector);
	return 0;
}

/* The operator's exception list, as codes are checked everywhere. */
static struct code_options depts_code_options(struct store *s)
{
	struct code_options o = { CODE_KIND_USCC, store_code_exception_has, s };

	return o;
}

int depts_put(struct store *s, const struct dept *d, int *created, struct err *e)
{
	struct store_dept sd;
	struct dept had;
	int found;

	found = store_dept_get(s, d->code, depts_copy_row, &had, e);
	if (found < 0)
		return -1;
	depts_to_store(d, &sd);
	if (store_dept_put(s, &sd, e) < 0)
		return -1;
	if (created)
		*created = !found;
	return 0;
}

int depts_add(struct store *s, const struct principal *who, const struct depts_input *in,
	      json_t **out, struct err *e)
{
	struct code_options opts = depts_code_options(s);
	const char *values[DEPT_FIELD_COUNT];
	struct dept had, d;
	struct store_dept sd;
	char code[CODE_MAX];
	json_t *detail = NULL;
	int found, rc = -1;

	*out = NULL;
	/* The code alone first, to read what is listed under it. */
	memset(values, 0, sizeof values);
	values[DEPT_FIELD_CODE] = in->code;
	values[DEPT_FIELD_NAME] = "-";
	if (dept_from_values(values, &opts, &d, e) < 0)
		return -1;
	memcpy(code, d.code, sizeof code);
	if (store_begin(s, e) < 0)
		return -1;
	memset(&had, 0, sizeof had);
	found = store_dept_get(s, code, depts_copy_row, &had, e);
	if (found < 0)
		goto rollback;
	if (!found && (!in->name || !*in->name)) {
		err_set_field(e, "directory.invalid", dept_field_label(DEPT_FIELD_NAME),
			      "部门目录中还没有 %s：新增部门须给出部门名称（--name），如 --name "
			      "肇庆市市场监督管理局",
			      code);
		goto rollback;
	}
	/* What is not given keeps the listed value. */
	values[DEPT_FIELD_CODE] = code;
	values[DEPT_FIELD_NAME] = in->name ? in->name : had.name;
	values[DEPT_FIELD_SHORT_NAME] = in->short_name ? in->short_name : had.short_name;
	values[DEPT_FIELD_REGION] = in->region_code ? in->region_code : had.region_code;
	values[DEPT_FIELD_PARENT] = in->parent_code ? in->parent_code : had.parent_code;
	values[DEPT_FIELD_CONTACT] = in->contact ? in->contact : had.contact;
	values[DEPT_FIELD_SECTOR] = in->sector ? in->sector : had.sector;
	if (dept_from_values(values, &opts, &d, e) < 0)
		goto rollback;
	depts_to_store(&d, &sd);
	detail = json_pack("{s:s, s:b}", "code", d.code, "created", !found);
	if (!detail) {
		err_set(e, "internal.error", "内存不足");
		goto rollback;
	}
	if (store_dept_put(s, &sd, e) < 0 ||
	    audit_trail_record(s, who, "dept.add", NULL, detail, e) < 0 || store_commit(s, e) < 0)
		goto rollback;
	*out = json_pack("{s:o, s:b}", "dept", depts_json(&sd), "created", !found);
	rc = *out ? 0 : err_set(e, "internal.error", "内存不足");
	goto out;
rollback:
	store_rollback(s);
out:
	json_decref(detail);
	return rc;
}

/* ---- the directory file ----------------------------------------------------------- */

/* Reads the whole file (at most DEPT_FILE_MAX_BYTES, and one byte more to notice a
 * larger one) into a malloc'd buffer. */
static int depts_read_file(const char *path, char **text, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	int rc = -1;

	*text = NULL;
	if (!f)
		return err_set(e, "file.unreadable", "无法读取部门目录文件 %s：%s", path,
			       strerror(errno));
	buf = malloc((size_t)DEPT_FILE_MAX_BYTES + 1);
	if (!buf) {
		err_set(e, "internal.error", "内存不足");
		goto out;
	}
	n = fread(buf, 1, (size_t)DEPT_FILE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		err_set(e, "file.unreadable", "无法读取部门目录文件 %s：%s", path, strerror(errno));
		goto out;
	}
	*text = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

static json_t *depts_problems_json(const struct dept_file *f)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list && i < f->nproblems; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "row",
						      (json_int_t)f->problems[i].row, "field",
						      f->problems[i].field, "message",
						      f->problems[i].message));
	return list;
}

int depts_import(struct store *s, const struct principal *who, const char *path, json_t **out,
		 json_t **problems, struct err *e)
{
	struct code_options opts = depts_code_options(s);
	struct dept_file file;
	json_t *detail = NULL;
	char *text = NULL;
	size_t len = 0, i;
	long added = 0, updated = 0;
	int created, rc = -1;

	*out = NULL;
	if (problems)
		*problems = NULL;
	memset(&file, 0, sizeof file);
	if (depts_read_file(path, &text, &len, e) < 0)
		return -1;
	if (dept_file_parse(text, len, &opts, &file, e) < 0) {
		char msg[ERR_MESSAGE_MAX], field[ERR_FIELD_MAX];

		if (e && strcmp(e->reason, "directory.invalid") == 0) {
			/* Name the file too, and say that nothing was written. */
			snprintf(msg, sizeof msg, "%s", e->message);
			snprintf(field, sizeof field, "%s", e->field);
			err_set_field(e, "directory.invalid", field, "%s：%s（未导入任何部门）", path, msg);
			if (problems)
				*problems = depts_problems_json(&file);
		}
		goto out;
	}
	if (store_begin(s, e) < 0)
		goto out;
	for (i = 0; i < file.n; i++) {
		if (depts_put(s, &file.depts[i], &created, e) < 0)
			goto rollback;
		if (created)
			added++;
		else
			updated++;
	}
	detail = json_pack("{s:s, s:I, s:I, s:I}", "format", file.json ? "json" : "csv", "depts",
			   (json_int_t)file.n, "added", (json_int_t)added, "updated",
			   (json_int_t)updated);
	if (!detail) {
		err_set(e, "internal.error", "内存不足");
		goto rollback;
	}
	if (audit_trail_record(s, who, "dept.import", NULL, detail, e) < 0 ||
	    store_commit(s, e) < 0)
		goto rollback;
	*out = json_pack("{s:s, s:s, s:I, s:I, s:I}", "file", path, "format",
			 file.json ? "json" : "csv", "depts", (json_int_t)file.n, "added",
			 (json_int_t)added, "updated", (json_int_t)updated);
	rc = *out ? 0 : err_set(e, "internal.error", "内存不足");
	goto out;
rollback:
	store_rollback(s);
out:
	json_decref(detail);
	dept_file_free(&file);
	free(text);
	return rc;
}

/* ---- reading ------------------------------------------------------------------------ */

static int depts_list_row(void *ctx, const struct store_dept *d)
{
	return json_array_append_new(ctx, depts_json(d)) != 0;
}

int depts_list_json(struct store *s, json_t **out, struct err *e)
{
	json_t *list = json_array();

	*out = NULL;
	if (!list)
		return err_set(e, "internal.error", "内存不足");
	if (store_dept_list(s, depts_list_row, list, e) < 0) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o}", "depts", list);
	return *out ? 0 : err_set(e, "internal.error", "内存不足");
}

static int depts_get_row(void *ctx, const struct store_dept *d)
{
	*(json_t **)ctx = depts_json(d);
	return 0;
}

int depts_get_json(struct store *s, const char *code, json_t **out, struct err *e)
{
	char normalized[CODE_MAX];
	json_t *doc = NULL;
	int found;

	*out = NULL;
	code_normalize(code ? code : "", normalized, sizeof normalized);
	found = store_dept_get(s, normalized, depts_get_row, &doc, e);
	if (found < 0)
		return -1;
	if (!found)
		return err_set_field(e, "dept.not_found", "code",
				     "部门目录中没有代码为 %s 的部门：请核对代码，或由平台运营方用 "
				     "xinyong dept add 登记该部门",
				     normalized);
	if (!doc)
		return err_set(e, "internal.error", "内存不足");
	*out = doc;
	return 0;
}

static int depts_sector_row(void *ctx, const struct store_dept *d)
{
	snprintf(ctx, DEPT_SECTOR_SIZE, "%s", d->sector);
	return 0;
}

int depts_sector_of(struct store *s, const char *code, char sector[DEPT_SECTOR_SIZE],
		    struct err *e)
{
	char normalized[CODE_MAX];

	sector[0] = '\0';
	code_normalize(code ? code : "", normalized, sizeof normalized);
	return store_dept_get(s, normalized, depts_sector_row, sector, e);
}

/* ---- the names of a view ----------------------------------------------------------- */

struct depts_entry {
	char code[CODE_MAX];
	char *name;
};

struct depts_directory {
	struct depts_entry *v;
	size_t n, cap;
	int oom;
};

static int depts_directory_row(void *ctx, const struct store_dept *d)
{
	struct depts_directory *dir = ctx;

	if (dir->n == dir->cap) {
		size_t cap = dir->cap ? dir->cap * 2 : 64;
		struct depts_entry *grown = realloc(dir->v, cap * sizeof *grown);

		if (!grown)
			return dir->oom = 1;
		dir->v = grown;
		dir->cap = cap;
	}
	snprintf(dir->v[dir->n].code, CODE_MAX, "%s", d->code);
	if (!(dir->v[dir->n].name = strdup(d->name)))
		return dir->oom = 1;
	dir->n++;
	return 0;
}

static int depts_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct depts_entry *)a)->code, ((const struct depts_entry *)b)->code);
}

int depts_directory_load(struct store *s, struct depts_directory **out, struct err *e)
{
	struct depts_directory *dir = calloc(1, sizeof *dir);

	*out = NULL;
	if (!dir)
		return err_set(e, "internal.error", "内存不足");
	if (store_dept_list(s, depts_directory_row, dir, e) < 0 || dir->oom) {
		if (dir->oom)
			err_set(e, "internal.error", "内存不足");
		depts_directory_free(dir);
		return -1;
	}
	/* The store lists by code already (byte order on both backends); sorting again
	 * keeps the lookup right whatever a backend's collation. */
	if (dir->n > 1)
		qsort(dir->v, dir->n, sizeof *dir->v, depts_entry_cmp);
	*out = dir;
	return 0;
}

const char *depts_directory_name(const struct depts_directory *dir, const char *code)
{
	struct depts_entry key, *hit;

	if (!dir || !dir->n || !code || strlen(code) >= CODE_MAX)
		return NULL;
	snprintf(key.code, sizeof key.code, "%s", code);
	hit = bsearch(&key, dir->v, dir->n, sizeof *dir->v, depts_entry_cmp);
	return hit ? hit->name : NULL;
}

json_t *depts_directory_name_json(const struct depts_directory *dir, const char *code)
{
	const char *name = depts_directory_name(dir, code);

	return name ? json_string(name) : json_null();
}

void depts_directory_free(struct depts_directory *dir)
{
	size_t i;

	if (!dir)
		return;
	for (i = 0; i < dir->n; i++)
		free(dir->v[i].name);
	free(dir->v);
	free(dir);
}
