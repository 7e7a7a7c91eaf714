#!/usr/bin/env python3
"""Black-box tests of cases and objections over HTTP (docs/api.md, issue 9 §3-§4):
who may take which action of the objection machine in which state, the order in which
a request is judged (401, 403, 409, 400), filing, the dispute mark in the subject's
views, what each outcome does to the record, review and its window, due dates and
overdue cases, lists and paging, attachments, and the subjects' statements.

    python3 tests/http/test_cases.py BUILD/xinyong SOURCE_ROOT

Python 3 standard library only.  Builds a small platform with the CLI (two companies,
penalty records from two departments, a dishonest-list record, one account per kind of
caller, a department token), starts the real server on loopback with XINYONG_NOW fixed
(a Monday in November 2026) and a second one on the same database three working weeks
later (for overdue cases and closed review windows), and talks to them over HTTP.
Prints one line per test and finally `N passed, M failed`; exits non-zero on any
failure.

Backends: a new SQLite file by default; with XINYONG_TEST_PG=postgresql://... a new
PostgreSQL database on that server (tests/pg/testdb.py), dropped at the end.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in tests/pg or tests/http
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import harness  # noqa: E402 - tests/http is on sys.path
import testdb  # noqa: E402  (tests/pg/testdb.py: the database on either backend)
# The access suite's processes, requests, callers and codes (its tests stay its own).
from test_access import (PENALTY_COLUMNS, Caller, Server, check, csv_text,  # noqa: E402
                         expect_error, expect_status, jbody, make_uscc, make_resident_id,
                         request)

NOW = "2026-11-23T10:00:00+08:00"    # a Monday; no holiday until the new year
TODAY = "2026-11-23"
LATE = "2026-12-21T10:00:00+08:00"   # past every due date and review window below
# Working days from TODAY (Monday-Friday: the calendar has no holiday in between).
DUE_2 = "2026-11-25"                 # submitted, accepted: 2 working days
DUE_10 = "2026-12-07"                # forwarded: 10 working days
REVIEW_15 = "2026-12-14"             # decided: review within 15 working days

PASSWORD = "Yunfan-2026-Safe"

DEPT = "11441200MB2C12348J"               # 肇庆市市场监督管理局: provides the records
DEPT2 = make_uscc("11441200MB2D5678")     # another department, with records of its own
COMPANY = make_uscc("91441200MA5L8P2Q")
COMPANY_NAME = "肇庆市云帆科技有限公司"
COMPANY2 = make_uscc("91441200MA5R3T7K")
COMPANY2_NAME = "肇庆市远航贸易有限公司"
LEGAL_REP_ID = make_resident_id("44030419900102291")

POOL = 90        # penalty records of COMPANY from DEPT, one per case the tests file
POOL2 = 6        # of COMPANY2 from DEPT
POOL_DEPT2 = 4   # of COMPANY from DEPT2

DISHONEST_COLUMNS = ["主体名称", "主体类别", "统一社会信用代码", "名单类型", "列入事由", "列入依据", "列入日期",
                     "认定部门", "认定部门统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码"]

# Files: the smallest ones the server takes for each type, and one it does not.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TEXT = "这是一份说明，不是 PDF。\n".encode("utf-8")
MAX_ATTACHMENT = 10 * 1024 * 1024

# Every kind of caller the tests name.
CALLERS = ["anonymous", "subject", "subject2", "operator", "admin", "auditor", "handler",
           "handler2", "submitter", "token"]
ACCOUNTS = {  # label -> (user name, role, binding)
    "subject": ("c_subject", "subject", ["--subject", COMPANY]),
    "subject2": ("c_subject2", "subject", ["--subject", COMPANY2]),
    "operator": ("c_operator", "operator", []),
    "admin": ("c_admin", "admin", []),
    "auditor": ("c_auditor", "auditor", []),
    "handler": ("c_handler", "handler", ["--dept", DEPT]),
    "handler2": ("c_handler2", "handler", ["--dept", DEPT2]),
    "submitter": ("c_submitter", "submitter", ["--dept", DEPT]),
}
JSON_H = {"Content-Type": "application/json"}


def penalty_row(decision_no, company=COMPANY, name=COMPANY_NAME, dept=DEPT):
    return [name, "法人及非法人组织", company, "赵云帆", "身份证", LEGAL_REP_ID, "", "",
            decision_no, "虚假宣传", "在网站发布虚假广告，误导消费者", "《中华人民共和国广告法》第五十五条",
            "罚款", "罚款人民币2万元", "2", "2026-10-10", "肇庆市市场监督管理局", dept,
            "肇庆市市场监督管理局", dept]


def decision_no(kind, i):
    return "肇市监罚〔2026〕%d%03d号" % (kind, i)


# ---- the context ----------------------------------------------------------------------

class Ctx:
    def __init__(self, binary, src):
        self.binary = os.path.abspath(binary)
        self.src = os.path.abspath(src)
        self.tmp = tempfile.TemporaryDirectory(prefix="xinyong-cases-")
        self.db = None
        try:
            self.db = testdb.new_db(self.tmp.name, "xy_case")
        except BaseException:
            self.tmp.cleanup()
            raise
        self.env = dict(os.environ, XINYONG_NOW=NOW, TMPDIR=self.tmp.name)
        for k in ("XINYONG_DB", "XINYONG_AUDIT_KEY"):
            self.env.pop(k, None)
        self.server = None   # at NOW
        self.late = None     # at LATE, on the same database
        self.servers = []
        self.callers = {}    # label -> Caller on the main server
        self.late_callers = {}
        self.pool = {}       # "company" / "company2" / "dept2" -> [record ids not yet used]
        self.dishonest = []  # dishonest-list record ids of COMPANY
        self.token = None    # a department token of DEPT (no case rights)
        self.due_cases = None

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def cli(self, *args, stdin=None, env=None, check_rc=True):
        p = subprocess.run([self.binary] + list(args), input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=dict(self.env, **(env or {})),
                           timeout=300)
        if check_rc and p.returncode != 0:
            raise AssertionError("xinyong %s: exit %d: %s" % (" ".join(args[:3]), p.returncode,
                                                             p.stderr.decode()[-1500:]))
        return p

    def start(self, name, now):
        s = Server(self, name, ["--rate-limit", "0"], now)
        self.servers.append(s)
        return s

    def call(self, who, method, path, body=None, headers=None, late=False):
        """who: a caller's label (or a Caller).  A dict body goes as JSON."""
        caller = who if isinstance(who, Caller) else \
            (self.late_callers if late else self.callers)[who]
        h = caller.headers(method)
        if isinstance(body, (dict, list)):
            body = jbody(body)
            h.update(JSON_H)
        h.update(headers or {})
        return request((self.late if late else self.server).port, method, path, body, h)

    def get(self, who, path, late=False):
        return self.call(who, "GET", path, late=late)

    def session(self, label, server):
        name = ACCOUNTS[label][0]
        r = request(server.port, "POST", "/api/v1/session",
                    jbody({"name": name, "password": PASSWORD}), JSON_H)
        expect_status(r, 201)
        m = re.match(r"xy_session=([^;]+);", r.headers.get("set-cookie", ""))
        check(m, "no session cookie: %r" % r.headers.get("set-cookie"))
        return Caller("user:" + label, "user", role=ACCOUNTS[label][1],
                      session=(m.group(1), r.json()["csrf_token"]))

    def record(self, pool="company"):
        """A record of the pool that no test has used yet."""
        check(self.pool[pool], "the %s pool of records is used up: raise its size" % pool)
        return self.pool[pool].pop(0)

    def cleanup(self):
        try:
            if self.db:
                testdb.drop_db(self.db)
        finally:
            self.tmp.cleanup()


# ---- the fixture ----------------------------------------------------------------------

def ingest(ctx, category, dept, name, text):
    with open(ctx.path(name), "w", encoding="utf-8") as f:
        f.write(text)
    doc = json.loads(ctx.cli("ingest", "--db", ctx.db, "--category", category, "--dept", dept,
                             ctx.path(name)).stdout)
    check(doc["rejected"] == 0, "ingest %s: %r" % (name, doc))
    return doc


def archive_records(ctx, code):
    """{record id: record JSON} of the console's view of a subject's archive."""
    doc = json.loads(ctx.cli("subject", "show", "--db", ctx.db, "--compact", code).stdout)
    return {rec["id"]: rec for g in doc["categories"] for rec in g["records"]}


def ids_by_decision(records, prefix):
    out = []
    for rid, rec in sorted(records.items()):
        no = rec["fields"].get("decision_no") or ""
        if no.startswith(prefix):
            out.append((no, rid))
    return [rid for _, rid in sorted(out)]


def build_platform(ctx):
    ctx.cli("init", "--db", ctx.db)
    ingest(ctx, "penalty", DEPT, "p1.csv", csv_text(
        PENALTY_COLUMNS, [penalty_row(decision_no(3, i)) for i in range(POOL)] +
        [penalty_row(decision_no(4, i), COMPANY2, COMPANY2_NAME) for i in range(POOL2)]))
    ingest(ctx, "penalty", DEPT2, "p2.csv", csv_text(
        PENALTY_COLUMNS, [penalty_row(decision_no(5, i), dept=DEPT2)
                          for i in range(POOL_DEPT2)]))
    ingest(ctx, "dishonest_list", DEPT, "d.csv", csv_text(DISHONEST_COLUMNS, [
        [COMPANY_NAME, "法人及非法人组织", COMPANY, "拖欠农民工工资失信联合惩戒对象名单%d" % i,
         "拖欠农民工工资", "《保障农民工工资支付条例》第四十八条", "2026-09-%02d" % (10 + i),
         "肇庆市人力资源和社会保障局", DEPT, "肇庆市人力资源和社会保障局", DEPT] for i in range(2)]))
    mine = archive_records(ctx, COMPANY)
    ctx.pool["company"] = ids_by_decision(mine, "肇市监罚〔2026〕3")
    ctx.pool["dept2"] = ids_by_decision(mine, "肇市监罚〔2026〕5")
    ctx.pool["company2"] = ids_by_decision(archive_records(ctx, COMPANY2), "肇市监罚〔2026〕4")
    ctx.dishonest = sorted(rid for rid, rec in mine.items() if "list_type" in rec["fields"])
    check(len(ctx.pool["company"]) == POOL and len(ctx.pool["dept2"]) == POOL_DEPT2 and
          len(ctx.pool["company2"]) == POOL2 and len(ctx.dishonest) == 2,
          "records: %r" % {k: len(v) for k, v in ctx.pool.items()})
    for label, (name, role, binding) in ACCOUNTS.items():
        ctx.cli("user", "add", name, "--roles", role, "--db", ctx.db, "--password-stdin",
                *binding, stdin=(PASSWORD + "\n").encode())
    lines = ctx.cli("token", "issue", "--db", ctx.db, "--scopes",
                    "subjects:read,batches:read,batches:write", "--dept",
                    DEPT).stdout.decode().strip().splitlines()
    ctx.token = Caller("token:dept", "token", scopes={"subjects:read", "batches:read",
                                                       "batches:write"}, secret=lines[-1])


def start_servers(ctx):
    ctx.server = ctx.start("main", NOW)
    ctx.late = ctx.start("late", LATE)
    for table, server in ((ctx.callers, ctx.server), (ctx.late_callers, ctx.late)):
        table["anonymous"] = Caller("anonymous", "anonymous")
        table["token"] = ctx.token
        for label in ACCOUNTS:
            table[label] = ctx.session(label, server)


# ---- helpers --------------------------------------------------------------------------

def error_field(r):
    try:
        return [d.get("field") for d in r.json()["error"]["details"]]
    except (ValueError, KeyError, TypeError):
        return []


def expect_field(r, status, code, field):
    expect_error(r, status, code)
    check(field in error_field(r), "error names %r, expected %r: %s"
          % (error_field(r), field, r.body[:300]))


def file_case(ctx, who="subject", record=None, pool="company", late=False, **extra):
    body = {"kind": "objection", "record": record or ctx.record(pool), "grounds": "error",
            "text": "处罚决定书文号与本公司无关，系错误关联。", "contact": "0758-2220000"}
    body.update(extra)
    r = ctx.call(who, "POST", "/api/v1/cases", body, late=late)
    expect_status(r, 201)
    return r.json()


def act(ctx, who, cid, action, body=None, late=False):
    return ctx.call(who, "POST", "/api/v1/cases/%d/actions/%s" % (cid, action),
                    {} if body is None else body, late=late)


def act_ok(ctx, who, case, action, body=None, to=None):
    r = act(ctx, who, case["id"], action, body)
    expect_status(r, 200)
    doc = r.json()
    if to:
        check(doc["status"] == to, "%s: status %r, expected %r" % (action, doc["status"], to))
    return doc


REJECT = {"outcome": "reject", "reason": "经核查，处罚决定无误。"}

# How to bring a new case to each state: (caller, action, body) after filing.
PATHS = {
    "submitted": [],
    "accepted": [("operator", "accept", {})],
    "forwarded": [("operator", "accept", {}), ("operator", "forward", {})],
    "decided": [("operator", "accept", {}), ("operator", "forward", {}),
                ("handler", "decide", REJECT)],
    "decided_by_operator": [("operator", "accept", {}), ("operator", "decide", REJECT)],
    "refused": [("operator", "refuse", {"reason": "材料不全"})],
    "withdrawn": [("subject", "withdraw", {})],
}


def case_in(ctx, state, filer="subject", record=None, pool="company"):
    """A new case of COMPANY (or of pool's subject) in `state`."""
    if filer == "subject" and pool == "company2":
        filer = "subject2"
    case = file_case(ctx, filer, record=record, pool=pool)
    for who, action, body in PATHS[state]:
        if who == "subject" and pool == "company2":
            who = "subject2"
        case = act_ok(ctx, who, case, action, body)
    want = "decided" if state == "decided_by_operator" else state
    check(case["status"] == want, "case %d is %r, expected %r" % (case["id"], case["status"], want))
    return case


def show(ctx, who, cid, late=False):
    r = ctx.get(who, "/api/v1/cases/%d" % cid, late=late)
    expect_status(r, 200)
    return r.json()


def view(ctx, who, code=COMPANY, query=""):
    """{record id: record} of a subject's archive as `who` sees it."""
    r = ctx.get(who, "/api/v1/subjects/%s%s" % (code, query))
    expect_status(r, 200)
    return {rec["id"]: rec for g in r.json()["categories"] for rec in g["records"]}


def handler_view(ctx, code=COMPANY):
    return view(ctx, "handler", code, "?purpose=" + urllib.parse.quote("异议核查"))


# ---- tests ----------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


TO = {"accept": "accepted", "refuse": "refused", "forward": "forwarded", "decide": "decided",
      "review": "forwarded", "withdraw": "withdrawn"}


def refusal_of(label):
    return (401, "auth.required") if label == "anonymous" else (403, "auth.forbidden")


# ---- every action of the objection machine, every kind of caller ------------------------

# (action, state the case is in, body, who files it, the callers who may take it there,
# the callers who may take it in another state: 409).  Everyone else hears 403 (401 for
# the public).  A case filed by the operator is a walk-in case (窗口受理): the operator
# then acts for the applicant too; on a case the subject filed online it does not.
MATRIX = [
    ("accept", "submitted", {}, "subject", ["operator"], []),
    ("refuse", "submitted", {"reason": "申请材料不全"}, "subject", ["operator"], []),
    ("refuse", "accepted", {"reason": "不属于异议受理范围"}, "subject", ["operator"], []),
    ("forward", "accepted", {"note": "请核查"}, "subject", ["operator"], []),
    ("decide", "accepted", REJECT, "subject", ["operator"], []),
    ("decide", "forwarded", REJECT, "subject", ["handler"], ["operator"]),
    ("review", "decided", {"note": "对决定不服"}, "subject", ["subject"], []),
    ("withdraw", "submitted", {}, "subject", ["subject"], []),
    ("withdraw", "accepted", {}, "subject", ["subject"], []),
    ("withdraw", "forwarded", {}, "subject", ["subject"], []),
    ("withdraw", "submitted", {}, "operator", ["subject", "operator"], []),
    ("review", "decided", {}, "operator", ["subject", "operator"], []),
]


def matrix_test(action, state, body, filer, allowed, not_now):
    def run(ctx):
        case = case_in(ctx, state, filer)
        wrong = []
        for label in CALLERS:
            if label in allowed:
                continue
            r = act(ctx, label, case["id"], action, body)
            want = (409, "case.invalid_action") if label in not_now else refusal_of(label)
            if (r.status, r.reason()) != want:
                wrong.append("%s: %d %s, expected %d %s" % ((label, r.status, r.reason()) +
                                                            want))
        after = show(ctx, "operator", case["id"])
        if after["status"] != state or len(after["history"]) != len(case["history"]):
            wrong.append("refused calls moved the case: %r" % after["history"][-1])
        for i, label in enumerate(allowed):
            if i:
                case = case_in(ctx, state, filer)
            if action not in show(ctx, label, case["id"])["actions"]:
                wrong.append("%s is not offered %s" % (label, action))
            r = act(ctx, label, case["id"], action, body)
            if r.status != 200:
                wrong.append("%s: %d %s, expected 200" % (label, r.status, r.text[:200]))
                continue
            doc = r.json()
            step = doc["history"][-1]
            if (doc["status"], step["action"], step["from"], step["to"], step["actor"]) != \
                    (TO[action], action, state, TO[action], "user:" + ACCOUNTS[label][0]):
                wrong.append("%s: status %r, step %r" % (label, doc["status"], step))
        check(not wrong, "; ".join(wrong))
    run.__name__ = "%s_on_%s_%s_case" % (action, state, "walk_in" if filer == "operator"
                                         else "online")
    return run


for _row in MATRIX:
    TESTS.append(matrix_test(*_row))


# (state, caller, action, body): a party that may take the action in some state, in a
# state that does not allow it.
INVALID = [
    ("accepted", "operator", "accept", {}),
    ("forwarded", "operator", "accept", {}),
    ("decided", "operator", "accept", {}),
    ("refused", "operator", "accept", {}),
    ("withdrawn", "operator", "refuse", {"reason": "申请材料不全"}),
    ("forwarded", "operator", "refuse", {"reason": "申请材料不全"}),
    ("decided", "operator", "refuse", {"reason": "申请材料不全"}),
    ("submitted", "operator", "forward", {}),
    ("forwarded", "operator", "forward", {}),
    ("submitted", "operator", "decide", REJECT),
    ("forwarded", "operator", "decide", REJECT),
    ("decided", "handler", "decide", REJECT),
    ("submitted", "subject", "review", {}),
    ("accepted", "subject", "review", {}),
    ("forwarded", "subject", "review", {}),
    ("refused", "subject", "review", {}),
    ("decided", "subject", "withdraw", {}),
    ("refused", "subject", "withdraw", {}),
    ("withdrawn", "subject", "withdraw", {}),
    ("submitted", "subject", "approve", {}),
    ("forwarded", "handler", "approve", {}),
]


@test
def an_action_the_state_does_not_allow_is_409(ctx):
    cases = {}
    wrong = []
    for state, label, action, body in INVALID:
        if state not in cases:
            cases[state] = case_in(ctx, state)
        case = cases[state]
        r = act(ctx, label, case["id"], action, body)
        if (r.status, r.reason()) != (409, "case.invalid_action"):
            wrong.append("%s %s on %s: %d %s" % (label, action, state, r.status, r.text[:160]))
    for state, case in cases.items():
        after = show(ctx, "operator", case["id"])
        if after["status"] != state or len(after["history"]) != len(case["history"]):
            wrong.append("case %s moved: %r" % (state, after["history"]))
    check(not wrong, "; ".join(wrong))


@test
def each_party_is_offered_what_it_may_take_now(ctx):
    # Online cases: the subject acts for itself, the operator for the platform, the
    # handler for the department once the case is its.
    expected = {
        "submitted": {"subject": {"withdraw"}, "operator": {"accept", "refuse"}},
        "accepted": {"subject": {"withdraw"}, "operator": {"refuse", "forward", "decide"}},
        "forwarded": {"subject": {"withdraw"}, "operator": set(), "handler": {"decide"}},
        "decided": {"subject": {"review"}, "operator": set(), "handler": set()},
        # Decided by the platform itself: no department was ever a party.
        "decided_by_operator": {"subject": {"review"}, "operator": set()},
        "refused": {"subject": set(), "operator": set()},
        "withdrawn": {"subject": set(), "operator": set()},
    }
    wrong = []
    for state, parties in expected.items():
        case = case_in(ctx, state)
        for label, actions in parties.items():
            got = set(show(ctx, label, case["id"])["actions"])
            if got != actions:
                wrong.append("%s on %s: %r, expected %r" % (label, state, sorted(got),
                                                           sorted(actions)))
        # Platform staff who are no party see the case and may take nothing.
        got = show(ctx, "admin", case["id"])["actions"]
        if got:
            wrong.append("admin on %s: %r" % (state, got))
    walk_in = case_in(ctx, "submitted", filer="operator")
    got = set(show(ctx, "operator", walk_in["id"])["actions"])
    if got != {"accept", "refuse", "withdraw"}:
        wrong.append("operator on a walk-in case: %r" % sorted(got))
    check(not wrong, "; ".join(wrong))


@test
def who_may_see_a_case(ctx):
    submitted = case_in(ctx, "submitted")
    forwarded = case_in(ctx, "forwarded")
    wrong = []
    for case, readers in ((submitted, {"subject", "operator", "admin"}),
                          (forwarded, {"subject", "operator", "admin", "handler"})):
        for label in CALLERS:
            r = ctx.get(label, "/api/v1/cases/%d" % case["id"])
            want = (200, None) if label in readers else refusal_of(label)
            if (r.status, r.reason() if r.status != 200 else None) != want:
                wrong.append("%s on %s: %d %s" % (label, case["status"], r.status, r.reason()))
            elif r.status == 200 and (r.json()["id"], r.json()["record"]) != \
                    (case["id"], case["record"]):
                wrong.append("%s got %r" % (label, r.text[:200]))
    expect_error(ctx.get("operator", "/api/v1/cases/999999"), 404, "case.not_found")
    expect_error(ctx.get("operator", "/api/v1/cases/abc"), 400, "request.invalid")
    check(not wrong, "; ".join(wrong))


# ---- the order of judgement -------------------------------------------------------------

BROKEN = b'{"outcome": '


@test
def requests_are_judged_401_then_403_then_409_then_400(ctx):
    sub = case_in(ctx, "submitted")
    acc = case_in(ctx, "accepted")
    fwd = case_in(ctx, "forwarded")
    dec = case_in(ctx, "decided")

    def raw(label, case, action, body=BROKEN):
        return ctx.call(label, "POST", "/api/v1/cases/%d/actions/%s" % (case["id"], action),
                        body, JSON_H)

    # 401 whatever the body and the state.
    expect_error(raw("anonymous", acc, "decide"), 401, "auth.required")
    # 403 before the state and the body: no party of the case, or no party of the action.
    expect_error(raw("handler2", sub, "decide"), 403, "auth.forbidden")
    expect_error(raw("handler2", fwd, "decide"), 403, "auth.forbidden")
    expect_error(raw("subject2", sub, "withdraw"), 403, "auth.forbidden")
    expect_error(raw("subject", fwd, "decide"), 403, "auth.forbidden")
    expect_error(raw("handler", dec, "review"), 403, "auth.forbidden")
    expect_error(raw("admin", acc, "decide"), 403, "auth.forbidden")
    # 409 before the body.
    expect_error(raw("operator", sub, "decide"), 409, "case.invalid_action")
    expect_error(act(ctx, "operator", sub["id"], "decide", {"outcome": "nonsense"}), 409,
                 "case.invalid_action")
    expect_error(raw("subject", fwd, "review"), 409, "case.invalid_action")
    expect_error(raw("handler", dec, "decide"), 409, "case.invalid_action")
    # 400 last, naming the member.
    expect_error(raw("operator", acc, "decide"), 400, "request.invalid")
    expect_field(act(ctx, "operator", acc["id"], "decide", {}), 400, "request.invalid",
                 "outcome")
    expect_field(act(ctx, "operator", acc["id"], "decide", {"outcome": "nonsense"}), 400,
                 "request.invalid", "outcome")
    expect_field(act(ctx, "operator", acc["id"], "decide", {"outcome": "reject"}), 400,
                 "request.invalid", "reason")
    expect_field(act(ctx, "operator", acc["id"], "refuse", {}), 400, "request.invalid",
                 "reason")
    expect_field(act(ctx, "operator", acc["id"], "refuse", {"reason": ""}), 400,
                 "request.invalid", "reason")
    expect_field(act(ctx, "operator", sub["id"], "accept", {"note": 5}), 400, "request.invalid",
                 "note")
    expect_field(act(ctx, "operator", sub["id"], "accept", {"note": "长" * 1001}), 400,
                 "request.invalid", "note")
    expect_error(act(ctx, "operator", sub["id"], "accept", {"colour": "red"}), 400,
                 "request.invalid")
    expect_error(raw("handler", fwd, "decide"), 400, "request.invalid")
    expect_error(raw("subject", dec, "review"), 400, "request.invalid")
    expect_error(raw("subject", sub, "withdraw", b"[1, 2]"), 400, "request.invalid")
    # None of them moved a case.
    for case in (sub, acc, fwd, dec):
        after = show(ctx, "operator", case["id"])
        check(after["status"] == case["status"] and
              len(after["history"]) == len(case["history"]),
              "case %d moved: %r" % (case["id"], after["history"]))
    # A case that does not exist, for a caller who may act on cases.
    expect_error(act(ctx, "operator", 999999, "accept"), 404, "case.not_found")
    # note is optional everywhere, and kept.
    doc = act_ok(ctx, "operator", sub, "accept", {"note": "材料齐全，予以受理"}, "accepted")
    check(doc["history"][-1]["note"] == "材料齐全，予以受理", "note %r" % doc["history"][-1])
    act_ok(ctx, "operator", acc, "forward", None, "forwarded")


# ---- filing ---------------------------------------------------------------------------

def case_count(ctx):
    return testdb.sql_rows(ctx.db, "SELECT count(*) FROM cases")[0][0]


@test
def a_subject_files_on_its_own_record(ctx):
    rid = ctx.record()
    r = ctx.call("subject", "POST", "/api/v1/cases",
                 {"kind": "objection", "record": rid, "grounds": "duplicate",
                  "text": "与另一条记录重复", "contact": "13800000000", "note": "请尽快处理"})
    expect_status(r, 201)
    doc = r.json()
    want = {"kind": "objection", "status": "submitted", "subject": COMPANY, "record": rid,
            "category": "penalty", "applicant": "user:c_subject", "channel": "online",
            "grounds": "duplicate", "text": "与另一条记录重复", "contact": "13800000000",
            "due": DUE_2, "overdue": False, "outcome": None, "reviews": 0,
            "subject_name": COMPANY_NAME, "actions": ["withdraw"], "attachments": []}
    got = {k: doc.get(k) for k in want}
    check(got == want, "case %r" % {k: (got[k], want[k]) for k in want if got[k] != want[k]})
    # No department is responsible yet: the platform accepts it first.
    check(doc["dept"] == "" and doc["record_dept"] == DEPT, "dept %r" % doc["dept"])
    check([(s["seq"], s["action"], s["from"], s["to"], s["actor"], s["note"])
           for s in doc["history"]] ==
          [(1, "file", None, "submitted", "user:c_subject", "请尽快处理")],
          "history %r" % doc["history"])
    check(show(ctx, "subject", doc["id"]) == doc, "GET answers otherwise than POST")


@test
def filing_is_for_the_subject_itself_or_an_operator(ctx):
    before = case_count(ctx)
    rid = ctx.record()
    body = {"kind": "objection", "record": rid, "grounds": "error", "text": "错误"}
    wrong = []
    for label in CALLERS:
        if label in ("subject", "operator"):
            continue
        r = ctx.call(label, "POST", "/api/v1/cases", body)
        if (r.status, r.reason()) != refusal_of(label):
            wrong.append("%s: %d %s" % (label, r.status, r.reason()))
    # Another subject's record.
    r = ctx.call("subject2", "POST", "/api/v1/cases", body)
    expect_error(r, 403, "auth.forbidden")
    r = ctx.call("subject", "POST", "/api/v1/cases", dict(body, record=ctx.record("company2")))
    expect_error(r, 403, "auth.forbidden")
    check(not wrong, "; ".join(wrong))
    check(case_count(ctx) == before, "a refused filing made a case")


@test
def another_subjects_record_is_403_whatever_the_body_says(ctx):
    """Whose record it is comes before what is wrong with the rest, and before whether it
    has an open case: another subject learns nothing of it."""
    open_case = case_in(ctx, "accepted")
    for body in ({"kind": "objection", "record": open_case["record"], "grounds": "error",
                  "text": "我也有异议"},
                 {"kind": "objection", "record": ctx.record(), "grounds": "nonsense",
                  "text": "x"},
                 {"kind": "objection", "record": ctx.record(), "grounds": "error"},
                 {"kind": "objection", "record": ctx.record(), "grounds": "error",
                  "text": "x", "colour": "red"}):
        r = ctx.call("subject2", "POST", "/api/v1/cases", body)
        expect_error(r, 403, "auth.forbidden")


@test
def filing_names_the_member_in_error(ctx):
    before = case_count(ctx)
    rid = ctx.record()
    good = {"kind": "objection", "record": rid, "grounds": "error", "text": "错误"}
    for change, field in (({"grounds": "wrong"}, "grounds"), ({"grounds": None}, "grounds"),
                          ({"grounds": 3}, "grounds"), ({"record": str(rid)}, "record"),
                          ({"record": 0}, "record"), ({"record": -4}, "record"),
                          ({"record": None}, "record"), ({"text": None}, "text"),
                          ({"text": ""}, "text"), ({"text": "长" * 2001}, "text"),
                          ({"contact": "1" * 101}, "contact"), ({"kind": None}, "kind"),
                          ({"kind": "listing"}, "kind")):
        body = {k: v for k, v in dict(good, **change).items() if v is not None}
        r = ctx.call("subject", "POST", "/api/v1/cases", body)
        check(r.status == 400 and field in error_field(r),
              "%r: %d %s" % (change, r.status, r.text[:200]))
    for raw in (b"", b"{not json", b"[]"):
        r = ctx.call("subject", "POST", "/api/v1/cases", raw, JSON_H)
        expect_error(r, 400, "request.invalid")
    expect_field(ctx.call("subject", "POST", "/api/v1/cases", dict(good, record=999999)), 404,
                 "record.not_found", "record")
    check(case_count(ctx) == before, "a refused filing made a case")
    # The longest text there may be is taken.
    doc = file_case(ctx, record=rid, text="长" * 2000)
    check(len(doc["text"]) == 2000, "text of %d characters" % len(doc["text"]))


@test
def one_open_objection_per_record(ctx):
    first = file_case(ctx)
    rid = first["record"]
    for label in ("subject", "operator"):
        r = ctx.call(label, "POST", "/api/v1/cases",
                     {"kind": "objection", "record": rid, "grounds": "other", "text": "再次"})
        expect_error(r, 409, "case.already_open")
        check(str(first["id"]) in r.json()["error"]["message"], "message %r" % r.text)
    act_ok(ctx, "operator", first, "accept", None, "accepted")
    expect_error(ctx.call("subject", "POST", "/api/v1/cases",
                          {"kind": "objection", "record": rid, "grounds": "other",
                           "text": "再次"}), 409, "case.already_open")
    act_ok(ctx, "subject", first, "withdraw", None, "withdrawn")
    second = file_case(ctx, record=rid)
    check(second["id"] != first["id"] and second["status"] == "submitted", "second %r" % second)
    # A decided case is no longer open either.
    act_ok(ctx, "operator", second, "accept")
    act_ok(ctx, "operator", second, "decide", REJECT, "decided")
    third = file_case(ctx, record=rid)
    check(third["status"] == "submitted", "third %r" % third)


@test
def an_operator_files_at_the_window(ctx):
    rid = ctx.record()
    doc = file_case(ctx, "operator", record=rid, text="当事人到窗口提出异议")
    check((doc["channel"], doc["applicant"], doc["subject"], doc["status"]) ==
          ("window", "user:c_operator", COMPANY, "submitted"), "case %r" % doc)
    # The subject follows it, and may withdraw it, as its own.
    mine = show(ctx, "subject", doc["id"])
    check(mine["actions"] == ["withdraw"] and mine["channel"] == "window", "subject's %r" % mine)
    check(doc["id"] in [c["id"] for c in list_all(ctx, "subject")], "not in the subject's list")
    online = file_case(ctx)
    check(online["channel"] == "online", "the subject's own filing %r" % online["channel"])


# ---- the dispute mark ---------------------------------------------------------------------

def marks(records):
    return {rid: rec["case"] for rid, rec in records.items() if rec["disputed"]}


def expected_marks(ctx, code=COMPANY):
    """{record: case} of the subject's cases that mark their record now."""
    out = {}
    for status in ("accepted", "forwarded"):
        for c in list_all(ctx, "operator", "status=" + status):
            if c["subject"] == code:
                out[c["record"]] = c["id"]
    return out


def check_marks(ctx, record, case_id, where):
    want = expected_marks(ctx)
    check(want.get(record) == case_id,
          "%s: the cases say %r for record %d" % (where, want.get(record), record))
    for label, records in (("public", view(ctx, "anonymous")), ("own", view(ctx, "subject")),
                           ("shared", handler_view(ctx))):
        got = marks(records)
        check(got == want, "%s, %s view: marks %r, expected %r" % (where, label, got, want))
        rec = records[record]
        check(rec["disputed"] is (case_id is not None) and rec["case"] == case_id,
              "%s, %s view: record %r" % (where, label, {k: rec[k] for k in ("disputed",
                                                                              "case")}))


@test
def an_accepted_objection_marks_its_record_until_decided(ctx):
    case = file_case(ctx)
    rid = case["record"]
    check_marks(ctx, rid, None, "submitted")
    act_ok(ctx, "operator", case, "accept")
    check_marks(ctx, rid, case["id"], "accepted")
    act_ok(ctx, "operator", case, "forward")
    check_marks(ctx, rid, case["id"], "forwarded")
    act_ok(ctx, "handler", case, "decide", REJECT, "decided")
    check_marks(ctx, rid, None, "decided")
    # A review brings the case back to the department: marked again.
    act_ok(ctx, "subject", case, "review", None, "forwarded")
    check_marks(ctx, rid, case["id"], "under review")
    act_ok(ctx, "handler", case, "decide", REJECT, "decided")
    check_marks(ctx, rid, None, "decided again")


@test
def the_mark_goes_when_the_objection_is_withdrawn_or_refused(ctx):
    for end, body, who in (("withdraw", None, "subject"),
                           ("refuse", {"reason": "不属于受理范围"}, "operator")):
        case = case_in(ctx, "accepted")
        check_marks(ctx, case["record"], case["id"], "accepted")
        doc = act_ok(ctx, who, case, end, body, TO[end])
        check(doc["due"] is None and doc["actions"] == [], "%s: %r" % (end, doc))
        if end == "refuse":
            check(doc["outcome"] == {"outcome": "refused", "reason": "不属于受理范围"},
                  "refused %r" % doc["outcome"])
        check_marks(ctx, case["record"], None, end)


# ---- outcomes -----------------------------------------------------------------------------

def own_record(ctx, rid, code=COMPANY):
    return view(ctx, "subject" if code == COMPANY else "subject2", code).get(rid)


def decide(ctx, case, body, who="handler"):
    return act(ctx, who, case["id"], "decide", body)


def audit_verify(ctx):
    p = ctx.cli("audit", "verify", "--db", ctx.db, check_rc=False)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    check(p.returncode == 0 and doc and doc.get("intact") is True,
          "audit verify: exit %d: %s %s" % (p.returncode, p.stdout[:300], p.stderr[-500:]))
    return doc


@test
def correct_changes_fields_and_keeps_the_old_version(ctx):
    case = case_in(ctx, "forwarded")
    rid = case["record"]
    before = own_record(ctx, rid)["fields"]
    # Fields the catalog does not have, values that are no text, and values that do not
    # pass the record's checks change nothing.
    for fields in ({"colour": "red"}, {"fine": 1}, {"decision_date": "2026-13-45"}, {}):
        r = decide(ctx, case, {"outcome": "correct", "fields": fields})
        check(r.status in (400, 422) and r.json()["error"]["details"],
              "%r: %d %s" % (fields, r.status, r.text[:300]))
    expect_field(decide(ctx, case, {"outcome": "correct"}), 400, "request.invalid", "fields")
    check(show(ctx, "handler", case["id"])["status"] == "forwarded", "a bad decision moved it")
    r = decide(ctx, case, {"outcome": "correct", "reason": "罚款金额录入错误",
                           "fields": {"content": "罚款人民币1万元", "fine": "1"}})
    expect_status(r, 200)
    doc = r.json()
    check(doc["status"] == "decided" and doc["due"] is None and
          doc["review_until"] == REVIEW_15, "case %r" % doc)
    check({k: doc["outcome"].get(k) for k in ("outcome", "fields", "reason", "by")} ==
          {"outcome": "correct", "fields": {"content": "罚款人民币1万元", "fine": "1"},
           "reason": "罚款金额录入错误", "by": "user:c_handler"}, "outcome %r" % doc["outcome"])
    check(doc["history"][-1]["outcome"] == "correct", "step %r" % doc["history"][-1])
    for label, records in (("own", view(ctx, "subject")), ("public", view(ctx, "anonymous"))):
        fields = records[rid]["fields"]
        check(fields["content"] == "罚款人民币1万元" and fields["fine"] == "1" and
              fields["decision_no"] == before["decision_no"] and not records[rid]["disputed"],
              "%s view after correct: %r" % (label, records[rid]))
    r = ctx.get("handler", "/api/v1/records/%d/history" % rid)
    expect_status(r, 200)
    h = r.json()
    check("罚款人民币1万元" in json.dumps(h["record"]["data"], ensure_ascii=False),
          "record %r" % h["record"])
    check(len(h["versions"]) == 1 and
          "罚款人民币2万元" in json.dumps(h["versions"][0]["data"], ensure_ascii=False),
          "versions %r" % h["versions"])
    audit_verify(ctx)


@test
def correct_relinks_a_record_filed_under_the_wrong_subject(ctx):
    """A linking error: the department names the right subject, and the record moves to
    that subject's archive."""
    case = case_in(ctx, "forwarded")
    rid = case["record"]
    r = decide(ctx, case, {"outcome": "correct", "reason": "当事人信息错误",
                           "fields": {"party_name": COMPANY2_NAME, "party_code": COMPANY2}})
    expect_status(r, 200)
    check(rid not in view(ctx, "anonymous") and rid not in view(ctx, "subject"),
          "still in %s's archive" % COMPANY)
    theirs = view(ctx, "subject2", COMPANY2)
    check(rid in theirs and theirs[rid]["fields"]["party_code"] == COMPANY2 and
          theirs[rid]["fields"]["party_name"] == COMPANY2_NAME, "%s's archive: %r"
          % (COMPANY2, theirs.get(rid)))
    check(rid in view(ctx, "anonymous", COMPANY2), "not in %s's public archive" % COMPANY2)
    audit_verify(ctx)


@test
def correct_into_a_duplicate_is_409(ctx):
    case = case_in(ctx, "forwarded")
    taken = own_record(ctx, ctx.record())["fields"]["decision_no"]
    before = own_record(ctx, case["record"])
    expect_field(decide(ctx, case, {"outcome": "correct", "fields": {"decision_no": taken}}),
                 409, "case.conflict", "fields")
    check(show(ctx, "handler", case["id"])["status"] == "forwarded", "moved")
    check(own_record(ctx, case["record"])["fields"] == before["fields"], "the record changed")


@test
def a_resubmission_during_the_case_keeps_the_mark(ctx):
    case = case_in(ctx, "forwarded")
    rid = case["record"]
    no = own_record(ctx, rid)["fields"]["decision_no"]
    row = penalty_row(no)
    row[13] = "罚款人民币5千元"
    row[14] = "0.5"
    r = ctx.call(ctx.token, "POST", "/api/v1/batches?category=penalty&name=again.csv",
                 csv_text(PENALTY_COLUMNS, [row]).encode("utf-8"), {"Content-Type": "text/csv"})
    expect_status(r, 201)
    check(r.json()["accepted"] == 1, "upload %r" % r.json())
    rec = own_record(ctx, rid)
    check(rec["fields"]["content"] == "罚款人民币5千元", "the upload did not replace it: %r" % rec)
    check(rec["disputed"] is True and rec["case"] == case["id"], "the mark went: %r" % rec)


@test
def supplement_fills_only_empty_fields(ctx):
    case = case_in(ctx, "forwarded")
    rid = case["record"]
    expect_field(decide(ctx, case, {"outcome": "supplement", "fields": {"facts": "改写事实"}}),
                 400, "request.invalid", "fields")
    expect_field(decide(ctx, case, {"outcome": "supplement",
                                    "fields": {"remark": "已整改", "content": "改"}}),
                 400, "request.invalid", "fields")
    check("remark" not in own_record(ctx, rid)["fields"], "a refused supplement wrote")
    r = decide(ctx, case, {"outcome": "supplement", "fields": {"remark": "当事人已于2026年11月整改"}})
    expect_status(r, 200)
    fields = own_record(ctx, rid)["fields"]
    check(fields.get("remark") == "当事人已于2026年11月整改" and fields["facts"] ==
          "在网站发布虚假广告，误导消费者", "fields %r" % fields)


@test
def delete_takes_the_record_out_of_every_view(ctx):
    case = case_in(ctx, "forwarded")
    rid = case["record"]
    other = ctx.record()
    expect_field(decide(ctx, case, {"outcome": "delete", "fields": {"remark": "x"}}), 400,
                 "request.invalid", "fields")
    expect_status(decide(ctx, case, {"outcome": "delete", "reason": "重复记录"}), 200)
    for label, records in (("public", view(ctx, "anonymous")), ("own", view(ctx, "subject")),
                           ("shared", handler_view(ctx)),
                           ("agency", view(ctx, "token", COMPANY, "?purpose=x"))):
        check(rid not in records and other in records, "%s view still shows %d" % (label, rid))
    r = ctx.get("anonymous", "/api/v1/subjects/" + COMPANY)
    check(("\"id\":%d," % rid) not in r.text.replace(" ", ""), "the public view names it")
    # Nothing can be filed on it any more.
    expect_field(ctx.call("subject", "POST", "/api/v1/cases",
                          {"kind": "objection", "record": rid, "grounds": "error", "text": "x"}),
                 404, "record.not_found", "record")
    # The case itself still says what was decided.
    check(show(ctx, "subject", case["id"])["outcome"]["outcome"] == "delete", "outcome")


@test
def stop_publicity_ends_it_today(ctx):
    # Decided by the platform itself, on an accepted case.
    case = case_in(ctx, "accepted")
    rid = case["record"]
    check(rid in view(ctx, "anonymous"), "published before")
    r = decide(ctx, case, {"outcome": "stop_publicity", "reason": "已超过公示期限"}, "operator")
    expect_status(r, 200)
    check(r.json()["outcome"]["by"] == "user:c_operator", "outcome %r" % r.json()["outcome"])
    check(rid not in view(ctx, "anonymous"), "the public view still shows it")
    # The subject still sees its own record, its publicity ended yesterday (the end date
    # is the last day shown).
    mine = own_record(ctx, rid)
    check((mine["publicity"]["status"], mine["publicity"]["until"]) == ("ended", "2026-11-22"),
          "the subject's view says %r" % mine["publicity"])
    check(rid not in view(ctx, "anonymous", COMPANY, "?view=public"), "view=public shows it")


@test
def remove_from_list_sets_the_removal_date(ctx):
    rid = ctx.dishonest[0]
    check(own_record(ctx, rid)["fields"].get("removed_on") is None, "removed before")
    case = case_in(ctx, "forwarded", record=rid)
    r = decide(ctx, case, {"outcome": "remove_from_list", "reason": "已履行义务，信用修复"})
    expect_status(r, 200)
    rec = own_record(ctx, rid)
    check(rec["fields"].get("removed_on") == TODAY, "record %r" % rec["fields"])
    check(rec["fields"]["listed_on"] == "2026-09-10", "listed_on %r" % rec["fields"])
    # Removed today: shown until today's end, gone from the public view after.
    check(rec["publicity"]["until"] == TODAY, "publicity %r" % rec["publicity"])
    r = ctx.get("anonymous", "/api/v1/subjects/" + COMPANY, late=True)
    expect_status(r, 200)
    later = {x["id"] for g in r.json()["categories"] for x in g["records"]}
    check(rid not in later and ctx.dishonest[1] in later,
          "three weeks later the public view shows %r" % sorted(later & set(ctx.dishonest)))
    # A penalty is on no list.
    case = case_in(ctx, "forwarded")
    expect_field(decide(ctx, case, {"outcome": "remove_from_list", "reason": "x"}), 400,
                 "request.invalid", "outcome")
    check(show(ctx, "handler", case["id"])["status"] == "forwarded", "moved")


@test
def reject_needs_a_reason_and_changes_nothing(ctx):
    case = case_in(ctx, "forwarded")
    rid = case["record"]
    before = own_record(ctx, rid)
    for body in ({"outcome": "reject"}, {"outcome": "reject", "reason": ""},
                 {"outcome": "reject", "reason": None}):
        expect_field(decide(ctx, case, body), 400, "request.invalid", "reason")
    expect_field(decide(ctx, case, {"outcome": "reject", "reason": "长" * 501}), 400,
                 "request.invalid", "reason")
    doc = decide(ctx, case, REJECT).json()
    check(doc["status"] == "decided" and doc["outcome"]["reason"] == REJECT["reason"],
          "case %r" % doc)
    after = own_record(ctx, rid)
    check(after["fields"] == before["fields"] and after["updated_at"] == before["updated_at"],
          "the record changed: %r" % after)


# ---- review ---------------------------------------------------------------------------

@test
def review_once_within_its_window(ctx):
    case = case_in(ctx, "decided")
    check(case["review_until"] == REVIEW_15 and case["due"] is None, "decided %r" % case)
    doc = act_ok(ctx, "subject", case, "review", {"note": "申请复核"}, "forwarded")
    check(doc["reviews"] == 1 and doc["outcome"] is None and doc["dept"] == DEPT and
          doc["due"] == DUE_10 and doc["review_until"] is None, "under review %r" % doc)
    check([s["action"] for s in doc["history"]] ==
          ["file", "accept", "forward", "decide", "review"] and
          doc["history"][3]["outcome"] == "reject", "history %r" % doc["history"])
    check(doc["actions"] == ["withdraw"], "actions under review %r" % doc["actions"])
    act_ok(ctx, "handler", case, "decide", REJECT, "decided")
    r = act(ctx, "subject", case["id"], "review")
    expect_error(r, 409, "case.review_closed")
    after = show(ctx, "subject", case["id"])
    check(after["status"] == "decided" and after["reviews"] == 1, "after %r" % after)
    check("review" not in after["actions"], "review still offered: %r" % after["actions"])


@test
def review_past_its_window_is_closed(ctx):
    case = case_in(ctx, "decided")
    # Three weeks later: REVIEW_15 has passed.
    r = act(ctx, "subject", case["id"], "review", late=True)
    expect_error(r, 409, "case.review_closed")
    check(REVIEW_15 in r.json()["error"]["message"], "message %r" % r.text)
    after = show(ctx, "subject", case["id"], late=True)
    check(after["status"] == "decided" and after["reviews"] == 0 and after["due"] is None and
          after["overdue"] is False, "after %r" % after)
    check(after["actions"] == [], "offered past the window: %r" % after["actions"])
    # On the day it was decided the window is open, and review is offered.
    check(show(ctx, "subject", case["id"])["actions"] == ["review"], "offered in the window")


# ---- due dates ------------------------------------------------------------------------

@test
def due_dates_count_working_days(ctx):
    want = {"submitted": DUE_2, "accepted": DUE_2, "forwarded": DUE_10, "decided": None,
            "refused": None, "withdrawn": None}
    cases = {state: case_in(ctx, state) for state in want}
    for state, case in cases.items():
        doc = show(ctx, "operator", case["id"])
        check(doc["due"] == want[state] and doc["overdue"] is False,
              "%s: due %r overdue %r" % (state, doc["due"], doc["overdue"]))
    r = ctx.get("operator", "/api/v1/cases?overdue=true")
    expect_status(r, 200)
    check(r.json()["cases"] == [], "overdue today: %r" % r.json()["cases"][:2])
    ctx.due_cases = cases


@test
def past_its_due_date_a_case_is_overdue(ctx):
    cases = ctx.due_cases or \
        {state: case_in(ctx, state) for state in ("submitted", "accepted", "forwarded",
                                                  "decided", "withdrawn")}
    late = {}
    for state, case in cases.items():
        doc = show(ctx, "operator", case["id"], late=True)
        late[state] = doc
        overdue = state in ("submitted", "accepted", "forwarded")
        check(doc["status"] == state, "%s became %r by itself" % (state, doc["status"]))
        check(doc["overdue"] is overdue, "%s: overdue %r (due %r)" % (state, doc["overdue"],
                                                                     doc["due"]))
    r = ctx.get("operator", "/api/v1/cases?overdue=true&limit=500", late=True)
    expect_status(r, 200)
    listed = {c["id"]: c for c in r.json()["cases"]}
    for state, case in cases.items():
        overdue = state in ("submitted", "accepted", "forwarded")
        check((case["id"] in listed) is overdue, "%s in the overdue list: %r"
              % (state, case["id"] in listed))
    check(all(c["overdue"] is True and c["due"] < "2026-12-21" for c in listed.values()),
          "the overdue list %r" % [(c["id"], c["due"], c["overdue"]) for c in listed.values()])
    # The department's inbox: its overdue cases only.
    r = ctx.get("handler", "/api/v1/cases?overdue=true&limit=500", late=True)
    expect_status(r, 200)
    ids = {c["id"] for c in r.json()["cases"]}
    check(cases["forwarded"]["id"] in ids and cases["submitted"]["id"] not in ids,
          "handler's overdue %r" % sorted(ids))
    check(all(c["dept"] == DEPT for c in r.json()["cases"]), "another department's case")
    expect_error(ctx.get("operator", "/api/v1/cases?overdue=maybe"), 400, "request.invalid")


# ---- lists ----------------------------------------------------------------------------

def list_all(ctx, who, query="", late=False):
    out, after, pages = [], None, 0
    while True:
        q = query + ("&" if query else "") + "limit=50" + ("&after=%s" % after if after else "")
        r = ctx.get(who, "/api/v1/cases?" + q, late=late)
        expect_status(r, 200)
        doc = r.json()
        out += doc["cases"]
        pages += 1
        check(pages < 100, "paging does not end")
        if doc["next"] is None:
            return out
        after = doc["next"]


@test
def each_sees_the_cases_it_is_party_to(ctx):
    c1 = case_in(ctx, "submitted")
    c2 = case_in(ctx, "submitted", pool="company2")
    fwd = case_in(ctx, "forwarded")
    fwd2 = case_in(ctx, "forwarded", pool="dept2")
    acc = case_in(ctx, "accepted")
    every = {c["id"]: c for c in list_all(ctx, "operator")}
    check(len(every) == case_count(ctx), "the operator sees %d of %d" % (len(every),
                                                                      case_count(ctx)))
    check({c["id"] for c in list_all(ctx, "admin")} == set(every), "the admin's list")
    mine = list_all(ctx, "subject")
    check(mine and all(c["subject"] == COMPANY for c in mine), "subject's %r" % mine[:2])
    check({c1["id"], fwd["id"], fwd2["id"]} <= {c["id"] for c in mine} and
          c2["id"] not in {c["id"] for c in mine}, "the subject's list")
    theirs = list_all(ctx, "subject2")
    check({c["id"] for c in theirs} >= {c2["id"]} and
          all(c["subject"] == COMPANY2 for c in theirs), "subject2's %r" % theirs)
    h = {c["id"]: c for c in list_all(ctx, "handler")}
    check(fwd["id"] in h and all(c["dept"] == DEPT for c in h.values()), "handler's list")
    check(not {c1["id"], c2["id"], acc["id"], fwd2["id"]} & set(h),
          "the handler sees cases not forwarded to it: %r" % sorted(h))
    h2 = {c["id"] for c in list_all(ctx, "handler2")}
    check(fwd2["id"] in h2 and fwd["id"] not in h2, "handler2's %r" % sorted(h2))
    expect_error(ctx.get("handler", "/api/v1/cases?dept=" + DEPT2), 403, "auth.forbidden")
    check({c["id"] for c in list_all(ctx, "handler", "dept=" + DEPT)} == set(h), "dept=own")
    expect_field(ctx.get("subject", "/api/v1/cases?dept=" + DEPT), 400, "request.invalid",
                 "dept")
    for label in ("auditor", "submitter", "token", "anonymous"):
        r = ctx.get(label, "/api/v1/cases")
        check((r.status, r.reason()) == refusal_of(label), "%s: %d" % (label, r.status))
    # Lists carry no history.
    check(all("history" not in c for c in every.values()), "history in a list")
    # Filters.
    fw = list_all(ctx, "operator", "status=forwarded")
    check(fw and all(c["status"] == "forwarded" for c in fw) and
          {c["id"] for c in fw} == {i for i, c in every.items() if c["status"] == "forwarded"},
          "status=forwarded")
    # A misspelt filter is an error naming the filter, not an empty list.
    expect_field(ctx.get("operator", "/api/v1/cases?kind=listing"), 400, "request.invalid",
                 "kind")
    expect_field(ctx.get("operator", "/api/v1/cases?status=decidd"), 400, "request.invalid",
                 "status")
    check(len(list_all(ctx, "operator", "kind=objection")) == len(every), "kind=objection")
    d2 = list_all(ctx, "operator", "dept=" + DEPT2)
    check({c["id"] for c in d2} == {fwd2["id"]}, "dept=DEPT2 %r" % [c["id"] for c in d2])


@test
def lists_page_by_id_descending(ctx):
    case_in(ctx, "submitted")
    case_in(ctx, "submitted")
    every = [c["id"] for c in list_all(ctx, "operator")]
    check(every == sorted(every, reverse=True) and len(set(every)) == len(every),
          "order %r" % every[:10])
    got, after = [], None
    while True:
        r = ctx.get("operator", "/api/v1/cases?limit=7" + ("&after=" + after if after else ""))
        expect_status(r, 200)
        doc = r.json()
        check(len(doc["cases"]) <= 7, "a page of %d" % len(doc["cases"]))
        got += [c["id"] for c in doc["cases"]]
        if doc["next"] is None:
            break
        check(len(doc["cases"]) == 7 and doc["next"] == str(doc["cases"][-1]["id"]),
              "next %r after %r" % (doc["next"], [c["id"] for c in doc["cases"]]))
        after = doc["next"]
    check(got == every, "pages %r, whole %r" % (got[:12], every[:12]))
    r = ctx.get("operator", "/api/v1/cases?limit=1")
    check(r.json()["cases"][0]["id"] == every[0] and r.json()["next"] == str(every[0]),
          "limit=1 %r" % r.text[:200])
    for q in ("limit=0", "limit=501", "limit=x", "after=abc", "after=-1"):
        r = ctx.get("operator", "/api/v1/cases?" + q)
        check(r.status == 400 and q.split("=")[0] in error_field(r), "%s: %d %s" % (q, r.status,
                                                                                  r.text[:200]))


# ---- attachments ----------------------------------------------------------------------

def attach(ctx, who, cid, data, name=None, late=False):
    h = {"Content-Type": "application/octet-stream"}
    if name:
        h["X-File-Name"] = urllib.parse.quote(name) if not name.isascii() else name
    return ctx.call(who, "POST", "/api/v1/cases/%d/attachments" % cid, data, h, late=late)


def blake(data):
    return hashlib.blake2b(data, digest_size=32).hexdigest()


@test
def attachments_pdf_png_jpeg_by_content(ctx):
    case = file_case(ctx)
    got = []
    for data, name, media in ((PDF, "application.pdf", "application/pdf"),
                              (PNG, "evidence.png", "image/png"),
                              (JPEG, "photo.jpg", "image/jpeg"),
                              (PDF + b"%more\n", "renamed.txt", "application/pdf")):
        r = attach(ctx, "subject", case["id"], data, name)
        expect_status(r, 201)
        a = r.json()["attachment"]
        check((a["digest"], a["type"], a["size"], a["step"]) == (blake(data), media, len(data), 1),
              "%s: %r" % (name, a))
        got.append(a["digest"])
    for data in (TEXT, b"%PDF-x not really", PNG[:8], b""):
        expect_error(attach(ctx, "subject", case["id"], data, "x.pdf"), 415, "attachment.type")
    doc = show(ctx, "subject", case["id"])
    check([a["digest"] for a in doc["attachments"]] == got, "attachments %r" % doc["attachments"])
    check(doc["history"][0]["attachments"] == got, "step %r" % doc["history"][0])


@test
def five_attachments_per_step(ctx):
    case = file_case(ctx)
    for i in range(5):
        expect_status(attach(ctx, "subject", case["id"], PDF + b"%%%d\n" % i), 201)
    expect_error(attach(ctx, "subject", case["id"], PDF + b"%6\n"), 409, "attachment.too_many")
    expect_error(attach(ctx, "operator", case["id"], PNG), 409, "attachment.too_many")
    case = act_ok(ctx, "operator", case, "accept")
    r = attach(ctx, "operator", case["id"], PNG)
    expect_status(r, 201)
    check(r.json()["attachment"]["step"] == 2, "a new step's %r" % r.json())
    doc = show(ctx, "subject", case["id"])
    check(len(doc["attachments"]) == 6 and len(doc["history"][1]["attachments"]) == 1,
          "attachments %r" % [(a["step"], a["digest"][:8]) for a in doc["attachments"]])


@test
def attachments_at_most_10_mb(ctx):
    case = file_case(ctx)
    big = PDF + b"\0" * (MAX_ATTACHMENT + 1 - len(PDF))
    expect_error(attach(ctx, "subject", case["id"], big), 413, "attachment.too_large")
    check(show(ctx, "subject", case["id"])["attachments"] == [], "a refused file was kept")


@test
def attachments_only_for_the_parties(ctx):
    case = file_case(ctx)
    r = attach(ctx, "subject", case["id"], PNG, "申请书.png")
    expect_status(r, 201)
    digest = r.json()["attachment"]["digest"]
    # The name comes percent-encoded (a header is ASCII), and is kept decoded.
    check(r.json()["attachment"]["name"] == "申请书.png", "name %r" % r.json()["attachment"])
    path = "/api/v1/cases/%d/attachments/%s" % (case["id"], digest)

    def readers():
        out = {}
        for label in CALLERS:
            r = ctx.get(label, path)
            out[label] = r
        return out

    def check_readers(allowed, when):
        wrong = []
        for label, r in readers().items():
            if label in allowed:
                if r.status != 200 or r.body != PNG or \
                        not r.headers.get("content-type", "").startswith("image/png"):
                    wrong.append("%s: %d %r" % (label, r.status, r.body[:40]))
            elif (r.status, r.reason()) != refusal_of(label):
                wrong.append("%s: %d %s" % (label, r.status, r.reason()))
        check(not wrong, "%s: %s" % (when, "; ".join(wrong)))

    check_readers({"subject", "operator"}, "submitted")
    case = act_ok(ctx, "operator", case, "accept")
    case = act_ok(ctx, "operator", case, "forward")
    check_readers({"subject", "operator", "handler"}, "forwarded")
    r = attach(ctx, "handler", case["id"], PDF, "核查意见.pdf")
    expect_status(r, 201)
    check(r.json()["attachment"]["added_by"] == "user:c_handler", "%r" % r.json())
    for label in ("subject2", "handler2", "admin", "auditor", "submitter", "token", "anonymous"):
        r = attach(ctx, label, case["id"], PDF if label != "subject2" else TEXT)
        check((r.status, r.reason()) == refusal_of(label), "%s adds: %d %s"
              % (label, r.status, r.reason()))
    expect_error(ctx.get("subject", "/api/v1/cases/%d/attachments/%s" % (case["id"], "0" * 64)),
                 404, "case.not_found")
    other = file_case(ctx)
    expect_error(ctx.get("subject", "/api/v1/cases/%d/attachments/%s" % (other["id"], digest)),
                 404, "case.not_found")
    # A case that has ended takes no more files.
    case = act_ok(ctx, "subject", case, "withdraw")
    expect_error(attach(ctx, "subject", case["id"], PDF), 409, "case.invalid_action")
    check_readers({"subject", "operator", "handler"}, "withdrawn")


# ---- statements -----------------------------------------------------------------------

def statement(ctx, who, rid, text):
    return ctx.call(who, "POST", "/api/v1/records/%d/statement" % rid, {"text": text})


@test
def a_subject_states_its_side(ctx):
    rid = ctx.record()
    other = ctx.record()
    text = "本公司已于2026年11月全额缴纳罚款并完成整改。"
    r = statement(ctx, "subject", rid, text)
    expect_status(r, 200)
    check(r.json() == {"record": rid, "statement": text}, "answer %r" % r.json())
    for label, records in (("own", view(ctx, "subject")), ("public", view(ctx, "anonymous")),
                           ("shared", handler_view(ctx))):
        check(records[rid]["statement"] == text and records[other]["statement"] is None,
              "%s view: %r / %r" % (label, records[rid]["statement"], records[other]["statement"]))
    expect_field(statement(ctx, "subject", rid, "长" * 501), 400, "request.invalid", "text")
    check(view(ctx, "anonymous")[rid]["statement"] == text, "a refused statement replaced it")
    expect_status(statement(ctx, "subject", other, "长" * 500), 200)
    check(view(ctx, "anonymous")[other]["statement"] == "长" * 500, "500 characters")
    for label in CALLERS:
        if label in ("subject", "operator"):
            continue
        r = statement(ctx, label, rid, "不是我的记录")
        check((r.status, r.reason()) == refusal_of(label), "%s: %d %s"
              % (label, r.status, r.reason()))
    check(view(ctx, "anonymous")[rid]["statement"] == text, "another caller changed it")
    expect_error(statement(ctx, "subject", ctx.record("company2"), "x"), 403, "auth.forbidden")
    expect_error(statement(ctx, "subject", 999999, "x"), 404, "record.not_found")
    # A deleted record is in no view: nothing can be stated on it.
    case = case_in(ctx, "forwarded")
    expect_status(decide(ctx, case, {"outcome": "delete", "reason": "重复"}), 200)
    expect_error(statement(ctx, "subject", case["record"], "x"), 404, "record.not_found")
    expect_status(statement(ctx, "subject", rid, ""), 200)
    for label, records in (("own", view(ctx, "subject")), ("public", view(ctx, "anonymous"))):
        check(records[rid]["statement"] is None, "%s view after removal: %r"
              % (label, records[rid]["statement"]))


# ---- at the same time -------------------------------------------------------------------

def at_once(calls):
    """Runs the calls (functions of no argument) in threads at once; their answers."""
    out = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def run(i, fn):
        gate.wait()
        try:
            out[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported by the caller
            out[i] = exc
    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


def outcomes(answers):
    return sorted("%s %s" % (a.status, a.reason()) if hasattr(a, "status") else repr(a)
                  for a in answers)


@test
def filings_at_once_make_one_case(ctx):
    rid = ctx.record()
    body = {"kind": "objection", "record": rid, "grounds": "error", "text": "同时提交"}
    answers = at_once([lambda: ctx.call("subject", "POST", "/api/v1/cases", body)] * 8)
    got = outcomes(answers)
    check(got == ["201 None"] + ["409 case.already_open"] * 7, "answers %r" % got)
    n = testdb.sql_rows(ctx.db, "SELECT count(*) FROM cases WHERE record_id = ?", (rid,))[0][0]
    check(n == 1, "%d cases of record %d" % (n, rid))


@test
def one_action_at_once_is_taken_once(ctx):
    case = file_case(ctx)
    answers = at_once([lambda: act(ctx, "operator", case["id"], "accept")] * 8)
    got = outcomes(answers)
    check(got == ["200 None"] + ["409 case.invalid_action"] * 7, "answers %r" % got)
    doc = show(ctx, "operator", case["id"])
    check([s["action"] for s in doc["history"]] == ["file", "accept"], "history %r"
          % [s["action"] for s in doc["history"]])


@test
def attachments_at_once_stop_at_five(ctx):
    case = file_case(ctx)
    answers = at_once([(lambda i=i: attach(ctx, "subject", case["id"], PDF + b"%%%d\n" % i))
                       for i in range(8)])
    got = outcomes(answers)
    check(got == ["201 None"] * 5 + ["409 attachment.too_many"] * 3, "answers %r" % got)
    check(len(show(ctx, "subject", case["id"])["attachments"]) == 5, "attachments")


# ---- at the end -----------------------------------------------------------------------

@test
def every_step_is_in_the_audit_chain(ctx):
    doc = audit_verify(ctx)
    steps = testdb.sql_rows(ctx.db, "SELECT count(*) FROM case_steps")[0][0]
    entries = testdb.sql_rows(ctx.db, "SELECT count(*) FROM audit_log WHERE action IN "
                              "('case.file', 'case.accept', 'case.refuse', 'case.forward', "
                              "'case.decide', 'case.review', 'case.withdraw', 'case.resubmit')")[0][0]
    check(steps > 50 and entries == steps, "%d steps, %d audit entries" % (steps, entries))
    check(doc["entries"] >= steps, "report %r" % doc)


def main(argv):
    if len(argv) != 3:
        print("usage: test_cases.py XINYONG_BINARY SOURCE_ROOT", file=sys.stderr)
        return 2
    print("# backend: %s" % (testdb.PG_BASE or "sqlite (a file)"))
    try:
        ctx = Ctx(argv[1], argv[2])
    except Exception as exc:  # noqa: BLE001 - report and stop
        print("FAIL setup: %s" % exc)
        print("0 passed, 1 failed")
        return 1
    return harness.run_suite(ctx, lambda c: (build_platform(c), start_servers(c)), TESTS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
