/* publicity_period.c - publicity regimes read from their rules files; see
 * publicity_period.h. */
#include "publicity_period.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "err.h"
#include "money.h"
#include "rules_json.h"
#include "text.h"

#define RULES_PREFIX "publicity-"

static const char *const severity_names[] = { "", "minor", "general", "serious" };
static const char *const severity_labels[] = { "", "轻微", "一般", "严重" };

/* Copies s[0..n) into out (outsz > 0) and trims it the way cleaned values are trimmed. */
static void trim_copy(const char *s, size_t n, char *out, size_t outsz)
{
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	text_trim(out);
}

static int in_list(const char *s, char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int contains_any(const char *s, char *const *markers)
{
	for (; markers && *markers; markers++)
		if (strstr(s, *markers))
			return 1;
	return 0;
}

enum severity severity_parse(const char *s)
{
	char v[32];

	if (!s)
		return SEVERITY_NONE;
	trim_copy(s, strlen(s), v, sizeof v);
	for (int i = SEVERITY_MINOR; i <= SEVERITY_SERIOUS; i++)
		if (strcmp(v, severity_labels[i]) == 0)
			return (enum severity)i;
	return SEVERITY_NONE;
}

const char *severity_name(enum severity s)
{
	return severity_names[s];
}

const char *severity_label(enum severity s)
{
	return severity_labels[s];
}

enum severity severity_from_name(const char *name)
{
	for (int i = SEVERITY_MINOR; name && i <= SEVERITY_SERIOUS; i++)
		if (strcmp(name, severity_names[i]) == 0)
			return (enum severity)i;
	return SEVERITY_NONE;
}

/* ---- classification --------------------------------------------------------------- */

/* Whether every ';'-separated type of `types` is in `only` (and there is at least one). */
static int types_all_in(const char *types, char *const *only)
{
	const char *p = types;
	int any = 0;

	while (*p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char t[128];

		trim_copy(p, n, t, sizeof t);
		if (*t) {
			any = 1;
			if (!in_list(t, only))
				return 0;
		}
		p += n + (end != NULL);
	}
	return any;
}

static int severity_rule_matches(const struct severity_rule *c, const char *types,
				 int64_t fine_fen)
{
	if (c->types_containing && !contains_any(types, c->types_containing))
		return 0;
	/* A fine, however small, is more than a warning. */
	if (c->types_only && (fine_fen > 0 || !types_all_in(types, c->types_only)))
		return 0;
	if (c->fine_at_least >= 0 && fine_fen < c->fine_at_least)
		return 0;
	return 1;
}

enum severity publicity_classify(const struct publicity_rules *r, const char *types,
				 int64_t fine_fen, int *rule)
{
	size_t i;

	for (i = 0; i < r->nclasses; i++)
		if (severity_rule_matches(&r->classes[i], types ? types : "", fine_fen)) {
			if (rule)
				*rule = (int)i + 1;
			return r->classes[i].severity;
		}
	/* Unreachable for a parsed file: its last row matches everything. */
	if (rule)
		*rule = 0;
	return SEVERITY_GENERAL;
}

/* ---- periods ---------------------------------------------------------------------- */

struct publicity_period publicity_period_of(const struct publicity_rules *r, enum severity sev,
					    int special_sector)
{
	struct publicity_period p = r->periods[sev == SEVERITY_NONE ? SEVERITY_GENERAL : sev];

	if (special_sector && r->special_sectors[0] && p.min_months < r->special_min_months)
		p.min_months = r->special_min_months;
	if (p.min_months > p.max_months && p.published)
		p.max_months = p.min_months;
	return p;
}

int publicity_sector_is_special(const struct publicity_rules *r, const char *sector)
{
	char v[64];

	if (!sector)
		return 0;
	trim_copy(sector, strlen(sector), v, sizeof v);
	return *v && in_list(v, r->special_sectors);
}

void publicity_period_dates(struct date decision, const struct publicity_period *p,
			    const char *dept_end, char until[11], char repairable_from[11])
{
	struct date cap = date_add_months(decision, p->max_months), own;

	date_format(date_add_months(decision, p->min_months), repairable_from);
	if (!p->published) {
		until[0] = '\0';
		return;
	}
	/* A department may end publicity sooner than the rule allows, never later, and
	 * never before the decision itself. */
	if (dept_end && date_parse_iso(dept_end, &own) == 0 && date_cmp(own, cap) < 0 &&
	    date_cmp(own, decision) >= 0)
		cap = own;
	date_format(cap, until);
}

int publicity_types_forbid_repair(const struct publicity_rules *r, const char *types)
{
	return types && contains_any(types, r->no_early_repair);
}

/* ---- parsing ---------------------------------------------------------------------- */

static void strings_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A list of non-empty distinct strings (absent: an empty list, or NULL when
 * null_when_absent) into *out, NULL-terminated. */
static int parse_strings(json_t *obj, const char *key, const char *field,
			 int null_when_absent, char ***out, struct err *e)
{
	json_t *arr = json_object_get(obj, key);
	size_t i, n;

	*out = NULL;
	if (!arr && null_when_absent)
		return 0;
	if (arr && !json_is_array(arr))
		return rules_fail(e, field, "应为字符串数组");
	n = arr ? json_array_size(arr) : 0;
	if (n > PUBLICITY_RULES_MAX_TERMS)
		return rules_fail(e, field, "至多%d项", PUBLICITY_RULES_MAX_TERMS);
	if (!(*out = calloc(n + 1, sizeof **out)))
		return rules_oom(e);
	for (i = 0; i < n; i++) {
		char path[ERR_FIELD_MAX];
		const char *s;

		snprintf(path, sizeof path, "%s[%zu]", field, i);
		if (rules_element(arr, i, path, &s, e) < 0)
			return -1;
		if (!((*out)[i] = strdup(s)))
			return rules_oom(e);
	}
	return 0;
}

static int parse_months(json_t *obj, const char *key, const char *field, int *out,
			struct err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return rules_fail(e, field, "缺少该成员");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > PUBLICITY_RULES_MAX_MONTHS)
		return rules_fail(e, field, "应为 0 到 %d 之间的整数（月）",
				  PUBLICITY_RULES_MAX_MONTHS);
	*out = (int)json_integer_value(v);
	return 0;
}

static int parse_periods(struct publicity_rules *r, json_t *root, struct err *e)
{
	static const char *const known[] = { "minor", "general", "serious", NULL };
	static const char *const members[] = { "published", "min_months", "max_months", NULL };
	json_t *periods = json_object_get(root, "periods");

	if (!periods)
		return rules_fail(e, "periods", "缺少该成员");
	if (!json_is_object(periods))
		return rules_fail(e, "periods", "应为对象，成员为 minor、general、serious");
	if (rules_only(periods, "periods", known, e) < 0)
		return -1;
	for (int s = SEVERITY_MINOR; s <= SEVERITY_SERIOUS; s++) {
		struct publicity_period *p = &r->periods[s];
		json_t *o = json_object_get(periods, severity_names[s]);
		char base[32], f[ERR_FIELD_MAX];

		snprintf(base, sizeof base, "periods.%s", severity_names[s]);
		if (!o || !json_is_object(o))
			return rules_fail(e, base, o ? "应为对象" : "缺少该成员");
		if (rules_only(o, base, members, e) < 0)
			return -1;
		snprintf(f, sizeof f, "%s.published", base);
		p->published = 1;
		if (json_object_get(o, "published") && rules_flag(o, "published", f, &p->published, e) < 0)
			return -1;
		snprintf(f, sizeof f, "%s.min_months", base);
		if (parse_months(o, "min_months", f, &p->min_months, e) < 0)
			return -1;
		snprintf(f, sizeof f, "%s.max_months", base);
		if (parse_months(o, "max_months", f, &p->max_months, e) < 0)
			return -1;
		if (p->min_months > p->max_months)
			return rules_fail(e, base, "min_months（%d）不能大于 max_months（%d）",
					  p->min_months, p->max_months);
	}
	return 0;
}

static int parse_special(struct publicity_rules *r, json_t *root, struct err *e)
{
	static const char *const known[] = { "sectors", "min_months", NULL };
	json_t *o = json_object_get(root, "special_sectors");

	if (!o) {
		if (!(r->special_sectors = calloc(1, sizeof *r->special_sectors)))
			return rules_oom(e);
		return 0;
	}
	if (!json_is_object(o))
		return rules_fail(e, "special_sectors", "应为对象，成员为 sectors 与 min_months");
	if (rules_only(o, "special_sectors", known, e) < 0 ||
	    parse_strings(o, "sectors", "special_sectors.sectors", 0, &r->special_sectors, e) < 0 ||
	    parse_months(o, "min_months", "special_sectors.min_months", &r->special_min_months,
			 e) < 0)
		return -1;
	return 0;
}

static int parse_class(struct severity_rule *c, json_t *o, size_t i, struct err *e)
{
	static const char *const known[] = { "id", "name", "severity", "types_containing",
					     "types_only", "fine_at_least", NULL };
	char base[32], f[ERR_FIELD_MAX], q[RULES_QUOTE_MAX];
	const char *id, *name, *sev;
	json_t *fine;

	snprintf(base, sizeof base, "severity_rules[%zu]", i);
	c->fine_at_least = -1;
	if (!json_is_object(o))
		return rules_fail(e, base, "应为对象");
	if (rules_only(o, base, known, e) < 0)
		return -1;
	snprintf(f, sizeof f, "%s.id", base);
	if (rules_id(o, "id", f, &id, e) < 0)
		return -1;
	snprintf(f, sizeof f, "%s.name", base);
	if (rules_name(o, "name", f, &name, e) < 0)
		return -1;
	snprintf(f, sizeof f, "%s.severity", base);
	if (rules_string(o, "severity", f, 1, &sev, e) < 0)
		return -1;
	if ((c->severity = severity_from_name(sev)) == SEVERITY_NONE) {
		text_quote(sev, q, sizeof q);
		return rules_fail(e, f, "“%s”不是失信严重程度：应为 minor、general 或 serious", q);
	}
	if (!(c->id = strdup(id)) || !(c->name = strdup(name)))
		return rules_oom(e);
	snprintf(f, sizeof f, "%s.types_containing", base);
	if (parse_strings(o, "types_containing", f, 1, &c->types_containing, e) < 0)
		return -1;
	snprintf(f, sizeof f, "%s.types_only", base);
	if (parse_strings(o, "types_only", f, 1, &c->types_only, e) < 0)
		return -1;
	fine = json_object_get(o, "fine_at_least");
	if (fine) {
		char text[64];
		struct err me;

		snprintf(f, sizeof f, "%s.fine_at_least", base);
		if (json_is_integer(fine))
			snprintf(text, sizeof text, "%lld", (long long)json_integer_value(fine));
		else if (json_is_string(fine))
			snprintf(text, sizeof text, "%s", json_string_value(fine));
		else
			text[0] = '\0';
		err_clear(&me);
		if (!*text || money_parse_wan(text, &c->fine_at_least, &me) < 0)
			return rules_fail(e, f, "应为以万元计的金额，如 100");
	}
	return 0;
}

static int parse_classes(struct publicity_rules *r, json_t *root, struct err *e)
{
	json_t *arr;
	size_t i;
	const struct severity_rule *last;

	if (rules_array(root, "severity_rules", "severity_rules", PUBLICITY_RULES_MAX_CLASSES,
			&arr, e) < 0)
		return -1;
	if (!(r->classes = calloc(json_array_size(arr), sizeof *r->classes)))
		return rules_oom(e);
	for (i = 0; i < json_array_size(arr); i++) {
		char q[RULES_QUOTE_MAX], f[ERR_FIELD_MAX];

		r->nclasses = i + 1;
		if (parse_class(&r->classes[i], json_array_get(arr, i), i, e) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->classes[j].id, r->classes[i].id) == 0) {
				text_quote(r->classes[i].id, q, sizeof q);
				snprintf(f, sizeof f, "severity_rules[%zu].id", i);
				return rules_fail(e, f, "“%s”重复出现", q);
			}
	}
	last = &r->classes[r->nclasses - 1];
	if (last->types_containing || last->types_only || last->fine_at_least >= 0)
		return rules_fail(e, "severity_rules",
				  "最后一条应不带条件（types_containing、types_only、fine_at_least），"
				  "使每条记录都能归类");
	return 0;
}

static int parse_top(struct publicity_rules *r, json_t *root, struct err *e)
{
	static const char *const known[] = { "kind", "name", "description", "effective_from",
					     "periods", "special_sectors", "severity_rules",
					     "no_early_repair", NULL };
	const char *kind, *name, *desc, *from;
	char q[RULES_QUOTE_MAX];

	if (rules_only(root, "", known, e) < 0 || rules_id(root, "kind", "kind", &kind, e) < 0)
		return -1;
	if (strcmp(kind, "publicity") != 0) {
		text_quote(kind, q, sizeof q);
		return rules_fail(e, "kind", "“%s”不是公示期限规则（应为 publicity）", q);
	}
	if (rules_name(root, "name", "name", &name, e) < 0 ||
	    rules_string(root, "description", "description", 0, &desc, e) < 0 ||
	    rules_string(root, "effective_from", "effective_from", 1, &from, e) < 0)
		return -1;
	if (date_parse_iso(from, &r->effective_from) < 0) {
		text_quote(from, q, sizeof q);
		return rules_fail(e, "effective_from", "“%s”不是有效日期，应写作 YYYY-MM-DD", q);
	}
	if (!(r->name = strdup(name)) || (desc && !(r->description = strdup(desc))))
		return rules_oom(e);
	if (parse_periods(r, root, e) < 0 || parse_special(r, root, e) < 0 ||
	    parse_classes(r, root, e) < 0 ||
	    parse_strings(root, "no_early_repair", "no_early_repair", 0, &r->no_early_repair, e) < 0)
		return -1;
	return 0;
}

int publicity_rules_parse(const char *json, struct publicity_rules **out, struct err *e)
{
	struct publicity_rules *r;
	json_t *root;
	int rc = -1;

	*out = NULL;
	if (rules_json_load(json, &root, e) < 0)
		return -1;
	if (!(r = calloc(1, sizeof *r)))
		rules_oom(e);
	else if (parse_top(r, root, e) == 0) {
		*out = r;
		r = NULL;
		rc = 0;
	}
	publicity_rules_free(r);
	json_decref(root);
	return rc;
}

void publicity_rules_free(struct publicity_rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nclasses; i++) {
		free(r->classes[i].id);
		free(r->classes[i].name);
		strings_free(r->classes[i].types_containing);
		strings_free(r->classes[i].types_only);
	}
	free(r->classes);
	strings_free(r->special_sectors);
	strings_free(r->no_early_repair);
	free(r->name);
	free(r->description);
	free(r);
}

const char *publicity_rules_builtin(size_t i)
{
	const struct embedded_file *f;

	for (f = embedded_rules; f->name; f++)
		if (strncmp(f->name, RULES_PREFIX, strlen(RULES_PREFIX)) == 0 && i-- == 0)
			return f->data;
	return NULL;
}

/* ---- regimes side by side --------------------------------------------------------- */

int publicity_regimes_add(struct publicity_regimes *set, struct publicity_rules *r,
			  struct err *e)
{
	struct publicity_rules **v;
	size_t i;

	for (i = 0; i < set->n; i++) {
		int c = date_cmp(set->v[i]->effective_from, r->effective_from);

		if (c == 0) {
			publicity_rules_free(set->v[i]);
			set->v[i] = r;
			return 0;
		}
		if (c > 0)
			break;
	}
	if (!(v = realloc(set->v, (set->n + 1) * sizeof *v))) {
		publicity_rules_free(r);
		return err_set(e, "internal.error", "内存不足");
	}
	memmove(v + i + 1, v + i, (set->n - i) * sizeof *v);
	v[i] = r;
	set->v = v;
	set->n++;
	return 0;
}

int publicity_regimes_builtin(struct publicity_regimes *set, struct err *e)
{
	const char *text;

	for (size_t i = 0; (text = publicity_rules_builtin(i)); i++) {
		struct publicity_rules *r;

		if (publicity_rules_parse(text, &r, e) < 0 || publicity_regimes_add(set, r, e) < 0)
			return -1;
	}
	return 0;
}

const struct publicity_rules *publicity_regimes_on(const struct publicity_regimes *set,
						   struct date day)
{
	const struct publicity_rules *found = NULL;

	for (size_t i = 0; i < set->n && date_cmp(set->v[i]->effective_from, day) <= 0; i++)
		found = set->v[i];
	return found;
}

void publicity_regimes_free(struct publicity_regimes *set)
{
	for (size_t i = 0; i < set->n; i++)
		publicity_rules_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
