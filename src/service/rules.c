/* rules.c - the case rules the platform holds; see rules.h. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit_trail.h"
#include "core/case_rules.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/publicity_period.h"
#include "principal.h"
#include "store/store.h"

/* What every rules file has, whatever its kind: read by checking the file with its
 * kind's parser (core/case_rules.h for a kind of case, core/publicity_period.h for a
 * publicity regime). */
struct rules_file {
	char kind[CASE_RULES_ID_MAX + 1];
	char name[4 * CASE_RULES_NAME_MAX + 1];
	char from[11];
};

static int rules_is_publicity(const char *text)
{
	json_t *root = json_loads(text, 0, NULL);
	int yes = json_is_object(root) &&
		  json_is_string(json_object_get(root, "kind")) &&
		  strcmp(json_string_value(json_object_get(root, "kind")), "publicity") == 0;

	json_decref(root);
	return yes;
}

/* Checks text as a rules file of its kind and fills f. */
static int rules_file_check(const char *text, struct rules_file *f, struct err *e)
{
	struct date from;

	if (rules_is_publicity(text)) {
		struct publicity_rules *p;

		if (publicity_rules_parse(text, &p, e) < 0)
			return -1;
		snprintf(f->kind, sizeof f->kind, "publicity");
		snprintf(f->name, sizeof f->name, "%s", p->name);
		from = p->effective_from;
		publicity_rules_free(p);
	} else {
		struct case_rules *r;

		if (case_rules_parse(text, &r, e) < 0)
			return -1;
		snprintf(f->kind, sizeof f->kind, "%s", r->kind);
		snprintf(f->name, sizeof f->name, "%s", r->name);
		from = r->effective_from;
		case_rules_free(r);
	}
	date_format(from, f->from);
	return 0;
}

/* What a walk over the stored rules looks for: the file of one kind in force on a day
 * (the latest effective date not after it), or effective exactly on it. */
struct rules_pick {
	const char *kind;
	const char *day;
	int exact;
	char *body; /* the best match so far (malloc'd) */
	char from[11];
	int oom;
};

static int rules_pick_row(void *ctx, const struct store_case_rules *r)
{
	struct rules_pick *p = ctx;

	if (strcmp(r->kind, p->kind) != 0)
		return 0;
	if (p->exact ? strcmp(r->effective_from, p->day) != 0 :
		       strcmp(r->effective_from, p->day) > 0)
		return 0;
	/* Rows come by effective date: a later match replaces an earlier one. */
	free(p->body);
	p->body = strdup(r->body);
	p->oom = !p->body;
	snprintf(p->from, sizeof p->from, "%s", r->effective_from);
	return 0;
}

/* The built-in rules of `kind` in force on `day` (the latest not after it), or
 * effective exactly on it. */
static const char *rules_builtin_for(const char *kind, const char *day, int exact,
				     struct err *e)
{
	const struct embedded_file *f;
	const char *best = NULL;
	char best_from[11] = "";

	for (f = embedded_rules; f->name; f++) {
		struct rules_file h;

		if (rules_file_check(f->data, &h, e) < 0)
			return NULL;
		if (strcmp(h.kind, kind) != 0)
			continue;
		if (exact ? strcmp(h.from, day) != 0 : strcmp(h.from, day) > 0)
			continue;
		if (!best || strcmp(h.from, best_from) > 0) {
			best = f->data;
			snprintf(best_from, sizeof best_from, "%s", h.from);
		}
	}
	return best;
}

static int rules_find(struct store *s, const char *kind, const char *day, int exact,
		      struct case_rules **out, struct err *e)
{
	struct rules_pick p = { kind, day, exact, NULL, "", 0 };
	const char *text;
	int rc;

	*out = NULL;
	if (store_case_rules_list(s, rules_pick_row, &p, e) < 0) {
		free(p.body);
		return -1;
	}
	if (p.oom) {
		free(p.body);
		return err_set(e, "internal.error", "内存不足");
	}
	text = p.body ? p.body : rules_builtin_for(kind, day, exact, e);
	if (!text) {
		if (exact)
			return err_set(e, "case.kind_unknown",
				       "找不到申请类型“%s”自 %s 起施行的办理规则：请用 xinyong rules "
				       "import 导入",
				       kind, day);
		return err_set_field(e, "case.kind_unknown", "kind",
				     "申请类型“%s”在 %s 没有施行的办理规则", kind, day);
	}
	rc = case_rules_parse(text, out, e);
	free(p.body);
	return rc;
}

int rules_in_force(struct store *s, const char *kind, const char *day,
		   struct case_rules **out, struct err *e)
{
	return rules_find(s, kind, day, 0, out, e);
}

int rules_of_case(struct store *s, const char *kind, const char *from,
		  struct case_rules **out, struct err *e)
{
	return rules_find(s, kind, from, 1, out, e);
}

/* ---- built-in files --------------------------------------------------------------- */

struct rules_has {
	const char *kind;
	const char *from;
	int found;
};

static int rules_has_row(void *ctx, const struct store_case_rules *r)
{
	struct rules_has *h = ctx;

	if (strcmp(r->kind, h->kind) == 0 && strcmp(r->effective_from, h->from) == 0) {
		h->found = 1;
		return 1;
	}
	return 0;
}

int rules_install_builtin(struct store *s, struct err *e)
{
	const struct embedded_file *f;

	for (f = embedded_rules; f->name; f++) {
		struct store_case_rules row;
		struct rules_file file;
		struct rules_has h;

		if (rules_file_check(f->data, &file, e) < 0)
			return -1;
		h.kind = file.kind;
		h.from = file.from;
		h.found = 0;
		row.kind = file.kind;
		row.effective_from = file.from;
		row.body = f->data;
		row.imported_at = "";
		row.imported_by = "built-in";
		if (store_case_rules_list(s, rules_has_row, &h, e) < 0 ||
		    (!h.found && store_case_rules_put(s, &row, e) < 0))
			return -1;
	}
	return 0;
}

/* ---- import ----------------------------------------------------------------------- */

int rules_import(struct store *s, const struct principal *who, const char *path,
		 json_t **out, struct err *e)
{
	json_error_t jerr;
	json_t *doc, *detail = NULL;
	char *text = NULL, from[11], today[11], actor[96];
	struct rules_file r;
	struct store_case_rules row;
	struct rules_has h;
	int rc = -1;

	*out = NULL;
	if (access_check(who, ACCESS_RULES_IMPORT, NULL, e) < 0)
		return -1;
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return err_set(e, "rules.invalid", "规则文件 %s 不是有效的 JSON（第 %d 行第 %d 列）：%s",
			       path, jerr.line, jerr.column, jerr.text);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text)
		return err_set(e, "internal.error", "内存不足");
	if (rules_file_check(text, &r, e) < 0) {
		char msg[ERR_MESSAGE_MAX], reason[ERR_REASON_MAX], field[ERR_FIELD_MAX];

		/* Name the file too, and say that nothing was stored. */
		snprintf(msg, sizeof msg, "%s", e->message);
		snprintf(reason, sizeof reason, "%s", e->reason);
		snprintf(field, sizeof field, "%s", e->field);
		err_set_field(e, reason, field, "规则文件 %s 未导入：%s", path, msg);
		goto out;
	}
	snprintf(from, sizeof from, "%s", r.from);
	principal_actor(who, actor, sizeof actor);
	h.kind = r.kind;
	h.from = from;
	h.found = 0;
	row.kind = r.kind;
	row.effective_from = from;
	row.body = text;
	row.imported_at = "";
	row.imported_by = actor;
	detail = json_pack("{s:s, s:s, s:s}", "kind", r.kind, "effective_from", from, "file",
			   path);
	if (store_begin(s, e) < 0) {
		json_decref(detail);
		goto out;
	}
	if (store_case_rules_list(s, rules_has_row, &h, e) < 0)
		goto fail;
	/* Cases under way follow the rules they were filed under: rules in force are never
	 * rewritten, only followed by newer ones. */
	clock_today(today);
	if (h.found && strcmp(from, today) <= 0) {
		err_set(e, "rules.in_force",
			"“%s”自 %s 起施行的规则已经生效，不能替换：请把新规则的 effective_from "
			"改为以后的日期再导入",
			r.kind, from);
		goto fail;
	}
	/* A penalty keeps the period of the regime in force on its decision date, worked
	 * out when it arrived: a regime may begin tomorrow, never in the past. */
	if (strcmp(r.kind, "publicity") == 0 && strcmp(from, today) <= 0) {
		err_set_field(e, "rules.in_force", "effective_from",
			      "公示期限规则只能自以后的日期起施行（%s 不晚于今天 %s）：已作出的处罚"
			      "按其决定日施行的规则公示，请把 effective_from 改为明天或以后",
			      from, today);
		goto fail;
	}
	if (store_case_rules_put(s, &row, e) < 0 ||
	    audit_trail_record(s, who, "rules.import", NULL, detail, e) < 0 ||
	    store_commit(s, e) < 0)
		goto fail;
	json_decref(detail);
	*out = json_pack("{s:s, s:s, s:s, s:b}", "kind", r.kind, "name", r.name,
			 "effective_from", from, "replaced", h.found);
	rc = 0;
	goto out;
fail:
	store_rollback(s);
	json_decref(detail);
out:
	free(text);
	return rc;
}

/* ---- listing ---------------------------------------------------------------------- */

struct rules_list_ctx {
	json_t *list;
	char today[11];
};

static int rules_list_row(void *ctx, const struct store_case_rules *r)
{
	struct rules_list_ctx *l = ctx;
	struct rules_file parsed;
	struct err ignore;
	int ok;

	err_clear(&ignore);
	/* A stored file was checked when it was imported; parse it again only for its
	 * name. */
	ok = rules_file_check(r->body, &parsed, &ignore) == 0;
	json_array_append_new(
		l->list, json_pack("{s:s, s:s?, s:s, s:s?, s:s, s:b}", "kind", r->kind, "name",
				   ok ? parsed.name : NULL, "effective_from",
				   r->effective_from, "imported_at",
				   r->imported_at[0] ? r->imported_at : NULL, "imported_by",
				   r->imported_by, "in_force", 0));
	return 0;
}

/* Marks, per kind, the file in force today: the last of its kind not after today. */
static void rules_mark_in_force(json_t *list, const char *today)
{
	size_t i, n = json_array_size(list);

	for (i = 0; i < n; i++) {
		json_t *row = json_array_get(list, i), *next = json_array_get(list, i + 1);
		const char *kind = json_string_value(json_object_get(row, "kind"));
		const char *from = json_string_value(json_object_get(row, "effective_from"));
		int last_of_kind = !next || strcmp(json_string_value(json_object_get(next, "kind")),
						   kind) != 0;
		const char *next_from =
			next ? json_string_value(json_object_get(next, "effective_from")) : NULL;

		if (strcmp(from, today) > 0)
			continue;
		if (last_of_kind || strcmp(next_from, today) > 0)
			json_object_set_new(row, "in_force", json_true());
	}
}

int rules_list(struct store *s, json_t **out, struct err *e)
{
	struct rules_list_ctx l;
	const struct embedded_file *f;

	*out = NULL;
	l.list = json_array();
	clock_today(l.today);
	if (store_case_rules_list(s, rules_list_row, &l, e) < 0) {
		json_decref(l.list);
		return -1;
	}
	/* A database created before the engine holds no rules yet: the built-in ones
	 * govern it, and are listed as such. */
	if (json_array_size(l.list) == 0)
		for (f = embedded_rules; f->name; f++) {
			struct store_case_rules row = { "", "", f->data, "", "built-in" };
			struct rules_file r;

			if (rules_file_check(f->data, &r, e) < 0) {
				json_decref(l.list);
				return -1;
			}
			row.kind = r.kind;
			row.effective_from = r.from;
			rules_list_row(&l, &row);
		}
	rules_mark_in_force(l.list, l.today);
	*out = json_pack("{s:o}", "rules", l.list);
	return 0;
}

int rules_show(struct store *s, const char *kind, json_t **out, struct err *e)
{
	struct rules_pick p = { kind, NULL, 0, NULL, "", 0 };
	char today[11];
	const char *text;
	json_t *body;
	struct rules_file r;

	*out = NULL;
	clock_today(today);
	p.day = today;
	if (store_case_rules_list(s, rules_pick_row, &p, e) < 0)
		return -1;
	text = p.body ? p.body : rules_builtin_for(kind, today, 0, e);
	if (!text) {
		free(p.body);
		return err_set(e, "case.kind_unknown", "没有申请类型“%s”的办理规则", kind);
	}
	if (rules_file_check(text, &r, e) < 0) {
		free(p.body);
		return -1;
	}
	body = json_loads(text, JSON_PRESERVE_ORDER, NULL);
	*out = json_pack("{s:s, s:s, s:o}", "kind", r.kind, "effective_from", r.from, "rules",
			 body ? body : json_null());
	free(p.body);
	return 0;
}

/* ---- publicity regimes ------------------------------------------------------------ */

static int rules_regime_row(void *ctx, const struct store_case_rules *r)
{
	struct { struct publicity_regimes *set; struct err *e; int failed; } *c = ctx;
	struct publicity_rules *p;

	if (strcmp(r->kind, "publicity") != 0 || c->failed)
		return 0;
	if (publicity_rules_parse(r->body, &p, c->e) < 0 ||
	    publicity_regimes_add(c->set, p, c->e) < 0)
		c->failed = 1;
	return c->failed;
}

int rules_publicity_regimes(struct store *s, struct publicity_regimes *set, struct err *e)
{
	struct { struct publicity_regimes *set; struct err *e; int failed; } c = { set, e, 0 };

	set->v = NULL;
	set->n = 0;
	/* The built-in ones first: a stored file of the same date takes its place. */
	if (publicity_regimes_builtin(set, e) < 0 ||
	    store_case_rules_list(s, rules_regime_row, &c, e) < 0 || c.failed) {
		publicity_regimes_free(set);
		return -1;
	}
	return 0;
}
