/*
 * case_rules.c - reading a kind's rules file into a state machine, and the lookups the
 * case engine asks; see case_rules.h and docs/data-formats.md ("Case rules").
 *
 * The file is parsed in its own order (top level, states, actions) and the first fault
 * found is reported, with the member's path in the error's field, so that an operator
 * importing a file fixes one named thing at a time.  Checks that need the whole file
 * (an action out of every open state, reachability) come last.
 */
#include "case_rules.h"

#include "embedded.h"
#include "err.h"
#include "rules_json.h"
#include "text.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Members a request for an action can be asked to carry (the body of
 * POST /api/v1/cases/{id}/actions/{action}). */
static const char *const rules_requirements[] = { "note", "reason", "outcome", "fields", NULL };
/* The members of a state that are windows of days, which `within` may name. */
static const char *const rules_windows[] = { "due_days", "review_days", NULL };
static const char *const turn_names[] = {
	[CASE_TURN_NONE] = "none", [CASE_TURN_PLATFORM] = "platform",
	[CASE_TURN_DEPT] = "dept", [CASE_TURN_APPLICANT] = "applicant",
};

static int rules_turn_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof turn_names / sizeof *turn_names; i++)
		if (strcmp(turn_names[i], s) == 0)
			return (int)i;
	return -1;
}

static int rules_parse_state(struct case_rules *r, size_t i, json_t *js, struct err *e)
{
	static const char *const known[] = { "id", "name", "description", "party", "due_days",
					     "review_days", "final", "marks_record", NULL };
	struct case_state *s = &r->states[i];
	char field[ERR_FIELD_MAX], q[RULES_QUOTE_MAX];
	const char *id, *name, *party;
	size_t j;
	int turn;

	rules_path(field, sizeof field, "states", i, NULL);
	if (!json_is_object(js))
		return rules_fail(e, field, "应为对象");
	if (rules_only(js, field, known, e) < 0)
		return -1;
	rules_path(field, sizeof field, "states", i, "id");
	if (rules_id(js, "id", field, &id, e) < 0)
		return -1;
	for (j = 0; j < i; j++)
		if (strcmp(r->states[j].id, id) == 0)
			return rules_fail(e, field, "状态“%s”重复定义（已见于 states[%zu]）", id, j);
	rules_path(field, sizeof field, "states", i, "name");
	if (rules_name(js, "name", field, &name, e) < 0)
		return -1;
	rules_path(field, sizeof field, "states", i, "final");
	if (rules_flag(js, "final", field, &s->final, e) < 0)
		return -1;
	rules_path(field, sizeof field, "states", i, "marks_record");
	if (rules_flag(js, "marks_record", field, &s->marks_record, e) < 0)
		return -1;
	if (s->final && s->marks_record)
		return rules_fail(e, field, "终结状态“%s”不应标记记录：案件办结后标记即应撤销", id);
	rules_path(field, sizeof field, "states", i, "due_days");
	if (rules_days(js, "due_days", field, &s->due_days, e) < 0)
		return -1;
	rules_path(field, sizeof field, "states", i, "review_days");
	if (rules_days(js, "review_days", field, &s->review_days, e) < 0)
		return -1;
	rules_path(field, sizeof field, "states", i, "party");
	if (rules_string(js, "party", field, 0, &party, e) < 0)
		return -1;
	turn = party ? rules_turn_parse(party) : CASE_TURN_NONE;
	if (turn < 0) {
		text_quote(party, q, sizeof q);
		return rules_fail(e, field, "状态“%s”的办理方“%s”无效，应为 platform、dept 或 "
				  "applicant", id, q);
	}
	s->party = (enum case_turn)turn;
	/* A final state waits on nobody, so it has no party and no window. */
	if (s->final && s->party != CASE_TURN_NONE)
		return rules_fail(e, field, "终结状态“%s”不应有办理方", id);
	if (s->final && (s->due_days >= 0 || s->review_days >= 0)) {
		rules_path(field, sizeof field, "states", i,
			   s->due_days >= 0 ? "due_days" : "review_days");
		return rules_fail(e, field, "终结状态“%s”不应有期限", id);
	}
	if (!s->final && s->party == CASE_TURN_NONE)
		return rules_fail(e, field, "未终结的状态“%s”须指明办理方（platform、dept 或 "
				  "applicant）", id);
	/* The applicant is never late: its states only open windows (review_days). */
	if (s->party == CASE_TURN_APPLICANT && s->due_days >= 0) {
		rules_path(field, sizeof field, "states", i, "due_days");
		return rules_fail(e, field, "由申请人办理的状态“%s”不设办理期限", id);
	}
	if (!(s->id = strdup(id)) || !(s->name = strdup(name)))
		return rules_oom(e);
	return 0;
}

static int rules_parse_states(struct case_rules *r, json_t *root, struct err *e)
{
	json_t *arr;
	size_t i;

	if (rules_array(root, "states", "states", CASE_RULES_MAX_STATES, &arr, e) < 0)
		return -1;
	r->states = calloc(json_array_size(arr), sizeof *r->states);
	if (!r->states)
		return rules_oom(e);
	for (i = 0; i < json_array_size(arr); i++) {
		r->nstates = i + 1;
		if (rules_parse_state(r, i, json_array_get(arr, i), e) < 0)
			return -1;
	}
	return 0;
}

/* The `by` of row i as a mask of parties. */
static int rules_parse_by(json_t *ja, size_t i, unsigned *by, struct err *e)
{
	char field[ERR_FIELD_MAX], q[RULES_QUOTE_MAX];
	json_t *arr;
	size_t j;

	*by = 0;
	rules_path(field, sizeof field, "actions", i, "by");
	if (rules_array(ja, "by", field, 3, &arr, e) < 0)
		return -1;
	for (j = 0; j < json_array_size(arr); j++) {
		const char *name;
		unsigned bit;

		snprintf(field, sizeof field, "actions[%zu].by[%zu]", i, j);
		if (rules_element(arr, j, field, &name, e) < 0)
			return -1;
		if (!(bit = case_party_parse(name))) {
			text_quote(name, q, sizeof q);
			return rules_fail(e, field, "“%s”不是有效的办理方，应为 applicant、operator "
					  "或 dept", q);
		}
		*by |= bit;
	}
	return 0;
}

/* Fills t's own copies of what every transition of a row shares. */
static int rules_fill(struct case_transition *t, const char *action, const char *name,
		      unsigned by, int once, const char *within, json_t *req, struct err *e)
{
	size_t k, n = json_array_size(req);

	t->by = by;
	t->once = once;
	if (!(t->action = strdup(action)) || !(t->name = strdup(name)) ||
	    (within && !(t->within = strdup(within))))
		return rules_oom(e);
	if (n && !(t->requires = calloc(n, sizeof *t->requires)))
		return rules_oom(e);
	for (k = 0; k < n; k++) {
		if (!(t->requires[k] = strdup(json_string_value(json_array_get(req, k)))))
			return rules_oom(e);
		t->nrequires = k + 1;
	}
	return 0;
}

static int rules_parse_requires(json_t *ja, size_t i, json_t **req, struct err *e)
{
	char field[ERR_FIELD_MAX], q[RULES_QUOTE_MAX];
	size_t j;

	rules_path(field, sizeof field, "actions", i, "requires");
	*req = json_object_get(ja, "requires");
	if (!*req)
		return 0;
	if (!json_is_array(*req))
		return rules_fail(e, field, "应为字符串数组");
	for (j = 0; j < json_array_size(*req); j++) {
		const char *m;

		snprintf(field, sizeof field, "actions[%zu].requires[%zu]", i, j);
		if (rules_element(*req, j, field, &m, e) < 0)
			return -1;
		if (!rules_in(rules_requirements, m)) {
			text_quote(m, q, sizeof q);
			return rules_fail(e, field, "“%s”不是请求可携带的成员，应为 note、reason、"
					  "outcome 或 fields", q);
		}
	}
	return 0;
}

/* Checks row i's `to`, `within` and each `from`, and appends its transitions. */
static int rules_parse_row(struct case_rules *r, size_t i, json_t *ja, struct err *e)
{
	static const char *const known[] = { "id", "name", "description", "from", "to", "by",
					     "requires", "once", "within", NULL };
	char field[ERR_FIELD_MAX], q[RULES_QUOTE_MAX];
	const char *action, *name, *to_id, *within;
	const struct case_state *to;
	json_t *from, *req;
	unsigned by;
	size_t j, k;
	int once;

	rules_path(field, sizeof field, "actions", i, NULL);
	if (!json_is_object(ja))
		return rules_fail(e, field, "应为对象");
	if (rules_only(ja, field, known, e) < 0)
		return -1;
	rules_path(field, sizeof field, "actions", i, "id");
	if (rules_id(ja, "id", field, &action, e) < 0)
		return -1;
	rules_path(field, sizeof field, "actions", i, "name");
	if (rules_name(ja, "name", field, &name, e) < 0)
		return -1;
	/* A case's answer lists actions by id, and each id has one name to show. */
	for (k = 0; k < r->ntransitions; k++)
		if (strcmp(r->transitions[k].action, action) == 0 &&
		    strcmp(r->transitions[k].name, name) != 0)
			return rules_fail(e, field, "动作“%s”在各行的名称应相同（另一行为“%s”）",
					  action, r->transitions[k].name);
	rules_path(field, sizeof field, "actions", i, "to");
	if (rules_string(ja, "to", field, 1, &to_id, e) < 0)
		return -1;
	if (!(to = case_rules_state(r, to_id))) {
		text_quote(to_id, q, sizeof q);
		return rules_fail(e, field, "动作“%s”的目标“%s”不是已定义的状态", action, q);
	}
	if (rules_parse_by(ja, i, &by, e) < 0 || rules_parse_requires(ja, i, &req, e) < 0)
		return -1;
	rules_path(field, sizeof field, "actions", i, "once");
	if (rules_flag(ja, "once", field, &once, e) < 0)
		return -1;
	rules_path(field, sizeof field, "actions", i, "within");
	if (rules_string(ja, "within", field, 0, &within, e) < 0)
		return -1;
	if (within && !rules_in(rules_windows, within)) {
		text_quote(within, q, sizeof q);
		return rules_fail(e, field, "“%s”不是状态的期限成员，应为 due_days 或 review_days",
				  q);
	}
	rules_path(field, sizeof field, "actions", i, "from");
	if (rules_array(ja, "from", field, r->nstates, &from, e) < 0)
		return -1;
	for (j = 0; j < json_array_size(from); j++) {
		const struct case_state *s;
		const char *id;

		snprintf(field, sizeof field, "actions[%zu].from[%zu]", i, j);
		if (rules_element(from, j, field, &id, e) < 0)
			return -1;
		text_quote(id, q, sizeof q);
		if (!(s = case_rules_state(r, id)))
			return rules_fail(e, field, "动作“%s”的起点“%s”不是已定义的状态", action, q);
		if (s->final)
			return rules_fail(e, field, "“%s”是终结状态，不能有动作（“%s”）离开它", q,
					  action);
		if (case_rules_transition(r, id, action, CASE_PARTY_ALL))
			return rules_fail(e, field, "动作“%s”从状态“%s”出发已有一行；不同办理方请"
					  "合写在同一行的 by 中", action, q);
		if (within && case_state_days(s, within) < 0)
			return rules_fail(e, field, "动作“%s”限在 %s 内办理，但起点状态“%s”没有 %s",
					  action, within, q, within);
		r->transitions[r->ntransitions].from = s;
		r->transitions[r->ntransitions].to = to;
		r->ntransitions++;
		if (rules_fill(&r->transitions[r->ntransitions - 1], action, name, by, once,
			       within, req, e) < 0)
			return -1;
	}
	return 0;
}

static int rules_parse_actions(struct case_rules *r, json_t *root, struct err *e)
{
	json_t *arr;
	size_t i;

	if (rules_array(root, "actions", "actions", CASE_RULES_MAX_ROWS, &arr, e) < 0)
		return -1;
	/* A row expands into at most one transition per state (its from is unique). */
	r->transitions = calloc(json_array_size(arr) * r->nstates, sizeof *r->transitions);
	if (!r->transitions)
		return rules_oom(e);
	for (i = 0; i < json_array_size(arr); i++)
		if (rules_parse_row(r, i, json_array_get(arr, i), e) < 0)
			return -1;
	return 0;
}

/* What needs the whole file: every open state can be left, every state can be reached
 * (a state nobody can enter is a typo in some `to`). */
static int rules_check_graph(struct case_rules *r, struct err *e)
{
	unsigned char seen[CASE_RULES_MAX_STATES] = { 0 };
	char field[ERR_FIELD_MAX];
	size_t i, k;
	int grew = 1;

	for (i = 0; i < r->nstates; i++) {
		if (r->states[i].final || case_rules_next(r, r->states[i].id, CASE_PARTY_ALL, NULL))
			continue;
		rules_path(field, sizeof field, "states", i, NULL);
		return rules_fail(e, field, "未终结的状态“%s”没有任何动作可离开，案件将停在此处；"
				  "如确已办结请标记 \"final\": true", r->states[i].id);
	}
	seen[r->initial - r->states] = 1;
	while (grew) {
		grew = 0;
		for (k = 0; k < r->ntransitions; k++) {
			size_t to = (size_t)(r->transitions[k].to - r->states);

			if (seen[r->transitions[k].from - r->states] && !seen[to])
				seen[to] = grew = 1;
		}
	}
	for (i = 0; i < r->nstates; i++) {
		if (seen[i])
			continue;
		rules_path(field, sizeof field, "states", i, NULL);
		return rules_fail(e, field, "状态“%s”从初始状态“%s”出发无法到达",
				  r->states[i].id, r->initial->id);
	}
	return 0;
}

static int rules_parse_top(struct case_rules *r, json_t *root, struct err *e)
{
	static const char *const known[] = { "kind", "name", "description", "effective_from",
					     "initial", "states", "actions", "result_days",
					     "repeat_months", NULL };
	const char *kind, *name, *desc, *from, *initial;
	char q[RULES_QUOTE_MAX];

	if (rules_only(root, "", known, e) < 0 || rules_id(root, "kind", "kind", &kind, e) < 0 ||
	    rules_name(root, "name", "name", &name, e) < 0 ||
	    rules_string(root, "description", "description", 0, &desc, e) < 0 ||
	    rules_string(root, "effective_from", "effective_from", 1, &from, e) < 0)
		return -1;
	if (date_parse_iso(from, &r->effective_from) < 0) {
		text_quote(from, q, sizeof q);
		return rules_fail(e, "effective_from", "“%s”不是有效日期，应写作 YYYY-MM-DD", q);
	}
	if (rules_string(root, "initial", "initial", 1, &initial, e) < 0)
		return -1;
	/* A kind's own limits, optional: the working days from acceptance to the
	 * applicant's result, and the months before the same subject may apply again. */
	if (rules_days(root, "result_days", "result_days", &r->result_days, e) < 0 ||
	    rules_days(root, "repeat_months", "repeat_months", &r->repeat_months, e) < 0)
		return -1;
	if (!(r->kind = strdup(kind)) || !(r->name = strdup(name)) ||
	    (desc && !(r->description = strdup(desc))))
		return rules_oom(e);
	if (rules_parse_states(r, root, e) < 0)
		return -1;
	text_quote(initial, q, sizeof q);
	if (!(r->initial = case_rules_state(r, initial)))
		return rules_fail(e, "initial", "“%s”不是已定义的状态", q);
	if (r->initial->final)
		return rules_fail(e, "initial", "初始状态“%s”不能是终结状态", q);
	return 0;
}

int case_rules_parse(const char *json, struct case_rules **out, struct err *e)
{
	struct case_rules *r = NULL;
	json_t *root = NULL;
	int result = -1;

	*out = NULL;
	if (rules_json_load(json, &root, e) < 0)
		goto out;
	if (!(r = calloc(1, sizeof *r))) {
		rules_oom(e);
		goto out;
	}
	if (rules_parse_top(r, root, e) < 0 || rules_parse_actions(r, root, e) < 0 ||
	    rules_check_graph(r, e) < 0)
		goto out;
	*out = r;
	r = NULL;
	result = 0;
out:
	case_rules_free(r);
	json_decref(root);
	return result;
}

void case_rules_free(struct case_rules *rules)
{
	size_t i, k;

	if (!rules)
		return;
	for (i = 0; i < rules->ntransitions; i++) {
		struct case_transition *t = &rules->transitions[i];

		for (k = 0; k < t->nrequires; k++)
			free(t->requires[k]);
		free(t->requires);
		free(t->action);
		free(t->name);
		free(t->within);
	}
	free(rules->transitions);
	for (i = 0; i < rules->nstates; i++) {
		free(rules->states[i].id);
		free(rules->states[i].name);
	}
	free(rules->states);
	free(rules->kind);
	free(rules->name);
	free(rules->description);
	free(rules);
}

const char *case_rules_builtin(const char *kind)
{
	const struct embedded_file *f;
	size_t n = kind ? strlen(kind) : 0;

	for (f = embedded_rules; n && f->name; f++)
		if (strncmp(f->name, kind, n) == 0 && strcmp(f->name + n, ".json") == 0)
			return f->data;
	return NULL;
}

const struct case_state *case_rules_state(const struct case_rules *rules, const char *id)
{
	size_t i;

	for (i = 0; id && i < rules->nstates; i++)
		if (rules->states[i].id && strcmp(rules->states[i].id, id) == 0)
			return &rules->states[i];
	return NULL;
}

const struct case_transition *case_rules_transition(const struct case_rules *rules,
						    const char *state, const char *action,
						    unsigned party)
{
	size_t i;

	for (i = 0; state && action && i < rules->ntransitions; i++) {
		const struct case_transition *t = &rules->transitions[i];

		/* (from, action) names one row, so the first match is the only one. */
		if (strcmp(t->from->id, state) == 0 && strcmp(t->action, action) == 0)
			return t->by & party ? t : NULL;
	}
	return NULL;
}

int case_rules_action_known(const struct case_rules *rules, const char *action)
{
	return case_rules_parties_of(rules, action) != 0;
}

unsigned case_rules_parties_of(const struct case_rules *rules, const char *action)
{
	unsigned by = 0;
	size_t i;

	for (i = 0; action && i < rules->ntransitions; i++)
		if (strcmp(rules->transitions[i].action, action) == 0)
			by |= rules->transitions[i].by;
	return by;
}

const struct case_transition *case_rules_next(const struct case_rules *rules,
					      const char *state, unsigned party,
					      const struct case_transition *prev)
{
	size_t i = prev ? (size_t)(prev - rules->transitions) + 1 : 0;

	for (; state && i < rules->ntransitions; i++)
		if (strcmp(rules->transitions[i].from->id, state) == 0 &&
		    (rules->transitions[i].by & party))
			return &rules->transitions[i];
	return NULL;
}

int case_transition_requires(const struct case_transition *t, const char *member)
{
	size_t i;

	for (i = 0; member && i < t->nrequires; i++)
		if (strcmp(t->requires[i], member) == 0)
			return 1;
	return 0;
}

int case_state_days(const struct case_state *s, const char *member)
{
	if (member && strcmp(member, "due_days") == 0)
		return s->due_days;
	if (member && strcmp(member, "review_days") == 0)
		return s->review_days;
	return -1;
}

const char *case_party_name(unsigned party)
{
	switch (party) {
	case CASE_PARTY_APPLICANT:
		return "applicant";
	case CASE_PARTY_OPERATOR:
		return "operator";
	case CASE_PARTY_DEPT:
		return "dept";
	default:
		return NULL;
	}
}

unsigned case_party_parse(const char *name)
{
	unsigned bit;

	for (bit = 1; name && bit <= CASE_PARTY_DEPT; bit <<= 1)
		if (strcmp(case_party_name(bit), name) == 0)
			return bit;
	return 0;
}

const char *case_turn_name(enum case_turn turn)
{
	return (unsigned)turn < sizeof turn_names / sizeof *turn_names ? turn_names[turn] : NULL;
}
