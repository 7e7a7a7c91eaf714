#!/usr/bin/env python3
"""Black-box tests of `xinyong migrate`: copying a whole platform between SQLite and
PostgreSQL, resuming an interrupted copy, and verifying by counts and digests.

usage: python3 tests/integration/test_migrate.py /path/to/xinyong /path/to/source_root

Every test is a plain function; each prints `ok - name` or `FAIL - name: reason`, and the
run ends with `N passed, M failed` (exit status 1 when any failed).  Every command runs
with XINYONG_NOW=2026-11-20T10:00:00+08:00 unless a test says otherwise.  Sanitizer
reports on stderr fail the test.

PostgreSQL: with XINYONG_TEST_PG=postgresql://USER@HOST:PORT/DB the tests create (and
drop) their databases on that server; otherwise the suite starts a private server with
tests/pg/server.sh for its run.  SQLite databases are files in a temporary directory per
test.

The source platform is built once: `xinyong demo --subjects 300`, plus a file of our own
with rejected rows and warnings (so batch_problems has rows of both kinds), a code on the
operator's exception list, a year of the holiday calendar imported beside demo's built-in
ones, and values that are hard to carry byte for byte (quotes, newlines, tabs, characters
outside the BMP).  It also has accounts made the way people
make them: users (one still waiting for activation), API tokens (one revoked, one
expired), authorizations granted and revoked by a subject's account over HTTP (which
leaves a login session behind), and an audit trail that was pruned (so it has an anchor)
and signed (a checkpoint).  Tests copy it before changing it.

Besides the program's own verification, the tests compare the tables directly (through
tests/pg/testdb.py, in SQL both dialects accept) and compare the output of every read
command on both sides byte for byte.
"""

import csv
import http.client
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
import testdb  # noqa: E402  (tests/pg/testdb.py: psql and direct reads on either backend)

if len(sys.argv) != 3:
    sys.stderr.write("usage: test_migrate.py /path/to/xinyong /path/to/source_root\n")
    sys.exit(2)

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
NOW = "2026-11-20T10:00:00+08:00"
SANITIZER_MARKERS = ("runtime error", "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer")
TABLES = ["catalog_categories", "code_exceptions", "calendar_days", "depts", "signing_keys",
          "reports", "users",
          "api_tokens",
          "subjects", "batches", "batch_problems", "records", "record_versions",
          "authorizations", "case_rules", "cases", "case_steps", "case_attachments",
          "record_statements", "audit_anchor", "audit_log", "audit_checkpoints"]
# What the schema holds and migrate leaves behind on purpose (every_table_is_copied).
NOT_COPIED = {
    "schema_migrations": "written by opening the target",
    "sessions": "short-lived logins: people log in again after a move",
}
# Tables only one backend has: SQLite's record of how far the audit queue beside the file
# was chained (migrate chains the queue before it copies the trail).
ONLY_SQLITE = {"audit_queue_marks"}
# Columns migrate leaves behind on purpose: SQLite's subjects.id only numbers the rows of
# its name search index, which the copy rebuilds.
NOT_COPIED_COLUMNS = {("subjects", "id")}
DB_PREFIX = "xy_mig"

# The columns of each table both schemas have, in key order (for direct comparisons).
TABLE_SQL = {
    "catalog_categories": "SELECT id, definition, updated_at FROM catalog_categories "
                          "ORDER BY id",
    "code_exceptions": "SELECT code, note, added_at FROM code_exceptions ORDER BY code",
    "calendar_days": "SELECT day, kind, updated_at FROM calendar_days ORDER BY day",
    "depts": "SELECT code, name, short_name, region_code, parent_code, contact, sector, "
             "updated_at FROM depts ORDER BY code",
    "signing_keys": "SELECT id, issuer, url, public_key, secret_key, own, valid_from, "
                    "valid_until, added_at FROM signing_keys ORDER BY id",
    "reports": "SELECT number, subject_code, subject_name, view, format, digest, "
               "verification_code, key_id, generated_at, actor FROM reports ORDER BY number",
    "subjects": "SELECT code, kind, subject_type, name, name_key, region_code, created_at, "
                "updated_at FROM subjects ORDER BY code",
    "batches": "SELECT id, category, dept_code, source, format, encoding, rows, accepted, "
               "duplicates, rejected, warnings, created_at FROM batches ORDER BY id",
    "batch_problems": "SELECT batch_id, row, seq, field, reason, message, warning "
                      "FROM batch_problems ORDER BY batch_id, row, seq",
    "records": "SELECT id, batch_id, category, subject_code, dept_code, business_key, data, "
               "content_hash, decision_date, publicity_end, flags, created_at, updated_at "
               "FROM records ORDER BY subject_code, category, business_key",
    "record_versions": "SELECT id, record_id, subject_code, category, business_key, batch_id, "
                       "dept_code, data, content_hash, decision_date, publicity_end, flags, "
                       "valid_from, replaced_at FROM record_versions "
                       "ORDER BY subject_code, record_id, id",
    "users": "SELECT id, name, roles, dept_code, subject_code, display_name, password_hash, "
             "activation_hash, activation_expires, failed_logins, locked_until, disabled, "
             "created_at, updated_at FROM users ORDER BY id",
    "api_tokens": "SELECT id, token_hash, hint, owner_kind, owner_code, scopes, note, "
                  "created_at, expires_at, revoked_at FROM api_tokens ORDER BY id",
    "authorizations": "SELECT id, subject_code, grantee_code, purpose, granted_at, expires_at, "
                      "revoked_at, recorded_by FROM authorizations ORDER BY subject_code, id",
    "case_rules": "SELECT kind, effective_from, body, imported_at, imported_by "
                  "FROM case_rules ORDER BY kind, effective_from",
    "cases": "SELECT id, subject_code, kind, record_id, status, dept_code, due_date, "
             "rules_from, applicant, channel, data, outcome, reviews, entered_at, created_at, "
             "updated_at FROM cases ORDER BY subject_code, id",
    "case_steps": "SELECT subject_code, case_id, seq, at, actor, action, from_status, "
                  "to_status, note, detail FROM case_steps ORDER BY subject_code, case_id, seq",
    "case_attachments": "SELECT subject_code, id, case_id, step_seq, digest, media_type, size, "
                        "name, content, added_by, added_at FROM case_attachments "
                        "ORDER BY subject_code, id",
    "record_statements": "SELECT subject_code, record_id, text, author, updated_at "
                         "FROM record_statements ORDER BY subject_code, record_id",
    "audit_anchor": "SELECT id, seq, hash, pruned_at, entry_at, public_key, signature "
                    "FROM audit_anchor ORDER BY id",
    "audit_log": "SELECT seq, at, actor, role, dept_code, action, subject_code, purpose, "
                 "client, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    "audit_checkpoints": "SELECT seq, head_hash, at, public_key, signature "
                         "FROM audit_checkpoints ORDER BY seq",
}


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def eq(actual, expected, what):
    if actual != expected:
        raise Fail("%s: expected %r, got %r" % (what, expected, actual))


def note(msg):
    print("# " + msg)
    sys.stdout.flush()


# ---- codes, computed from the standards (GB 32100-2015, GB 11643-1999) ------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def uscc_check_char(first17):
    s = sum(USCC_CHARSET.index(c) * USCC_WEIGHTS[i] for i, c in enumerate(first17))
    return USCC_CHARSET[(31 - s % 31) % 31]


def org_check_char(body8):
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w[i] for i, c in enumerate(body8))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_uscc(prefix2, division, org8):
    first17 = prefix2 + division + org8 + org_check_char(org8)
    return first17 + uscc_check_char(first17)


def wrong_last(code):
    for c in USCC_CHARSET:
        if c != code[17]:
            return code[:17] + c
    raise AssertionError


def id_check_char(first17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w[i] for i, c in enumerate(first17)) % 11]


def make_id(division, birth, seq):
    first17 = division + birth + seq
    return first17 + id_check_char(first17)


DEPT = make_uscc("11", "441200", "MB2C1234")
AUTH_CODE = make_uscc("11", "441202", "MB2C9876")

PEN = [
    ("name", "行政相对人名称"), ("type", "行政相对人类别"),
    ("code", "行政相对人代码_1(统一社会信用代码)"), ("rep", "法定代表人"),
    ("idtype", "证件类型"), ("idno", "证件号码"), ("no", "行政处罚决定书文号"),
    ("vtype", "违法行为类型"), ("facts", "违法事实"), ("basis", "处罚依据"),
    ("ptype", "处罚类别"), ("content", "处罚内容"), ("fine", "罚款金额(万元)"),
    ("date", "处罚决定日期"), ("auth", "处罚机关"), ("authcode", "处罚机关统一社会信用代码"),
    ("src", "数据来源单位"), ("srccode", "数据来源单位统一社会信用代码"),
]

_serial = [0]


def pen_row(**kw):
    _serial[0] += 1
    n = _serial[0] + 700000
    row = {
        "name": "肇庆市迁移测试%d号贸易有限公司" % n, "type": "法人及非法人组织",
        "code": make_uscc("91", "441202", "MA%06d" % n), "rep": "陈志强",
        "idtype": "", "idno": "", "no": "肇市监罚〔2025〕M%d号" % n,
        "vtype": "销售不符合食品安全标准的食品", "facts": "经查，当事人销售不符合食品安全标准的食品。",
        "basis": "《中华人民共和国食品安全法》第一百二十四条", "ptype": "警告;罚款",
        "content": "警告，并处罚款", "fine": "0.2", "date": "2025-06-15",
        "auth": "肇庆市市场监督管理局", "authcode": AUTH_CODE, "src": "肇庆市市场监督管理局",
        "srccode": AUTH_CODE,
    }
    row.update(kw)
    return row


def csv_bytes(rows):
    sio = io.StringIO()
    w = csv.writer(sio, lineterminator="\r\n")
    w.writerow([name for _, name in PEN])
    for r in rows:
        w.writerow([r.get(k, "") for k, _ in PEN])
    return sio.getvalue().encode("utf-8")


# ---- running the binary ------------------------------------------------------------------

class Result:
    def __init__(self, args, code, out, err, seconds):
        self.args, self.code, self.out, self.err, self.seconds = args, code, out, err, seconds

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as ex:
            raise Fail("`xinyong %s` printed no JSON document (%s): %r"
                       % (" ".join(self.args), ex, self.out[:500]))

    def describe(self):
        return "`xinyong %s` exit %d, stderr %r" % (" ".join(self.args), self.code,
                                                    self.err[-1500:])


def base_env(now=NOW):
    env = dict(os.environ)
    env.pop("XINYONG_DB", None)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["XINYONG_NOW"] = now
    return env


def sanitizer_check(args, err):
    for m in SANITIZER_MARKERS:
        if m in err:
            i = err.find(m)
            raise Fail("sanitizer report (%s) from `xinyong %s`: %s"
                       % (m, " ".join(args), err[max(0, i - 200):i + 1500]))


def run(args, cwd, now=NOW, timeout=900, stdin=None, env=None):
    """Runs the binary; `stdin` (text) is its standard input, `env` more variables."""
    t0 = time.monotonic()
    full_env = base_env(now)
    full_env.update(env or {})
    io_kw = {"stdin": subprocess.DEVNULL} if stdin is None else {"input": stdin.encode()}
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                       env=full_env, timeout=timeout, **io_kw)
    seconds = time.monotonic() - t0
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    sanitizer_check(args, err)
    return Result(args, p.returncode, out, err, seconds)


def ok(args, cwd, **kw):
    r = run(args, cwd, **kw)
    check(r.code == 0, "expected exit 0: " + r.describe())
    return r


# ---- PostgreSQL -------------------------------------------------------------------------

def pg_new_db():
    return testdb.new_db(None, DB_PREFIX)


def sql(db, query, params=()):
    return testdb.sql_rows(db, query, params)


def exec_sql(db, statement):
    """Runs a write statement directly on either backend."""
    if testdb.is_url(db):
        testdb.psql(db, statement)
    else:
        import sqlite3
        con = sqlite3.connect(db)
        try:
            con.execute(statement)
            con.commit()
        finally:
            con.close()


def count(db, table):
    return sql(db, "SELECT count(*) FROM %s" % table)[0][0]


# ---- the HTTP API (authorizations are granted by a subject's own account) ------------

class Server:
    """`xinyong serve` on a database, on a free loopback port, for the time of a `with`;
    its log is checked for sanitizer reports when it stops."""

    def __init__(self, db, cwd, now=NOW):
        self.db, self.cwd, self.now = db, cwd, now
        self.proc = self.port = None
        self.log_path = os.path.join(cwd, "serve-%d.log" % time.monotonic_ns())

    def __enter__(self):
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--web",
                 os.path.join(ROOT, "web")], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=log, cwd=self.cwd, env=base_env(self.now))
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline().decode("utf-8", "replace") if ready else ""
        m = re.match(r"xinyong: serving http://127\.0\.0\.1:(\d+) ", line)
        if not m:
            self.__exit__(None, None, None)
            raise Fail("`xinyong serve --db %s` did not start: %r %s"
                       % (self.db, line, self.log()[-1500:]))
        self.port = int(m.group(1))
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        if exc[0] is None:
            sanitizer_check(["serve", "--db", self.db], self.log())
            eq(self.proc.returncode, 0, "exit status of `xinyong serve` after SIGINT")

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def request(self, method, path, body=None, headers=None):
        """(status, lower-cased headers, JSON body or None)."""
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return r.status, hdrs, doc

    def login(self, name, password):
        """The headers a cookie session sends with a state-changing request."""
        status, hdrs, doc = self.request("POST", "/api/v1/session",
                                         {"name": name, "password": password})
        eq(status, 201, "login of %s (%r)" % (name, doc))
        return {"Cookie": hdrs["set-cookie"].split(";")[0], "X-CSRF-Token": doc["csrf_token"]}


# ---- the source platform, built once --------------------------------------------------

SRC = {}


def build_source(workdir):
    """demo data plus a file with rejects, warnings and awkward values."""
    db = os.path.join(workdir, "source.db")
    # Only init (and demo) create a database; the old accounts come before the demo.
    ok(["init", "--db", db], workdir, now=OLD)
    add_old_accounts(workdir, db)
    r = ok(["demo", "--db", db, "--subjects", "300"], workdir)
    exc_code = wrong_last(make_uscc("91", "350100", "MA%06d" % 990001))
    ok(["code", "exceptions", "add", exc_code, "--note", "迁移测试：早期合法代码 \"引号\"",
        "--db", db], workdir)
    # A year of the holiday calendar imported by the operator, next to demo's built-in ones.
    cal = os.path.join(workdir, "cn-workdays-2027.csv")
    with open(cal, "w", encoding="utf-8") as fh:
        fh.write("date,kind\n2027-01-01,holiday\n2027-02-06,workday\n")
    ok(["calendar", "--db", db, "import", cal], workdir)
    person = make_id("441202", "19850612", "123")
    rows = [
        pen_row(facts="第一行\n第二行，含\t制表符和 \"引号\" 与 'single'"),
        pen_row(name="肇庆市𠀾𡈼测试商行（有限合伙）", content="罚款 2000 元 😀"),
        pen_row(code=exc_code, name="福建早期试点代码测试有限公司"),  # a warning
        pen_row(date="2026-12-01"),                                  # date.future
        pen_row(code=wrong_last(make_uscc("91", "441202", "MA%06d" % 990002))),  # check char
        pen_row(name="陈迁移", type="自然人", code="", rep="", idtype="身份证", idno=person,
                no="肇市监罚〔2025〕P990003号"),
        pen_row(fine="abc", date="2025-13-40"),                      # two problems in a row
    ]
    f = os.path.join(workdir, "extra.csv")
    with open(f, "wb") as fh:
        fh.write(csv_bytes(rows))
    r = ok(["ingest", "--db", db, "--category", "penalty", "--dept", DEPT, f], workdir)
    summary = json.loads(r.out.strip().splitlines()[-1])
    check(summary["rejected"] == 3 and summary["warnings"] >= 1,
          "the extra file should have 3 rejected rows and a warning: %r" % summary)
    check(count(db, "batch_problems") >= 4, "batch_problems holds the problems")
    check(sql(db, "SELECT count(*) FROM batch_problems WHERE warning = 1")[0][0] >= 1,
          "batch_problems holds a warning")
    persons = [c for (c,) in sql(db, "SELECT code FROM subjects WHERE kind = 'resident_id' "
                                     "ORDER BY code")]
    companies = [c for (c,) in sql(db, "SELECT code FROM subjects WHERE kind = 'uscc' "
                                       "ORDER BY code")]
    check(len(persons) >= 3 and len(companies) >= 200,
          "demo subjects: %d persons, %d companies" % (len(persons), len(companies)))
    pick = lambda xs, k: [xs[i * (len(xs) - 1) // (k - 1)] for i in range(k)]  # noqa: E731
    SRC.update(db=db, exc_code=exc_code, person=person,
               codes=sorted(set(pick(persons, 4) + pick(companies, 8) +
                                [rows[0]["code"], rows[1]["code"], exc_code, person])),
               names=[rows[1]["name"]], summary=summary)
    add_accounts(workdir, db, companies[len(companies) // 2])
    # An issued report (its number and digest are kept) and a trusted platform's key, so
    # that both tables of report verification have rows to copy.
    ok(["report", companies[0], "--db", db], workdir)
    trusted = os.path.join(workdir, "gz-keys.json")
    with open(trusted, "w", encoding="utf-8") as fh:
        json.dump({"issuer": "广州市公共信用信息共享平台", "url": "https://xy.gz.example",
                   "keys": [{"id": "x", "public_key": "ab" * 32,
                             "valid_from": "2025-01-01T00:00:00+08:00", "valid_until": None}]},
                  fh, ensure_ascii=False)
    ok(["keys", "trust", "--url-or-file", trusted, "--db", db], workdir)


# The first entries of the trail are dated years back, so that `audit prune` removes them
# and leaves an anchor.
OLD = "2021-03-01T09:00:00+08:00"
PASSWORD = "Kx9#mPq2vLw7"
SUBJECT_USER = "mig-subject"


def add_old_accounts(workdir, db):
    """Years ago, the platform's first entries: an auditor who never activated the
    account, a token long expired."""
    ok(["user", "add", "--db", db, "mig-auditor-2021", "--roles", "auditor",
        "--display-name", "审计员（2021）"], workdir, now=OLD)
    ok(["token", "issue", "--db", db, "--agency", AUTH_CODE, "--scopes", "subjects:read",
        "--note", "信用服务机构 \"旧\" 令牌"], workdir, now=OLD)


def add_accounts(workdir, db, subject_code):
    """Today: users, API tokens, authorizations and a pruned, signed audit trail, made
    with the CLI and the HTTP API as people make them."""
    key = os.path.join(workdir, "audit.key")
    keyenv = {"XINYONG_AUDIT_KEY": key}
    ok(["user", "add", "--db", db, "mig-admin", "--roles", "admin", "--password-stdin"],
       workdir, stdin=PASSWORD + "\n")
    ok(["user", "add", "--db", db, SUBJECT_USER, "--roles", "subject", "--subject",
        subject_code, "--display-name", "主体账号", "--password-stdin"], workdir,
       stdin=PASSWORD + "\n")
    r = ok(["token", "issue", "--db", db, "--dept", DEPT, "--scopes", "batches:write"],
           workdir)
    token = r.out.strip().splitlines()[-1]
    r = ok(["token", "issue", "--db", db, "--dept", DEPT, "--scopes", "batches:read"], workdir)
    revoked = r.out.strip().splitlines()[-1]
    revoked_id = json.loads(r.out.strip().splitlines()[0])["id"]
    ok(["token", "revoke", "--db", db, str(revoked_id)], workdir)
    with Server(db, workdir) as srv:
        auth = srv.login(SUBJECT_USER, PASSWORD)
        ids = []
        for purpose in ("贷款审批", "招投标资格审查"):
            status, _, doc = srv.request("POST", "/api/v1/me/authorizations",
                                         {"grantee": DEPT, "purpose": purpose,
                                          "expires": "90d"}, auth)
            eq(status, 201, "authorization granted (%r)" % doc)
            ids.append(doc["id"])
        status, _, doc = srv.request("DELETE", "/api/v1/me/authorizations/%d" % ids[0],
                                     None, auth)
        eq(status, 200, "authorization revoked (%r)" % doc)
    r = ok(["audit", "prune", "--db", db, "--years", "3"], workdir, env=keyenv)
    check(json.loads(r.out)["removed_to"] > 0, "the 2021 entries were pruned: %r" % r.out)
    ok(["audit", "checkpoint", "--db", db], workdir, env=keyenv)
    r = ok(["audit", "verify", "--db", db, "--key", key], workdir)
    check(json.loads(r.out)["intact"], "the source's trail verifies: %r" % r.out)
    for table, least in (("calendar_days", 100), ("depts", 8), ("users", 3), ("api_tokens", 3),
                         ("authorizations", 2),
                         ("audit_anchor", 1), ("audit_checkpoints", 1), ("audit_log", 5),
                         ("sessions", 1)):
        check(count(db, table) >= least, "the source has %d %s" % (count(db, table), table))
    SRC.update(audit_key=key, token=token, revoked_token=revoked, subject_code=subject_code)


# ---- per test ----------------------------------------------------------------------------

class Ctx:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="xy-mig-%s-" % name)
        self.pgs = []

    def close(self):
        try:
            for u in self.pgs:
                testdb.drop_db(u)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def pg(self):
        u = pg_new_db()
        self.pgs.append(u)
        return u

    def source_copy(self):
        p = self.path("source-copy.db")
        shutil.copyfile(SRC["db"], p)
        return p

    def run(self, args, **kw):
        return run(args, self.dir, **kw)

    def ok(self, args, **kw):
        return ok(args, self.dir, **kw)

    def migrate(self, src, dst, extra=(), expect=0):
        r = self.run(["migrate", "--from", src, "--to", dst] + list(extra))
        check(r.code == expect, "expected exit %d: %s; stdout %r" % (expect, r.describe(),
                                                                    r.out[-800:]))
        return r


def check_report(r, src, dst, copied=None, mode="copy"):
    """The report says verified and agrees with a direct look at both databases."""
    rep = r.json()
    eq(rep.get("verified"), True, "verified")
    eq(rep.get("mode"), mode, "mode")
    eq(list(rep.get("tables", {}).keys()), TABLES, "tables in copy order")
    for t in TABLES:
        x = rep["tables"][t]
        eq(x["match"], True, "%s match" % t)
        check(re.fullmatch(r"[0-9a-f]{64}", x["digest"]), "%s digest %r" % (t, x["digest"]))
        eq(x["rows"], count(src, t), "%s rows (source)" % t)
        eq(count(dst, t), x["rows"], "%s rows (target)" % t)
        if copied is not None:
            eq(x["copied"], copied[t], "%s copied" % t)
        check("target_rows" not in x, "%s: no target_rows when matching" % t)
    for t in TABLES:
        check(("xinyong: %s：" % t) in r.err, "a progress line for %s on stderr: %r"
              % (t, r.err[-800:]))
    return rep


def same_tables(a, b):
    """Every table holds the same rows on both sides, by a direct read."""
    for t in TABLES:
        ra, rb = sql(a, TABLE_SQL[t]), sql(b, TABLE_SQL[t])
        if ra != rb:
            diff = next((i for i in range(min(len(ra), len(rb))) if ra[i] != rb[i]), None)
            raise Fail("table %s differs: %d vs %d rows, first difference at %r: %r vs %r"
                       % (t, len(ra), len(rb), diff, ra[diff] if diff is not None else None,
                          rb[diff] if diff is not None else None))


SEARCH_KEYS = ["肇庆", "有限公司", "科技", "端州", "迁移测试", "𠀾𡈼", "贸易有限", "xyz不存在"]


def read_outputs(t, db):
    """The output of every read command, in a fixed order."""
    outs = []
    for code in SRC["codes"]:
        outs.append(("subject show " + code, t.ok(["subject", "show", "--db", db, code]).out))
    for k in SEARCH_KEYS + [SRC["codes"][0]]:
        outs.append(("search " + k, t.ok(["search", "--db", db, "--limit", "100", k]).out))
    outs.append(("catalog list", t.ok(["catalog", "list", "--db", db]).out))
    outs.append(("catalog show penalty", t.ok(["catalog", "show", "--db", db, "penalty"]).out))
    outs.append(("code exceptions list", t.ok(["code", "exceptions", "list", "--db", db]).out))
    outs.append(("code check", t.run(["code", "check", "--db", db, SRC["exc_code"],
                                      wrong_last(SRC["exc_code"])]).out))
    outs.append(("calendar status", t.ok(["calendar", "--db", db, "status"]).out))
    # Over the 2026 New Year (built in) and into 2027 (imported): both years came along.
    outs.append(("calendar add", t.ok(["calendar", "--db", db, "add", "2025-12-31", "1"]).out
                 + t.ok(["calendar", "--db", db, "add", "2027-02-05", "1"]).out))
    return outs


def same_outputs(t, a, b, ref=None):
    oa = ref if ref is not None else read_outputs(t, a)
    ob = read_outputs(t, b)
    for (what, x), (_, y) in zip(oa, ob):
        if x != y:
            i = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]), min(len(x), len(y)))
            raise Fail("`%s` differs between %s and %s at byte %d: %r vs %r"
                       % (what, a, b, i, x[max(0, i - 80):i + 80], y[max(0, i - 80):i + 80]))
    # the comparisons must have looked at real content
    check(any('"records"' in x for w, x in oa if w.startswith("subject show")),
          "subject show printed archives")
    check(sum(1 for w, x in oa if w.startswith("search") and '"count":0' not in
              x.replace(" ", "")) >= 5, "searches found subjects")
    check(("calendar add", "2026-01-04\n2027-02-06\n") in oa,
          "calendar add counted by the copied calendar")
    return oa


# ---- tests ---------------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def sqlite_to_postgresql(t):
    pg = t.pg()
    r = t.migrate(SRC["db"], pg)
    full = {x: count(SRC["db"], x) for x in TABLES}
    check_report(r, SRC["db"], pg, copied=full)
    note("sqlite -> postgresql, demo 300 subjects (%d subjects, %d records): %.2f s"
         % (full["subjects"], full["records"], r.seconds))
    same_tables(SRC["db"], pg)
    ref = same_outputs(t, SRC["db"], pg)
    SRC["outputs"] = ref
    # verify-only on the finished pair: nothing copied, still verified
    r = t.migrate(SRC["db"], pg, ["--verify-only"])
    check_report(r, SRC["db"], pg, copied={x: 0 for x in TABLES}, mode="verify")
    check("已复制" not in r.err, "verify-only copied nothing: %r" % r.err)
    # and the copy is idempotent: running it again copies nothing
    r = t.migrate(SRC["db"], pg)
    check_report(r, SRC["db"], pg, copied={x: 0 for x in TABLES})


@test
def postgresql_to_sqlite(t):
    pg = t.pg()
    t.migrate(SRC["db"], pg)
    back = t.path("back.db")
    r = t.migrate(pg, "sqlite:" + back)
    full = {x: count(SRC["db"], x) for x in TABLES}
    check_report(r, pg, back, copied=full)
    note("postgresql -> sqlite, demo 300 subjects: %.2f s" % r.seconds)
    same_tables(pg, back)
    same_tables(SRC["db"], back)
    ref = same_outputs(t, pg, back, ref=SRC.get("outputs"))
    same_outputs(t, SRC["db"], back, ref=ref)
    # the name search index of the new SQLite file was built (a name only found by it)
    res = json.loads(t.ok(["search", "--db", back, "--compact", SRC["names"][0][3:9]]).out)
    check(res["count"] >= 1, "search on the migrated SQLite file: %r" % res)


@test
def restart_after_kill(t):
    """A copy killed between pages leaves whole pages; running it again completes it."""
    pg = t.pg()
    args = [BIN, "migrate", "--from", SRC["db"], "--to", pg, "--page", "1"]
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=t.dir, env=base_env())
    seen = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = p.stderr.readline().decode("utf-8", "replace")
            if not line:
                break
            seen.append(line)
            if line.startswith("xinyong: subjects：已复制 5 行"):
                p.send_signal(signal.SIGKILL)
                break
    finally:
        if p.poll() is None:
            p.kill()
        rest = p.communicate(timeout=60)[1].decode("utf-8", "replace")
    err = "".join(seen) + rest
    sanitizer_check(args[1:], err)
    eq(p.returncode, -signal.SIGKILL, "the copy was killed (stderr %r)" % err[-600:])
    before = {x: count(pg, x) for x in TABLES}
    check(before["subjects"] >= 5, "5 pages of subjects were committed: %r" % before)
    check(before["records"] < count(SRC["db"], "records"),
          "the copy was killed before it ended: %r" % before)
    eq(before["catalog_categories"], count(SRC["db"], "catalog_categories"),
       "the catalog was copied before subjects")
    r = t.migrate(SRC["db"], pg, ["--page", "50"])  # many pages of records from SQLite
    copied = {x: count(SRC["db"], x) - before[x] for x in TABLES}
    check_report(r, SRC["db"], pg, copied=copied)
    same_tables(SRC["db"], pg)
    eq(sql(pg, "SELECT count(*) - count(DISTINCT id) FROM records")[0][0], 0,
       "no record id twice")
    eq(sql(pg, "SELECT count(*) - count(DISTINCT code) FROM subjects")[0][0], 0,
       "no subject twice")


@test
def restart_after_lost_tail(t):
    """A target that lacks the tail of several tables (a copy interrupted late, into
    SQLite) is completed by running the same command again."""
    pg = t.pg()
    t.migrate(SRC["db"], pg)
    back = t.path("back.db")
    t.migrate(pg, back)
    last_batch = sql(back, "SELECT max(id) FROM batches")[0][0]
    earlier_problems = sql(back, "SELECT count(*) FROM batch_problems WHERE batch_id <> %d"
                           % last_batch)[0][0]
    cut = {
        "records": ("DELETE FROM records WHERE id IN (SELECT id FROM records ORDER BY "
                    "subject_code DESC, category DESC, business_key DESC LIMIT 100)", 100),
        "subjects": ("DELETE FROM subjects WHERE code IN (SELECT code FROM subjects ORDER BY "
                     "code DESC LIMIT 40)", 40),
        "batch_problems": ("DELETE FROM batch_problems WHERE batch_id = %d" % last_batch,
                           count(back, "batch_problems") - earlier_problems),
        "batches": ("DELETE FROM batches WHERE id = %d" % last_batch, 1),
    }
    for table, (stmt, _) in cut.items():
        exec_sql(back, stmt)
    eq(count(back, "batch_problems"), earlier_problems, "the last batch's problems are gone")
    r = t.migrate(pg, back, ["--verify-only"], expect=1)
    check("migrate.mismatch" in r.err, "verify-only before the resume: %r" % r.err[-600:])
    r = t.migrate(pg, back, ["--page", "7"])
    copied = {x: 0 for x in TABLES}
    copied.update({table: n for table, (_, n) in cut.items()})
    check_report(r, pg, back, copied=copied)
    same_tables(SRC["db"], back)
    same_outputs(t, SRC["db"], back, ref=SRC.get("outputs"))


@test
def copy_error_then_resume(t):
    """A target that refuses a row stops the copy in `records` with exit 1 and a message
    that says to run again; once the cause is gone, running again completes it."""
    pg = t.pg()
    t.migrate(SRC["db"], pg, ["--verify-only"], expect=1)  # creates the schema only
    eq(count(pg, "subjects"), 0, "verify-only copied nothing")
    exec_sql(pg, "ALTER TABLE records ADD CONSTRAINT xy_test_refuse "
                 "CHECK (category <> 'dishonest_list')")
    r = t.migrate(SRC["db"], pg, ["--page", "100"], expect=1)
    check("store.error" in r.err and "records" in r.err and "再次运行同一命令" in r.err,
          "the error names the table and says to run again: %r" % r.err[-800:])
    rep = r.json()
    eq(rep["verified"], False, "verified")
    eq(rep["error"]["code"], "store.error", "error code in the report")
    after = TABLES[TABLES.index("records") + 1:]
    eq(list(rep["tables"].keys()), TABLES[:TABLES.index("records")],
       "tables done before the failure")
    for x in after:
        eq(count(pg, x), 0, "%s, after records, not reached" % x)
    partial = count(pg, "records")
    check(partial % 100 == 0 and partial < count(SRC["db"], "records"),
          "whole pages of records were kept: %d" % partial)
    exec_sql(pg, "ALTER TABLE records DROP CONSTRAINT xy_test_refuse")
    r = t.migrate(SRC["db"], pg)
    copied = {x: 0 for x in TABLES}
    copied["records"] = count(SRC["db"], "records") - partial
    copied.update({x: count(SRC["db"], x) for x in after})
    check_report(r, SRC["db"], pg, copied=copied)
    same_tables(SRC["db"], pg)


@test
def tampered_target_postgresql(t):
    pg = t.pg()
    t.migrate(SRC["db"], pg)
    exec_sql(pg, "UPDATE records SET data = substr(data, 1, length(data) - 1) || ',\"x\":\"1\"}' "
                 "WHERE id = (SELECT min(id) FROM records)")
    r = t.migrate(SRC["db"], pg, ["--verify-only"], expect=1)
    check("migrate.mismatch" in r.err and "records" in r.err,
          "stderr names the reason and the table: %r" % r.err[-800:])
    n = count(SRC["db"], "records")
    check(r.err.count(" %d 行" % n) >= 2, "both counts in the message: %r" % r.err[-800:])
    check(len(re.findall(r"[0-9a-f]{64}", r.err)) >= 2, "both digests in the message")
    rep = r.json()
    eq(rep["verified"], False, "verified")
    eq(rep["error"]["code"], "migrate.mismatch", "error code in the report")
    # The tampering UPDATE left the content it replaced in record_versions (the trigger
    # keeps every update, whoever makes it), so that table differs too.
    eq([x for x in TABLES if not rep["tables"][x]["match"]], ["records", "record_versions"],
       "mismatching tables")
    eq(rep["tables"]["record_versions"]["target_rows"],
       rep["tables"]["record_versions"]["rows"] + 1, "one version more on the target")
    x = rep["tables"]["records"]
    eq(x["target_rows"], x["rows"], "same counts")
    check(x["target_digest"] != x["digest"], "different digests")
    # the copy does not overwrite what the target holds: still a mismatch, exit 1
    r = t.migrate(SRC["db"], pg, expect=1)
    check("migrate.mismatch" in r.err and "records" in r.err, "copy on a tampered target: %r"
          % r.err[-600:])


@test
def tampered_target_sqlite(t):
    pg = t.pg()
    t.migrate(SRC["db"], pg)
    back = t.path("back.db")
    t.migrate(pg, back)
    exec_sql(back, "DELETE FROM batch_problems WHERE seq = (SELECT max(seq) FROM "
                   "batch_problems)")
    exec_sql(back, "UPDATE subjects SET name = name || '（变更）' WHERE code = '%s'"
             % SRC["codes"][0])
    r = t.migrate(pg, back, ["--verify-only"], expect=1)
    rep = r.json()
    eq([x for x in TABLES if not rep["tables"][x]["match"]], ["subjects", "batch_problems"],
       "mismatching tables")
    eq(rep["tables"]["batch_problems"]["target_rows"],
       rep["tables"]["batch_problems"]["rows"] - 1, "one problem fewer")
    check("subjects" in r.err and "batch_problems" in r.err, "both tables on stderr: %r"
          % r.err[-800:])


def audit_report(t, db):
    """`xinyong audit verify` with the source's key: exit 0 and intact."""
    rep = t.ok(["audit", "verify", "--db", db, "--key", SRC["audit_key"]]).json()
    eq(rep.get("intact"), True, "audit verify on %s (%r)" % (db, rep))
    return rep


def accounts_moved(t, src, dst):
    """dst, just copied from src, shows the same accounts and audit trail, and takes new
    users, tokens, authorizations and audit entries after the copied ones; the copied
    passwords and tokens work there.  Changes dst, never src."""
    a, b = audit_report(t, src), audit_report(t, dst)
    for k in ("entries", "anchor", "head", "checkpoints"):
        eq(b[k], a[k], "audit verify: %s on the target" % k)
    check(b["anchor"]["seq"] > 0 and b["checkpoints"] >= 1,
          "the trail was pruned and signed: %r" % b)
    for args in (["user", "list", "--json"], ["token", "list", "--json"]):
        eq(t.ok(args + ["--db", dst]).out, t.ok(args + ["--db", src]).out,
           "`xinyong %s` on both sides" % " ".join(args))
    check(count(src, "sessions") >= 1, "the source has a login session")
    eq(count(dst, "sessions"), 0, "sessions are not copied")

    def max_id(table):
        return sql(src, "SELECT max(id) FROM %s" % table)[0][0]

    # The chain goes on from the copied head, and ids after the copied ones.
    head = b["head"]
    name = "mig-after-%s" % ("postgresql" if testdb.is_url(dst) else "sqlite")
    t.ok(["user", "add", "--db", dst, name, "--roles", "auditor"])
    eq(sql(dst, "SELECT id FROM users WHERE name = ?", (name,)), [(max_id("users") + 1,)],
       "the new user's id")
    eq(sql(dst, "SELECT seq, action, prev_hash FROM audit_log WHERE seq > ? ORDER BY seq",
           (head["seq"],)), [(head["seq"] + 1, "user.add", head["hash"])],
       "the new audit entry follows the copied head")
    r = t.ok(["token", "issue", "--db", dst, "--dept", DEPT, "--scopes", "batches:read"])
    eq(json.loads(r.out.splitlines()[0])["id"], max_id("api_tokens") + 1, "the new token's id")
    code = SRC["subject_code"]
    granted = sql(src, "SELECT id, revoked_at FROM authorizations WHERE subject_code = ? "
                       "ORDER BY id DESC", (code,))
    with Server(dst, t.dir) as srv:
        # The password hash came along: the same password logs in (a new session).
        auth = srv.login(SUBJECT_USER, PASSWORD)
        status, _, doc = srv.request("GET", "/api/v1/me/authorizations", None, auth)
        eq(status, 200, "the subject's authorizations (%r)" % doc)
        eq([(x["id"], x["revoked_at"] or "") for x in doc["authorizations"]], granted,
           "the subject's authorizations on the target")
        status, _, doc = srv.request("POST", "/api/v1/me/authorizations",
                                     {"grantee": DEPT, "purpose": "迁移后新增授权"}, auth)
        eq(status, 201, "a new authorization (%r)" % doc)
        eq(doc["id"], max_id("authorizations") + 1, "the new authorization's id")
        # The token hashes came along: the token in force works, the revoked one not.
        status, _, doc = srv.request("GET", "/api/v1/me", None,
                                     {"Authorization": "Bearer " + SRC["token"]})
        eq((status, doc.get("kind")), (200, "token"), "the copied token (%r)" % doc)
        status, _, doc = srv.request("GET", "/api/v1/me", None,
                                     {"Authorization": "Bearer " + SRC["revoked_token"]})
        eq(status, 401, "the copied revoked token (%r)" % doc)
    c = audit_report(t, dst)
    check(c["head"]["seq"] >= head["seq"] + 4, "the target's trail grew: %r" % c)
    eq(c["anchor"], b["anchor"], "the anchor on the target")
    # and is signed on with the same key
    t.ok(["audit", "checkpoint", "--db", dst], env={"XINYONG_AUDIT_KEY": SRC["audit_key"]})
    eq(audit_report(t, dst)["checkpoints"], b["checkpoints"] + 1, "checkpoints on the target")


@test
def accounts_and_audit_trail(t):
    """Users, API tokens, authorizations and the audit trail (anchor, entries, checkpoints)
    move SQLite -> PostgreSQL -> SQLite with their ids, hashes and times: `audit verify`
    passes on each target with the source's key, and the chain, the ids and the logins go
    on there.  Login sessions stay behind."""
    pg = t.pg()
    r = t.migrate(SRC["db"], pg)
    check_report(r, SRC["db"], pg)
    same_tables(SRC["db"], pg)
    accounts_moved(t, SRC["db"], pg)
    back = t.path("back.db")
    r = t.migrate(pg, back)
    check_report(r, pg, back)
    same_tables(pg, back)
    accounts_moved(t, pg, back)


def table_columns(db):
    """{table: set of columns} of the platform's schema on either backend."""
    if testdb.is_url(db):
        q = ("SELECT table_name, column_name FROM information_schema.columns "
             "WHERE table_schema = 'public'")
    else:
        q = ("SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
             "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
             "AND m.name NOT LIKE 'subjects\\_fts%' ESCAPE '\\'")
    out = {}
    for table, col in sql(db, q):
        out.setdefault(table, set()).add(col)
    return out


@test
def every_table_is_copied(t):
    """Every table and column of both schemas is copied (and compared by these tests),
    except what NOT_COPIED and NOT_COPIED_COLUMNS leave behind on purpose: a table added
    by a later schema migration fails here until `xinyong migrate` copies it."""
    pg = t.pg()
    t.migrate(SRC["db"], pg)
    for db in (SRC["db"], pg):
        schema = table_columns(db)
        own = ONLY_SQLITE if not testdb.is_url(db) else set()
        eq(sorted(schema), sorted(TABLES + list(NOT_COPIED) + list(own)),
           "the tables of %s" % db)
        for table in TABLES:
            m = re.match(r"SELECT (.*?) FROM ", TABLE_SQL[table])
            compared = {c.strip() for c in m.group(1).split(",")}
            eq(sorted(schema[table] - {c for x, c in NOT_COPIED_COLUMNS if x == table}),
               sorted(compared), "the columns of %s on %s" % (table, db))


def ingest_after_migration(t, db, rows, source):
    """Ingests rows into db, migrated from `source`: the batch, its records and its
    problems are numbered after the source's."""
    max_batch = sql(source, "SELECT max(id) FROM batches")[0][0]
    max_record = sql(source, "SELECT max(id) FROM records")[0][0]
    max_seq = sql(source, "SELECT max(seq) FROM batch_problems")[0][0]
    f = t.path("new-%d.csv" % len(t.pgs))
    with open(f, "wb") as fh:
        fh.write(csv_bytes(rows))
    r = t.ok(["ingest", "--db", db, "--category", "penalty", "--dept", DEPT, f])
    s = json.loads(r.out.strip().splitlines()[-1])
    eq(s["batch"], max_batch + 1, "new batch id on %s" % db)
    eq((s["accepted"], s["rejected"]), (len(rows) - 1, 1), "summary %r" % s)
    ids = [i for (i,) in sql(db, "SELECT id FROM records WHERE batch_id = ?", (s["batch"],))]
    eq(len(ids), s["accepted"], "records of the new batch")
    check(min(ids) > max_record, "new record ids %r after %d" % (ids, max_record))
    seqs = [q for (q,) in sql(db, "SELECT seq FROM batch_problems WHERE batch_id = ?",
                              (s["batch"],))]
    check(seqs and min(seqs) > max_seq, "new problem seqs %r after %d" % (seqs, max_seq))
    eq(sql(db, "SELECT count(*) - count(DISTINCT id) FROM records")[0][0], 0,
       "record ids unique")
    eq(count(db, "batches"), count(source, "batches") + 1, "one batch more")


@test
def new_writes_get_fresh_ids(t):
    pg = t.pg()
    t.migrate(SRC["db"], pg)
    rows = [pen_row(name="肇庆市迁移后新增%d号有限公司" % i) for i in range(3)]
    rows.append(pen_row(date="2026-12-24"))  # date.future: a problem row
    ingest_after_migration(t, pg, rows, SRC["db"])
    res = json.loads(t.ok(["search", "--db", pg, "--compact", "迁移后新增"]).out)
    eq(res["count"], 3, "the new subjects are found on PostgreSQL")
    # and back: PostgreSQL (one batch more now) to a new SQLite file, then a new batch
    back = t.path("back.db")
    t.migrate(pg, back)
    rows = [pen_row(name="肇庆市回迁后新增%d号有限公司" % i) for i in range(2)]
    rows.append(pen_row(fine="-1"))  # money.invalid
    ingest_after_migration(t, back, rows, pg)
    res = json.loads(t.ok(["search", "--db", back, "--compact", "新增"]).out)
    eq(res["count"], 5, "old and new subjects are found on SQLite")


@test
def large_tables_span_pages(t):
    """Tables larger than a page, both ways: the copy reads the source in many keyset
    pages (records have a three-column key) and the sums read more than one page of
    5000 rows."""
    src = t.path("large.db")
    t.ok(["demo", "--db", src, "--subjects", "2200", "--seed", "7"])
    n = count(src, "records")
    check(n > 5000, "the demo gives more than 5000 records (%d)" % n)
    pg = t.pg()
    r = t.migrate(src, pg, ["--page", "700"])
    check_report(r, src, pg, copied={x: count(src, x) for x in TABLES})
    note("sqlite -> postgresql, demo 2200 subjects (%d subjects, %d records), pages of 700: "
         "%.2f s" % (count(src, "subjects"), n, r.seconds))
    same_tables(src, pg)
    back = t.path("back.db")
    r = t.migrate(pg, back, ["--page", "700"])
    check_report(r, pg, back, copied={x: count(src, x) for x in TABLES})
    note("postgresql -> sqlite, the same: %.2f s" % r.seconds)
    same_tables(src, back)
    r = t.migrate(src, back, ["--verify-only"])
    check_report(r, src, back, copied={x: 0 for x in TABLES}, mode="verify")


@test
def same_location_refused(t):
    src = t.source_copy()
    before = sql(src, TABLE_SQL["records"])
    rel = os.path.basename(src)
    for a, b in ((src, src), (src, "sqlite:" + src), (rel, "./" + rel),
                 ("sqlite://" + src, src)):
        r = t.migrate(a, b, expect=2)
        check("migrate.same_location" in r.err, "%s -> %s: %r" % (a, b, r.err))
        eq(r.out, "", "no report on stdout")
    pg = t.pg()
    t.migrate(src, pg)
    for a, b in ((pg, pg), (pg, pg.replace("postgresql://", "postgres://"))):
        r = t.migrate(a, b, ["--verify-only"], expect=2)
        check("migrate.same_location" in r.err, "%s -> %s: %r" % (a, b, r.err))
    eq(sql(src, TABLE_SQL["records"]), before, "the source is unchanged")


@test
def target_not_empty_is_reported(t):
    """A target set up with `init` on another day holds other catalog timestamps: the
    copy stops at the catalog, before subjects, and says why."""
    pg = t.pg()
    t.ok(["init", "--db", pg], now="2026-11-01T09:00:00+08:00")
    r = t.migrate(SRC["db"], pg, expect=1)
    check("migrate.mismatch" in r.err and "catalog_categories" in r.err,
          "stderr: %r" % r.err[-800:])
    check("空库" in r.err, "the message says the target must be empty: %r" % r.err[-600:])
    rep = r.json()
    eq(rep["verified"], False, "verified")
    eq(list(rep["tables"].keys()), ["catalog_categories"], "stopped at the first table")
    eq(count(pg, "subjects"), 0, "no subject copied")


@test
def usage_errors(t):
    missing = t.path("missing.db")
    for src in (missing, "sqlite:" + missing):
        r = t.migrate(src, t.path("x.db"), expect=2)
        check("不存在" in r.err, "a missing source is named: %r" % r.err)
        check(not os.path.exists(missing), "the missing source was not created")
        check(not os.path.exists(t.path("x.db")), "the target was not created")
    r = t.migrate(SRC["db"], missing, ["--verify-only"], expect=2)
    check("不存在" in r.err, "a missing target of --verify-only is named: %r" % r.err)
    check(not os.path.exists(missing), "verify-only did not create the target")
    for args in (["migrate"], ["migrate", "--from", SRC["db"]], ["migrate", "--to", "x.db"],
                 ["migrate", "--from", SRC["db"], "--to", "x.db", "--page", "0"],
                 ["migrate", "--from", SRC["db"], "--to", "x.db", "--page", "abc"],
                 ["migrate", "--from", SRC["db"], "--to", "x.db", "extra"]):
        r = t.run(args)
        eq(r.code, 2, "exit status of %r" % args)
    r = t.ok(["migrate", "--help"])
    check("--verify-only" in r.out, "help: %r" % r.out)
    r = t.ok(["--help"])
    check("migrate" in r.out, "migrate in the command list")


def main():
    if not os.access(BIN, os.X_OK):
        print("FAIL - setup: %s is not executable" % BIN)
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="xy-mig-src-")
    passed = failed = 0
    try:
        try:
            note("postgresql: %s" % testdb.use_server(ROOT))
            t0 = time.monotonic()
            build_source(work)
            note("source: %s subjects, %s records, %s problems (built in %.1f s)"
                 % (count(SRC["db"], "subjects"), count(SRC["db"], "records"),
                    count(SRC["db"], "batch_problems"), time.monotonic() - t0))
        except Exception as ex:
            print("FAIL - setup: %s" % " | ".join(str(ex).splitlines()[-6:]))
            print("0 passed, 1 failed")
            return 1
        only = os.environ.get("XY_TEST_ONLY")
        for fn in TESTS:
            if only and fn.__name__ not in only.split(","):
                continue
            t = None
            try:
                t = Ctx(fn.__name__)
                fn(t)
            except Fail as ex:
                failed += 1
                print("FAIL - %s: %s" % (fn.__name__, ex))
            except subprocess.TimeoutExpired as ex:
                failed += 1
                print("FAIL - %s: timeout: %s" % (fn.__name__, ex))
            except Exception:
                failed += 1
                tb = traceback.format_exc().strip().splitlines()
                print("FAIL - %s: %s" % (fn.__name__, " | ".join(tb[-4:])))
            else:
                passed += 1
                print("ok - %s" % fn.__name__)
            finally:
                if t is not None:
                    try:
                        t.close()
                    except Exception as ex:
                        failed += 1
                        print("FAIL - %s: cleanup: %s" % (fn.__name__, ex))
            sys.stdout.flush()
        try:
            left = testdb.leftover_dbs(DB_PREFIX)
        except Exception as ex:
            left = ["(could not list: %s)" % ex]
        if left:
            failed += 1
            print("FAIL - cleanup: databases left on the server: %s" % " ".join(left))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
