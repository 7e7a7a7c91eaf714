/*
 * test_case_rules.c - the case rules parser (src/core/case_rules.c): the built-in
 * objection rules, every path of their machine, and malformed files, each refused with
 * the member at fault in the error's field and message.
 *
 * The malformed files are the built-in one with one thing changed, so that each test
 * shows that exactly that change is what is refused.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/case_rules.h"
#include "core/err.h"
#include "read_text.h"

#define RULES_FILE XY_SOURCE_ROOT "/data/rules/objection.json"

#define OP CASE_PARTY_OPERATOR
#define DEPT CASE_PARTY_DEPT
#define APPL CASE_PARTY_APPLICANT

static struct case_rules *objection(void)
{
	struct case_rules *r = NULL;
	struct err e;
	const char *text = case_rules_builtin("objection");

	cr_assert_not_null(text, "no built-in rules for kind objection");
	cr_assert_eq(case_rules_parse(text, &r, &e), 0, "built-in objection rules refused: %s",
		     e.message);
	cr_assert_not_null(r);
	return r;
}

/* Takes `action` from `state` as `party` and checks where it leads; returns that state. */
static const char *step(const struct case_rules *r, const char *state, const char *action,
			unsigned party, const char *to)
{
	const struct case_transition *t = case_rules_transition(r, state, action, party);

	cr_assert_not_null(t, "%s from %s by party %#x was refused", action, state, party);
	cr_assert_str_eq(t->action, action);
	cr_assert_str_eq(t->from->id, state);
	cr_assert_str_eq(t->to->id, to, "%s from %s leads to %s, not %s", action, state,
			 t->to->id, to);
	cr_assert_neq(t->by & party, 0);
	return t->to->id;
}

static void refused(const struct case_rules *r, const char *state, const char *action,
		    unsigned party)
{
	cr_assert_null(case_rules_transition(r, state, action, party),
		       "%s from %s by party %#x should be refused", action, state, party);
}

/* The ids of the actions party may take in state, joined by spaces. */
static void listing(const struct case_rules *r, const char *state, unsigned party,
		    const char *expected)
{
	const struct case_transition *t;
	char got[256] = "";
	size_t n = 0;

	for (t = case_rules_next(r, state, party, NULL); t; t = case_rules_next(r, state, party, t)) {
		n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", n ? " " : "", t->action);
		cr_assert_lt(n, sizeof got);
	}
	cr_assert_str_eq(got, expected, "actions of party %#x in %s", party, state);
}

Test(case_rules, builtin_is_the_data_file)
{
	char *file = test_read_text(RULES_FILE, "the built-in objection rules");

	cr_assert_str_eq(case_rules_builtin("objection"), file);
	cr_assert_null(case_rules_builtin("complaint"));
	cr_assert_null(case_rules_builtin("objection.json"));
	cr_assert_null(case_rules_builtin(""));
	cr_assert_null(case_rules_builtin(NULL));
	free(file);
}

Test(case_rules, builtin_objection_parses)
{
	struct case_rules *r = objection();
	const struct case_state *s;
	char day[11];

	cr_assert_str_eq(r->kind, "objection");
	cr_assert_str_eq(r->name, "异议申诉");
	cr_assert_not_null(r->description);
	date_format(r->effective_from, day);
	cr_assert_str_eq(day, "2024-01-01");
	cr_assert_str_eq(r->initial->id, "submitted");
	cr_assert_eq(r->nstates, 6);
	/* accept 1, refuse 2, forward 1, decide 1+1, review 1, withdraw 3 */
	cr_assert_eq(r->ntransitions, 10);

	s = case_rules_state(r, "submitted");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->name, "待受理");
	cr_assert_eq(s->party, CASE_TURN_PLATFORM);
	cr_assert_eq(s->due_days, 2);
	cr_assert_eq(s->review_days, -1);
	cr_assert_not(s->final);
	s = case_rules_state(r, "forwarded");
	cr_assert_eq(s->party, CASE_TURN_DEPT);
	cr_assert_eq(s->due_days, 10);
	s = case_rules_state(r, "decided");
	cr_assert_eq(s->party, CASE_TURN_APPLICANT);
	cr_assert_eq(s->due_days, -1, "an applicant state is never due");
	cr_assert_eq(s->review_days, 15);
	cr_assert_eq(case_state_days(s, "review_days"), 15);
	cr_assert_eq(case_state_days(s, "due_days"), -1);
	cr_assert_eq(case_state_days(s, "name"), -1);
	s = case_rules_state(r, "refused");
	cr_assert(s->final);
	cr_assert_eq(s->party, CASE_TURN_NONE);
	cr_assert_str_eq(case_turn_name(s->party), "none");
	cr_assert(case_rules_state(r, "withdrawn")->final);
	cr_assert_null(case_rules_state(r, "closed"));
	cr_assert_null(case_rules_state(r, NULL));
	case_rules_free(r);
}

Test(case_rules, main_path_with_review)
{
	struct case_rules *r = objection();
	const char *s = r->initial->id;

	s = step(r, s, "accept", OP, "accepted");
	s = step(r, s, "forward", OP, "forwarded");
	s = step(r, s, "decide", DEPT, "decided");
	s = step(r, s, "review", APPL, "forwarded");
	s = step(r, s, "decide", DEPT, "decided");
	cr_assert_str_eq(s, "decided");
	case_rules_free(r);
}

Test(case_rules, accept_only_by_operator_from_submitted)
{
	struct case_rules *r = objection();

	step(r, "submitted", "accept", CASE_PARTY_ALL, "accepted");
	refused(r, "submitted", "accept", APPL);
	refused(r, "submitted", "accept", DEPT);
	refused(r, "accepted", "accept", OP);
	refused(r, "forwarded", "forward", OP);
	refused(r, "submitted", "forward", OP);
	case_rules_free(r);
}

Test(case_rules, refuse_from_submitted_and_accepted)
{
	struct case_rules *r = objection();
	const struct case_transition *t;

	step(r, "submitted", "refuse", OP, "refused");
	t = case_rules_transition(r, "accepted", "refuse", OP);
	cr_assert_not_null(t);
	cr_assert_str_eq(t->to->id, "refused");
	cr_assert(case_transition_requires(t, "reason"), "refuse must ask for a reason");
	cr_assert_not(case_transition_requires(t, "note"));
	cr_assert_not(case_transition_requires(case_rules_transition(r, "submitted", "accept", OP),
					       "reason"));
	refused(r, "submitted", "refuse", APPL);
	refused(r, "accepted", "refuse", DEPT);
	refused(r, "forwarded", "refuse", CASE_PARTY_ALL);
	refused(r, "decided", "refuse", CASE_PARTY_ALL);
	case_rules_free(r);
}

Test(case_rules, withdraw_until_decided)
{
	struct case_rules *r = objection();

	step(r, "submitted", "withdraw", APPL, "withdrawn");
	step(r, "accepted", "withdraw", APPL, "withdrawn");
	step(r, "forwarded", "withdraw", APPL, "withdrawn");
	refused(r, "decided", "withdraw", APPL);
	refused(r, "decided", "withdraw", CASE_PARTY_ALL);
	refused(r, "submitted", "withdraw", OP);
	refused(r, "forwarded", "withdraw", DEPT);
	case_rules_free(r);
}

Test(case_rules, decide_by_operator_when_accepted_by_dept_when_forwarded)
{
	struct case_rules *r = objection();

	step(r, "accepted", "decide", OP, "decided");
	refused(r, "accepted", "decide", DEPT);
	refused(r, "accepted", "decide", APPL);
	step(r, "forwarded", "decide", DEPT, "decided");
	refused(r, "forwarded", "decide", OP);
	refused(r, "forwarded", "decide", APPL);
	/* The console is every party: it takes whichever row the state has. */
	step(r, "accepted", "decide", CASE_PARTY_ALL, "decided");
	step(r, "forwarded", "decide", CASE_PARTY_ALL, "decided");
	refused(r, "submitted", "decide", CASE_PARTY_ALL);
	refused(r, "decided", "decide", CASE_PARTY_ALL);
	cr_assert_eq(case_rules_parties_of(r, "decide"), OP | DEPT);
	case_rules_free(r);
}

Test(case_rules, review_once_within_review_days)
{
	struct case_rules *r = objection();
	const struct case_transition *t = case_rules_transition(r, "decided", "review", APPL);

	cr_assert_not_null(t);
	cr_assert(t->once);
	cr_assert_str_eq(t->within, "review_days");
	cr_assert_eq(case_state_days(t->from, t->within), 15);
	cr_assert_str_eq(t->name, "申请复核");
	refused(r, "decided", "review", OP | DEPT);
	refused(r, "forwarded", "review", APPL);
	t = case_rules_transition(r, "submitted", "accept", OP);
	cr_assert_not(t->once);
	cr_assert_null(t->within);
	case_rules_free(r);
}

Test(case_rules, nothing_leaves_final_states)
{
	static const char *const actions[] = { "accept", "refuse", "forward", "decide",
					       "review", "withdraw" };
	struct case_rules *r = objection();
	size_t i;

	for (i = 0; i < sizeof actions / sizeof *actions; i++) {
		cr_assert(case_rules_action_known(r, actions[i]), "%s unknown", actions[i]);
		refused(r, "refused", actions[i], CASE_PARTY_ALL);
		refused(r, "withdrawn", actions[i], CASE_PARTY_ALL);
	}
	listing(r, "refused", CASE_PARTY_ALL, "");
	listing(r, "withdrawn", CASE_PARTY_ALL, "");
	case_rules_free(r);
}

Test(case_rules, actions_a_party_may_take)
{
	struct case_rules *r = objection();

	listing(r, "submitted", OP, "accept refuse");
	listing(r, "submitted", APPL, "withdraw");
	listing(r, "submitted", DEPT, "");
	listing(r, "accepted", OP, "refuse forward decide");
	listing(r, "accepted", CASE_PARTY_ALL, "refuse forward decide withdraw");
	listing(r, "forwarded", DEPT, "decide");
	listing(r, "forwarded", OP, "");
	listing(r, "forwarded", APPL, "withdraw");
	listing(r, "decided", APPL, "review");
	listing(r, "decided", OP | DEPT, "");
	listing(r, "nowhere", CASE_PARTY_ALL, "");
	case_rules_free(r);
}

Test(case_rules, parties_of_actions)
{
	struct case_rules *r = objection();

	cr_assert_eq(case_rules_parties_of(r, "accept"), OP);
	cr_assert_eq(case_rules_parties_of(r, "review"), APPL);
	cr_assert_eq(case_rules_parties_of(r, "withdraw"), APPL);
	cr_assert_eq(case_rules_parties_of(r, "close"), 0);
	cr_assert_not(case_rules_action_known(r, "close"));
	cr_assert_not(case_rules_action_known(r, NULL));
	cr_assert_not(case_rules_action_known(r, "submitted"), "a state is not an action");
	case_rules_free(r);
}

Test(case_rules, party_names)
{
	cr_assert_eq(case_party_parse("applicant"), APPL);
	cr_assert_eq(case_party_parse("operator"), OP);
	cr_assert_eq(case_party_parse("dept"), DEPT);
	cr_assert_eq(case_party_parse("platform"), 0, "platform is a state's party, not a caller");
	cr_assert_eq(case_party_parse("Operator"), 0);
	cr_assert_eq(case_party_parse(NULL), 0);
	cr_assert_str_eq(case_party_name(DEPT), "dept");
	cr_assert_null(case_party_name(OP | DEPT));
	cr_assert_str_eq(case_turn_name(CASE_TURN_PLATFORM), "platform");
	cr_assert_str_eq(case_turn_name(CASE_TURN_APPLICANT), "applicant");
}

/* ---- malformed files ---- */

static json_t *doc(void)
{
	json_error_t jerr;
	json_t *root = json_loads(case_rules_builtin("objection"), 0, &jerr);

	cr_assert_not_null(root, "%s", jerr.text);
	return root;
}

static json_t *member(json_t *root, const char *list, size_t i)
{
	json_t *v = json_array_get(json_object_get(root, list), i);

	cr_assert_not_null(v, "%s[%zu] missing from the built-in file", list, i);
	return v;
}

/* Parses text, which must be refused with `field` and a message holding `needle`. */
static void refused_text(const char *text, const char *field, const char *needle)
{
	struct case_rules *r = (struct case_rules *)1;
	struct err e;

	err_clear(&e);
	cr_assert_lt(case_rules_parse(text, &r, &e), 0, "accepted; expected a fault at %s", field);
	cr_assert_null(r);
	cr_assert_str_eq(e.reason, "rules.invalid");
	cr_assert_str_eq(e.field, field, "fault reported at %s (%s), expected at %s", e.field,
			 e.message, field);
	cr_assert(strstr(e.message, needle), "message \"%s\" lacks \"%s\"", e.message, needle);
	if (*field)
		cr_assert(strstr(e.message, field), "message \"%s\" does not name %s", e.message,
			  field);
}

/* Dumps root (and drops it), which must be refused as refused_text says. */
static void refused_doc(json_t *root, const char *field, const char *needle)
{
	char *text = json_dumps(root, 0);

	cr_assert_not_null(text);
	json_decref(root);
	refused_text(text, field, needle);
	free(text);
}

static json_t *state(const char *id, const char *party, int final)
{
	json_t *s = json_pack("{s:s, s:s}", "id", id, "name", "某状态");

	if (party)
		json_object_set_new(s, "party", json_string(party));
	if (final)
		json_object_set_new(s, "final", json_true());
	return s;
}

Test(case_rules, unknown_state_in_to)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 0), "to", json_string("nowhere"));
	refused_doc(root, "actions[0].to", "“nowhere”不是已定义的状态");
}

Test(case_rules, unknown_state_in_from)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 1), "from",
			    json_pack("[s, s]", "submitted", "pending"));
	refused_doc(root, "actions[1].from[1]", "“pending”不是已定义的状态");
}

Test(case_rules, unknown_party_in_by)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 2), "by", json_pack("[s, s]", "operator", "clerk"));
	refused_doc(root, "actions[2].by[1]", "“clerk”不是有效的办理方");
}

Test(case_rules, state_party_is_not_a_caller)
{
	json_t *root = doc();

	/* "operator" takes actions; a state's party is who acts: platform, dept, applicant. */
	json_object_set_new(member(root, "states", 0), "party", json_string("operator"));
	refused_doc(root, "states[0].party", "“operator”无效");
}

Test(case_rules, empty_by)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 0), "by", json_array());
	refused_doc(root, "actions[0].by", "非空数组");
}

Test(case_rules, duplicate_state)
{
	json_t *root = doc();

	json_array_append_new(json_object_get(root, "states"), state("accepted", NULL, 1));
	refused_doc(root, "states[6].id", "“accepted”重复定义");
}

Test(case_rules, bad_effective_from)
{
	static const char *const bad[] = { "2024-02-30", "2024/01/01", "20240101", "2024-1-1" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *root = doc();
		char needle[64];

		json_object_set_new(root, "effective_from", json_string(bad[i]));
		snprintf(needle, sizeof needle, "“%s”不是有效日期", bad[i]);
		refused_doc(root, "effective_from", needle);
	}
}

Test(case_rules, missing_initial)
{
	json_t *root = doc();

	json_object_del(root, "initial");
	refused_doc(root, "initial", "缺少该成员");
}

Test(case_rules, initial_not_a_state)
{
	json_t *root = doc();

	json_object_set_new(root, "initial", json_string("filed"));
	refused_doc(root, "initial", "“filed”不是已定义的状态");
}

Test(case_rules, initial_final)
{
	json_t *root = doc();

	json_object_set_new(root, "initial", json_string("refused"));
	refused_doc(root, "initial", "不能是终结状态");
}

Test(case_rules, action_out_of_final_state)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 0), "from", json_pack("[s]", "withdrawn"));
	refused_doc(root, "actions[0].from[0]", "“withdrawn”是终结状态");
}

Test(case_rules, missing_top_members)
{
	static const char *const members[] = { "kind", "name", "effective_from", "states",
					       "actions" };
	size_t i;

	for (i = 0; i < sizeof members / sizeof *members; i++) {
		json_t *root = doc();

		json_object_del(root, members[i]);
		refused_doc(root, members[i], "缺少该成员");
	}
}

Test(case_rules, bad_ids)
{
	json_t *root = doc();

	json_object_set_new(root, "kind", json_string("Objection"));
	refused_doc(root, "kind", "不是有效的标识");
	root = doc();
	json_object_set_new(member(root, "actions", 0), "id", json_string("accept/1"));
	refused_doc(root, "actions[0].id", "不是有效的标识");
	root = doc();
	json_object_set_new(member(root, "states", 0), "id", json_string("_x"));
	refused_doc(root, "states[0].id", "不是有效的标识");
	root = doc();
	json_object_set_new(root, "name", json_string(""));
	refused_doc(root, "name", "不能为空");
	root = doc();
	json_object_set_new(member(root, "states", 1), "name", json_integer(7));
	refused_doc(root, "states[1].name", "应为字符串");
}

Test(case_rules, days_out_of_range)
{
	json_t *root = doc();

	json_object_set_new(member(root, "states", 0), "due_days", json_integer(366));
	refused_doc(root, "states[0].due_days", "0 到 365 的整数");
	root = doc();
	json_object_set_new(member(root, "states", 1), "due_days", json_integer(-1));
	refused_doc(root, "states[1].due_days", "0 到 365 的整数");
	root = doc();
	json_object_set_new(member(root, "states", 2), "due_days", json_string("10"));
	refused_doc(root, "states[2].due_days", "0 到 365 的整数");
	root = doc();
	json_object_set_new(member(root, "states", 3), "review_days", json_real(15.5));
	refused_doc(root, "states[3].review_days", "0 到 365 的整数");
}

Test(case_rules, days_bounds_accepted)
{
	json_t *root = doc();
	struct case_rules *r;
	struct err e;
	char *text;

	json_object_set_new(member(root, "states", 0), "due_days", json_integer(0));
	json_object_set_new(member(root, "states", 3), "review_days", json_integer(365));
	text = json_dumps(root, 0);
	json_decref(root);
	cr_assert_eq(case_rules_parse(text, &r, &e), 0, "%s", e.message);
	cr_assert_eq(case_rules_state(r, "submitted")->due_days, 0);
	cr_assert_eq(case_rules_state(r, "decided")->review_days, 365);
	case_rules_free(r);
	free(text);
}

Test(case_rules, windows_by_party)
{
	json_t *root = doc();

	json_object_set_new(member(root, "states", 3), "due_days", json_integer(5));
	refused_doc(root, "states[3].due_days", "不设办理期限");
	root = doc();
	json_object_set_new(member(root, "states", 4), "due_days", json_integer(5));
	refused_doc(root, "states[4].due_days", "终结状态“refused”不应有期限");
	root = doc();
	json_object_set_new(member(root, "states", 5), "party", json_string("platform"));
	refused_doc(root, "states[5].party", "不应有办理方");
	root = doc();
	json_object_del(member(root, "states", 0), "party");
	refused_doc(root, "states[0].party", "须指明办理方");
}

Test(case_rules, within_member_missing_from_state)
{
	json_t *root = doc();

	/* decided has review_days, not due_days. */
	json_object_set_new(member(root, "actions", 5), "within", json_string("due_days"));
	refused_doc(root, "actions[5].from[0]", "没有 due_days");
	root = doc();
	json_object_set_new(member(root, "actions", 5), "within", json_string("deadline"));
	refused_doc(root, "actions[5].within", "“deadline”不是状态的期限成员");
	root = doc();
	/* withdraw from submitted: submitted has due_days but no review_days */
	json_object_set_new(member(root, "actions", 6), "within", json_string("review_days"));
	refused_doc(root, "actions[6].from[0]", "“submitted”没有 review_days");
}

Test(case_rules, two_rows_of_one_action_from_one_state)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 4), "from",
			    json_pack("[s, s]", "forwarded", "accepted"));
	refused_doc(root, "actions[4].from[1]", "已有一行");
}

Test(case_rules, one_action_one_name)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 4), "name", json_string("决定"));
	refused_doc(root, "actions[4].name", "名称应相同");
}

Test(case_rules, duplicates_in_lists)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 6), "from",
			    json_pack("[s, s]", "submitted", "submitted"));
	refused_doc(root, "actions[6].from[1]", "“submitted”重复出现");
	root = doc();
	json_object_set_new(member(root, "actions", 6), "by",
			    json_pack("[s, s]", "applicant", "applicant"));
	refused_doc(root, "actions[6].by[1]", "“applicant”重复出现");
}

Test(case_rules, unknown_requirement)
{
	json_t *root = doc();

	json_object_set_new(member(root, "actions", 1), "requires", json_pack("[s]", "grounds"));
	refused_doc(root, "actions[1].requires[0]", "“grounds”不是请求可携带的成员");
	root = doc();
	json_object_set_new(member(root, "actions", 1), "requires", json_string("reason"));
	refused_doc(root, "actions[1].requires", "应为字符串数组");
}

Test(case_rules, unknown_members)
{
	json_t *root = doc();

	json_object_set_new(member(root, "states", 4), "fianl", json_true());
	refused_doc(root, "states[4].fianl", "未知的成员“fianl”");
	root = doc();
	json_object_set_new(member(root, "actions", 5), "onse", json_true());
	refused_doc(root, "actions[5].onse", "未知的成员");
	root = doc();
	json_object_set_new(root, "version", json_integer(2));
	refused_doc(root, "version", "未知的成员");
	root = doc();
	json_object_set_new(member(root, "actions", 5), "once", json_string("yes"));
	refused_doc(root, "actions[5].once", "应为 true 或 false");
}

Test(case_rules, open_state_without_exit)
{
	json_t *root = doc();

	json_array_append_new(json_object_get(root, "states"), state("parked", "platform", 0));
	json_array_append_new(json_object_get(root, "actions"),
			      json_pack("{s:s, s:s, s:[s], s:s, s:[s]}", "id", "park", "name", "搁置",
					"from", "accepted", "to", "parked", "by", "operator"));
	refused_doc(root, "states[6]", "“parked”没有任何动作可离开");
}

Test(case_rules, unreachable_state)
{
	json_t *root = doc();

	json_array_append_new(json_object_get(root, "states"), state("archived", NULL, 1));
	refused_doc(root, "states[6]", "“archived”从初始状态“submitted”出发无法到达");
}

Test(case_rules, not_a_rules_object)
{
	refused_text("[1, 2]", "", "不是有效的 JSON 对象");
	refused_text("{\"kind\": \"objection\",", "", "第1行");
	refused_text("", "", "不是有效的 JSON 对象");
	refused_text(NULL, "", "不是有效的 JSON 对象");
	/* The bytes jansson would quote in its message are not UTF-8. */
	refused_text("{\"name\": \"\\\xe8\"}", "", "不是有效的 UTF-8 文本");
	/* Two "initial" members would let two readers see two machines. */
	refused_text("{\"kind\": \"a\", \"kind\": \"b\"}", "", "不是有效的 JSON 对象");
	refused_text("{\"kind\": \"objection\", \"states\": 3}", "name", "缺少该成员");
}

Test(case_rules, state_and_action_lists_shapes)
{
	json_t *root = doc();

	json_object_set_new(root, "states", json_array());
	refused_doc(root, "states", "非空数组");
	root = doc();
	json_array_set_new(json_object_get(root, "states"), 2, json_string("forwarded"));
	refused_doc(root, "states[2]", "应为对象");
	root = doc();
	json_object_set_new(root, "actions", json_object());
	refused_doc(root, "actions", "非空数组");
	root = doc();
	json_object_set_new(member(root, "actions", 0), "from", json_string("submitted"));
	refused_doc(root, "actions[0].from", "非空数组");
}

Test(case_rules, too_many_states)
{
	json_t *root = doc();
	json_t *states = json_object_get(root, "states");
	size_t i;

	for (i = json_array_size(states); i <= CASE_RULES_MAX_STATES; i++) {
		char id[16];

		snprintf(id, sizeof id, "s%zu", i);
		json_array_append_new(states, state(id, NULL, 1));
	}
	refused_doc(root, "states", "至多32项");
}

/* A machine that names nothing of objections parses too: the core is data-driven. */
Test(case_rules, another_kind)
{
	static const char text[] =
		"{\"kind\": \"complaint\", \"name\": \"投诉\", \"effective_from\": \"2025-06-30\","
		" \"initial\": \"open\","
		" \"states\": [{\"id\": \"open\", \"name\": \"待处理\", \"party\": \"dept\"},"
		"              {\"id\": \"closed\", \"name\": \"已关闭\", \"final\": true}],"
		" \"actions\": [{\"id\": \"close\", \"name\": \"关闭\", \"from\": [\"open\"],"
		"               \"to\": \"closed\", \"by\": [\"dept\", \"operator\"],"
		"               \"requires\": [\"note\"]}]}";
	struct case_rules *r;
	struct err e;

	cr_assert_eq(case_rules_parse(text, &r, &e), 0, "%s", e.message);
	cr_assert_str_eq(r->kind, "complaint");
	cr_assert_null(r->description);
	cr_assert_eq(r->initial->due_days, -1);
	step(r, "open", "close", DEPT, "closed");
	step(r, "open", "close", OP, "closed");
	refused(r, "open", "close", APPL);
	cr_assert_eq(case_rules_parties_of(r, "close"), DEPT | OP);
	cr_assert(case_transition_requires(case_rules_transition(r, "open", "close", OP), "note"));
	case_rules_free(r);
}

/* The dispute mark follows the rules: the built-in objection marks its record from
 * acceptance until the decision, and a final state may not mark. */
Test(case_rules, marks_record_from_acceptance_to_decision)
{
	struct case_rules *r = objection();
	static const char *const marked[] = { "accepted", "forwarded", NULL };
	size_t i, j;

	for (i = 0; i < r->nstates; i++) {
		int want = 0;

		for (j = 0; marked[j]; j++)
			want |= strcmp(r->states[i].id, marked[j]) == 0;
		cr_assert_eq(r->states[i].marks_record, want, "state %s", r->states[i].id);
	}
	case_rules_free(r);
}

Test(case_rules, final_state_may_not_mark)
{
	json_t *root = doc();

	/* states[4] is `refused`, a final state. */
	json_object_set_new(member(root, "states", 4), "marks_record", json_true());
	refused_doc(root, "states[4].marks_record", "不应标记记录");
}
