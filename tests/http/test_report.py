#!/usr/bin/env python3
"""Black-box tests of the credit report over HTTP (issue 12, docs/api.md "Credit reports"):
which report each caller gets (`GET /api/v1/subjects/{code}/report`), the PDF, HTML and
JSON forms, what the public report leaves out, the online check
(`GET /api/v1/reports/{number}`), the published keys, the audit trail and the subject's
access log, and the counted public reports.

    python3 tests/http/test_report.py BUILD/xinyong SOURCE_ROOT

Reuses the cases suite's fixture (tests/http/test_cases.py): its accounts and servers,
with records of its own: COMPANY's penalty of 2026-10-10 in publicity, one of 2022-06-01
whose publicity has ended, and a person's penalty.  Backends: SQLite, or PostgreSQL with
XINYONG_TEST_PG.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import harness  # noqa: E402
import testdb  # noqa: E402
from test_access import (PENALTY_COLUMNS, check, csv_text, expect_error, expect_status,  # noqa: E402
                         make_resident_id, make_uscc)
from test_cases import (ACCOUNTS, COMPANY, COMPANY2, COMPANY2_NAME, COMPANY_NAME, DEPT,  # noqa: E402
                        DISHONEST_COLUMNS, PASSWORD, Ctx, ingest, penalty_row, start_servers)

TESTS = []

PERSON = make_resident_id("44120219851203123")
IN_FORCE = "肇市监罚〔2026〕P1号"
ENDED = "肇市监罚〔2022〕P2号"
PERSON_NO = "肇市监罚〔2026〕P3号"
# For the credit code: COMPANY2 on the list of seriously dishonest subjects (red), and a
# company whose only penalty has ended its publicity (green); COMPANY is yellow.
CLEAN = make_uscc("91441200MA5T6W8E")
CLEAN_NAME = "肇庆市清源环保有限公司"
CHAPTERS = ["登记注册基础信息", "行政管理信息", "诚实守信相关荣誉信息", "严重失信主体名单信息",
            "经营（活动）异常名录", "信用承诺信息", "信用评价信息", "司法判决及执行信息", "其他信息",
            "信用状况提升建议"]


def test(fn):
    TESTS.append(fn)
    return fn


def build(ctx):
    ctx.cli("init", "--db", ctx.db)
    ended = penalty_row(ENDED)
    ended[15] = "2022-06-01"  # 3 years under the pre-2023 rules: ended
    person = penalty_row(PERSON_NO, company="", name="陈报告")
    person[1], person[3], person[4], person[5] = "自然人", "", "", ""
    person[6], person[7] = "身份证", PERSON
    clean = penalty_row("肇市监罚〔2022〕P4号", CLEAN, CLEAN_NAME)
    clean[15] = "2022-06-01"
    ingest(ctx, "penalty", DEPT, "r.csv",
           csv_text(PENALTY_COLUMNS, [penalty_row(IN_FORCE), ended, person, clean]))
    ingest(ctx, "dishonest_list", DEPT, "d.csv", csv_text(DISHONEST_COLUMNS, [
        [COMPANY2_NAME, "法人及非法人组织", COMPANY2, "拖欠农民工工资失信联合惩戒对象名单",
         "拖欠农民工工资", "《保障农民工工资支付条例》第四十八条", "2026-09-10",
         "肇庆市人力资源和社会保障局", DEPT, "肇庆市人力资源和社会保障局", DEPT]]))
    for label, (name, role, binding) in ACCOUNTS.items():
        ctx.cli("user", "add", name, "--roles", role, "--db", ctx.db, "--password-stdin",
                *binding, stdin=(PASSWORD + "\n").encode())
    ctx.token = None


def report(ctx, who, code=COMPANY, fmt="json", purpose=None, extra=""):
    q = "?format=" + fmt + ("&purpose=" + urllib.parse.quote(purpose) if purpose else "") + extra
    return ctx.get(who, "/api/v1/subjects/%s/report%s" % (code, q))


def report_doc(ctx, who, **kw):
    r = report(ctx, who, **kw)
    expect_status(r, 200)
    check(r.headers.get("content-type", "").startswith("application/json"), r.headers)
    return r.json()


def decision_numbers(doc):
    return [f["value"] for ch in doc["chapters"] for sec in ch["sections"]
            for item in sec["items"] for f in item["fields"] if f["label"] == "行政处罚决定书文号"]


@test
def the_public_report_has_every_chapter_and_only_what_is_in_publicity(ctx):
    doc = report_doc(ctx, "anonymous")
    check(re.fullmatch(r"\d{14}[0-9A-Z]{8}", doc["number"]), doc["number"])
    check(doc["number"][:8] == "20261123", "numbered by the generation time: %s" % doc["number"])
    check(re.fullmatch(r"[A-Z2-7]{16}", doc["verification_code"]), doc["verification_code"])
    check((doc["view"], doc["view_label"], doc["purpose"]) == ("public", "公开版", ""), doc["view"])
    check([c["title"] for c in doc["chapters"]] == CHAPTERS, "the chapters in order: %r"
          % [c["title"] for c in doc["chapters"]])
    check(doc["subject"]["code"] == COMPANY and doc["subject"]["name"] == COMPANY_NAME,
          doc["subject"])
    check(decision_numbers(doc) == [IN_FORCE], "the ended penalty is left out: %r"
          % decision_numbers(doc))
    admin = [s for s in doc["summary"] if s["title"] == "行政管理信息"]
    check(admin and admin[0]["count"] == "1", "the summary counts what is shown: %r" % admin)
    check(doc["chapters"][9]["advice"], "the advice is never empty")
    check(any("不作信用评分" in n for n in doc["notes"]), doc["notes"])
    # Every value is a string: nobody's arithmetic changes a signed report.
    def strings(v):
        if isinstance(v, dict):
            return all(strings(x) for x in v.values())
        if isinstance(v, list):
            return all(strings(x) for x in v)
        return isinstance(v, str)
    check(strings(doc), "a value of the report is not a string")


@test
def a_government_report_needs_a_purpose_and_shows_ended_records(ctx):
    expect_error(report(ctx, "handler"), 403, "access.purpose_required")
    doc = report_doc(ctx, "handler", purpose="行政许可审查")
    check((doc["view"], doc["purpose"]) == ("shared", "行政许可审查"), doc["view"])
    check(sorted(decision_numbers(doc)) == sorted([IN_FORCE, ENDED]), decision_numbers(doc))
    ended = [i for ch in doc["chapters"] for s in ch["sections"] for i in s["items"]
             if i["status"] == "ended"]
    check(ended and ended[0]["status_label"] == "公示期满", ended)
    # view=public gives a government user the public report.
    check(report_doc(ctx, "handler", extra="&view=public")["view"] == "public", "view=public")


@test
def a_persons_report_is_refused_to_the_public(ctx):
    expect_error(report(ctx, "anonymous", code=PERSON), 404, "subject.not_found")
    expect_error(report(ctx, "anonymous", code=PERSON, fmt="pdf"), 404, "subject.not_found")
    doc = report_doc(ctx, "handler", code=PERSON, purpose="行政处罚核查")
    check(doc["subject"]["code"] == PERSON and decision_numbers(doc) == [PERSON_NO], doc["subject"])


@test
def the_pdf_and_html_forms(ctx):
    r = report(ctx, "anonymous", fmt="pdf")
    expect_status(r, 200)
    check(r.headers.get("content-type") == "application/pdf", r.headers)
    check(r.body.startswith(b"%PDF-"), r.body[:10])
    m = re.search(r'attachment; filename="credit-report-(\d{14}[0-9A-Z]{8})\.pdf"',
                  r.headers.get("content-disposition", ""))
    check(m, r.headers.get("content-disposition"))
    number = m.group(1)
    path = ctx.path("r.pdf")
    with open(path, "wb") as f:
        f.write(r.body)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                              check=True).stdout.decode("utf-8")
        pos = [text.find(t) for t in CHAPTERS]
        check(all(p >= 0 for p in pos) and pos == sorted(pos), "chapters in order: %r" % pos)
        check(IN_FORCE in text and ENDED not in text, "the record in publicity only")
        pages = [p for p in text.split("\f") if p.strip()]
        check(all(number in p for p in pages), "the number on every page")
        check(re.search(r"第\s*1\s*页\s*共\s*%d\s*页" % len(pages), text) and
              re.search(r"第\s*%d\s*页\s*共\s*%d\s*页" % (len(pages), len(pages)), text),
              "page numbers")
    # The QR code and footer point at the address the request reached.
    verdict = json.loads(ctx.cli("report", "verify", path, "--db", ctx.db).stdout)
    check(verdict["genuine"] and verdict["number"] == number, verdict)
    r = report(ctx, "anonymous", fmt="html")
    expect_status(r, 200)
    check(r.headers.get("content-type", "").startswith("text/html"), r.headers)
    check("公共信用信息报告" in r.text and "<svg" in r.text and "暂无信息" in r.text, r.text[:200])
    check("127.0.0.1:%d/verify.html?number=" % ctx.server.port in r.text, "the verify link")
    m = re.search(r'<script type="application/json" id="report">(.*?)</script>', r.text, re.S)
    check(m and json.loads(m.group(1).replace("<\\/", "</"))["subject"]["code"] == COMPANY,
          "the signed document rides in the page")


@test
def the_online_check(ctx):
    doc = report_doc(ctx, "anonymous")
    n, code = doc["number"], doc["verification_code"]
    r = ctx.get("anonymous", "/api/v1/reports/%s?code=%s" % (n, code))
    expect_status(r, 200)
    got = r.json()
    check((got["genuine"], got["number"], got["subject"]["code"], got["generated_at"]) ==
          (True, n, COMPANY, doc["generated_at"]), got)
    # As typed from paper: lower case and spaces.
    typed = urllib.parse.quote(" ".join([code[:4].lower(), code[4:8], code[8:]]))
    check(ctx.get("anonymous", "/api/v1/reports/%s?code=%s" % (n, typed)).json()["genuine"],
          "spaces and lower case are accepted")
    wrong = ctx.get("anonymous", "/api/v1/reports/%s?code=AAAAAAAAAAAAAAAA" % n).json()
    check(wrong["genuine"] is False and wrong["subject"] is None,
          "a wrong code does not name the subject: %r" % wrong)
    expect_error(ctx.get("anonymous", "/api/v1/reports/20261123100000ZZZZZZZZ?code=X"), 404,
                 "report.not_found")
    expect_error(ctx.get("anonymous", "/api/v1/reports/2026-11-23?code=X"), 400, "report.invalid")


@test
def the_published_keys_are_the_export(ctx):
    r = ctx.get("anonymous", "/.well-known/xinyong-keys.json")
    expect_status(r, 200)
    published = r.json()
    exported = json.loads(ctx.cli("keys", "export", "--db", ctx.db).stdout)
    check(published == exported, "%r != %r" % (published, exported))
    key = published["keys"][0]
    check(re.fullmatch(r"[0-9a-f]{64}", key["public_key"]) and key["algorithm"] == "Ed25519",
          key)
    check("secret" not in r.text, "no secret is published")
    doc = report_doc(ctx, "anonymous")
    check(doc["key_id"] == key["id"], "signed by the published key")


@test
def issuance_is_audited_and_in_the_subjects_access_log(ctx):
    def log():
        r = ctx.get("subject", "/api/v1/me/access-log")
        expect_status(r, 200)
        return [e for e in r.json()["entries"] if e["action"] == "report.issue"]

    before = len(log())
    report_doc(ctx, "anonymous")
    check(len(log()) == before, "the public report is not in the access log")
    report_doc(ctx, "handler", purpose="招标投标资格审查")
    entries = log()
    check(len(entries) == before + 1 and entries[0]["purpose"] == "招标投标资格审查",
          "the shared report is: %r" % entries[:1])
    # The subject's own report is its own look: not in its access log, but audited.
    own = report_doc(ctx, "subject")
    check(own["view"] == "own" and own["view_label"] == "主体自查版", own["view"])
    check(len(log()) == before + 1, "the subject's own report is not someone else's look")
    r = ctx.get("operator", "/metrics")
    expect_status(r, 200)
    m = re.search(r'xinyong_reports_issued_total\{view="public"\} (\d+)', r.text)
    check(m and int(m.group(1)) >= 2, "public reports are counted: %r" % (m and m.group(0)))


@test
def bad_requests_name_the_parameter(ctx):
    r = report(ctx, "anonymous", extra="&from=2020-01-01")
    expect_error(r, 400, "report.invalid")
    check(r.json()["error"]["details"][0]["field"] == "from" and "近 5 年" in
          r.json()["error"]["message"], r.json())
    r = report(ctx, "anonymous", extra="&chapters=2,11")
    expect_error(r, 400, "report.invalid")
    check(r.json()["error"]["details"][0]["field"] == "chapters", r.json())
    expect_error(report(ctx, "anonymous", fmt="docx"), 400, "report.invalid")
    doc = report_doc(ctx, "anonymous", extra="&chapters=2&from=2026-01-01")
    check([c["title"] for c in doc["chapters"]] == ["行政管理信息", "信用状况提升建议"],
          [c["title"] for c in doc["chapters"]])
    check(doc["span"]["from"] == "2026-01-01" and any("部分章节" in n for n in doc["notes"]),
          doc["span"])


def credit_code(ctx, code, fmt):
    return ctx.get("anonymous", "/api/v1/subjects/%s/credit-code?format=%s" % (code, fmt))


@test
def the_credit_code_states_the_public_colour_and_links_the_public_page(ctx):
    colours = {}
    for code in (COMPANY, COMPANY2, CLEAN):
        r = credit_code(ctx, code, "json")
        expect_status(r, 200)
        doc = r.json()
        colours[code] = (doc["colour"], doc["colour_label"])
        check(doc["code"] == code and doc["date"] == "2026-11-23", doc)
        # The link opens the public page and carries the signed token.
        url = urllib.parse.urlsplit(doc["url"])
        check(url.path == "/" and url.fragment == "/subject/" + code and
              urllib.parse.parse_qs(url.query)["cc"] == [doc["token"]], doc["url"])
        check(doc["token"].startswith("XYCC1.") and doc["token"].count(".") == 2, doc["token"])
    check(colours == {COMPANY: ("yellow", "黄码"), COMPANY2: ("red", "红码"),
                      CLEAN: ("green", "绿码")}, "colours: %r" % colours)
    # The SVG card names the subject and its colour; the PNG is the QR code alone.
    r = credit_code(ctx, COMPANY2, "svg")
    expect_status(r, 200)
    check(r.headers["content-type"].startswith("image/svg+xml"), r.headers)
    check(COMPANY2_NAME in r.text and "红码" in r.text and "#c62828" in r.text, r.text[:300])
    check('filename="credit-code-%s.svg"' % COMPANY2 in r.headers.get("content-disposition", ""),
          r.headers)
    r = credit_code(ctx, CLEAN, "png")
    expect_status(r, 200)
    check(r.headers["content-type"] == "image/png" and r.body[:8] == b"\x89PNG\r\n\x1a\n",
          r.headers)
    # The token checks with the published key (what a scanner does offline).
    token = credit_code(ctx, CLEAN, "json").json()["token"]
    out = subprocess.run([ctx.binary, "credit-code", "verify", token, "--db", ctx.db],
                         capture_output=True)
    check(out.returncode == 0 and json.loads(out.stdout)["finding"] == "genuine",
          out.stdout + out.stderr)
    # A person has no credit code; a bad format is named.
    expect_error(credit_code(ctx, PERSON, "svg"), 404, "subject.not_found")
    r = credit_code(ctx, CLEAN, "gif")
    expect_error(r, 400, "request.invalid")
    check(r.json()["error"]["details"][0]["field"] == "format", r.json())


def main(argv):
    if len(argv) != 3:
        print("usage: test_report.py XINYONG_BINARY SOURCE_ROOT", file=sys.stderr)
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
