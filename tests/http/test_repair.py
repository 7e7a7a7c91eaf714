#!/usr/bin/env python3
"""Black-box tests of credit repair over HTTP (issue 10 §2, docs/api.md "Credit repair"):
whether a record may be repaired (`GET /api/v1/records/{id}/repair`) and each refusal
reason, filing with the credit commitment, the one-window steps and their due dates
(accept within 1 working day, forward to the deciding department, decide within 3, the
result within 10), what approval does to the views (gone from the public's and from
other government users', shown as repaired to the subject and the deciding department),
revocation, and the audit trail.

    python3 tests/http/test_repair.py BUILD/xinyong SOURCE_ROOT

Reuses the cases suite's fixture pieces (tests/http/test_cases.py) with records of its
own: penalties decided on 2026-04-10 under Order No. 36 (一般: repairable from
2026-07-10), one decided on 2026-10-10 (repairable from 2027-01-10), one with a revoked
licence (never repaired early).  Backends: SQLite, or PostgreSQL with XINYONG_TEST_PG.
"""

import json
import os
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import harness  # noqa: E402
import testdb  # noqa: E402
from test_access import (PENALTY_COLUMNS, check, csv_text, expect_error, expect_status,  # noqa: E402
                         make_uscc)
from test_cases import (ACCOUNTS, COMPANY, COMPANY2, COMPANY2_NAME, DEPT, DEPT2, PASSWORD, Ctx,  # noqa: E402
                        archive_records, audit_verify, ingest, penalty_row, start_servers)

TESTS = []

# A company penalised by DEPT2 (处罚机关) in a record that DEPT provided.
COMPANY3 = make_uscc("91441200MA5W9X4L")
COMPANY3_NAME = "肇庆市鼎湖山泉饮品有限公司"


def test(fn):
    TESTS.append(fn)
    return fn


def repair_row(no, date="2026-04-10", ptype="罚款", company=COMPANY, name=None):
    row = penalty_row(no, company, name) if name else penalty_row(no, company)
    row[12] = ptype
    row[15] = date
    return row


def build(ctx):
    ctx.cli("init", "--db", ctx.db)
    rows = [repair_row("肇市监罚〔2026〕R%d号" % i) for i in range(4)]
    rows.append(repair_row("肇市监罚〔2026〕E1号", date="2026-10-10"))
    rows.append(repair_row("肇市监罚〔2026〕X1号", ptype="罚款;吊销许可证件"))
    rows.append(repair_row("肇市监罚〔2026〕C1号", company=COMPANY2, name=COMPANY2_NAME))
    authority = repair_row("肇环罚〔2026〕A1号", company=COMPANY3, name=COMPANY3_NAME)
    authority[16], authority[17] = "肇庆市生态环境局", DEPT2
    rows.append(authority)
    ingest(ctx, "penalty", DEPT, "r.csv", csv_text(PENALTY_COLUMNS, rows))
    mine = archive_records(ctx, COMPANY)
    by_no = {rec["fields"]["decision_no"]: rid for rid, rec in mine.items()}
    ctx.ok = [by_no["肇市监罚〔2026〕R%d号" % i] for i in range(4)]
    ctx.early = by_no["肇市监罚〔2026〕E1号"]
    ctx.revoked_type = by_no["肇市监罚〔2026〕X1号"]
    other = archive_records(ctx, COMPANY2)
    ctx.other = next(iter(other))
    ctx.authority = next(iter(archive_records(ctx, COMPANY3)))
    for label, (name, role, binding) in ACCOUNTS.items():
        ctx.cli("user", "add", name, "--roles", role, "--db", ctx.db, "--password-stdin",
                *binding, stdin=(PASSWORD + "\n").encode())
    ctx.token = None


def check_of(ctx, who, rid, late=False):
    r = ctx.get(who, "/api/v1/records/%d/repair" % rid, late=late)
    expect_status(r, 200)
    return r.json()


def file_repair(ctx, rid, who="subject", **extra):
    body = {"kind": "repair", "record": rid, "text": "罚款已于2026年5月缴清，违法行为已整改完毕。",
            "commitment": True, "contact": "0758-2220000"}
    body.update(extra)
    return ctx.call(who, "POST", "/api/v1/cases", body)


def act(ctx, who, cid, action, body=None):
    return ctx.call(who, "POST", "/api/v1/cases/%d/actions/%s" % (cid, action), body or {})


def act_ok(ctx, who, cid, action, body=None, to=None):
    r = act(ctx, who, cid, action, body)
    expect_status(r, 200)
    doc = r.json()
    if to:
        check(doc["status"] == to, "%s: %r, expected %r" % (action, doc["status"], to))
    return doc


def public_penalty_count(ctx, code=COMPANY):
    r = ctx.get("anonymous", "/api/v1/subjects/%s" % code)
    expect_status(r, 200)
    return sum(g["count"] for g in r.json()["categories"] if g["category"] == "penalty")


def disclosed_ids(ctx):
    """The ids of every penalty in the portal's latest 双公示, over all its pages."""
    ids, cursor = [], None
    while True:
        path = "/api/v1/disclosures?category=penalty&limit=100" + ("&cursor=" + cursor if cursor else "")
        r = ctx.get("anonymous", path)
        expect_status(r, 200)
        doc = r.json()
        ids += [x["id"] for x in doc["items"]]
        cursor = doc["next"]
        if not cursor:
            return ids


def public_ids(ctx, code=COMPANY):
    r = ctx.get("anonymous", "/api/v1/subjects/%s" % code)
    expect_status(r, 200)
    return {rec["id"] for g in r.json()["categories"] for rec in g["records"]}


def view(ctx, who, purpose=None, code=COMPANY):
    q = "?purpose=" + urllib.parse.quote(purpose) if purpose else ""
    r = ctx.get(who, "/api/v1/subjects/%s%s" % (code, q))
    expect_status(r, 200)
    return {rec["id"]: rec for g in r.json()["categories"] for rec in g["records"]}


@test
def eligibility_answers_each_reason(ctx):
    ok = check_of(ctx, "subject", ctx.ok[3])
    check((ok["eligible"], ok["eligible_from"], ok["reasons"]) == (True, None, []), ok)
    check("本主体承诺" in ok["commitment_text"], ok["commitment_text"])
    early = check_of(ctx, "subject", ctx.early)
    check((early["eligible"], early["eligible_from"], early["reasons"]) ==
          (False, "2027-01-10", ["repair.too_early"]), early)
    check("最短公示期" in early["messages"][0], early["messages"])
    never = check_of(ctx, "operator", ctx.revoked_type)
    # Serious (a revoked licence) and so also a year's minimum; no date helps.
    check((never["eligible"], never["eligible_from"], never["reasons"]) ==
          (False, None, ["repair.not_allowed", "repair.too_early"]), never)
    # Another subject's record does not exist for this caller; the public must log in.
    expect_error(ctx.get("subject2", "/api/v1/records/%d/repair" % ctx.ok[0]), 404,
                 "record.not_found")
    expect_status(ctx.get("anonymous", "/api/v1/records/%d/repair" % ctx.ok[0]), 401)


@test
def filing_needs_the_commitment_and_an_eligible_record(ctx):
    expect_error(file_repair(ctx, ctx.ok[3], commitment=False), 400,
                 "repair.commitment_required")
    expect_error(file_repair(ctx, ctx.early), 409, "repair.too_early")
    expect_error(file_repair(ctx, ctx.revoked_type), 409, "repair.not_allowed")
    expect_status(file_repair(ctx, ctx.ok[3], who="subject2"), 403)


@test
def one_window_approval_takes_the_record_off(ctx):
    rid = ctx.ok[0]
    check(rid in public_ids(ctx), "published before the repair")
    before = public_penalty_count(ctx)
    check(rid in disclosed_ids(ctx), "in the portal's latest 双公示 before the repair")
    r = file_repair(ctx, rid)
    expect_status(r, 201)
    case = r.json()
    check((case["kind"], case["status"], case["due"]) == ("repair", "submitted", "2026-11-24"),
          "accepted within 1 working day: %r" % {k: case.get(k) for k in ("status", "due")})
    expect_error(file_repair(ctx, rid), 409, "repair.pending")
    check(check_of(ctx, "subject", rid)["reasons"] == ["repair.pending"], "pending shown")
    case = act_ok(ctx, "operator", case["id"], "accept", to="accepted")
    check(case["result_due"] == "2026-12-07", "result within 10 working days: %r"
          % case.get("result_due"))
    case = act_ok(ctx, "operator", case["id"], "forward", to="forwarded")
    check((case["dept"], case["due"]) == (DEPT, "2026-11-26"),
          "forwarded to the deciding department, 3 working days: %r"
          % {k: case.get(k) for k in ("dept", "due")})
    expect_status(act(ctx, "handler2", case["id"], "decide", {"outcome": "approve"}), 403)
    r = act(ctx, "handler", case["id"], "decide", {"outcome": "reject"})
    expect_error(r, 400, "request.invalid")
    case = act_ok(ctx, "handler", case["id"], "decide", {"outcome": "approve"}, to="decided")
    check(case["result_late"] is False, "decided in time")
    # Gone for the public and for another department's officer, with a purpose.
    check(rid not in public_ids(ctx), "the public no longer sees it")
    check(ctx.ok[1] in public_ids(ctx), "the subject's other records stay")
    check(public_penalty_count(ctx) == before - 1, "the public count of penalties drops by one")
    check(rid not in disclosed_ids(ctx), "gone from the portal's latest 双公示")
    check(rid not in view(ctx, "handler2", "监管核查"), "another department no longer sees it")
    mine = view(ctx, "subject")
    check((mine[rid]["publicity"]["status"], mine[rid]["publicity"].get("repaired_on"),
           mine[rid]["publicity"].get("repair_case")) == ("repaired", "2026-11-23", case["id"]),
          "the subject sees it repaired, with the day and the case: %r" % mine[rid]["publicity"])
    check(view(ctx, "handler", "信用修复核查")[rid]["publicity"]["status"] == "repaired",
          "the deciding department sees it repaired")
    audit_verify(ctx)
    ctx.approved = case


@test
def the_portals_latest_disclosures_and_totals(ctx):
    r = ctx.get("anonymous", "/api/v1/disclosures?category=penalty&limit=3")
    expect_status(r, 200)
    doc = r.json()
    items = doc["items"]
    check(len(items) == 3 and doc["next"], "a page of 3 and a next: %r" % doc)
    dates = [(x["decision_date"], x["id"]) for x in items]
    check(dates == sorted(dates, reverse=True), "newest decision first: %r" % dates)
    check(all(x["subject"]["name"] and x["title"] for x in items), "named: %r" % items[0])
    # The early record (decided 2026-10-10) is the newest; none decided after today.
    check(items[0]["id"] == ctx.early, "the newest first: %r" % items[0])
    ranged = ctx.get("anonymous", "/api/v1/disclosures?category=penalty&to=2026-09-30&limit=100").json()
    check(ctx.early not in [x["id"] for x in ranged["items"]] and ranged["items"],
          "the date filter leaves out later decisions")
    mine = ctx.get("anonymous", "/api/v1/disclosures?category=penalty&dept=%s&limit=100" % DEPT2).json()
    check(mine["items"] == [], "DEPT2 provided none of them: %r" % mine["items"][:1])
    expect_error(ctx.get("anonymous", "/api/v1/disclosures?category=dishonest_list"), 400,
                 "request.invalid")
    expect_error(ctx.get("anonymous", "/api/v1/disclosures?category=penalty&from=2026-13-01"), 400,
                 "request.invalid")
    expect_error(ctx.get("anonymous", "/api/v1/disclosures?category=penalty&cursor=x"), 400,
                 "request.invalid")
    stats = ctx.get("anonymous", "/api/v1/stats").json()
    check((stats["month"], stats["subjects"], stats["records"]) == ("2026-11", 3, 8),
          "totals: %r" % stats)
    check(stats["this_month"] == {"license": 0, "penalty": 0}, "nothing decided this month: %r" % stats)


@test
def a_second_repair_within_a_year_is_too_frequent(ctx):
    v = check_of(ctx, "subject", ctx.ok[1])
    check((v["eligible"], v["reasons"], v["eligible_from"]) ==
          (False, ["repair.too_frequent"], "2027-11-23"), v)
    expect_error(file_repair(ctx, ctx.ok[1]), 409, "repair.too_frequent")
    again = check_of(ctx, "subject", ctx.ok[0])
    check(again["reasons"] == ["repair.already_repaired"], again)


@test
def revocation_restores_the_record(ctx):
    case = ctx.approved
    expect_status(act(ctx, "subject", case["id"], "revoke", {"reason": "x"}), 403)
    expect_status(act(ctx, "operator", case["id"], "revoke", {}), 400)
    case = act_ok(ctx, "operator", case["id"], "revoke",
                  {"reason": "经核查，缴款凭证系伪造。"}, to="revoked")
    check(ctx.ok[0] in public_ids(ctx), "published again")
    v = check_of(ctx, "subject", ctx.ok[0])
    check(v["reasons"] == ["repair.too_frequent"], "a year before a new repair: %r" % v)
    audit_verify(ctx)


@test
def refused_and_rejected_repairs_change_nothing(ctx):
    r = file_repair(ctx, ctx.other, who="subject2")
    expect_status(r, 201)
    case = act_ok(ctx, "operator", r.json()["id"], "refuse", {"reason": "材料不全"}, to="refused")
    check(ctx.other in public_ids(ctx, COMPANY2), "a refused repair leaves it published")
    check(check_of(ctx, "subject2", ctx.other)["eligible"], "and it may be asked again")
    r = file_repair(ctx, ctx.other, who="subject2")
    expect_status(r, 201)
    cid = r.json()["id"]
    act_ok(ctx, "operator", cid, "accept")
    act_ok(ctx, "operator", cid, "forward")
    case = act_ok(ctx, "handler", cid, "decide",
                  {"outcome": "reject", "reason": "整改报告未盖章。"}, to="decided")
    check(ctx.other in public_ids(ctx, COMPANY2), "a rejected repair leaves it published")
    check(check_of(ctx, "subject2", ctx.other)["eligible"], "a rejection is no approval")


@test
def the_authority_that_decided_the_record_decides_the_repair(ctx):
    rid = ctx.authority
    r = file_repair(ctx, rid, who="operator")
    expect_status(r, 201)
    check(r.json()["channel"] == "window", "filed at the window")
    cid = r.json()["id"]
    act_ok(ctx, "operator", cid, "accept")
    case = act_ok(ctx, "operator", cid, "forward")
    check(case["dept"] == DEPT2, "谁认定谁修复: to the 处罚机关 %s, not the provider: %r"
          % (DEPT2, case["dept"]))
    # It reads the record it decides about, though another department provided it.
    expect_status(ctx.get("handler2", "/api/v1/records/%d/history" % rid), 200)
    expect_status(act(ctx, "handler", cid, "decide", {"outcome": "approve"}), 403)
    act_ok(ctx, "handler2", cid, "decide", {"outcome": "approve"}, to="decided")
    check(rid not in public_ids(ctx, COMPANY3), "off the public page")
    seen = view(ctx, "handler2", "信用修复核查", code=COMPANY3)
    check(seen[rid]["publicity"]["status"] == "repaired", "the deciding authority sees it")


def repair_results(ctx, late=False):
    r = ctx.get("operator", "/metrics", late=late)
    expect_status(r, 200)
    out = {}
    for line in r.text.splitlines():
        if line.startswith("xinyong_repair_results{"):
            out[line.split('"')[1]] = int(line.rsplit(" ", 1)[1])
    return out


@test
def metrics_count_results_after_result_due(ctx):
    # Accepted today and left open: due 2026-12-07, late by 2026-12-21.
    r = file_repair(ctx, ctx.other, who="subject2")
    expect_status(r, 201)
    act_ok(ctx, "operator", r.json()["id"], "accept")
    # Decided in time so far: the approved (later revoked) one, the rejected one and the
    # authority's; the refused one never had a result date.
    check(repair_results(ctx) == {"false": 4, "true": 0}, "today: %r" % repair_results(ctx))
    check(repair_results(ctx, late=True) == {"false": 3, "true": 1},
          "three weeks on: %r" % repair_results(ctx, late=True))
    case = ctx.get("subject2", "/api/v1/cases/%d" % r.json()["id"], late=True).json()
    check(case["result_late"] is True, "the case says it is late: %r" % case.get("result_late"))


def main(argv):
    if len(argv) != 3:
        print("usage: test_repair.py XINYONG_BINARY SOURCE_ROOT", file=sys.stderr)
        return 2
    print("# backend: %s" % (testdb.PG_BASE or "sqlite (a file)"))
    try:
        ctx = Ctx(argv[1], argv[2])
    except Exception as exc:  # noqa: BLE001
        print("FAIL setup: %s" % exc)
        print("0 passed, 1 failed")
        return 1
    return harness.run_suite(ctx, lambda c: (build(c), start_servers(c)), TESTS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
