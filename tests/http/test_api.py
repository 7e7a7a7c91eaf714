#!/usr/bin/env python3
"""Black-box tests of `xinyong serve`: the JSON API, the static pages and the server's
hygiene (security headers, path traversal, request log, clean shutdown).

    python3 tests/http/test_api.py BUILD/xinyong SOURCE_ROOT

Python 3 standard library only.  Creates a database, issues API tokens with `xinyong token
issue` (uploads need one with batches:write, batch views one with batches:read), starts the
real server on a free port with XINYONG_NOW fixed and the anonymous rate limit off
(`--rate-limit 0`), and talks to it over HTTP.  Prints one line per test and
finally `N passed, M failed`; exits non-zero on any failure.

Backends: by default the database is a new SQLite file in a temporary directory.  With
XINYONG_TEST_PG=postgresql://USER@HOST:PORT/DB (a server such as tests/pg/server.sh
starts) it is a new PostgreSQL database on that server instead, passed to `--db` as its
URL and dropped at the end; tests/run_all.sh runs the suite both ways.  Every test
expects the same answers from both backends.
"""

import concurrent.futures
import csv
import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import urllib.parse
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in tests/pg
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import harness  # noqa: E402 - tests/http is on sys.path
import testdb  # noqa: E402  (tests/pg/testdb.py: the database on either backend)

NOW = "2026-03-05T10:00:00"
MAX_BODY = 64 * 1024

# Codes with valid check characters (GB 32100 / GB 11643), all fictional.
COMPANY = "91440300MA5G2K7P5H"  # 深圳市星河数据科技有限公司
COMPANY_NAME = "深圳市星河数据科技有限公司"
COMPANY2 = "91440300MA5H3L8Q96"  # 深圳市河图物流有限公司
COMPANY2_NAME = "深圳市河图物流有限公司"
AUTHORITY = "11440300MB2C874540"  # 深圳市市场监督管理局
OTHER_DEPT = "11440300MB2C91154B"  # another department: it must not see AUTHORITY's batches
PERSON_ID = "44030419850312003X"
BAD_CHECK = "91440300MA5G2K7P5X"  # check character should be H
COMPANY3 = "91440300MA5J4M9R3U"  # 深圳市鹏程贸易有限公司: one old, one recent penalty
COMPANY3_NAME = "深圳市鹏程贸易有限公司"
PERSON2_ID = "440304199007150023"
# Decided more than 36 months (the penalty publicity period) before NOW: publicity ended.
OLD_DECISION = "2022-11-08"
RECENT_DECISION = "2026-01-15"

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}

# Used when data/catalog/penalty.json cannot be read: the national 双公示 column names.
FALLBACK_NAMES = {
    "party_name": "行政相对人名称",
    "party_type": "行政相对人类别",
    "party_code": "行政相对人代码_1(统一社会信用代码)",
    "legal_rep": "法定代表人",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "decision_no": "行政处罚决定书文号",
    "violation_type": "违法行为类型",
    "facts": "违法事实",
    "basis": "处罚依据",
    "penalty_type": "处罚类别",
    "content": "处罚内容",
    "fine": "罚款金额(万元)",
    "decision_date": "处罚决定日期",
    "authority": "处罚机关",
    "authority_code": "处罚机关统一社会信用代码",
    "source_dept": "数据来源单位",
    "source_dept_code": "数据来源单位统一社会信用代码",
}

COLUMNS = [
    "party_name", "party_type", "party_code", "legal_rep", "id_type", "id_number",
    "decision_no", "violation_type", "facts", "basis", "penalty_type", "content", "fine",
    "decision_date", "authority", "authority_code", "source_dept", "source_dept_code",
]


def penalty_row(name, code, decision_no, date, party_type="法人及非法人组织", id_type="",
                id_number="", penalty_type="罚款", fine="2"):
    return {
        "party_name": name, "party_type": party_type, "party_code": code,
        "legal_rep": "王某" if party_type == "法人及非法人组织" else "",
        "id_type": id_type, "id_number": id_number, "decision_no": decision_no,
        "violation_type": "虚假宣传", "facts": "在网站发布虚假广告，误导消费者",
        "basis": "《中华人民共和国广告法》第五十五条", "penalty_type": penalty_type,
        "content": "责令停止发布，罚款人民币2万元" if fine else "警告",
        "fine": fine if penalty_type == "罚款" else "", "decision_date": date,
        "authority": "深圳市市场监督管理局", "authority_code": AUTHORITY,
        "source_dept": "深圳市市场监督管理局", "source_dept_code": AUTHORITY,
    }


class Ctx:
    """What the tests share: the server, its base address and what earlier tests made."""

    def __init__(self, binary, src):
        self.binary = os.path.abspath(binary)
        self.src = os.path.abspath(src)
        self.tmp = tempfile.TemporaryDirectory(prefix="xinyong-http-")
        self.db = None
        try:
            self.db = testdb.new_db(self.tmp.name, "xy_h")
        except BaseException:
            self.tmp.cleanup()
            raise
        self.log_path = os.path.join(self.tmp.name, "server.log")
        self.env = dict(os.environ, XINYONG_NOW=NOW, TMPDIR=self.tmp.name)
        self.env.pop("XINYONG_DB", None)
        self.names = self.load_names()
        self.proc = None
        self.port = None
        self.batch = None
        self.exit_code = None
        # API tokens (the secret strings), issued in start().
        self.token = None        # AUTHORITY, batches:write and batches:read
        self.read_token = None   # AUTHORITY, batches:read only
        self.other_token = None  # OTHER_DEPT, batches:write and batches:read

    def load_names(self):
        path = os.path.join(self.src, "data", "catalog", "penalty.json")
        try:
            with open(path, encoding="utf-8") as f:
                cat = json.load(f)
            names = {fld["id"]: fld["name"] for fld in cat["fields"]}
            return {c: names.get(c, FALLBACK_NAMES[c]) for c in COLUMNS}
        except (OSError, ValueError, KeyError):
            return dict(FALLBACK_NAMES)

    def csv_text(self, rows):
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow([self.names[c] for c in COLUMNS])
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])
        return out.getvalue()

    def named(self, row):
        return {self.names[c]: row[c] for c in COLUMNS if row[c] != ""}

    def issue_token(self, dept, scopes):
        """A new API token of `dept`; `xinyong token issue` prints it alone on its last
        line."""
        p = subprocess.run([self.binary, "token", "issue", "--db", self.db, "--dept", dept,
                            "--scopes", scopes, "--expires", "30d"], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("token issue: exit %d: %s" % (p.returncode, p.stderr[-500:]))
        return p.stdout.decode("utf-8").strip().splitlines()[-1]

    def auth(self, token=None):
        """The Authorization header of a token (the upload token by default)."""
        return {"Authorization": "Bearer " + (token or self.token)}

    def start(self):
        subprocess.run([self.binary, "init", "--db", self.db], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, timeout=60)
        self.token = self.issue_token(AUTHORITY, "batches:write,batches:read")
        self.read_token = self.issue_token(AUTHORITY, "batches:read")
        self.other_token = self.issue_token(OTHER_DEPT, "batches:write,batches:read")
        self.log = open(self.log_path, "wb")
        # Searches and archives are rate-limited per address for anonymous callers; the
        # tests make far more than a person would, all from 127.0.0.1.
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--web",
             os.path.join(self.src, "web"), "--max-body", str(MAX_BODY), "--rate-limit", "0"],
            env=self.env, stdout=subprocess.PIPE, stderr=self.log)
        line = read_line(self.proc.stdout, 30)
        m = re.match(r"xinyong: serving http://127\.0\.0\.1:(\d+) \(db=.*, web=.*\)$", line)
        if not m:
            self.stop()
            raise RuntimeError("unexpected start line: %r" % line)
        self.port = int(m.group(1))
        if self.port == 0:
            raise RuntimeError("the start line shows port 0, not the bound port")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.exit_code = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.exit_code = self.proc.wait()
        elif self.proc:
            self.exit_code = self.proc.returncode
        if self.proc:
            self.proc.stdout.close()
            self.log.close()

    def server_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def cleanup(self):
        """Drops the PostgreSQL database (if any) and removes the temporary directory."""
        try:
            testdb.drop_db(self.db)
        finally:
            self.tmp.cleanup()


def read_line(stream, timeout):
    result = []
    t = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    if not result:
        raise RuntimeError("the server printed nothing within %d s" % timeout)
    return result[0].decode("utf-8", "replace").rstrip("\n")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8")


def request(ctx, method, path, body=None, headers=None, chunked=False):
    conn = http.client.HTTPConnection("127.0.0.1", ctx.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def raw_request(ctx, data):
    """Sends bytes as they are (no client-side normalisation) and reads to the end."""
    s = socket.create_connection(("127.0.0.1", ctx.port), timeout=30)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the body is sent
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        raw = b"".join(chunks)
    finally:
        s.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:] if ":" in l]
    return Response(status, headers, body)


def raw_get(ctx, path):
    return raw_request(ctx, ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                             % path).encode("latin-1"))


def get(ctx, path, headers=None):
    return request(ctx, "GET", path, headers=headers)


def get_dept(ctx, path, headers=None):
    """A batch route, with the department's read-only token."""
    return get(ctx, path, dict(ctx.auth(ctx.read_token), **(headers or {})))


def post_batch(ctx, query, body, headers=None, chunked=False, token=None):
    """An upload with the department's upload token (or `token`), unless the headers
    carry an Authorization of their own."""
    headers = dict(headers or {})
    if not any(k.lower() == "authorization" for k in headers):
        headers.update(ctx.auth(token))
    return request(ctx, "POST", "/api/v1/batches?" + query, body=body, headers=headers,
                   chunked=chunked)


def store_counts(ctx):
    """Rows of the main tables, read from the database itself."""
    row = testdb.sql_rows(ctx.db, "SELECT (SELECT count(*) FROM subjects), "
                          "(SELECT count(*) FROM records), (SELECT count(*) FROM batches)")[0]
    return dict(zip(("subjects", "records", "batches"), row))


# ---- assertions ----------------------------------------------------------------------

def check(cond, message):
    if not cond:
        raise AssertionError(message)


def expect_status(r, status):
    check(r.status == status, "status %d, expected %d: %s" % (r.status, status, r.body[:300]))


def expect_json(r):
    ct = r.headers.get("content-type", "")
    check(ct == "application/json; charset=utf-8", "content type %r" % ct)
    return r.json()


def expect_error(r, status, code=None, code_prefix=None):
    """The error document has exactly the documented shape."""
    expect_status(r, status)
    doc = expect_json(r)
    check(list(doc.keys()) == ["error"], "top-level keys %r" % list(doc.keys()))
    err = doc["error"]
    check(sorted(err.keys()) == ["code", "details", "message"], "error keys %r" % list(err))
    check(isinstance(err["details"], list), "details is not a list")
    check(isinstance(err["message"], str) and err["message"], "empty message")
    if code:
        check(err["code"] == code, "code %r, expected %r" % (err["code"], code))
    if code_prefix:
        check(err["code"].startswith(code_prefix), "code %r, expected %s*" % (err["code"],
                                                                           code_prefix))
    return err


def expect_security_headers(r):
    for name, value in SECURITY_HEADERS.items():
        check(r.headers.get(name) == value, "header %s: %r" % (name, r.headers.get(name)))


# ---- tests ---------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def healthz(ctx):
    r = get(ctx, "/healthz")
    expect_status(r, 200)
    doc = expect_json(r)
    check(doc["status"] == "ok", "status %r" % doc.get("status"))
    # From memory: the day the server takes for today, the years of the holiday calendar
    # loaded at start (init loads the built-in 2024-2026: nothing missing in March 2026),
    # and its store's state; the counts are the operators' /metrics
    # (tests/http/test_hardening.py).
    check(doc["calendar"] == {"today": NOW[:10], "now": NOW + "+08:00", "fixed": True,
                              "years": [2024, 2025, 2026], "warnings": []},
          "calendar %r" % doc.get("calendar"))
    check(doc["store"]["status"] == "ok", "store %r" % doc.get("store"))
    handles = doc["store"]["handles"]
    check(1 <= handles["open"] <= handles["max"] and 0 <= handles["free"] <= handles["open"],
          "handles %r" % handles)
    check("counts" not in doc, "healthz still counts rows in the database")
    expect_security_headers(r)
    check(r.headers.get("cache-control") == "no-store", "API responses must not be cached")


@test
def post_penalty_csv(ctx):
    rows = [
        penalty_row(COMPANY_NAME, COMPANY, "深市监罚〔2026〕12号", "2026-02-10"),
        penalty_row(COMPANY_NAME, COMPANY, "深市监罚〔2026〕13号", "2027-01-01"),  # future
        penalty_row("深圳市某某公司", BAD_CHECK, "深市监罚〔2026〕14号", "2026-01-01"),
        penalty_row("张三丰", "", "深市监罚〔2026〕15号", "2026-01-05", party_type="自然人",
                    id_type="身份证", id_number=PERSON_ID, penalty_type="警告", fine=""),
    ]
    r = post_batch(ctx, "category=penalty&dept=%s&name=penalty-2026.csv" % AUTHORITY,
                   ctx.csv_text(rows).encode("utf-8"), {"Content-Type": "text/csv"})
    expect_status(r, 201)
    doc = expect_json(r)
    check(doc["rows"] == 4, "rows %r" % doc)
    check(doc["accepted"] == 2 and doc["rejected"] == 2, "accepted/rejected %r" % doc)
    check(isinstance(doc["batch"], int) and doc["batch"] > 0, "batch id %r" % doc)
    ctx.batch = doc["batch"]


@test
def get_batch(ctx):
    r = get_dept(ctx, "/api/v1/batches/%d" % ctx.batch)
    expect_status(r, 200)
    doc = expect_json(r)
    check(doc["batch"] == ctx.batch, "batch %r" % doc)
    check(doc["category"] == "penalty", "category %r" % doc.get("category"))
    check(doc["dept"] == AUTHORITY, "dept %r" % doc.get("dept"))
    check(doc["source"] == "penalty-2026.csv", "source %r" % doc.get("source"))
    check(doc["format"] == "csv" and doc["encoding"] == "utf-8", "format %r" % doc)
    check(doc["created_at"].startswith("2026-03-05"), "XINYONG_NOW not used: %r" % doc)


@test
def get_rejects_json(ctx):
    r = get_dept(ctx, "/api/v1/batches/%d/rejects" % ctx.batch)
    expect_status(r, 200)
    doc = expect_json(r)
    check(doc["batch"] == ctx.batch, "batch %r" % doc.get("batch"))
    reasons = {(p["row"], p["reason"]) for p in doc["rejects"]}
    check(reasons == {(3, "date.future"), (4, "code.check_char")}, "rejects %r" % reasons)
    for p in doc["rejects"]:
        check(p["message"] and p["field"], "reject without message or field: %r" % p)


@test
def rejects_are_paged(ctx):
    rows = [penalty_row(COMPANY_NAME, COMPANY, "PAGE-%d" % i, "2027-0%d-01" % (i % 9 + 1))
            for i in range(7)]
    r = post_batch(ctx, "category=penalty&dept=" + AUTHORITY, ctx.csv_text(rows).encode())
    expect_status(r, 201)
    batch = expect_json(r)["batch"]
    whole = expect_json(get_dept(ctx, "/api/v1/batches/%d/rejects" % batch))
    check(len(whole["rejects"]) == 7 and whole["next"] is None, "whole list %r" % whole)
    got, after, pages = [], "", 0
    while True:
        doc = expect_json(get_dept(ctx, "/api/v1/batches/%d/rejects?limit=3%s"
                                   % (batch, "&after=" + after if after else "")))
        check(len(doc["rejects"]) <= 3, "page of %d" % len(doc["rejects"]))
        got += doc["rejects"]
        pages += 1
        if not doc["next"]:
            break
        after = doc["next"]
    check(got == whole["rejects"] and pages == 3, "pages %d: %r" % (pages, got))
    for bad in ("after=x", "after=3", "limit=0", "limit=10001", "limit=abc"):
        expect_error(get_dept(ctx, "/api/v1/batches/%d/rejects?%s" % (batch, bad)), 400,
                     "request.invalid")


@test
def get_rejects_csv(ctx):
    for r in (get_dept(ctx, "/api/v1/batches/%d/rejects?format=csv" % ctx.batch),
              get_dept(ctx, "/api/v1/batches/%d/rejects" % ctx.batch,
                       {"Accept": "text/csv"})):
        expect_status(r, 200)
        check(r.headers.get("content-type", "").startswith("text/csv"),
              "content type %r" % r.headers.get("content-type"))
        rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
        check(rows[0] == ["row", "field", "reason", "message"], "header %r" % rows[0])
        check(sorted((x[0], x[2]) for x in rows[1:]) == [("3", "date.future"),
                                                         ("4", "code.check_char")],
              "rows %r" % rows[1:])
        check(rows[1][1] == ctx.names["decision_date"], "field %r" % rows[1][1])


@test
def get_subject(ctx):
    r = get(ctx, "/api/v1/subjects/" + COMPANY)
    expect_status(r, 200)
    doc = expect_json(r)
    check(doc["subject"]["code"] == COMPANY, "code %r" % doc["subject"])
    check(doc["subject"]["name"] == COMPANY_NAME, "name %r" % doc["subject"])
    groups = {g["category"]: g for g in doc["categories"]}
    check("penalty" in groups, "no penalty group: %r" % list(groups))
    g = groups["penalty"]
    check(g["name"] == "行政处罚" and g["count"] == 1, "group %r" % {k: g[k] for k in
                                                               ("name", "count")})
    rec = g["records"][0]
    check(rec["fields"]["decision_no"] == "深市监罚〔2026〕12号", "record %r" % rec["fields"])
    check(rec["publicity"]["status"] == "published", "publicity %r" % rec["publicity"])
    check(rec["dept_code"] == AUTHORITY, "dept_code %r" % rec.get("dept_code"))
    labels = rec.get("labels") or g.get("labels") or {}
    check(labels.get("decision_no") == ctx.names["decision_no"], "labels %r" % labels)


@test
def subject_code_is_normalised(ctx):
    r = get(ctx, "/api/v1/subjects/" + COMPANY.lower())
    expect_status(r, 200)
    check(r.json()["subject"]["code"] == COMPANY, "lower-case code not normalised")


@test
def search_by_name_part(ctx):
    r = get(ctx, "/api/v1/subjects?q=" + "%E6%98%9F%E6%B2%B3")  # 星河
    expect_status(r, 200)
    doc = expect_json(r)
    codes = [x["code"] for x in doc["results"]]
    check(COMPANY in codes, "results %r" % doc)
    hit = doc["results"][codes.index(COMPANY)]
    check(hit["name"] == COMPANY_NAME, "hit %r" % hit)


@test
def search_by_code(ctx):
    doc = expect_json(get(ctx, "/api/v1/subjects?q=" + COMPANY))
    check([x["code"] for x in doc["results"]][:1] == [COMPANY], "results %r" % doc)
    check(doc["results"][0]["match"] == "code", "match %r" % doc["results"][0])


@test
def search_limit(ctx):
    expect_status(get(ctx, "/api/v1/subjects?q=%E6%98%9F%E6%B2%B3&limit=1"), 200)
    for bad in ("0", "-1", "abc", "100000"):
        err = expect_error(get(ctx, "/api/v1/subjects?q=%E6%98%9F%E6%B2%B3&limit=" + bad), 400,
                           "request.invalid")
        check(err["message"], "no message")


@test
def search_needs_two_characters(ctx):
    expect_error(get(ctx, "/api/v1/subjects?q=%E6%98%9F"), 400, "request.invalid")  # 星
    expect_error(get(ctx, "/api/v1/subjects"), 400, "request.invalid")


@test
def persons_never_public(ctx):
    # The person's row was accepted, but neither the archive nor search shows it.
    expect_error(get(ctx, "/api/v1/subjects/" + PERSON_ID), 404, "subject.not_found")
    doc = expect_json(get(ctx, "/api/v1/subjects?q=" + PERSON_ID))
    check(doc["results"] == [], "person found by ID number: %r" % doc)
    doc = expect_json(get(ctx, "/api/v1/subjects?q=%E5%BC%A0%E4%B8%89"))  # 张三
    check(doc["results"] == [], "person found by name: %r" % doc)


@test
def not_found_errors(ctx):
    expect_error(get(ctx, "/api/v1/subjects/" + COMPANY2), 404, "subject.not_found")
    expect_error(get_dept(ctx, "/api/v1/batches/999999"), 404, "batch.not_found")
    expect_error(get_dept(ctx, "/api/v1/batches/999999/rejects"), 404, "batch.not_found")
    expect_error(get(ctx, "/api/v1/nothing"), 404, "route.not_found")
    expect_error(get(ctx, "/api/v2/subjects"), 404, "route.not_found")
    expect_error(get(ctx, "/no-such-page.html"), 404)


@test
def bad_parameters(ctx):
    expect_error(get_dept(ctx, "/api/v1/batches/abc"), 400, "request.invalid")
    expect_error(get_dept(ctx, "/api/v1/batches/-3"), 400, "request.invalid")
    # A code that cannot be one: code.* (400) when the service checks it, else not found.
    r = get(ctx, "/api/v1/subjects/%E4%B8%8D%E6%98%AF%E4%BB%A3%E7%A0%81")
    if r.status == 400:
        expect_error(r, 400, code_prefix="code.")
    else:
        expect_error(r, 404, "subject.not_found")


@test
def method_not_allowed(ctx):
    r = request(ctx, "POST", "/api/v1/subjects/" + COMPANY, body=b"x")
    expect_error(r, 405, "method.not_allowed")
    check("GET" in r.headers.get("allow", ""), "Allow %r" % r.headers.get("allow"))
    expect_error(request(ctx, "DELETE", "/api/v1/batches/1"), 405, "method.not_allowed")
    expect_error(request(ctx, "PUT", "/healthz", body=b"{}"), 405, "method.not_allowed")
    # GET /api/v1/batches is the list now (it needs credentials); DELETE is no method of it.
    expect_error(request(ctx, "GET", "/api/v1/batches"), 401, "auth.required")
    r = request(ctx, "DELETE", "/api/v1/batches")
    expect_error(r, 405, "method.not_allowed")
    allow = r.headers.get("allow", "")
    check("POST" in allow and "GET" in allow, "Allow %r" % allow)
    expect_error(request(ctx, "POST", "/index.html", body=b"x"), 405, "method.not_allowed")


@test
def batches_list_own_department_paged(ctx):
    """GET /api/v1/batches: the caller's department's batches, newest first, paged."""
    mine = []
    for i in range(3):
        r = post_batch(ctx, "category=penalty&name=list-%d.csv" % i,
                       ctx.csv_text([]).encode("utf-8"))
        expect_status(r, 201)
        mine.append(json.loads(r.body)["batch"])
    r = post_batch(ctx, "category=penalty&name=other.csv", ctx.csv_text([]).encode("utf-8"),
                   token=ctx.other_token)
    expect_status(r, 201)
    theirs = json.loads(r.body)["batch"]
    r = request(ctx, "GET", "/api/v1/batches?limit=2", headers=ctx.auth())
    expect_status(r, 200)
    page = json.loads(r.body)
    check([b["batch"] for b in page["batches"]] == [mine[2], mine[1]], "newest first: %r" % page)
    check(all(b["dept"] == AUTHORITY for b in page["batches"]), "own department only")
    check(page["next"] == str(mine[1]), "next: %r" % page["next"])
    r = request(ctx, "GET", "/api/v1/batches?limit=1000&after=" + page["next"],
                headers=ctx.auth())
    ids = [b["batch"] for b in json.loads(r.body)["batches"]]
    check(mine[0] in ids and theirs not in ids and mine[2] not in ids, "the next page: %r" % ids)
    r = request(ctx, "GET", "/api/v1/batches?limit=1000", headers=ctx.auth(ctx.other_token))
    ids = [b["batch"] for b in json.loads(r.body)["batches"]]
    check(theirs in ids and not set(mine) & set(ids), "the other department's: %r" % ids)
    expect_error(request(ctx, "GET", "/api/v1/batches?limit=0", headers=ctx.auth()), 400,
                 "request.invalid")
    expect_error(request(ctx, "GET", "/api/v1/batches?after=x", headers=ctx.auth()), 400,
                 "request.invalid")


@test
def post_needs_parameters(ctx):
    body = ctx.csv_text([]).encode("utf-8")
    expect_error(post_batch(ctx, "dept=" + AUTHORITY, body), 400, "request.invalid")
    # `dept` may be left out (it defaults to the token's department, post_json_and_ndjson),
    # `category` may not.
    expect_error(post_batch(ctx, "name=x.csv", body), 400, "request.invalid")


@test
def post_unusable_files(ctx):
    before = store_counts(ctx)["batches"]
    good = ctx.csv_text([penalty_row(COMPANY_NAME, COMPANY, "X-1", "2026-01-01")])
    expect_error(post_batch(ctx, "category=nonesuch&dept=" + AUTHORITY, good.encode()), 422,
                 "catalog.unknown_category")
    # A department submits its own data only: another department's code is refused.
    err = expect_error(post_batch(ctx, "category=penalty&dept=12345", good.encode()), 403,
                       "auth.forbidden")
    check(AUTHORITY in err["message"], "message does not name the caller's department: %r"
          % err["message"])
    expect_error(post_batch(ctx, "category=penalty&dept=" + OTHER_DEPT, good.encode()), 403,
                 "auth.forbidden")
    expect_error(post_batch(ctx, "category=penalty&dept=" + AUTHORITY,
                            "甲,乙,丙\r\n1,2,3\r\n".encode("utf-8")), 422, code_prefix="file.")
    expect_error(post_batch(ctx, "category=penalty&dept=" + AUTHORITY, b""), 422,
                 code_prefix="file.")
    # Nothing of these reached the store.
    counts = store_counts(ctx)
    check(counts["batches"] == before, "counts after refused uploads %r" % counts)


@test
def post_gb18030_csv(ctx):
    text = ctx.csv_text([penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕21号",
                                     "2026-02-01")])
    r = post_batch(ctx, "category=penalty&dept=%s&name=gbk.csv" % AUTHORITY,
                   text.encode("gb18030"))
    expect_status(r, 201)
    doc = expect_json(r)
    check(doc["accepted"] == 1 and doc["rejected"] == 0, "summary %r" % doc)
    batch = expect_json(get_dept(ctx, "/api/v1/batches/%d" % doc["batch"]))
    check(batch["encoding"] == "gb18030", "encoding %r" % batch.get("encoding"))
    subject = expect_json(get(ctx, "/api/v1/subjects/" + COMPANY2))
    check(subject["subject"]["name"] == COMPANY2_NAME, "name decoded as %r" %
          subject["subject"]["name"])


@test
def post_json_and_ndjson(ctx):
    a = ctx.named(penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕22号", "2026-02-02"))
    b = ctx.named(penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕23号", "2026-02-03"))
    r = post_batch(ctx, "category=penalty&dept=%s&name=a.json" % AUTHORITY,
                   json.dumps([a], ensure_ascii=False).encode("utf-8"),
                   {"Content-Type": "application/json"})
    expect_status(r, 201)
    check(r.json()["accepted"] == 1, "json summary %r" % r.json())
    # Without `dept`: the department is the token's own.
    r = post_batch(ctx, "category=penalty",
                   (json.dumps(b, ensure_ascii=False) + "\n").encode("utf-8"),
                   {"Content-Type": "application/x-ndjson"})
    expect_status(r, 201)
    check(r.json()["accepted"] == 1, "ndjson summary %r" % r.json())
    batch = expect_json(get_dept(ctx, "/api/v1/batches/%d" % r.json()["batch"]))
    check(batch["source"] == "upload", "default source name %r" % batch.get("source"))
    check(batch["format"] == "ndjson", "format %r" % batch.get("format"))
    check(batch["dept"] == AUTHORITY, "default department %r" % batch.get("dept"))


@test
def post_chunked(ctx):
    text = ctx.csv_text([penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕24号",
                                     "2026-02-04")]).encode("utf-8")
    pieces = [text[i:i + 50] for i in range(0, len(text), 50)]
    r = post_batch(ctx, "category=penalty&dept=%s&name=c.csv" % AUTHORITY, iter(pieces),
                   chunked=True)
    expect_status(r, 201)
    check(r.json()["accepted"] == 1, "summary %r" % r.json())


@test
def too_large(ctx):
    big = b"a,b\r\n" + b"x" * (MAX_BODY + 10)
    expect_error(post_batch(ctx, "category=penalty&dept=" + AUTHORITY, big), 413,
                 "request.too_large")
    # A declared length far beyond the limit is refused before any body is sent.
    r = raw_request(ctx, ("POST /api/v1/batches?category=penalty&dept=%s HTTP/1.1\r\n"
                          "Host: localhost\r\nAuthorization: Bearer %s\r\n"
                          "Content-Length: 1099511627776\r\n\r\n"
                          % (AUTHORITY, ctx.token)).encode())
    expect_error(r, 413, "request.too_large")
    # Without a declared length (chunked), the body is cut where it passes the limit:
    # the connection is closed (libmicrohttpd cannot answer mid-body).
    pieces = [b"y" * 8192] * (MAX_BODY // 8192 + 64)
    try:
        r = post_batch(ctx, "category=penalty&dept=" + AUTHORITY, iter(pieces), chunked=True)
    except (ConnectionError, http.client.HTTPException):
        r = None
    check(r is None or r.status == 413, "chunked body over the limit: %r" %
          (r and (r.status, r.body[:200])))
    # The spool files are gone.
    left = spool_files(ctx)
    check(not left, "upload spool files left behind: %r" % left)


def spool_files(ctx):
    """The upload files in the server's spool directory (the default one under TMPDIR)."""
    spool = os.path.join(ctx.tmp.name, "xinyong-spool-%d" % os.geteuid())
    return [f for f in os.listdir(spool) if f.startswith("upload-")]


def upload_head(ctx, length, token=None, body=b""):
    """Sends an upload's request head (and `body`, shorter than `length`) and returns the
    answer given without the rest of the body: a server that waited for the declared
    length would time out here."""
    auth = "Authorization: Bearer %s\r\n" % token if token else ""
    s = socket.create_connection(("127.0.0.1", ctx.port), timeout=10)
    try:
        s.sendall(("POST /api/v1/batches?category=penalty&dept=%s HTTP/1.1\r\nHost: x\r\n"
                   "%sContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n"
                   % (AUTHORITY, auth, length)).encode() + body)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                raw = b"".join(chunks)
                head, sep, rest = raw.partition(b"\r\n\r\n")
                m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                if sep and m and len(rest) >= int(m.group(1)):
                    break
        except socket.timeout:
            raise AssertionError("no answer until the body was sent (%d bytes declared)" %
                                 length) from None
        except ConnectionResetError:
            pass
    finally:
        s.close()
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:] if ":" in l]
    return Response(status, headers, body)


@test
def upload_needs_credentials(ctx):
    before = store_counts(ctx)
    good = ctx.csv_text([penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕51号",
                                     "2026-02-05")]).encode("utf-8")
    # Without credentials: 401, settled on the request head, before the body is read
    # (and before its declared size is looked at).
    for length in (len(good), 5000, 1099511627776):
        expect_error(upload_head(ctx, length, body=good[:10]), 401, "auth.required")
    err = expect_error(request(ctx, "POST", "/api/v1/batches?category=penalty&dept=" +
                               AUTHORITY, body=good), 401, "auth.required")
    check("Bearer" in err["message"], "message does not say how to authenticate: %r" %
          err["message"])
    # A token that is not one, or a malformed Authorization header.
    expect_error(post_batch(ctx, "category=penalty", good,
                            {"Authorization": "Bearer xyt_not-a-token"}), 401, "auth.invalid")
    expect_error(post_batch(ctx, "category=penalty", good,
                            {"Authorization": "Basic dXNlcjpwYXNz"}), 401, "auth.invalid")
    # A read-only token: 403 auth.scope, also before the body.
    err = expect_error(upload_head(ctx, 5000, ctx.read_token, good[:10]), 403, "auth.scope")
    check("batches:write" in err["message"], "message does not name the scope: %r" %
          err["message"])
    expect_error(post_batch(ctx, "category=penalty", good, token=ctx.read_token), 403,
                 "auth.scope")
    # Reading batches needs a token too.
    expect_error(get(ctx, "/api/v1/batches/%d" % ctx.batch), 401, "auth.required")
    expect_error(get(ctx, "/api/v1/batches/%d/rejects" % ctx.batch), 401, "auth.required")
    # Nothing of these reached the store, and no spool file was left.
    after = store_counts(ctx)
    check(after == before, "counts after refused uploads %r, before %r" % (after, before))
    left = spool_files(ctx)
    check(not left, "upload spool files left behind: %r" % left)


@test
def batches_of_another_department(ctx):
    # Another department's batch is not there for this one, as if it did not exist.
    for path in ("/api/v1/batches/%d" % ctx.batch, "/api/v1/batches/%d/rejects" % ctx.batch):
        expect_error(get(ctx, path, ctx.auth(ctx.other_token)), 404, "batch.not_found")
    # Its own uploads are its own.
    r = post_batch(ctx, "category=penalty&name=other.csv", ctx.csv_text([
        penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕52号", "2026-02-06")]).encode(),
        token=ctx.other_token)
    expect_status(r, 201)
    batch = r.json()["batch"]
    doc = expect_json(get(ctx, "/api/v1/batches/%d" % batch, ctx.auth(ctx.other_token)))
    check(doc["dept"] == OTHER_DEPT, "dept %r" % doc.get("dept"))
    expect_error(get_dept(ctx, "/api/v1/batches/%d" % batch), 404, "batch.not_found")


# ---- the department directory (GET /api/v1/depts, xinyong dept; service/depts.h) ------

DEPT_KEYS = {"code", "name", "short_name", "region_code", "parent_code", "contact", "sector"}


def cli_ok(ctx, *args):
    p = subprocess.run([ctx.binary] + list(args) + ["--db", ctx.db], env=ctx.env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 0, "xinyong %s: exit %d: %s" % (" ".join(args[:2]), p.returncode,
                                                        err[-500:]))
    check("Sanitizer" not in err and "runtime error:" not in err, "sanitizer: %s" % err)
    return p


def penalty_depts(archive):
    """[(dept_code, dept_name)] of the archive's penalty records; dept_name must be there."""
    out = []
    for g in archive["categories"]:
        for rec in g["records"]:
            check("dept_name" in rec, "a record without dept_name: %r" % rec)
            out.append((rec["dept_code"], rec["dept_name"]))
    return out


@test
def depts_directory_names_records(ctx):
    # Not listed yet: the records carry the code, and a null name (never the code).
    check(penalty_depts(expect_json(get(ctx, "/api/v1/subjects/" + COMPANY)))
          == [(AUTHORITY, None)], "before the directory names it")
    err = expect_error(get(ctx, "/api/v1/depts/" + AUTHORITY), 404, "dept.not_found")
    check(AUTHORITY in err["message"] and "部门目录" in err["message"], "message %r" % err)
    before = expect_json(get(ctx, "/api/v1/depts"))
    check(AUTHORITY not in [d["code"] for d in before["depts"]], "listed before %r" % before)

    cli_ok(ctx, "dept", "add", AUTHORITY, "--name", "深圳市市场监督管理局", "--short-name",
           "深圳市监局", "--region", "440300", "--sector", "食品", "--contact", "0755-12315")
    # Public: no credentials at all.
    r = get(ctx, "/api/v1/depts")
    expect_status(r, 200)
    expect_security_headers(r)
    listed = {d["code"]: d for d in expect_json(r)["depts"]}
    check(set(listed[AUTHORITY]) == DEPT_KEYS, "members %r" % listed[AUTHORITY])
    check(listed[AUTHORITY] == {"code": AUTHORITY, "name": "深圳市市场监督管理局",
                                "short_name": "深圳市监局", "region_code": "440300",
                                "parent_code": "", "contact": "0755-12315", "sector": "食品"},
          "listed %r" % listed[AUTHORITY])
    # One department, by a code written in lower case.
    one = expect_json(get(ctx, "/api/v1/depts/" + AUTHORITY.lower()))
    check(one == listed[AUTHORITY], "one %r" % one)

    # Every record of that department now shows its name; the other department's
    # records (OTHER_DEPT is not listed, and still uploads) show null.
    check(penalty_depts(expect_json(get(ctx, "/api/v1/subjects/" + COMPANY)))
          == [(AUTHORITY, "深圳市市场监督管理局")], "after the directory names it")
    got = set(penalty_depts(expect_json(get(ctx, "/api/v1/subjects/" + COMPANY2))))
    check(got == {(OTHER_DEPT, None), (AUTHORITY, "深圳市市场监督管理局")},
          "an unlisted department's records beside a listed one's: %r" % got)
    # A record's history names its holder too.
    rec_id = expect_json(get(ctx, "/api/v1/subjects/" + COMPANY))["categories"][0]["records"][0]["id"]
    hist = expect_json(get_dept(ctx, "/api/v1/records/%d/history" % rec_id))
    check(hist["record"]["dept"] == AUTHORITY and
          hist["record"]["dept_name"] == "深圳市市场监督管理局", "history %r" % hist["record"])

    # A renamed department is renamed on its records at once.
    cli_ok(ctx, "dept", "add", AUTHORITY, "--name", "深圳市市场监督管理局（深圳市知识产权局）")
    check(penalty_depts(expect_json(get(ctx, "/api/v1/subjects/" + COMPANY)))
          == [(AUTHORITY, "深圳市市场监督管理局（深圳市知识产权局）")], "after a rename")
    one = expect_json(get(ctx, "/api/v1/depts/" + AUTHORITY))
    check(one["sector"] == "食品" and one["short_name"] == "深圳市监局",
          "options not given are kept: %r" % one)
    # The directory only reads: writing to it over HTTP is no route.
    expect_status(request(ctx, "POST", "/api/v1/depts", b"{}",
                          {"Content-Type": "application/json"}), 405)


@test
def depts_import_over_the_cli_is_served(ctx):
    path = os.path.join(ctx.tmp.name, "depts.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("统一社会信用代码,部门名称,简称,行政区划,上级部门,联系方式,行业领域\r\n")
        f.write("%s,深圳市另一局,另一局,440300,%s,,药品\r\n" % (OTHER_DEPT, AUTHORITY))
    doc = json.loads(cli_ok(ctx, "dept", "import", path).stdout)
    check(doc["depts"] == 1 and doc["added"] == 1 and doc["updated"] == 0, "import %r" % doc)
    one = expect_json(get(ctx, "/api/v1/depts/" + OTHER_DEPT))
    check(one["parent_code"] == AUTHORITY and one["sector"] == "药品", "imported %r" % one)
    got = set(penalty_depts(expect_json(get(ctx, "/api/v1/subjects/" + COMPANY2))))
    check((OTHER_DEPT, "深圳市另一局") in got and (OTHER_DEPT, None) not in got,
          "the imported name on its records: %r" % got)
    codes = [d["code"] for d in expect_json(get(ctx, "/api/v1/depts"))["depts"]]
    check(codes == sorted(codes), "by code: %r" % codes)


@test
def static_pages(ctx):
    r = get(ctx, "/")
    expect_status(r, 200)
    check(r.headers.get("content-type") == "text/html; charset=utf-8", "type %r" %
          r.headers.get("content-type"))
    check("信用信息查询" in r.text, "index.html not served")
    check("输入企业名称或统一社会信用代码" in r.text, "search box missing")
    expect_security_headers(r)
    check(r.headers.get("cache-control") in ("no-cache", "no-cache, must-revalidate"),
          "html cache %r" % r.headers.get("cache-control"))
    index = get(ctx, "/index.html")
    check(index.body == r.body, "/ and /index.html differ")
    for path, ctype in (("/app.js", "text/javascript"), ("/style.css", "text/css")):
        r = get(ctx, path)
        expect_status(r, 200)
        check(r.headers.get("content-type", "").startswith(ctype), "%s: %r" %
              (path, r.headers.get("content-type")))
        check("max-age" in r.headers.get("cache-control", ""), "cache %r" %
              r.headers.get("cache-control"))
        expect_security_headers(r)
        etag = r.headers.get("etag")
        check(etag, "no ETag on %s" % path)
        again = get(ctx, path, {"If-None-Match": etag})
        expect_status(again, 304)
    r = request(ctx, "HEAD", "/")
    expect_status(r, 200)
    check(r.body == b"", "HEAD returned a body")


@test
def no_external_resources(ctx):
    page = get(ctx, "/").text + get(ctx, "/app.js").text + get(ctx, "/style.css").text
    check(not re.search(r"(src|href)=\"(https?:)?//", page), "external resource in page")
    check("url(http" not in page and "import 'http" not in page, "external resource")


@test
def path_traversal(ctx):
    outside = open(os.path.join(ctx.src, "meson.build"), "rb").read()[:40]
    attempts = [
        "/../meson.build", "/../../etc/passwd", "/%2e%2e/meson.build",
        "/%2E%2E/%2E%2E/etc/passwd", "/%2e%2e%2fmeson.build", "/..%2fmeson.build",
        "/.%2e/meson.build", "/web/../../meson.build", "/./../meson.build",
        "/..%5cmeson.build", "/index.html%00.txt", "/%00", "/..%00/meson.build",
        "//etc/passwd", "/%252e%252e/meson.build", "/.git/config", "/.%2e",
    ]
    for path in attempts:
        r = raw_get(ctx, path)
        check(r.status in (400, 403, 404), "%s -> %d" % (path, r.status))
        check(outside not in r.body and b"root:" not in r.body, "%s leaked a file" % path)
        expect_security_headers(r)


@test
def concurrent_requests(ctx):
    text = ctx.csv_text([penalty_row(COMPANY2_NAME, COMPANY2, "深市监罚〔2026〕3%02d号" % i,
                                     "2026-01-%02d" % (i % 28 + 1)) for i in range(40)])

    def search(_):
        return get(ctx, "/api/v1/subjects?q=%E6%98%9F%E6%B2%B3").status

    def upload(_):
        return post_batch(ctx, "category=penalty&dept=%s&name=par.csv" % AUTHORITY,
                          text.encode()).status

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        jobs = [pool.submit(upload, 0)] + [pool.submit(search, i) for i in range(48)]
        statuses = [j.result() for j in jobs]
    check(statuses[0] == 201, "upload under load: %d" % statuses[0])
    check(set(statuses[1:]) == {200}, "searches under load: %r" % set(statuses[1:]))


@test
def aborted_requests(ctx):
    # A client that goes away mid-request must not disturb the server.
    s = socket.create_connection(("127.0.0.1", ctx.port), timeout=10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    s.close()
    s = socket.create_connection(("127.0.0.1", ctx.port), timeout=10)
    s.sendall(("POST /api/v1/batches?category=penalty&dept=%s HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\nContent-Length: 5000\r\n\r\nabc"
               % (AUTHORITY, ctx.token)).encode())
    time.sleep(0.2)
    s.close()
    time.sleep(0.2)
    expect_status(get(ctx, "/healthz"), 200)


# ---- the OpenAPI document ------------------------------------------------------------

def route_table(src):
    """(method, pattern) of every row of the route table in src/http/router.c; method is
    None for a row that accepts any method."""
    with open(os.path.join(src, "src", "http", "router.c"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"\bstruct route routes\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    check(m, "route table not found in src/http/router.c")
    rows = re.findall(r'\{\s*(NULL|"([A-Z]+)")\s*,\s*"([^"]+)"\s*,', m.group(1))
    check(rows, "no rows parsed from the route table")
    return [(method or None, pattern) for _, method, pattern in rows]


@test
def openapi_document(ctx):
    r = get(ctx, "/api/v1/openapi.json")
    expect_status(r, 200)
    expect_security_headers(r)
    served = expect_json(r)
    with open(os.path.join(ctx.src, "docs", "openapi.json"), encoding="utf-8") as f:
        on_disk = json.load(f)
    check(served == on_disk, "the served document differs from docs/openapi.json "
          "(rebuild after editing it)")
    check(served.get("openapi", "").startswith("3.0"), "openapi %r" % served.get("openapi"))
    paths = served.get("paths", {})
    routes = [(m, p) for m, p in route_table(ctx.src) if m and not p.endswith("*")]
    check(("GET", "/api/v1/openapi.json") in routes, "openapi route not in the table")
    for method, pattern in routes:
        # The table's `{name}` segments are already OpenAPI path templates.
        path = pattern
        check(path in paths, "route %s %s is not documented in docs/openapi.json" %
              (method, pattern))
        op = paths[path].get(method.lower())
        check(op, "route %s %s: no %s operation in docs/openapi.json" %
              (method, pattern, method.lower()))
        check(op.get("responses"), "%s %s: no responses" % (method, path))
        params = paths[path].get("parameters", []) + op.get("parameters", [])
        for name in re.findall(r"\{([^}]+)\}", pattern):
            check(any(p.get("in") == "path" and p.get("name") == name for p in params),
                  "%s %s: path parameter %s not described" % (method, path, name))
    # And nothing is documented that the server does not route.
    documented = {(m.upper(), p) for p, item in paths.items() for m in item
                  if m in ("get", "put", "post", "delete", "patch", "head", "options")}
    check(documented <= set(routes), "documented but not routed: %r" %
          sorted(documented - set(routes)))


@test
def malformed_code_in_path(ctx):
    err = expect_error(get(ctx, "/api/v1/subjects/91350100M000100Y4Z"), 400,
                       "code.check_char")
    check("91350100M000100Y4Z" in err["message"], "message %r" % err["message"])


# ---- the public view -----------------------------------------------------------------

def cli_subject_show(ctx, code):
    """The full (operator) view of `xinyong subject show`."""
    p = subprocess.run([ctx.binary, "subject", "show", "--db", ctx.db, "--compact", code],
                       env=ctx.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 0, "xinyong subject show %s: exit %d: %s" % (code, p.returncode,
                                                                     err[-500:]))
    check("Sanitizer" not in err and "runtime error:" not in err, "sanitizer: %s" % err)
    return json.loads(p.stdout.decode("utf-8"))


def penalty_decisions(archive):
    """decision_no -> publicity status of the archive's penalty records."""
    out = {}
    for g in archive["categories"]:
        if g["category"] == "penalty":
            check(g["count"] == len(g["records"]), "count %r for %d records" %
                  (g["count"], len(g["records"])))
            for rec in g["records"]:
                out[rec["fields"]["decision_no"]] = rec["publicity"]
    return out


@test
def public_view_over_http(ctx):
    old_no, recent_no = "深市监罚〔2022〕77号", "深市监罚〔2026〕31号"
    rows = [
        penalty_row(COMPANY3_NAME, COMPANY3, old_no, OLD_DECISION),
        penalty_row(COMPANY3_NAME, COMPANY3, recent_no, RECENT_DECISION),
        penalty_row("李四", "", "深市监罚〔2026〕32号", RECENT_DECISION, party_type="自然人",
                    id_type="身份证", id_number=PERSON2_ID, penalty_type="警告", fine=""),
    ]
    r = post_batch(ctx, "category=penalty&dept=%s&name=public-view.csv" % AUTHORITY,
                   ctx.csv_text(rows).encode("utf-8"), {"Content-Type": "text/csv"})
    expect_status(r, 201)
    check(r.json()["accepted"] == 3, "summary %r" % r.json())

    # Over HTTP (public view): only the penalty still in its publicity period.
    public = penalty_decisions(expect_json(get(ctx, "/api/v1/subjects/" + COMPANY3)))
    check(list(public) == [recent_no], "public archive shows %r" % list(public))
    check(public[recent_no]["status"] == "published", "publicity %r" % public[recent_no])

    # At the command line (full view): both, the old one marked ended.
    full = penalty_decisions(cli_subject_show(ctx, COMPANY3))
    check(set(full) == {old_no, recent_no}, "full archive shows %r" % list(full))
    check(full[old_no]["status"] == "ended", "old penalty %r" % full[old_no])
    check(full[old_no]["until"] and full[old_no]["until"] < NOW[:10],
          "old penalty's publicity ends %r, not before %s" % (full[old_no]["until"], NOW))
    check(full[recent_no]["status"] == "published", "recent penalty %r" % full[recent_no])

    # A natural person's archive does not exist for the public, but the CLI shows it.
    expect_error(get(ctx, "/api/v1/subjects/" + PERSON2_ID), 404, "subject.not_found")
    person = cli_subject_show(ctx, PERSON2_ID)
    check(person["subject"]["code"] == PERSON2_ID, "subject %r" % person["subject"])
    check(person["subject"]["kind"] == "resident_id", "kind %r" % person["subject"])
    check(list(penalty_decisions(person)) == ["深市监罚〔2026〕32号"],
          "person's records %r" % person["categories"])



def make_uscc(body16):
    """A unified social credit code from its first 16 characters (GB 32100 check chars)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org = body16[8:16]
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(w[i] * (int(ch) if ch.isdigit() else ord(ch) - 55) for i, ch in enumerate(org)) % 11
    first17 = body16 + ("X" if c == 10 else "0" if c == 11 else str(c))
    total = sum(chars.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return first17 + chars[(31 - total % 31) % 31]


@test
def public_view_hides_personal_data(ctx):
    company = make_uscc("91440300MA5K7Q2A")
    ended_only = make_uscc("91440300MA5K7Q3B")
    passport = "E98765432"
    with_rep_id = dict(penalty_row("深圳市隐私测试有限公司", company, "深市监罚〔2026〕41号",
                                   RECENT_DECISION))
    objs = []
    for row, extra in [
        (with_rep_id, {"法定代表人证件类型": "身份证", "法定代表人证件号码": PERSON_ID}),
        (penalty_row("深圳市旧案测试有限公司", ended_only, "深市监罚〔2022〕42号", OLD_DECISION), {}),
        (penalty_row("王护照", "", "深市监罚〔2026〕43号", RECENT_DECISION, party_type="自然人",
                     id_type="护照号", id_number=passport, penalty_type="警告", fine=""), {}),
    ]:
        o = {ctx.names[c]: row[c] for c in COLUMNS}
        o.update(extra)
        objs.append(json.dumps(o, ensure_ascii=False))
    r = post_batch(ctx, "category=penalty&dept=%s&name=privacy.ndjson" % AUTHORITY,
                   ("\n".join(objs) + "\n").encode("utf-8"), {"Content-Type": "application/x-ndjson"})
    expect_status(r, 201)
    check(r.json()["accepted"] == 3, "summary %r" % r.json())

    # A person known by a passport is never found by the public, by name or number.
    for q in ("王护照", passport):
        found = expect_json(get(ctx, "/api/v1/subjects?q=" + urllib.parse.quote(q)))
        check(found["count"] == 0, "public search %r found %r" % (q, found["results"]))
    expect_error(get(ctx, "/api/v1/subjects/" + passport), 404, "subject.not_found")

    # The legal representative's ID number is personal: the public archive shows it
    # masked (the first and last four characters of an 18-character ID), under its label,
    # and the full number nowhere; the CLI (full view) keeps it.
    public = expect_json(get(ctx, "/api/v1/subjects/" + company))
    group = public["categories"][0]
    record = group["records"][0]
    masked = PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:]
    check(record["fields"].get("legal_rep_id_number") == masked,
          "public fields %r, expected the number as %s" % (record["fields"], masked))
    check(group["labels"].get("legal_rep_id_number") == "法定代表人证件号码",
          "public labels %r" % group["labels"])
    public_text = get(ctx, "/api/v1/subjects/" + company).text
    for form in (PERSON_ID, PERSON_ID[4:-4], PERSON_ID[:-4]):
        check(form not in public_text, "ID number (%s) in the public answer" % form)
    full = cli_subject_show(ctx, company)
    check(full["categories"][0]["records"][0]["fields"].get("legal_rep_id_number") == PERSON_ID,
          "full view keeps the ID number: %r" % full["categories"][0]["records"][0]["fields"])

    # A category whose every record has left publicity does not appear at all.
    public = expect_json(get(ctx, "/api/v1/subjects/" + ended_only))
    check(public["categories"] == [], "public categories %r" % public["categories"])
    full = cli_subject_show(ctx, ended_only)
    check([g["category"] for g in full["categories"]] == ["penalty"],
          "full view %r" % full["categories"])

def shutdown_checks(ctx):
    """Run after the server stopped: clean exit, sanitizers quiet, log lines sane."""
    failures = []
    log = ctx.server_log()
    if any(t and t in log for t in (ctx.token, ctx.read_token, ctx.other_token)):
        failures.append("an API token is in the server log")
    if ctx.exit_code != 0:
        failures.append("exit status %r after SIGINT" % ctx.exit_code)
    for marker in ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "runtime error:"):
        if marker in log:
            failures.append("sanitizer report in the server log: " + marker)
    lines = [l for l in log.splitlines() if l.startswith("event=http ")]
    if len(lines) < 20:
        failures.append("only %d request log lines" % len(lines))
    pattern = re.compile(r"^event=http method=[A-Z]+ route=\S+ status=\d{3} ms=\d+(\.\d+)?"
                         r"( aborted=1)?$")
    aborted = re.compile(r"^event=http method=\S+ route=\S+ status=\d+ ms=[\d.]+ aborted=1$")
    for l in lines:
        if not pattern.match(l) and not aborted.match(l):
            failures.append("malformed log line: %r" % l)
            break
    for secret in ("q=", "?", PERSON_ID, PERSON2_ID, "星河", "%E6%98%9F", ctx.token,
                   ctx.read_token, ctx.other_token):
        if any(secret in l for l in lines):
            failures.append("log line contains %r (query, personal data or a token)"
                            % secret[:12])
    return failures


@test
def survives_lost_database_connections(ctx):
    """PostgreSQL only: every connection of the server's pool is cut by the database (as
    a restart or failover would); the next requests reconnect and succeed."""
    if not testdb.is_url(ctx.db):
        print("# skip survives_lost_database_connections: an SQLite file has no connection")
        return
    before = expect_json(get(ctx, "/api/v1/subjects?q=%E6%B7%B1%E5%9C%B3"))
    name = urllib.parse.urlsplit(ctx.db).path.lstrip("/")
    cut = testdb.psql(testdb.PG_BASE, "SELECT count(pg_terminate_backend(pid)) FROM "
                      "pg_stat_activity WHERE datname = '%s'" % name).strip()
    check(int(cut) >= 1, "no server connection was open to cut (%s)" % cut)
    r = get(ctx, "/healthz")
    expect_status(r, 200)
    after = expect_json(get(ctx, "/api/v1/subjects?q=%E6%B7%B1%E5%9C%B3"))
    check(after == before, "search after reconnecting: %r, before: %r" % (after, before))


def main(argv):
    if len(argv) != 3:
        print("usage: test_api.py XINYONG_BINARY SOURCE_ROOT", file=sys.stderr)
        return 2
    print("# backend: %s" % (testdb.PG_BASE or "sqlite (a file)"))
    try:
        ctx = Ctx(argv[1], argv[2])
    except Exception as exc:  # noqa: BLE001 - report and stop
        print("FAIL setup: %s" % exc)
        print("0 passed, 1 failed")
        return 1
    try:
        ctx.start()
    except Exception as exc:  # noqa: BLE001 - report and stop
        print("FAIL start: %s" % exc)
        try:
            print(ctx.server_log()[-2000:])
        except OSError:
            pass
        ctx.stop()
        ctx.cleanup()
        print("0 passed, 1 failed")
        return 1
    try:
        passed, failed = harness.run_tests(TESTS, ctx)
    finally:
        ctx.stop()
    problems = shutdown_checks(ctx)
    if problems:
        failed += 1
        print("FAIL shutdown: %s" % "; ".join(problems))
        print(ctx.server_log()[-3000:])
    else:
        passed += 1
        print("ok   shutdown")
    return harness.finish(ctx, passed, failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
