#!/usr/bin/env python3
"""Black-box tests of the real `xinyong` binary on real files and real databases, SQLite
or PostgreSQL.

usage: python3 tests/integration/test_cli.py /path/to/xinyong /path/to/source_root

Every test is a plain function; each prints `ok - name` or `FAIL - name: reason`, and the
run ends with `N passed, M failed` (exit status 1 when any failed).  Every command runs
with XINYONG_NOW=2026-11-20T10:00:00+08:00 unless a test says otherwise, in a fresh
temporary directory with a fresh database.  Sanitizer reports on stderr fail the test.

Backends: by default each test's database is a new SQLite file.  With
XINYONG_TEST_PG=postgresql://USER@HOST:PORT/DB (a server such as tests/pg/server.sh
starts) each test gets a new PostgreSQL database on that server instead, passed to
`--db` as its URL and dropped when the test ends; tests/run_all.sh runs the suite both
ways.  The tests read the database directly only through testdb.sql_rows (tests/pg/),
in SQL both dialects accept, and expect the same output from both backends.  A test
that only makes sense for one backend says so: `ok - name # skip sqlite only: why`.

Codes are computed here from the standards (GB 32100-2015, GB 11714, GB 11643-1999), so
no expected value is copied from the program's output.
"""

import csv
import io
import hashlib
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in tests/pg
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import testdb  # noqa: E402  (tests/pg/testdb.py: the database on either backend)

if len(sys.argv) != 3:
    sys.stderr.write("usage: test_cli.py /path/to/xinyong /path/to/source_root\n")
    sys.exit(2)

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
NOW = "2026-11-20T10:00:00+08:00"
TODAY = "2026-11-20"
SANITIZER_MARKERS = ("runtime error", "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer")


class Fail(Exception):
    pass


class Skip(Exception):
    """Raised by a test that does not apply to the backend under test."""


def sqlite_only(why):
    if testdb.PG_BASE:
        raise Skip("sqlite only: " + why)


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def eq(actual, expected, what):
    if actual != expected:
        raise Fail("%s: expected %r, got %r" % (what, expected, actual))


# ---- codes, computed from the standards ------------------------------------------------

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


def make_uscc(prefix2, division, org8, bad_org=False):
    """A USCC with a correct position-18 check; position 17 correct unless bad_org."""
    oc = org_check_char(org8)
    if bad_org:
        oc = "0" if oc != "0" else "1"
    first17 = prefix2 + division + org8 + oc
    assert len(first17) == 17
    return first17 + uscc_check_char(first17)


def uscc_valid(code):
    return (len(code) == 18 and all(c in USCC_CHARSET for c in code)
            and uscc_check_char(code[:17]) == code[17])


def wrong_last(code):
    """The same code with a wrong (but allowed) check character."""
    good = code[17]
    for c in USCC_CHARSET:
        if c != good:
            return code[:17] + c
    raise AssertionError


def id_check_char(first17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w[i] for i, c in enumerate(first17)) % 11]


def make_id(division, birth, seq):
    first17 = division + birth + seq
    return first17 + id_check_char(first17)


# The submitting department (a government organ in Zhaoqing, city level) and the
# authorities used in rows (county level, so that every division is in data/regions).
DEPT = make_uscc("11", "441200", "MB2C1234")
AUTH_CODE = make_uscc("11", "441202", "MB2C9876")
SRC_CODE = make_uscc("11", "441202", "MB2C5432")
KNOWN_EXCEPTION = "91350100M0001TGQXM"

# ---- penalty and licence layouts (national 双公示 column names) -------------------------

PEN = [
    ("name", "行政相对人名称"),
    ("type", "行政相对人类别"),
    ("code", "行政相对人代码_1(统一社会信用代码)"),
    ("rep", "法定代表人"),
    ("idtype", "证件类型"),
    ("idno", "证件号码"),
    ("no", "行政处罚决定书文号"),
    ("vtype", "违法行为类型"),
    ("facts", "违法事实"),
    ("basis", "处罚依据"),
    ("ptype", "处罚类别"),
    ("content", "处罚内容"),
    ("fine", "罚款金额(万元)"),
    ("conf", "没收违法所得、没收非法财物的金额(万元)"),
    ("date", "处罚决定日期"),
    ("pubend", "公示截止期"),
    ("auth", "处罚机关"),
    ("authcode", "处罚机关统一社会信用代码"),
    ("src", "数据来源单位"),
    ("srccode", "数据来源单位统一社会信用代码"),
    ("remark", "备注"),
]
PEN_COL = dict(PEN)

LIC = [
    ("name", "行政相对人名称"),
    ("type", "行政相对人类别"),
    ("code", "行政相对人代码_1(统一社会信用代码)"),
    ("rep", "法定代表人"),
    ("docname", "行政许可决定文书名称"),
    ("no", "行政许可决定文书号"),
    ("ltype", "许可类别"),
    ("certname", "许可证书名称"),
    ("licno", "许可编号"),
    ("content", "许可内容"),
    ("date", "许可决定日期"),
    ("vfrom", "有效期自"),
    ("vto", "有效期至"),
    ("auth", "许可机关"),
    ("authcode", "许可机关统一社会信用代码"),
    ("status", "当前状态"),
    ("src", "数据来源单位"),
    ("srccode", "数据来源单位统一社会信用代码"),
]
LIC_COL = dict(LIC)

_serial = [0]


def next_n():
    _serial[0] += 1
    return _serial[0]


def company_code(n, division="441202", bad_org=False):
    return make_uscc("91", division, "MA%06d" % n, bad_org=bad_org)


def pen_row(**kw):
    """A valid penalty row of a company (unique code and decision number)."""
    n = next_n()
    row = {
        "name": "肇庆市测试%d号贸易有限公司" % n,
        "type": "法人及非法人组织",
        "code": company_code(n),
        "rep": "陈志强",
        "idtype": "",
        "idno": "",
        "no": "肇市监罚〔2025〕%d号" % n,
        "vtype": "销售不符合食品安全标准的食品",
        "facts": "经查，当事人销售不符合食品安全标准的食品。",
        "basis": "《中华人民共和国食品安全法》第一百二十四条",
        "ptype": "警告;罚款",
        "content": "警告，并处罚款",
        "fine": "0.2",
        "conf": "",
        "date": "2025-06-15",
        "pubend": "",
        "auth": "肇庆市市场监督管理局",
        "authcode": AUTH_CODE,
        "src": "肇庆市市场监督管理局",
        "srccode": SRC_CODE,
        "remark": "",
    }
    row.update(kw)
    return row


def person_pen_row(**kw):
    n = next_n()
    row = pen_row(name="陈测试%d" % n, type="自然人", code="", rep="", idtype="身份证",
                  idno=make_id("441202", "19850612", "%03d" % (n % 1000)),
                  no="肇市监罚〔2025〕P%d号" % n)
    row.update(kw)
    return row


def lic_row(**kw):
    n = next_n()
    row = {
        "name": "肇庆市许可%d号科技有限公司" % n,
        "type": "法人及非法人组织",
        "code": company_code(n),
        "rep": "李伟",
        "docname": "食品经营许可决定书",
        "no": "肇市监许〔2024〕%d号" % n,
        "ltype": "普通",
        "certname": "食品经营许可证",
        "licno": "JY%08d" % n,
        "content": "准予食品经营许可",
        "date": "2024-05-01",
        "vfrom": "2024-05-01",
        "vto": "2099-12-31",
        "auth": "肇庆市市场监督管理局",
        "authcode": AUTH_CODE,
        "status": "有效",
        "src": "肇庆市市场监督管理局",
        "srccode": SRC_CODE,
    }
    row.update(kw)
    return row


def csv_bytes(rows, layout=PEN, header=None, encoding="utf-8", bom=False, newline="\r\n"):
    """rows: dicts by short key; header: column names to write instead of the layout's."""
    keys = [k for k, _ in layout]
    names = header if header is not None else [n for _, n in layout]
    sio = io.StringIO()
    w = csv.writer(sio, lineterminator=newline)
    w.writerow(names)
    for r in rows:
        w.writerow([r.get(k, "") for k in keys])
    data = sio.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def json_objects(rows, layout=PEN, omit_empty=False):
    out = []
    for r in rows:
        o = {}
        for k, name in layout:
            v = r.get(k, "")
            if v == "" and omit_empty:
                continue
            o[name] = v
        out.append(o)
    return out


# ---- running the binary ------------------------------------------------------------------

class Result:
    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as ex:
            raise Fail("`%s` printed no JSON document (%s): %r" % (" ".join(self.args), ex,
                                                                   self.out[:500]))

    def json_lines(self):
        out = []
        for line in self.out.splitlines():
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    raise Fail("`%s` printed a line that is not JSON: %r"
                               % (" ".join(self.args), line[:300]))
        return out

    def describe(self):
        return "`xinyong %s` exit %d, stderr %r" % (" ".join(self.args), self.code,
                                                    self.err[:600])


def base_env(now):
    env = dict(os.environ)
    env.pop("XINYONG_DB", None)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if now is None:
        env.pop("XINYONG_NOW", None)
    else:
        env["XINYONG_NOW"] = now
    return env


def sanitizer_check(args, err):
    for m in SANITIZER_MARKERS:
        if m in err:
            i = err.find(m)
            raise Fail("sanitizer report (%s) from `xinyong %s`: %s"
                       % (m, " ".join(args), err[max(0, i - 200):i + 1500]))


class Ctx:
    """A fresh temporary directory and database (a SQLite file in it, or a PostgreSQL
    database when XINYONG_TEST_PG is set) for one test."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="xy-integ-%s-" % name)
        self.db = None
        try:
            self.db = testdb.new_db(self.dir, "xy_t")
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.pg = testdb.is_url(self.db)

    def close(self):
        try:
            testdb.drop_db(self.db)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return p

    def run(self, args, stdin=None, now=NOW, timeout=900):
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        p = subprocess.run([BIN] + args, input=stdin if stdin is not None else b"",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.dir,
                           env=base_env(now), timeout=timeout)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        sanitizer_check(args, err)
        return Result(args, p.returncode, out, err)

    def ok(self, args, **kw):
        r = self.run(args, **kw)
        check(r.code == 0, "expected exit 0: " + r.describe())
        return r

    def init(self):
        r = self.ok(["init", "--db", self.db])
        if not self.pg:
            check(os.path.exists(self.db), "init did not create %s" % self.db)
        return r

    def ingest(self, files, category="penalty", dept=DEPT, rejects=True, now=NOW,
               extra=(), expect=0):
        """Returns (result, summaries, rejects rows as dicts or None)."""
        if isinstance(files, str):
            files = [files]
        args = ["ingest", "--db", self.db, "--category", category, "--dept", dept]
        rej = None
        if rejects:
            rej = self.path("rejects-%d.csv" % next_n())
            args += ["--rejects", rej]
        args += list(extra) + list(files)
        r = self.run(args, now=now)
        check(r.code == expect, "expected exit %d: %s; stdout %r" % (expect, r.describe(),
                                                                    r.out[:400]))
        sums = r.json_lines()
        rows = read_rejects(rej) if rej and os.path.exists(rej) else None
        return r, sums, rows

    def ingest_one(self, path, **kw):
        r, sums, rows = self.ingest(path, **kw)
        eq(len(sums), 1, "summary lines for one file")
        check_summary_shape(sums[0])
        return sums[0], rows

    def show(self, code, now=NOW):
        r = self.run(["subject", "show", "--db", self.db, code], now=now)
        check(r.code == 0, "subject show %s: %s" % (code, r.describe()))
        return r.json()

    def search(self, text, limit=None, now=NOW):
        args = ["search", "--db", self.db]
        if limit:
            args += ["--limit", str(limit)]
        r = self.run(args + [text], now=now)
        check(r.code == 0, "search %r: %s" % (text, r.describe()))
        return r.json()

    def sql(self, query, params=(), text_as_bytes=False):
        return testdb.sql_rows(self.db, query, params, text_as_bytes=text_as_bytes)

    def count(self, table, where="", params=()):
        return self.sql("SELECT count(*) FROM %s %s" % (table, where), params)[0][0]


SUMMARY_KEYS = {"batch", "rows", "accepted", "duplicates", "rejected", "warnings"}


def check_summary_shape(s):
    check(isinstance(s, dict), "summary is not an object: %r" % (s,))
    eq(set(s.keys()), SUMMARY_KEYS, "summary keys")
    for k in SUMMARY_KEYS:
        check(isinstance(s[k], int), "summary %s is not an integer: %r" % (k, s))
    eq(s["accepted"] + s["duplicates"] + s["rejected"], s["rows"],
       "accepted + duplicates + rejected vs rows in %r" % (s,))


def expect_counts(s, rows, accepted, duplicates=0, rejected=0, warnings=None):
    got = {k: s[k] for k in ("rows", "accepted", "duplicates", "rejected")}
    want = {"rows": rows, "accepted": accepted, "duplicates": duplicates, "rejected": rejected}
    if warnings is not None:
        got["warnings"] = s["warnings"]
        want["warnings"] = warnings
    eq(got, want, "summary counts")


def read_rejects(path):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    first = text.split("\n", 1)[0].rstrip("\r")
    eq(first, "row,field,reason,message", "rejects header line")
    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        check(r["row"].isdigit(), "rejects row number is not a number: %r" % (r,))
        check(r["reason"], "rejects line without a reason: %r" % (r,))
        check(r["message"], "rejects line without a message: %r" % (r,))
    return rows


def rejects_by_row(rows):
    out = {}
    for r in rows:
        out.setdefault(int(r["row"]), set()).add((r["field"], r["reason"]))
    return out


def records(show, category):
    for g in show.get("categories", []):
        if g.get("category") == category:
            return g["records"]
    return []


def one_record(show, category):
    recs = records(show, category)
    eq(len(recs), 1, "records of %s under %s" % (show.get("subject", {}).get("code"),
                                                 category))
    return recs[0]


# ---- tests ---------------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def stop_serve(proc):
    """Stops a `xinyong serve` started with pipes as an operator would (SIGINT) and returns
    its stderr."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stdout.close()
    proc.stderr.close()
    return err


def mode_of(path):
    return os.stat(path).st_mode & 0o777


def wait_for(pred, seconds, what):
    deadline = time.monotonic() + seconds
    while not pred():
        check(time.monotonic() < deadline, "timed out waiting for %s" % what)
        time.sleep(0.05)


@test
def files_are_private(t):
    """The database and its -wal/-shm, the audit key, rejects files and upload spool files
    are created mode 0600 even under a permissive umask: they hold ID numbers, password
    hashes and the key that signs the trail."""
    old_umask = os.umask(0o022)
    try:
        files_are_private_under_umask(t)
    finally:
        os.umask(old_umask)


def files_are_private_under_umask(t):
    t.init()
    if not t.pg:
        eq(oct(mode_of(t.db)), oct(0o600), "mode of the new database")
    bad = t.write("bad.csv", csv_bytes([pen_row(code=wrong_last(company_code(next_n())))]))
    rej = t.path("rejects-private.csv")
    with open(rej, "w") as f:
        f.write("left over\n")
    os.chmod(rej, 0o644)
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT,
               "--rejects", rej, bad])
    check(r.code in (0, 1), "ingest: " + r.describe())
    eq(oct(mode_of(rej)), oct(0o600), "mode of the rejects file")
    check("left over" not in open(rej, encoding="utf-8").read(), "the old rejects stayed")
    token = t.ok(["token", "issue", "--db", t.db, "--dept", DEPT, "--scopes",
                  "batches:write"]).out.strip().splitlines()[-1]
    key = t.path("audit.key")
    spool = t.path("tmp")
    os.mkdir(spool)
    env = dict(base_env(NOW), TMPDIR=spool)
    proc = subprocess.Popen([BIN, "serve", "--db", t.db, "--listen", "127.0.0.1:0", "--web",
                             os.path.join(ROOT, "web"), "--audit-key", key,
                             "--checkpoint-every", "1"], cwd=t.dir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sock = None
    try:
        line = proc.stdout.readline().decode()
        port = int(line.split("127.0.0.1:")[1].split()[0].rstrip("/"))
        wait_for(lambda: os.path.exists(key), 20, "the audit key")
        eq(oct(mode_of(key)), oct(0o600), "mode of the audit key serve created")
        if not t.pg:
            for suffix in ("-wal", "-shm"):
                check(os.path.exists(t.db + suffix), "no %s%s while serving" % (t.db, suffix))
                eq(oct(mode_of(t.db + suffix)), oct(0o600), "mode of the database's " + suffix)
        # An upload half sent: its spool file is there, and private.
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(("POST /api/v1/batches?category=penalty&dept=%s&name=x.csv HTTP/1.1\r\n"
                      "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: text/csv\r\nContent-Length: 100000\r\n\r\n"
                      % (DEPT, token)).encode() + b"x" * 5000)
        # The server spools into a directory of its own under TMPDIR (src/http/spool.c).
        def spooled():
            return [os.path.join(d, n) for d, _, names in os.walk(spool) for n in names
                    if n.startswith("upload-")]
        wait_for(spooled, 20, "the upload's spool file")
        for f in spooled():
            eq(oct(mode_of(f)), oct(0o600), "mode of spool file " + f)
            eq(oct(mode_of(os.path.dirname(f))), oct(0o700), "mode of the spool directory")
    finally:
        if sock:
            sock.close()
        err = stop_serve(proc)
    sanitizer_check(["serve"], err)


BUILTIN = ["abnormal_list", "dishonest_list", "license", "penalty", "registration",
           "social_insurance_arrears", "utility_payment"]


@test
def init_creates_database(t):
    r = t.init()
    check(t.db in r.out or os.path.basename(t.db) in r.out,
          "init does not name the database: %r" % r.out)
    for name in ("subjects", "records", "batches", "batch_problems", "catalog_categories",
                 "code_exceptions"):
        try:
            t.count(name)
        except Exception as ex:  # sqlite3.Error or psql's error
            raise Fail("table %s missing after init: %s" % (name, ex))
    eq(t.count("records"), 0, "records after init")
    # init on an existing database keeps it usable (idempotent)
    t.init()
    eq(sorted(x[0] for x in t.sql("SELECT id FROM catalog_categories")), BUILTIN,
       "categories stored after a second init")


@test
def catalog_list_and_show(t):
    t.init()
    r = t.ok(["catalog", "list", "--db", t.db])
    lines = r.json_lines()
    eq([c.get("id") for c in lines], BUILTIN, "catalog list ids (sorted by id)")
    for c in lines:
        for k in ("id", "name", "group", "nature", "disclosure", "fields"):
            check(k in c, "catalog list entry lacks %s: %r" % (k, c))
    with open(os.path.join(ROOT, "data", "catalog", "penalty.json"), encoding="utf-8") as f:
        src = json.load(f)
    r = t.ok(["catalog", "show", "penalty", "--db", t.db])
    doc = r.json()
    eq(doc.get("id"), "penalty", "catalog show id")
    check(isinstance(doc.get("fields"), list) and doc["fields"], "catalog show has no fields")
    eq([f["id"] for f in doc["fields"]], [f["id"] for f in src["fields"]],
       "penalty field ids vs data/catalog/penalty.json")
    eq([f["name"] for f in doc["fields"]], [f["name"] for f in src["fields"]],
       "penalty field names")
    pen = [c for c in lines if c["id"] == "penalty"][0]
    eq(pen["name"], src["name"], "penalty name in list")
    eq(pen["nature"], "negative", "penalty nature")
    eq(pen["disclosure"], "public", "penalty disclosure")
    # One built-in category of each non-public disclosure level.
    eq({c["id"]: c["disclosure"] for c in lines if c["disclosure"] != "public"},
       {"social_insurance_arrears": "shared", "utility_payment": "authorized"},
       "non-public built-in categories")
    r = t.run(["catalog", "show", "no_such_category", "--db", t.db])
    eq(r.code, 2, "exit status of catalog show of an unknown category")
    check("catalog.unknown_category" in r.err, "stderr lacks catalog.unknown_category: %r"
          % r.err)


def tax_category():
    return {
        "id": "tax_arrears",
        "name": "欠税公告信息",
        "group": "其他",
        "nature": "negative",
        "disclosure": "public",
        "description": "税务机关公告的欠税信息（测试用）。",
        "subject": {"name": "name", "code": "code", "default_type": "法人及非法人组织"},
        "key": ["notice_no"],
        "decision_date": "announced_on",
        "publicity": {"start": "announced_on", "max_months": 12},
        "fields": [
            {"id": "name", "name": "纳税人名称", "aliases": ["NSRMC"], "type": "text",
             "required": True, "max": 200, "nfkc": True},
            {"id": "code", "name": "纳税人识别号", "aliases": ["NSRSBH"], "type": "uscc",
             "required": True},
            {"id": "notice_no", "name": "公告编号", "type": "text", "required": True,
             "max": 100},
            {"id": "tax_kind", "name": "欠税税种", "type": "enum", "required": True,
             "values": ["增值税", "企业所得税", "其他"]},
            {"id": "amount", "name": "欠税金额(万元)", "type": "money", "required": True},
            {"id": "announced_on", "name": "公告日期", "type": "date", "required": True,
             "not_future": True},
            {"id": "authority", "name": "主管税务机关", "type": "text", "required": True,
             "max": 200, "nfkc": True},
            {"id": "source_dept_code", "name": "数据来源单位统一社会信用代码", "type": "uscc",
             "required": True},
        ],
    }


@test
def catalog_import_custom_category(t):
    t.init()
    defn = tax_category()
    p = t.write("tax.json", json.dumps(defn, ensure_ascii=False, indent=1))
    r = t.ok(["catalog", "import", "--db", t.db, p])
    out = r.json_lines()
    eq(len(out), 1, "import output lines")
    eq(out[0].get("id"), "tax_arrears", "import id")
    eq(out[0].get("replaced"), False, "replaced on first import")
    r = t.ok(["catalog", "list", "--db", t.db])
    ids = [c["id"] for c in r.json_lines()]
    eq(ids, sorted(BUILTIN + ["tax_arrears"]), "catalog list after import")
    r = t.ok(["catalog", "show", "tax_arrears", "--db", t.db])
    eq([f["id"] for f in r.json()["fields"]], [f["id"] for f in defn["fields"]],
       "imported field ids")

    c1, c2, c3 = company_code(next_n()), company_code(next_n()), company_code(next_n())
    data = ("纳税人名称,纳税人识别号,公告编号,欠税税种,欠税金额(万元),公告日期,主管税务机关,"
            "数据来源单位统一社会信用代码\n"
            "肇庆市欠税甲有限公司,%s,GG-001,增值税,2000元,2026-03-01,肇庆市端州区税务局,%s\n"
            "肇庆市欠税乙有限公司,%s,GG-002,企业所得税,1.5,2026/1/2,肇庆市端州区税务局,%s\n"
            "肇庆市欠税丙有限公司,%s,GG-003,房产税,1,2026-03-01,肇庆市端州区税务局,%s\n"
            % (c1, SRC_CODE, c2, SRC_CODE, c3, SRC_CODE))
    f = t.write("tax.csv", data)
    s, rej = t.ingest_one(f, category="tax_arrears")
    expect_counts(s, rows=3, accepted=2, rejected=1)
    eq(rejects_by_row(rej), {4: {("欠税税种", "field.enum")}}, "rejects of the custom category")
    show = t.show(c1)
    rec = one_record(show, "tax_arrears")
    eq(rec["fields"].get("amount"), "0.2", "custom money field (2000元)")
    eq(rec["decision_date"], "2026-03-01", "custom decision_date")
    eq(rec["publicity"], {"status": "published", "until": "2027-03-01"},
       "custom publicity (12 months)")
    rec = one_record(t.show(c2), "tax_arrears")
    eq(rec["decision_date"], "2026-01-02", "custom decision date 2026/1/2")
    r = t.run(["subject", "show", "--db", t.db, c3])
    eq(r.code, 1, "subject show of a subject whose only row was rejected")

    # an operator's version of a built-in category survives later commands
    with open(os.path.join(ROOT, "data", "catalog", "penalty.json"), encoding="utf-8") as fh:
        pen = json.load(fh)
    pen["name"] = "行政处罚（本地目录）"
    p = t.write("penalty-local.json", json.dumps(pen, ensure_ascii=False))
    r = t.ok(["catalog", "import", "--db", t.db, p])
    eq(r.json_lines()[0].get("replaced"), True, "replacing a built-in category")
    t.init()
    r = t.ok(["catalog", "show", "penalty", "--db", t.db])
    eq(r.json().get("name"), "行政处罚（本地目录）", "imported penalty definition kept")

    # re-import replaces
    defn["name"] = "欠税公告"
    p = t.write("tax2.json", json.dumps(defn, ensure_ascii=False))
    r = t.ok(["catalog", "import", "--db", t.db, p])
    eq(r.json_lines()[0].get("replaced"), True, "replaced on second import")


@test
def catalog_import_invalid(t):
    t.init()
    bad_type = tax_category()
    bad_type["id"] = "bad_type"
    bad_type["fields"][4]["type"] = "number"
    bad_key = tax_category()
    bad_key["id"] = "bad_key"
    bad_key["key"] = ["no_such_field"]
    no_subject = tax_category()
    no_subject["id"] = "no_subject"
    del no_subject["subject"]
    bad_id = tax_category()
    bad_id["id"] = "Bad-Id"
    enum_no_values = tax_category()
    enum_no_values["id"] = "enum_no_values"
    del enum_no_values["fields"][3]["values"]
    cases = {
        "not_json": "{\"id\": \"x\", ",
        "bad_type": json.dumps(bad_type, ensure_ascii=False),
        "bad_key": json.dumps(bad_key, ensure_ascii=False),
        "no_subject": json.dumps(no_subject, ensure_ascii=False),
        "bad_id": json.dumps(bad_id, ensure_ascii=False),
        "enum_no_values": json.dumps(enum_no_values, ensure_ascii=False),
    }
    for name, text in cases.items():
        p = t.write(name + ".json", text)
        r = t.run(["catalog", "import", "--db", t.db, p])
        eq(r.code, 2, "exit status importing %s" % name)
        check("catalog.invalid" in r.err, "%s: stderr lacks catalog.invalid: %r"
              % (name, r.err))
    r = t.ok(["catalog", "list", "--db", t.db])
    eq([c["id"] for c in r.json_lines()], BUILTIN, "catalog after invalid imports")


VALID_CODES = ["914403001922038216", "91440300708461136T", "9144030071526726XG",
               "91440300192317458F", "91110108551385082Q"]
CODE_KEYS = {"input", "normalized", "kind", "valid", "reason", "warnings", "region"}


def code_check(t, args, stdin=None, expect=None):
    r = t.run(["code", "check"] + args, stdin=stdin)
    if expect is not None:
        eq(r.code, expect, "exit status of code check %s (stderr %r)" % (args, r.err[:300]))
    res = r.json_lines()
    for o in res:
        missing = CODE_KEYS - set(o)
        check(not missing, "code check output lacks %s: %r" % (sorted(missing), o))
    return r, res


@test
def code_check_valid_codes(t):
    r, res = code_check(t, VALID_CODES, expect=0)
    eq(len(res), len(VALID_CODES), "one result per code")
    for code, o in zip(VALID_CODES, res):
        check(uscc_valid(code), "test data: %s" % code)
        eq(o["input"], code, "input")
        eq(o["normalized"], code, "normalized of %s" % code)
        eq(o["kind"], "uscc", "kind of %s" % code)
        eq(o["valid"], True, "valid of %s" % code)
        eq(o["reason"], None, "reason of %s" % code)
        want_warn = [] if org_check_char(code[8:16]) == code[16] else ["code.org_check_char"]
        eq(o["warnings"], want_warn, "warnings of %s" % code)
        check(isinstance(o["region"], dict) and o["region"].get("name"),
              "region of %s is %r" % (code, o["region"]))
        if code[2:8] == "440300":
            check("深圳" in o["region"]["name"], "region of %s: %r" % (code, o["region"]))
        if code[2:8] == "110108":
            check("海淀" in o["region"]["name"], "region of %s: %r" % (code, o["region"]))
    # a database is never created by checking codes
    check(not os.path.exists(t.path("var")), "code check created var/")
    # normalisation: lower case, surrounding and full-width spaces, full-width characters
    fw = "".join(chr(ord(c) + 0xFEE0) for c in "91440300708461136t")
    r, res = code_check(t, [" 91440300708461136t ", "\u3000" + fw], expect=0)
    for o in res:
        eq(o["normalized"], "91440300708461136T", "normalized of %r" % o["input"])
        eq(o["valid"], True, "valid of %r" % o["input"])


@test
def code_check_invalid_and_exceptions(t):
    r, res = code_check(t, ["91350100M000100Y4Z"], expect=1)
    eq(res[0]["valid"], False, "valid of the standard's invalid example")
    eq(res[0]["reason"], "code.check_char", "reason of 91350100M000100Y4Z")
    eq(res[0]["kind"], "uscc", "kind of 91350100M000100Y4Z")
    r, res = code_check(t, [KNOWN_EXCEPTION], expect=0)
    eq(res[0]["valid"], True, "valid of the built-in exception")
    check("code.known_exception" in res[0]["warnings"],
          "warnings of %s: %r" % (KNOWN_EXCEPTION, res[0]["warnings"]))
    # one invalid among valid codes: exit 1, all still printed
    r, res = code_check(t, [VALID_CODES[0], "91350100M000100Y4Z", VALID_CODES[1]], expect=1)
    eq([o["valid"] for o in res], [True, False, True], "validity of a mixed list")
    # other reasons
    r, res = code_check(t, ["9144030019220382", "9144030019220I8216"], expect=1)
    eq(res[0]["valid"], False, "valid of a 16-character code")
    eq([o["reason"] for o in res], ["code.length", "code.charset"], "reasons")


@test
def code_check_resident_ids(t):
    r, res = code_check(t, ["440524188001010014"], expect=0)
    eq((res[0]["kind"], res[0]["valid"], res[0]["reason"]), ("resident_id", True, None),
       "440524188001010014")
    if region_known("440524"):
        check(res[0]["region"] is not None, "region of 440524188001010014: %r"
              % (res[0]["region"],))
    r, res = code_check(t, ["110105491231002"], expect=0)
    eq(res[0]["normalized"], "110105" + "19491231002" + id_check_char("11010519491231002"),
       "15-digit ID converted")
    eq(res[0]["normalized"], "11010519491231002X", "15-digit ID (domain.md example)")
    eq((res[0]["kind"], res[0]["valid"]), ("resident_id", True), "15-digit ID kind/valid")
    bad_check = "44052418800101001" + ("5" if id_check_char("44052418800101001") != "5" else "6")
    bad_date = make_id("440524", "19990230", "001")
    r, res = code_check(t, [bad_check, bad_date], expect=1)
    eq([(o["kind"], o["valid"], o["reason"]) for o in res],
       [("resident_id", False, "code.check_char"), ("resident_id", False, "id.birth_date")],
       "invalid ID numbers")
    # lower-case x is accepted
    r, res = code_check(t, ["11010519491231002x"], expect=0)
    eq(res[0]["normalized"], "11010519491231002X", "lower-case x normalized")


def region_known(div):
    with open(os.path.join(ROOT, "data", "regions", "areas.csv"), encoding="utf-8") as f:
        return any(line.startswith(div + ",") for line in f)


@test
def code_check_stdin_and_kind(t):
    lines = [VALID_CODES[2], "", "440524188001010014", "110105491231002", VALID_CODES[4]]
    r, res = code_check(t, [], stdin="\n".join(lines) + "\n", expect=0)
    eq([o["input"] for o in res], [x for x in lines if x], "one JSON line per input line")
    eq([o["kind"] for o in res], ["uscc", "resident_id", "resident_id", "uscc"], "kinds")
    # CRLF lines and an invalid code: exit 1
    r, res = code_check(t, [], stdin="91350100M000100Y4Z\r\n%s\r\n" % VALID_CODES[0], expect=1)
    eq([o["input"] for o in res], ["91350100M000100Y4Z", VALID_CODES[0]], "CRLF inputs")
    eq([o["valid"] for o in res], [False, True], "CRLF validity")
    # --kind forces the interpretation
    code = "440524188001010014"
    r, res = code_check(t, ["--kind", "uscc", code])
    eq(res[0]["kind"], "uscc", "forced kind")
    want = uscc_valid(code)
    eq(res[0]["valid"], want, "valid of %s as a USCC" % code)
    eq(r.code, 0 if want else 1, "exit status with --kind uscc")
    if not want:
        eq(res[0]["reason"], "code.check_char", "reason of %s as a USCC" % code)
    r, res = code_check(t, ["--kind", "resident_id", VALID_CODES[0]], expect=1)
    eq((res[0]["kind"], res[0]["valid"]), ("resident_id", False), "USCC forced as ID")
    r = t.run(["code", "check", "--kind", "passport", VALID_CODES[0]])
    eq(r.code, 2, "exit status for an unknown --kind")


@test
def code_check_judges_the_kind_by_shape(t):
    """`code check 123` is not valid: only 18 characters or 15 digits have a kind by shape;
    --kind other asks for another document; spaces inside are removed with a warning."""
    r, res = code_check(t, ["123"], expect=1)
    eq((res[0]["valid"], res[0]["reason"], res[0]["kind"]), (False, "code.kind_unknown", "other"),
       "123")
    check("--kind other" in res[0]["message"], "the message says how: %r" % res[0]["message"])
    r, res = code_check(t, ["E12345678", "110105491231002"], expect=1)
    eq([o["reason"] for o in res], ["code.kind_unknown", None], "a passport number by shape")
    r, res = code_check(t, ["--kind", "other", "E12345678"], expect=0)
    eq((res[0]["valid"], res[0]["kind"]), (True, "other"), "with --kind other")
    spaced = " ".join([VALID_CODES[1][i:i + 4] for i in range(0, 18, 4)])
    r, res = code_check(t, [spaced], expect=0)
    eq((res[0]["normalized"], res[0]["valid"]), (VALID_CODES[1], True), "spaces inside")
    check("code.inner_space" in res[0]["warnings"], "warned: %r" % res[0]["warnings"])
    r = t.run(["code", "check", "--kind", "passport", "1"])
    check(r.code == 2 and "--kind" in r.err and "other" in r.err, "bad --kind named: %r" % r.err)


@test
def commands_never_create_a_database(t):
    """Only init, demo and serve --init create a database; any other command on a missing
    SQLite file fails with store.not_found naming it, and no directory is ever made."""
    sqlite_only("a missing file is a SQLite matter")
    missing = t.path("nothere.db")
    for args in (["catalog", "list"], ["user", "list"], ["token", "list"], ["batch", "list"],
                 ["search", "建材"], ["subject", "show", VALID_CODES[0]], ["dept", "list"],
                 ["ingest", "--category", "penalty", "--dept", DEPT,
                  t.write("p.csv", csv_bytes([pen_row()]))],
                 ["code", "check", VALID_CODES[0]]):
        r = t.run(args + ["--db", missing])
        eq(r.code, 2, "exit status of %s" % args[0])
        check("store.not_found" in r.err and missing in r.err, "%s names the path: %r"
              % (args[0], r.err))
        check(not os.path.exists(missing), "%s created %s" % (args[0], missing))
    r = t.run(["catalog", "list"])  # the default var/xinyong.db
    check(r.code == 2 and "store.not_found" in r.err, "the default path: %r" % r.err)
    nodir = t.path("nodir/x.db")
    for args in (["init"], ["catalog", "list"], ["demo", "--subjects", "1"]):
        r = t.run(args + ["--db", nodir])
        check(r.code == 2 and "store.not_found" in r.err and t.path("nodir") in r.err,
              "%s names the missing directory: %r" % (args[0], r.err))
    check(not os.path.exists(t.path("nodir")) and not os.path.exists(t.path("var")),
          "no directory was created")
    t.ok(["init", "--db", missing])
    t.ok(["catalog", "list", "--db", missing])
    r = t.ok(["init", "--help"])
    check("only init, demo and" in t.ok(["catalog", "--help"]).out, "catalog --help says so")


HELP_NEEDLES = {
    "ingest": ["--category", "penalty", "--strict", "csv, json", "examples:"],
    "user": ["--roles", "submitter", "dept_admin", "--json", "examples:"],
    "token": ["--scopes", "batches:write", "subjects:read", "--json", "examples:"],
    "batch": ["list", "rejects", "--json", "--limit", "examples:"],
    "code": ["--kind", "uscc, resident_id or other", "examples:"],
    "serve": ["--init", "--listen", "examples:"],
}


@test
def every_command_has_help_with_options_values_and_examples(t):
    r = t.ok(["--help"])
    names = [line.split()[0] for line in r.out.splitlines() if line.startswith("  ")]
    check("batch" in names, "batch is a command: %r" % names)
    for name in names:
        h = t.ok([name, "--help"]).out
        check("options:" in h and "examples:" in h and "  --help" in h,
              "%s --help lists options and examples: %r" % (name, h[:300]))
        for needle in HELP_NEEDLES.get(name, []):
            check(needle in h, "%s --help lacks %r" % (name, needle))
    r = t.run(["user", "list", "--bogus"])
    check(r.code == 2 and "--bogus" in r.err and "不认识的选项" in r.err, "%r" % r.err)
    r = t.run(["token", "issue", "--dept"])
    check(r.code == 2 and "--dept 缺少取值" in r.err, "%r" % r.err)
    r = t.run(["serve", "--lsten", "x"])
    check(r.code == 2 and "--lsten" in r.err, "%r" % r.err)


@test
def batch_list_show_rejects_and_tables(t):
    t.init()
    good = t.write("g.csv", csv_bytes([pen_row(), pen_row()]))
    bad = t.write("b.csv", csv_bytes([pen_row(), pen_row(date="x")]))
    s1, _ = t.ingest_one(good)
    s2, _ = t.ingest_one(bad)
    doc = t.ok(["batch", "list", "--json", "--db", t.db]).json()
    eq([b["batch"] for b in doc["batches"]], [s2["batch"], s1["batch"]], "newest first")
    eq(doc["next"], None, "one page")
    b = doc["batches"][0]
    eq((b["category"], b["dept"], b["source"], b["rows"], b["accepted"], b["duplicates"],
        b["rejected"]), ("penalty", DEPT, "b.csv", 2, 1, 0, 1), "a listed batch")
    page = t.ok(["batch", "list", "--json", "--limit", "1", "--db", t.db]).json()
    eq(([x["batch"] for x in page["batches"]], page["next"]), ([s2["batch"]], str(s2["batch"])),
       "a page of one")
    page = t.ok(["batch", "list", "--json", "--after", page["next"], "--db", t.db]).json()
    eq([x["batch"] for x in page["batches"]], [s1["batch"]], "the next page")
    table = t.ok(["batch", "list", "--db", t.db]).out.splitlines()
    for col in ("批次", "时间", "信息类", "报送部门", "行数", "入库", "重复", "拒收"):
        check(col in table[0], "column %s: %r" % (col, table[0]))
    check(table[1].startswith("----") and "b.csv" in table[2] and DEPT in table[2],
          "the rows: %r" % table)
    shown = t.ok(["batch", "show", str(s2["batch"]), "--db", t.db]).json()
    eq((shown["batch"], shown["rejected"]), (s2["batch"], 1), "batch show")
    csv_out = t.ok(["batch", "rejects", str(s2["batch"]), "--db", t.db]).out
    check(csv_out.startswith("row,field,reason,message") and "date.unparseable" in csv_out,
          "batch rejects: %r" % csv_out)
    r = t.run(["batch", "show", "999", "--db", t.db])
    check(r.code == 2 and "batch.not_found" in r.err, "%r" % r.err)
    r = t.run(["batch", "show", "abc", "--db", t.db])
    check(r.code == 2 and "abc" in r.err, "%r" % r.err)
    # user list and token list: a table, or the JSON document with --json.
    t.ok(["user", "add", "li_ming", "--roles", "submitter", "--dept", DEPT, "--db", t.db])
    users = t.ok(["user", "list", "--db", t.db]).out.splitlines()
    check("账号" in users[0] and "角色" in users[0] and "li_ming" in users[2], "%r" % users)
    eq([u["name"] for u in t.ok(["user", "list", "--json", "--db", t.db]).json()["users"]],
       ["li_ming"], "user list --json")
    t.ok(["token", "issue", "--dept", DEPT, "--scopes", "batches:read", "--db", t.db])
    toks = t.ok(["token", "list", "--db", t.db]).out.splitlines()
    check("权限" in toks[0] and "batches:read" in toks[2], "%r" % toks)
    eq(len(t.ok(["token", "list", "--json", "--db", t.db]).json()["tokens"]), 1, "--json")


@test
def code_exceptions_add(t):
    t.init()
    code = wrong_last(company_code(next_n(), division="350100"))
    r, res = code_check(t, ["--db", t.db, code], expect=1)
    eq(res[0]["reason"], "code.check_char", "before the exception is added")
    r = t.ok(["code", "exceptions", "add", code, "--note", "测试早期代码", "--db", t.db])
    check(code in r.out, "add output: %r" % r.out)
    r, res = code_check(t, ["--db", t.db, code], expect=0)
    eq(res[0]["valid"], True, "valid after the exception is added")
    check("code.known_exception" in res[0]["warnings"], "warnings: %r" % res[0]["warnings"])
    r = t.ok(["code", "exceptions", "list", "--db", t.db])
    listed = [o["code"] for o in r.json_lines()]
    check(code in listed and KNOWN_EXCEPTION in listed, "exceptions list: %r" % listed)
    # without the database, the code is not an exception
    r, res = code_check(t, [code], expect=1)
    # ingestion honours the operator's list
    f = t.write("p.csv", csv_bytes([pen_row(code=code)]))
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=1, accepted=1)
    r = t.run(["code", "exceptions", "add", "123", "--db", t.db])
    eq(r.code, 2, "adding a code that is not 18 characters")


@test
def ingest_good_penalties(t):
    t.init()
    rows = [pen_row() for _ in range(4)]
    rows[1]["date"] = "2025/7/1"
    rows[2]["name"] = "肇庆市星河湾测试贸易有限公司"
    f = t.write("good.csv", csv_bytes(rows))
    r, sums, rej = t.ingest(f)
    eq(len(sums), 1, "one summary per file")
    s = sums[0]
    check_summary_shape(s)
    expect_counts(s, rows=4, accepted=4, warnings=0)
    eq(rej, [], "rejects of a good file")
    eq(t.count("records"), 4, "records in the DB")
    eq(t.count("batches"), 1, "batches in the DB")
    eq(t.sql("SELECT id FROM batches")[0][0], s["batch"], "batch id")
    show = t.show(rows[1]["code"])
    eq(show["subject"]["code"], rows[1]["code"], "subject code")
    eq(show["subject"]["name"], rows[1]["name"], "subject name")
    eq(show["subject"]["kind"], "uscc", "subject kind")
    eq(show["subject"]["subject_type"], "法人及非法人组织", "subject type")
    check(show["subject"]["region"] and "端州" in show["subject"]["region"]["name"],
          "subject region: %r" % show["subject"]["region"])
    g = [c for c in show["categories"] if c["category"] == "penalty"]
    eq(len(g), 1, "penalty group")
    eq(g[0]["count"], 1, "penalty count")
    rec = g[0]["records"][0]
    eq(rec["decision_date"], "2025-07-01", "decision_date normalized")
    eq(rec["fields"]["decision_date"], "2025-07-01", "fields.decision_date")
    eq(rec["publicity"]["status"], "published", "publicity status")
    eq(rec["publicity"]["until"], "2028-07-01", "publicity until (36 months)")
    eq(rec["name_conflict"], False, "name_conflict")
    eq(rec["batch"], s["batch"], "record batch")
    eq(rec["dept_code"], DEPT, "record dept_code")
    eq(rec["fields"]["decision_no"], rows[1]["no"], "decision number")
    eq(rec["fields"]["penalty_type"], "警告;罚款", "penalty_type")
    eq(rec["fields"]["fine"], "0.2", "fine")
    check("remark" not in rec["fields"] and "confiscated" not in rec["fields"],
          "empty fields are stored: %r" % rec["fields"])
    # search: 2 characters of the name, the code
    res = t.search("星河")
    eq([x["code"] for x in res["results"]], [rows[2]["code"]], "search 星河")
    eq(res["count"], 1, "search count")
    eq(res["results"][0]["match"], "partial", "match kind of part of a name")
    res = t.search(rows[3]["code"])
    eq([x["code"] for x in res["results"]], [rows[3]["code"]], "search by code")
    eq(res["results"][0]["match"], "code", "match kind of a code")
    res = t.search(rows[3]["code"].lower())
    eq([x["code"] for x in res["results"]], [rows[3]["code"]], "search by lower-case code")
    res = t.search("测试")
    eq(res["count"], 4, "search 测试 finds all four")
    res = t.search(" 星河 湾 ")
    eq([x["code"] for x in res["results"]], [rows[2]["code"]], "search ignores whitespace")
    res = t.search("测试", limit=2)
    eq(len(res["results"]), 2, "search --limit 2")
    r = t.run(["search", "--db", t.db, "星"])
    eq(r.code, 2, "search with one character")


@test
def search_bracket_variants(t):
    t.init()
    a = pen_row(name="肇庆市华盈(集团)有限公司")
    b = pen_row(name="肇庆市丰泽（控股）有限公司")
    f = t.write("b.csv", csv_bytes([a, b]))
    s, _ = t.ingest_one(f)
    expect_counts(s, rows=2, accepted=2)
    res = t.search("华盈（集团）")
    eq([x["code"] for x in res["results"]], [a["code"]], "full-width query, half-width name")
    res = t.search("丰泽(控股)")
    eq([x["code"] for x in res["results"]], [b["code"]], "half-width query, full-width name")
    res = t.search("肇庆市华盈(集团)有限公司")
    eq([(x["code"], x["match"]) for x in res["results"]], [(a["code"], "name")],
       "whole name match")
    res = t.search("肇庆市丰泽")
    eq([x["match"] for x in res["results"]], ["prefix"], "prefix match")
    show = t.show(b["code"])
    eq(show["subject"]["name"], "肇庆市丰泽(控股)有限公司", "name NFKC-normalised")


@test
def search_ranking(t):
    t.init()
    rows = [pen_row(name="肇庆市星辰科技有限公司"), pen_row(name="星辰科技有限公司"),
            pen_row(name="星辰"), pen_row(name="肇庆星辰有限公司"), pen_row(name="肇庆市月亮公司")]
    s, _ = t.ingest_one(t.write("a.csv", csv_bytes(rows)))
    expect_counts(s, rows=5, accepted=5)
    res = t.search("星辰")
    eq([(x["name"], x["match"]) for x in res["results"]],
       [("星辰", "name"), ("星辰科技有限公司", "prefix"), ("肇庆星辰有限公司", "partial"),
        ("肇庆市星辰科技有限公司", "partial")],
       "ranking: whole name, prefix, then part of the name with shorter names first")
    res = t.search("月球")
    eq((res["count"], res["results"]), (0, []), "no match")
    for x in t.search(rows[0]["code"])["results"]:
        for k in ("code", "name", "kind", "subject_type", "region", "match"):
            check(k in x, "search result lacks %s: %r" % (k, x))


@test
def party_types_and_value_aliases(t):
    t.init()
    alias = pen_row(type="1", ptype="罚没", fine="0.3")
    alias_nofine = pen_row(type="1", ptype="罚没", fine="")
    ind = pen_row(type="个体工商户", rep="")
    ind_nocode = pen_row(type="个体工商户", code="")
    person_notype = person_pen_row(idtype="")
    person_altname = person_pen_row(idtype="居民身份证")
    rows = [alias, alias_nofine, ind, ind_nocode, person_notype, person_altname]
    s, rej = t.ingest_one(t.write("a.csv", csv_bytes(rows)))
    expect_counts(s, rows=6, accepted=3, rejected=3)
    eq(rejects_by_row(rej), {3: {(PEN_COL["fine"], "field.required")},
                             5: {(PEN_COL["code"], "field.required")},
                             6: {(PEN_COL["idtype"], "field.required")}}, "rejects")
    rec = one_record(t.show(alias["code"]), "penalty")
    eq((rec["fields"]["party_type"], rec["fields"]["penalty_type"]), ("法人及非法人组织", "罚款"),
       "value aliases stored as canonical values")
    show = t.show(ind["code"])
    eq(show["subject"]["subject_type"], "个体工商户", "个体工商户 subject type")
    rec = one_record(t.show(person_altname["idno"]), "penalty")
    eq(rec["fields"]["id_type"], "身份证", "居民身份证 alias")


@test
def oversized_value_is_too_long(t):
    t.init()
    big = pen_row(facts="违" * 600000)  # 1.8 MB, well below the reader's row limit
    good = pen_row()
    s, rej = t.ingest_one(t.write("big.csv", csv_bytes([big, good])))
    expect_counts(s, rows=2, accepted=1, rejected=1)
    eq(rejects_by_row(rej), {2: {(PEN_COL["facts"], "field.too_long")}},
       "a 600,000-character 违法事实")


def bad_row_cases():
    """(label, row or rows-producing callable, expected {(field, reason)})."""
    c = PEN_COL
    bad_birth = make_id("441202", "19990230", "123")
    cases = [
        ("missing 违法事实", pen_row(facts=""), {(c["facts"], "field.required")}),
        ("org without 法定代表人", pen_row(rep=""), {(c["rep"], "field.required")}),
        ("person without 证件号码", person_pen_row(idno=""), {(c["idno"], "field.required")}),
        ("罚款 without 罚款金额", pen_row(fine=""), {(c["fine"], "field.required")}),
        ("没收 without amount", pen_row(ptype="没收违法所得", fine=""),
         {(c["conf"], "field.required")}),
        ("bad 行政相对人类别", pen_row(type="公司"), {(c["type"], "field.enum")}),
        ("bad 处罚类别", pen_row(ptype="打板子"), {(c["ptype"], "field.enum")}),
        ("bad item in 处罚类别", pen_row(ptype="警告;打板子"), {(c["ptype"], "field.enum")}),
        ("too long 决定书文号", pen_row(no="文" * 201), {(c["no"], "field.too_long")}),
        ("17-character code", pen_row(code=company_code(next_n())[:17]),
         {(c["code"], "code.length")}),
        ("code with I", pen_row(code=company_code(next_n())[:10] + "I" +
                                company_code(next_n())[11:]),
         {(c["code"], "code.charset")}),
        ("subject check char", pen_row(code=wrong_last(company_code(next_n()))),
         {(c["code"], "code.check_char")}),
        ("authority check char", pen_row(authcode=wrong_last(AUTH_CODE)),
         {(c["authcode"], "code.check_char")}),
        ("source check char", pen_row(srccode=wrong_last(SRC_CODE)),
         {(c["srccode"], "code.check_char")}),
        ("ID birth date", person_pen_row(idno=bad_birth), {(c["idno"], "id.birth_date")}),
        ("unparseable date", pen_row(date="去年三月"), {(c["date"], "date.unparseable")}),
        ("impossible date", pen_row(date="2021-02-30"), {(c["date"], "date.unparseable")}),
        ("future date", pen_row(date="2026-11-21"), {(c["date"], "date.future")}),
        ("1948", pen_row(date="1948-06-01"), {(c["date"], "date.too_old")}),
        ("negative fine", pen_row(fine="-1"), {(c["fine"], "money.invalid")}),
        ("text fine", pen_row(fine="两千元"), {(c["fine"], "money.invalid")}),
    ]
    return cases


@test
def ingest_rejects_every_reason(t):
    t.init()
    cases = bad_row_cases()
    # limits count characters, not bytes: 200 Chinese characters (600 bytes) fit
    goods = [pen_row(), pen_row(no="文" * 200), pen_row()]
    rows = [goods[0]] + [x[1] for x in cases[:10]] + [goods[1]] + [x[1] for x in cases[10:]] \
        + [goods[2]]
    f = t.write("mixed.csv", csv_bytes(rows))
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=len(rows), accepted=3, rejected=len(cases), warnings=0)
    by_row = rejects_by_row(rej)
    problems = []
    for label, row, want in cases:
        n = rows.index(row) + 2
        got = by_row.get(n, set())
        if not want <= got:
            problems.append("%s (row %d): expected %r, got %r" % (label, n, want, got))
        elif got != want:
            problems.append("%s (row %d): extra problems %r besides %r"
                            % (label, n, got - want, want))
    for n in sorted(by_row):
        if n - 2 >= len(rows) or rows[n - 2] in goods:
            problems.append("row %d (a good row or no row) has rejects %r" % (n, by_row[n]))
    check(not problems, "; ".join(problems))
    # problems are also stored with the batch
    stored = t.sql("SELECT row, reason FROM batch_problems WHERE batch_id=? AND warning=0",
                   (s["batch"],))
    eq(sorted(set(stored)), sorted({(int(r["row"]), r["reason"]) for r in rej}),
       "batch_problems vs rejects file")
    for g in goods:
        show = t.show(g["code"])
        eq(one_record(show, "penalty")["fields"]["decision_no"], g["no"], "good row kept")
    eq(t.count("records"), 3, "records stored")


@test
def ingest_stops_a_file_that_is_mostly_garbage(t):
    """A JSON array of 12,000 empty objects: the first 10,000 rows are all rejected for
    the same reason, so the file is refused whole and nothing is written."""
    t.init()
    f = t.write("garbage.json", "[" + ",".join(["{}"] * 12000) + "]")
    r, sums, rej = t.ingest(f, extra=["--format", "json"], expect=2)
    check("file.mostly_rejected" in r.err and "10000" in r.err and "field.required" in r.err,
          "stderr names the reason and the sample: %r" % r.err[-600:])
    check("未入库" in r.err and "第 2 行" in r.err, "says nothing was written, and where: %r"
          % r.err[-600:])
    eq(t.count("batches"), 0, "no batch committed")
    eq(t.count("batch_problems"), 0, "no problems committed")
    # A file of which half is bad is judged row by row as usual.
    rows = [pen_row() if i % 2 else pen_row(date="x") for i in range(10004)]
    s, rej = t.ingest_one(t.write("half.csv", csv_bytes(rows)))
    expect_counts(s, rows=10004, accepted=5002, rejected=5002)


@test
def ingest_caps_the_problem_list(t):
    """Past the batch's cap each reason gets one summary line with its count, at row 0;
    a row lists at most 20 problems.  (The cap is lowered for the test.)"""
    t.init()
    # 40 rows with two errors each (date and amount), 10 with a bad date only.
    rows = [pen_row(date="x", fine="abc") for _ in range(40)] + \
        [pen_row(date="y") for _ in range(10)] + [pen_row()]
    f = t.write("bad.csv", csv_bytes(rows))
    args = ["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT, "--rejects",
            t.path("rej.csv"), f]
    env_cap = os.environ.get("XINYONG_BATCH_PROBLEMS")
    os.environ["XINYONG_BATCH_PROBLEMS"] = "30"
    try:
        r = t.ok(args)
    finally:
        if env_cap is None:
            del os.environ["XINYONG_BATCH_PROBLEMS"]
        else:
            os.environ["XINYONG_BATCH_PROBLEMS"] = env_cap
    s = r.json_lines()[0]
    expect_counts(s, rows=51, accepted=1, rejected=50)
    eq(s.get("problems_omitted"), 90 - 30, "problems left out past the cap")
    eq(s.get("problems_cap"), 30, "the cap is said in the summary")
    listed = t.sql("SELECT row, reason, message FROM batch_problems WHERE batch_id=? "
                   "ORDER BY row, seq", (s["batch"],))
    summary = [x for x in listed if x[0] == 0]
    eq(len(listed), 30 + len(summary), "30 problems, then the summary lines")
    eq(sorted(x[1] for x in summary), ["date.unparseable", "money.invalid"],
       "one summary line per reason left out")
    counts = {x[1]: int(re.search(r"另有 (\d+) 条", x[2]).group(1)) for x in summary}
    eq(sum(counts.values()), 60, "summary counts add up to what was left out")
    rej = read_rejects(t.path("rej.csv"))
    eq(len(rej), len(listed), "the rejects file lists the same lines")
    # A category with 25 required fields: a row missing all of them lists 20.
    cat = json.loads(t.ok(["catalog", "show", "--db", t.db, "penalty"]).out)
    cat["id"] = "wide"
    cat["name"] = "宽表测试"
    for i in range(25):
        cat["fields"].append({"id": "extra%d" % i, "name": "附加字段%d" % i, "type": "text",
                              "required": True, "max": 10})
    t.ok(["catalog", "import", "--db", t.db, t.write("wide.json", json.dumps(cat))])
    row = pen_row()
    f = t.write("wide.csv", csv_bytes([row]))
    s, rej = t.ingest_one(f, category="wide", expect=1)  # its every row rejected
    expect_counts(s, rows=1, accepted=0, rejected=1)
    eq(len(rej), 20, "problems listed for one row: %r" % [x["reason"] for x in rej])


@test
def ingest_exit_status_by_outcome(t):
    """0 when the batch committed (rejected rows are reported, not an error), 1 when every
    data row was rejected or --strict and any was, 2 on usage and file errors; a file sent
    again (all duplicates) is 0."""
    t.init()
    rows = [pen_row(), pen_row(date="not a date"), pen_row(fine="-5")]
    f = t.write("x.csv", csv_bytes(rows))
    r, sums, rej = t.ingest(f, expect=0)
    expect_counts(sums[0], rows=3, accepted=1, rejected=2)
    # The same file again: all duplicates (and the same two rejected) is still 0.
    r, sums, rej = t.ingest(f, expect=0)
    expect_counts(sums[0], rows=3, accepted=0, duplicates=1, rejected=2)
    good = t.write("g.csv", csv_bytes([pen_row(), pen_row()]))
    t.ingest(good, expect=0)
    r, sums, _ = t.ingest(good, expect=0)
    expect_counts(sums[0], rows=2, accepted=0, duplicates=2, rejected=0)
    # --strict: any rejected row is 1, and the good rows are committed all the same.
    mixed = [pen_row(), pen_row(date="x")]
    r, sums, _ = t.ingest(t.write("s.csv", csv_bytes(mixed)), extra=["--strict"], expect=1)
    expect_counts(sums[0], rows=2, accepted=1, rejected=1)
    eq(len(records(t.show(mixed[0]["code"]), "penalty")), 1, "--strict still commits good rows")
    check("--strict" in r.err, "--strict says why it exits 1: %r" % r.err)
    t.ingest(good, extra=["--strict"], expect=0)
    # Every data row rejected: 1, and the batch is still written.
    before = t.count("batches")
    f = t.write("y.csv", csv_bytes([pen_row(date="x"), pen_row(date="y")]))
    r, sums, rej = t.ingest(f, expect=1)
    expect_counts(sums[0], rows=2, accepted=0, rejected=2)
    check("全部 2 行数据均被拒收" in r.err, "stderr says every row was rejected: %r" % r.err)
    eq(t.count("batches"), before + 1, "the batch is written")
    # Usage and file errors: 2.
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT,
               t.path("missing.csv")])
    eq(r.code, 2, "a missing file")
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT, "--strictly",
               good])
    eq(r.code, 2, "an unknown option")
    check("--strictly" in r.err and "不认识的选项" in r.err, "the option is named: %r" % r.err)
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT, "--format",
               "xml", good])
    eq(r.code, 2, "a bad --format")
    check("--format" in r.err and "xml" in r.err and "csv" in r.err,
          "the bad value and the valid ones: %r" % r.err)
    # Files in one run: the worst status wins.
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT, good, f])
    eq(r.code, 1, "a good file and an all-rejected one")


@test
def ingest_problems_on_stderr_without_rejects(t):
    """Without --rejects the first 20 problems go to stderr with row, column and reason;
    with --rejects they go to the file only."""
    t.init()
    rows = [pen_row()] + [pen_row(date="2099-01-%02d" % (i + 1)) for i in range(25)]
    f = t.write("f.csv", csv_bytes(rows))
    r, sums, _ = t.ingest(f, rejects=False, expect=0)
    lines = [x for x in r.err.splitlines() if x.startswith("  第 ")]
    eq(len(lines), 20, "20 problems listed: %r" % r.err)
    check(lines[0].startswith("  第 3 行，列“%s”：date.future：" % PEN_COL["date"]),
          "row, column and reason code: %r" % lines[0])
    check("xinyong batch rejects %d" % sums[0]["batch"] in r.err, "how to see the rest: %r" % r.err)
    r, sums, _ = t.ingest(t.write("g.csv", csv_bytes([pen_row(date="2099-02-01"), pen_row()])),
                          rejects=False, expect=0)
    lines = [x for x in r.err.splitlines() if x.startswith("  第 ")]
    eq(len(lines), 1, "one problem: %r" % r.err)
    check("batch rejects" not in r.err, "no pointer when all were listed: %r" % r.err)
    r, _, rej = t.ingest(f, expect=0)
    check("date.future" not in r.err, "with --rejects, not on stderr: %r" % r.err)
    eq(len(rej), 25, "the rejects file has them all")


@test
def ingest_says_when_the_header_fits_another_category(t):
    """A penalty file sent as licences: 表头与行政许可（license）不符, naming penalty."""
    t.init()
    f = t.write("p.csv", csv_bytes([pen_row(), pen_row()]))
    r, sums, _ = t.ingest(f, category="license", expect=1)
    hint = sums[0].get("header_hint", "")
    check(hint.startswith("表头与行政许可（license）不符") and "penalty" in hint,
          "the summary's header_hint: %r" % sums[0])
    check("表头与行政许可（license）不符" in r.err, "said on stderr: %r" % r.err)
    # A right file has no hint.
    r, sums, _ = t.ingest(f, expect=0)
    check("header_hint" not in sums[0] and "不符" not in r.err, "no hint: %r %r" % (sums, r.err))


@test
def ingest_date_order_licence(t):
    t.init()
    good = lic_row()
    bad = lic_row(vfrom="2024-05-01", vto="2024-04-30")
    equal = lic_row(vfrom="2024-05-01", vto="2024-05-01")
    f = t.write("lic.csv", csv_bytes([good, bad, equal], layout=LIC))
    s, rej = t.ingest_one(f, category="license")
    expect_counts(s, rows=3, accepted=2, rejected=1)
    eq(rejects_by_row(rej), {3: {(LIC_COL["vto"], "date.order")}}, "licence rejects")
    rec = one_record(t.show(good["code"]), "license")
    eq(rec["fields"]["valid_to"], "2099-12-31", "open-ended licence")
    eq(rec["publicity"], {"status": "published", "until": "2099-12-31"}, "licence publicity")


@test
def ingest_encoding_invalid_row(t):
    t.init()
    rows = [pen_row(), pen_row(facts="MARKER-BAD-BYTE"), pen_row()]
    data = csv_bytes(rows).replace(b"MARKER-BAD-BYTE",
                                   "违法".encode("utf-8") + b"\xff" + "事实".encode("utf-8"))
    check(b"\xff" in data, "test data has no raw 0xFF")
    f = t.write("enc.csv", data)
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=3, accepted=2, rejected=1)
    eq([(r["row"], r["reason"]) for r in rej], [("3", "encoding.invalid")],
       "encoding rejects")
    show = t.show(rows[2]["code"])
    eq(show["subject"]["name"], rows[2]["name"], "good row after the bad one decoded as UTF-8")
    eq(one_record(show, "penalty")["fields"]["facts"], rows[2]["facts"], "facts of a good row")


@test
def ingest_row_malformed(t):
    t.init()
    good1, good2 = pen_row(), pen_row()
    objs = json_objects([good1, good2])
    lines = [json.dumps(objs[0], ensure_ascii=False), '["a", "b"]',
             json.dumps(objs[1], ensure_ascii=False)]
    f = t.write("m.ndjson", "\n".join(lines) + "\n")
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=3, accepted=2, rejected=1)
    eq([(r["row"], r["reason"]) for r in rej], [("3", "row.malformed")], "NDJSON rejects")
    one_record(t.show(good2["code"]), "penalty")
    # a JSON array whose element is not an object
    good3 = pen_row()
    arr = json_objects([good3])
    text = "[" + json.dumps(arr[0], ensure_ascii=False) + ", 42]"
    f = t.write("m.json", text)
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=2, accepted=1, rejected=1)
    eq([(r["row"], r["reason"]) for r in rej], [("3", "row.malformed")], "JSON array rejects")


def warnings_of(t, batch):
    return sorted(t.sql("SELECT row, reason FROM batch_problems WHERE batch_id=? AND warning=1",
                        (batch,)))


@test
def ingest_warnings(t):
    t.init()
    unknown_div = pen_row(code=company_code(next_n(), division="990000"))
    org_bad = pen_row(code=company_code(next_n(), bad_org=True))
    check(uscc_valid(org_bad["code"]), "test data: org-bad code passes the position-18 check")
    exc = pen_row(code=KNOWN_EXCEPTION, name="福建试点测试有限公司")
    good = pen_row()
    rows = [good, unknown_div, org_bad, exc]
    f = t.write("w.csv", csv_bytes(rows))
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=4, accepted=4, rejected=0)
    eq(rej, [], "warnings must not appear in the rejects file")
    w = warnings_of(t, s["batch"])
    for want in [(3, "region.unknown"), (4, "code.org_check_char"),
                 (5, "code.known_exception")]:
        check(want in w, "warning %r missing: %r" % (want, w))
    check(not [x for x in w if x[0] == 2], "good row has warnings: %r" % w)
    eq(s["warnings"], len(w), "summary warnings vs stored warnings")
    show = t.show(unknown_div["code"])
    eq(show["subject"]["region"], None, "region of an unknown division")
    one_record(show, "penalty")
    one_record(t.show(org_bad["code"]), "penalty")
    one_record(t.show(KNOWN_EXCEPTION), "penalty")


@test
def ingest_name_conflict(t):
    t.init()
    first = pen_row()
    f = t.write("a.csv", csv_bytes([first]))
    s, _ = t.ingest_one(f)
    expect_counts(s, rows=1, accepted=1, warnings=0)
    second = pen_row(code=first["code"], name=first["name"].replace("贸易", "商贸"))
    f = t.write("b.csv", csv_bytes([second]))
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=1, accepted=1, rejected=0, warnings=1)
    eq(rej, [], "name conflict is not a rejection")
    eq(warnings_of(t, s["batch"]), [(2, "subject.name_conflict")], "stored warning")
    eq(t.sql("SELECT field FROM batch_problems WHERE batch_id=?", (s["batch"],)),
       [(PEN_COL["name"],)], "warning field")
    show = t.show(first["code"])
    recs = {r["fields"]["decision_no"]: r for r in records(show, "penalty")}
    eq(set(recs), {first["no"], second["no"]}, "both records kept")
    eq(recs[second["no"]]["name_conflict"], True, "conflicting record flagged")
    eq(recs[first["no"]]["name_conflict"], False, "first record not flagged")
    eq(recs[second["no"]]["fields"]["party_name"], second["name"], "record keeps its name")
    # the same name again in a third batch: no conflict
    third = pen_row(code=first["code"], name=first["name"])
    s, _ = t.ingest_one(t.write("c.csv", csv_bytes([third])))
    expect_counts(s, rows=1, accepted=1, warnings=0)


@test
def ingest_date_formats(t):
    t.init()
    formats = ["2021-03-05", "2021/3/5", "2021.3.5", "20210305", "2021年3月5日",
               "2021-03-05 10:20:30", "2021/3/5 10:20", "2021-03-05T10:20:30",
               "2021-03-05T10:20:30+08:00", "2021-3-5", " 2021-03-05 ", "44260", "44260.5"]
    rows = [pen_row(date=d) for d in formats]
    f = t.write("d.csv", csv_bytes(rows))
    s, rej = t.ingest_one(f)
    bad = ["%s -> %s" % (formats[int(r["row"]) - 2], r["reason"]) for r in rej]
    check(not bad, "formats rejected: %s" % bad)
    expect_counts(s, rows=len(rows), accepted=len(rows))
    wrong = []
    for d, row in zip(formats, rows):
        rec = one_record(t.show(row["code"]), "penalty")
        if rec["decision_date"] != "2021-03-05" or rec["fields"]["decision_date"] != "2021-03-05":
            wrong.append("%r -> %r/%r" % (d, rec["decision_date"],
                                           rec["fields"]["decision_date"]))
    check(not wrong, "stored dates: %s" % wrong)
    # the same dates in JSON as numbers (Excel serial) stay accepted
    row = pen_row()
    obj = json_objects([row])[0]
    obj[PEN_COL["date"]] = 44260
    s, rej = t.ingest_one(t.write("d.json", json.dumps([obj], ensure_ascii=False)))
    expect_counts(s, rows=1, accepted=1)
    eq(one_record(t.show(row["code"]), "penalty")["decision_date"], "2021-03-05",
       "JSON number date")


@test
def ingest_money(t):
    t.init()
    cases = [("0.2", "0.2"), ("2000元", "0.2"), ("1,234.5", "1234.5"), ("0.2万元", "0.2"),
             ("０.２", "0.2"), ("12.345678", "12.345678"), ("0", "0"), ("3.10", "3.1")]
    rows = [pen_row(fine=v) for v, _ in cases]
    s, rej = t.ingest_one(t.write("m.csv", csv_bytes(rows)))
    bad = ["%s -> %s" % (cases[int(r["row"]) - 2][0], r["reason"]) for r in rej]
    check(not bad, "amounts rejected: %s" % bad)
    expect_counts(s, rows=len(rows), accepted=len(rows))
    wrong = []
    for (given, want), row in zip(cases, rows):
        got = one_record(t.show(row["code"]), "penalty")["fields"].get("fine")
        if got != want:
            wrong.append("%r -> %r (expected %r)" % (given, got, want))
    check(not wrong, "; ".join(wrong))
    # more precision than 1 分 is refused
    s, rej = t.ingest_one(t.write("m2.csv", csv_bytes([pen_row(fine="0.1234567")])), expect=1)
    eq([(r["field"], r["reason"]) for r in rej], [(PEN_COL["fine"], "money.invalid")],
       "7 decimals of 万元")


@test
def column_mapping_tolerance(t):
    t.init()
    names = [n for _, n in PEN]
    # full-width brackets, extra spaces, and old aliases
    fw = [n.replace("(", "（").replace(")", "）") for n in names]
    spaced = [" %s " % n if i % 2 else n.replace("决定", " 决定") for i, n in enumerate(names)]
    alias = list(names)
    alias[PEN.index(("no", PEN_COL["no"]))] = "CF_WSH"
    alias[PEN.index(("name", PEN_COL["name"]))] = "CF_XDR_MC"
    alias[PEN.index(("code", PEN_COL["code"]))] = "CF_XDR_SHXYM"
    alias[PEN.index(("ptype", PEN_COL["ptype"]))] = "CF_CFLB1"
    alias[PEN.index(("date", PEN_COL["date"]))] = "CF_JDRQ"
    for label, header in (("full-width", fw), ("spaces", spaced), ("aliases", alias)):
        good = pen_row()
        bad = pen_row(no="号" * 201, date="1900-01-01")
        s, rej = t.ingest_one(t.write(label + ".csv", csv_bytes([good, bad], header=header)))
        expect_counts(s, rows=2, accepted=1, rejected=1)
        rec = one_record(t.show(good["code"]), "penalty")
        for k, fid in (("no", "decision_no"), ("name", "party_name"), ("date", "decision_date"),
                       ("ptype", "penalty_type"), ("fine", "fine")):
            eq(rec["fields"].get(fid), good[k], "%s header: field %s" % (label, fid))
        # the rejects name the columns as the file wrote them (trimmed)
        i_no = PEN.index(("no", PEN_COL["no"]))
        i_date = PEN.index(("date", PEN_COL["date"]))
        want = {(header[i_no].strip(), "field.too_long"), (header[i_date].strip(),
                                                             "date.too_old")}
        eq(rejects_by_row(rej), {3: want}, "%s header: rejects fields" % label)


@test
def ingest_fatal_errors(t):
    t.init()
    good = t.write("g.csv", csv_bytes([pen_row()]))
    # no required column at all
    f = t.write("nocols.csv", "foo,bar,baz\n1,2,3\n")
    r, sums, _ = t.ingest(f, expect=2)
    eq(sums, [], "no summary for an unusable file")
    check("file.no_columns" in r.err, "stderr lacks file.no_columns: %r" % r.err)
    for col in ("行政相对人名称", "行政处罚决定书文号", "处罚决定日期"):
        check(col in r.err, "stderr does not list expected column %s: %r" % (col, r.err))
    check("nocols.csv" in r.err, "stderr does not name the file: %r" % r.err)
    r, sums, _ = t.ingest(good, category="no_such_category", expect=2)
    check("catalog.unknown_category" in r.err, "stderr: %r" % r.err)
    r, sums, _ = t.ingest(t.path("missing.csv"), expect=2)
    check("file.unreadable" in r.err, "stderr: %r" % r.err)
    for dept in ("12345", wrong_last(DEPT), ""):
        r, sums, _ = t.ingest(good, dept=dept, expect=2)
        check("dept.invalid" in r.err, "dept %r: stderr %r" % (dept, r.err))
    eq(t.count("batches"), 0, "no batch written by the failures")
    eq(t.count("records"), 0, "no record written by the failures")
    # one bad file among good ones: the good one is ingested, exit 2
    r, sums, _ = t.ingest([t.path("missing.csv"), good], expect=2)
    eq(len(sums), 1, "summaries when one of two files is missing")
    expect_counts(sums[0], rows=1, accepted=1)
    # an empty file
    r, sums, _ = t.ingest(t.write("empty.csv", ""), expect=2)
    check("file.format" in r.err or "file.no_columns" in r.err, "empty file: %r" % r.err)
    # usage errors
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", good])
    eq(r.code, 2, "ingest without --dept")
    r = t.run(["ingest", "--db", t.db, "--dept", DEPT, "--category", "penalty"])
    eq(r.code, 2, "ingest without a file")
    r = t.run(["ingest", "--db", t.db, "--dept", DEPT, "--category", "penalty",
               "--rejects", t.path("no/such/dir/r.csv"), good])
    eq(r.code, 2, "unwritable rejects file")
    # --format json on a CSV file
    r, sums, _ = t.ingest(good, extra=["--format", "json"], expect=2)
    check("file.format" in r.err, "CSV read as JSON: %r" % r.err)


@test
def formats_and_encodings(t):
    t.init()
    rows = [pen_row(), pen_row(name="肇庆市（端州）测试食品有限公司"), person_pen_row(),
            pen_row(facts="多行\n事实，含\"引号\"和逗号")]
    variants = [
        ("utf8.csv", csv_bytes(rows), "utf-8"),
        ("gbk.csv", csv_bytes(rows, encoding="gb18030", newline="\n"), "gb18030"),
        ("bom.csv", csv_bytes(rows, bom=True), "utf-8"),
        ("rows.json", json.dumps(json_objects(rows), ensure_ascii=False, indent=1)
         .encode("utf-8"), "utf-8"),
        ("rows.ndjson", "\n".join(json.dumps(o, ensure_ascii=False)
                                  for o in json_objects(rows, omit_empty=True))
         .encode("utf-8") + b"\n", "utf-8"),
    ]
    data_by_variant = {}
    for i, (name, data, enc) in enumerate(variants):
        # alone, in a fresh database: the same records
        sub = Ctx("fmt")
        try:
            sub.init()
            s, rej = sub.ingest_one(sub.write(name, data))
            eq(rej, [], "%s: rejects" % name)
            expect_counts(s, rows=len(rows), accepted=len(rows))
            data_by_variant[name] = sorted(sub.sql(
                "SELECT subject_code, category, business_key, data FROM records"))
            got = sub.sql("SELECT encoding, format FROM batches")[0]
            want_fmt = name.rsplit(".", 1)[1]
            eq(got, (enc, want_fmt), "%s: batch encoding and format" % name)
        finally:
            sub.close()
        # in the shared database: the first adds, the others are duplicates
        s, rej = t.ingest_one(t.write(name, data))
        if i == 0:
            expect_counts(s, rows=len(rows), accepted=len(rows))
        else:
            expect_counts(s, rows=len(rows), accepted=0, duplicates=len(rows))
    first = data_by_variant[variants[0][0]]
    for name, _, _ in variants[1:]:
        eq(data_by_variant[name], first, "records from %s vs utf8.csv" % name)
    eq(t.count("records"), len(rows), "records after five formats")
    show = t.show(rows[1]["code"])
    eq(show["subject"]["name"], "肇庆市(端州)测试食品有限公司", "name through every format")
    rec = one_record(t.show(rows[3]["code"]), "penalty")
    eq(rec["fields"]["facts"], rows[3]["facts"], "quoted multi-line value")
    # --format overrides the extension
    row = pen_row()
    f = t.write("rows.txt", "\n".join(json.dumps(o, ensure_ascii=False)
                                      for o in json_objects([row])) + "\n")
    r, sums, _ = t.ingest(f, extra=["--format", "ndjson"])
    expect_counts(sums[0], rows=1, accepted=1)


@test
def gb18030_large_and_late_chinese(t):
    # a large demo file in GB18030 reads exactly like its UTF-8 original (multi-byte
    # characters cut by the reader's chunk boundaries)
    with open(t.path("u.csv"), "wb") as out:
        p = subprocess.run([BIN, "demo", "--penalties", "6000"], stdout=out,
                           stderr=subprocess.PIPE, cwd=t.dir, env=base_env(NOW), timeout=600)
    sanitizer_check(["demo"], p.stderr.decode("utf-8", "replace"))
    eq(p.returncode, 0, "demo --penalties")
    with open(t.path("u.csv"), "rb") as fh:
        t.write("g.csv", fh.read().decode("utf-8").encode("gb18030"))
    t.init()
    s, rej = t.ingest_one(t.path("u.csv"))
    expect_counts(s, rows=6000, accepted=6000)
    other = Ctx("gb")
    try:
        other.init()
        s, rej = other.ingest_one(t.path("g.csv"))
        eq(rej, [], "rejects of the GB18030 file")
        expect_counts(s, rows=6000, accepted=6000)
        eq(other.sql("SELECT encoding FROM batches"), [("gb18030",)], "detected encoding")
        q = "SELECT subject_code, business_key, data FROM records ORDER BY 1, 2"
        check(other.sql(q) == t.sql(q), "GB18030 records differ from the UTF-8 ones")
    finally:
        other.close()
    # a GB18030 licence file whose first 600 KB are ASCII (old alias header, value codes)
    alias_header = ["XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_FRDB", "XK_XKWS", "XK_WSH",
                    "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI",
                    "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_SJLY", "XK_SJLYDM"]
    ascii_values = dict(type="1", rep="John Smith", docname="Decision", ltype="1",
                        certname="Cert", content="Food business", auth="Zhaoqing AMR",
                        status="1", src="Zhaoqing AMR")
    rows = []
    for i in range(3000):
        r = lic_row(**ascii_values)
        r["name"] = "ACME Trading Co %d" % i
        rows.append(r)
    late = [lic_row(), lic_row(name="肇庆市后到（中文）有限公司")]
    data = csv_bytes(rows + late, layout=LIC, header=alias_header, encoding="gb18030")
    s, rej = t.ingest_one(t.write("late.csv", data), category="license")
    eq(rej, [], "rejects of the late-Chinese file")
    expect_counts(s, rows=3002, accepted=3002)
    eq(t.show(late[1]["code"])["subject"]["name"], "肇庆市后到(中文)有限公司",
       "Chinese name after 600 KB of ASCII")
    rec = one_record(t.show(rows[0]["code"]), "license")
    eq((rec["fields"]["party_type"], rec["fields"]["license_type"], rec["fields"]["status"]),
       ("法人及非法人组织", "普通", "有效"), "value codes mapped")


@test
def archive_order(t):
    t.init()
    code = company_code(next_n())
    name = "肇庆市档案顺序测试有限公司"
    pens = [pen_row(code=code, name=name, date=d) for d in ("2023-05-01", "2025-02-03",
                                                           "2024-07-08")]
    lic = lic_row(code=code, name=name)
    t.ingest_one(t.write("p.csv", csv_bytes(pens)))
    t.ingest_one(t.write("l.csv", csv_bytes([lic], layout=LIC)), category="license")
    show = t.show(code)
    eq([g["category"] for g in show["categories"]], ["license", "penalty"], "category order")
    pen = [g for g in show["categories"] if g["category"] == "penalty"][0]
    eq(pen["count"], 3, "penalty count")
    eq([r["decision_date"] for r in pen["records"]], ["2025-02-03", "2024-07-08", "2023-05-01"],
       "records newest first")
    eq(pen["labels"].get("decision_no"), PEN_COL["no"], "labels give the column names")
    eq((pen["nature"], pen["disclosure"]), ("negative", "public"), "penalty group attributes")


@test
def deduplication_and_update(t):
    t.init()
    rows = [pen_row() for _ in range(5)]
    f = t.write("p.csv", csv_bytes(rows))
    s1, _ = t.ingest_one(f)
    expect_counts(s1, rows=5, accepted=5)
    before = t.count("records")
    s2, rej = t.ingest_one(f)
    expect_counts(s2, rows=5, accepted=0, duplicates=5, rejected=0)
    check(s2["batch"] != s1["batch"], "second ingest got the same batch id")
    eq(t.count("records"), before, "records after ingesting the same file twice")
    eq(t.count("batches"), 2, "batches")
    # a changed row with the same decision number and subject is an update
    changed = dict(rows[2], fine="1.5", content="警告，并处罚款一万五千元")
    f2 = t.write("p2.csv", csv_bytes([rows[0], changed, rows[4]]))
    s3, _ = t.ingest_one(f2)
    expect_counts(s3, rows=3, accepted=1, duplicates=2)
    eq(t.count("records"), before, "records after an update")
    rec = one_record(t.show(rows[2]["code"]), "penalty")
    eq(rec["fields"]["fine"], "1.5", "updated fine")
    eq(rec["fields"]["content"], changed["content"], "updated content")
    eq(rec["batch"], s3["batch"], "updated record's batch")
    # cosmetic differences that cleaning removes are still duplicates
    same = dict(rows[0], name="  " + rows[0]["name"] + " ", date="2025/6/15", fine="2000元")
    s4, _ = t.ingest_one(t.write("p3.csv", csv_bytes([same])))
    expect_counts(s4, rows=1, accepted=0, duplicates=1)
    # the same decision number for another subject is another record
    other = dict(rows[1], code=company_code(next_n()), name="肇庆市另一测试有限公司")
    s5, _ = t.ingest_one(t.write("p4.csv", csv_bytes([other])))
    expect_counts(s5, rows=1, accepted=1)
    eq(t.count("records"), before + 1, "records after a new subject")
    # within one file: a repeated row is a duplicate, a changed repeat an update
    a = pen_row()
    b = dict(a, fine="0.5")
    s6, _ = t.ingest_one(t.write("p5.csv", csv_bytes([a, a, b])))
    expect_counts(s6, rows=3, accepted=2, duplicates=1)
    eq(t.count("records"), before + 2, "records after repeats within one file")
    eq(one_record(t.show(a["code"]), "penalty")["fields"]["fine"], "0.5", "last version wins")


@test
def rejects_file_well_formed(t):
    """Messages are valid UTF-8 whatever their length, and CSV quoting round-trips."""
    t.init()
    rows = [pen_row(ptype="x"), pen_row(ptype="xx"), pen_row(ptype="xxx"),
            pen_row(type="x公司"), pen_row(type="xx公司"), pen_row(type="xxx公司"),
            pen_row(date='2021,"3",5'), pen_row(date="x" * 3000),
            pen_row(facts="多行\n违法\n事实"), pen_row(fine="abc"),
            pen_row(type="x" + "公" * 1000)]
    f = t.write("q.csv", csv_bytes(rows))
    rej = t.path("q-rejects.csv")
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT,
               "--rejects", rej, f])
    eq(r.code, 0, "exit status")
    s = json.loads(r.out)
    expect_counts(s, rows=len(rows), accepted=1, rejected=len(rows) - 1)
    with open(rej, "rb") as fh:
        raw = fh.read()
    bad_lines = []
    for i, line in enumerate(raw.split(b"\n")):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as ex:
            bad_lines.append("line %d: %s ...%r" % (i + 1, ex.reason, line[-12:]))
    check(not bad_lines, "rejects file is not valid UTF-8: %s" % "; ".join(bad_lines))
    by_row = rejects_by_row(read_rejects(rej))
    want = {2: "field.enum", 3: "field.enum", 4: "field.enum", 5: "field.enum",
            6: "field.enum", 7: "field.enum", 8: "date.unparseable", 9: "date.unparseable",
            11: "money.invalid", 12: "field.enum"}
    got = {n: {reason for _, reason in v} for n, v in by_row.items()}
    eq(sorted(got), sorted(want), "rejected rows (a quoted multi-line value is one row)")
    for n, reason in want.items():
        check(reason in got[n], "row %d: %r lacks %s" % (n, got[n], reason))
    bad = []
    for row, msg in t.sql("SELECT row, message FROM batch_problems", text_as_bytes=True):
        try:
            msg.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(row)
    check(not bad, "batch_problems messages of rows %s are not valid UTF-8" % bad)


@test
def gb18030_invalid_row(t):
    t.init()
    rows = [pen_row(), pen_row(facts="MARKER"), pen_row()]
    data = csv_bytes(rows, encoding="gb18030").replace(b"MARKER", "违法".encode("gb18030") +
                                                       b"\xff" + "事实".encode("gb18030"))
    s, rej = t.ingest_one(t.write("g.csv", data))
    expect_counts(s, rows=3, accepted=2, rejected=1)
    eq([(r["row"], r["reason"]) for r in rej], [("3", "encoding.invalid")], "GB18030 rejects")
    eq(t.show(rows[2]["code"])["subject"]["name"], rows[2]["name"], "name decoded from GB18030")
    eq(t.sql("SELECT encoding FROM batches"), [("gb18030",)], "batch encoding")


@test
def ndjson_columns_grow(t):
    t.init()
    a, b = pen_row(), pen_row(remark="后来出现的备注", conf="", ptype="警告;没收违法所得")
    b["conf"] = "0.05"
    objs = json_objects([a, b], omit_empty=True)
    check(PEN_COL["remark"] not in objs[0] and PEN_COL["conf"] not in objs[0], "test data")
    f = t.write("g.ndjson", "\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n")
    s, rej = t.ingest_one(f)
    eq(rej, [], "rejects")
    expect_counts(s, rows=2, accepted=2)
    rec = one_record(t.show(b["code"]), "penalty")
    eq(rec["fields"].get("remark"), "后来出现的备注", "column first seen in row 3")
    eq(rec["fields"].get("confiscated"), "0.05", "money column first seen in row 3")
    # a file whose objects name no catalog field at all
    f = t.write("none.ndjson", '{"foo": 1}\n{"bar": 2}\n')
    r, sums, _ = t.ingest(f, expect=2)
    check("file.no_columns" in r.err, "stderr: %r" % r.err)
    eq(t.count("batches"), 1, "no batch kept for a file without columns")


@test
def name_conflict_within_one_file(t):
    t.init()
    a = pen_row()
    b = pen_row(code=a["code"], name=a["name"] + "分公司")
    s, rej = t.ingest_one(t.write("c.csv", csv_bytes([a, b])))
    expect_counts(s, rows=2, accepted=2, warnings=1)
    eq(warnings_of(t, s["batch"]), [(3, "subject.name_conflict")], "warning rows")
    show = t.show(a["code"])
    eq(show["subject"]["name"], a["name"], "the first name stays")
    flags = {r["fields"]["decision_no"]: r["name_conflict"] for r in records(show, "penalty")}
    eq(flags, {a["no"]: False, b["no"]: True}, "name_conflict flags")
    # long names (within the 200-character limit): the stored warning stays valid UTF-8
    c = pen_row(name="x" + "测" * 190)
    d = pen_row(code=c["code"], name="x" + "试" * 190)
    s, rej = t.ingest_one(t.write("d.csv", csv_bytes([c, d])))
    expect_counts(s, rows=2, accepted=2, warnings=1)
    msgs = [m for (m,) in t.sql("SELECT message FROM batch_problems WHERE batch_id=?",
                                (s["batch"],), text_as_bytes=True)]
    eq(len(msgs), 1, "warnings stored")
    try:
        msgs[0].decode("utf-8")
    except UnicodeDecodeError as ex:
        raise Fail("subject.name_conflict message is not valid UTF-8 (%s; %d bytes, ends %r)"
                   % (ex.reason, len(msgs[0]), msgs[0][-8:]))


def proc_file_pos(pid, path):
    """Offset of pid's open file description for path (Linux /proc), or None."""
    fd_dir = "/proc/%d/fd" % pid
    try:
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, fd)) == path:
                    with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                        for line in f:
                            if line.startswith("pos:"):
                                return int(line.split()[1])
            except OSError:
                continue
    except OSError:
        return None
    return None


@test
def atomic_batch_on_sigkill(t):
    nrows = 40000
    for attempt in range(5):
        sub = Ctx("kill")
        try:
            sub.init()
            base = [pen_row() for _ in range(3)]
            s, _ = sub.ingest_one(sub.write("base.csv", csv_bytes(base)))
            expect_counts(s, rows=3, accepted=3)
            big = sub.path("big.csv")
            with open(big, "wb") as out:
                p = subprocess.run([BIN, "demo", "--penalties", str(nrows)], stdout=out,
                                   stderr=subprocess.PIPE, cwd=sub.dir, env=base_env(NOW),
                                   timeout=900)
            err = p.stderr.decode("utf-8", "replace")
            sanitizer_check(["demo", "--penalties", str(nrows)], err)
            eq(p.returncode, 0, "demo --penalties exit status (stderr %r)" % err[:300])
            size = os.path.getsize(big)
            with open(big, encoding="utf-8") as fh:
                nlines = sum(1 for _ in fh)
            eq(nlines, nrows + 1, "lines written by demo --penalties %d" % nrows)
            counts = {tb: sub.count(tb) for tb in ("records", "batches", "subjects",
                                                   "batch_problems")}
            args = ["ingest", "--db", sub.db, "--category", "penalty", "--dept", DEPT, big]
            proc = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=sub.dir, env=base_env(NOW))
            start = time.time()
            pos = None
            while time.time() - start < 0.7:
                time.sleep(0.05)
                if proc.poll() is not None:
                    break
                pos = proc_file_pos(proc.pid, big)
            still_running = proc.poll() is None
            journal = None
            if still_running:
                pos = proc_file_pos(proc.pid, big)
                if not sub.pg:
                    journal = [x for x in ("-journal", "-wal")
                               if os.path.exists(sub.db + x)]
                elapsed = time.time() - start
                os.kill(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=60)
            if not still_running:
                sanitizer_check(args, err.decode("utf-8", "replace"))
                nrows *= 4  # too fast to be killed mid-batch: a bigger file
                continue
            eq(proc.returncode, -signal.SIGKILL, "ingest was killed")
            print("# killed ingest of %d rows after %.2f s at input offset %s of %d bytes "
                  "(%s)" % (nrows, elapsed, pos, size, "postgresql" if sub.pg else
                            "open journal files: %s" % journal))
            eq(out, b"", "a killed ingest printed a summary")
            if pos is not None and pos >= size:
                # The reader had the whole file in its last chunk: too close to the
                # commit to prove anything.  Nothing may have landed half-way, though.
                after = {tb: sub.count(tb) for tb in counts}
                check(after == counts or after["batches"] == counts["batches"] + 1,
                      "a kill at the end left a partial batch: %r -> %r" % (counts, after))
                nrows *= 4
                continue
            check(pos is None or 0 < pos < size,
                  "ingest was not mid-file when killed (offset %s of %d)" % (pos, size))
            if not sub.pg:
                eq(sub.sql("PRAGMA integrity_check"), [("ok",)], "integrity after SIGKILL")
            # On PostgreSQL the killed client's transaction never committed: none of its
            # rows may be visible (the server rolls it back when it sees the client gone).
            after = {tb: sub.count(tb) for tb in counts}
            eq(after, counts, "table counts after killing a batch (offset %s of %d)"
               % (pos, size))
            # a full ingest afterwards works
            s, _ = sub.ingest_one(big, rejects=False)
            expect_counts(s, rows=nrows, accepted=nrows, rejected=0)
            eq(sub.count("records"), counts["records"] + nrows, "records after the full ingest")
            eq(sub.count("batches"), counts["batches"] + 1, "batches after the full ingest")
            return
        finally:
            sub.close()
    raise Fail("ingest of %d rows always finished within 0.7 s; could not kill it mid-batch"
               % nrows)


@test
def now_controls_future_dates(t):
    t.init()
    row = pen_row(date="2026-11-25")
    f = t.write("f.csv", csv_bytes([row]))
    s, rej = t.ingest_one(f, now="2026-11-20T10:00:00+08:00", expect=1)
    expect_counts(s, rows=1, accepted=0, rejected=1)
    eq([(r["field"], r["reason"]) for r in rej], [(PEN_COL["date"], "date.future")],
       "future date")
    s, rej = t.ingest_one(f, now="2026-12-01T10:00:00+08:00")
    expect_counts(s, rows=1, accepted=1)
    # today itself is not the future; the day is Beijing's
    row2 = pen_row(date="2026-11-20")
    s, rej = t.ingest_one(t.write("t.csv", csv_bytes([row2])), now="2026-11-19T16:30:00Z")
    expect_counts(s, rows=1, accepted=1)
    r = t.run(["catalog", "list", "--db", t.db], now="next tuesday")
    eq(r.code, 2, "exit status with an invalid XINYONG_NOW")
    check("config.now" in r.err, "stderr lacks config.now: %r" % r.err)


@test
def publicity_status(t):
    t.init()
    old = pen_row(date="2022-01-10", pubend="")
    short = pen_row(date="2025-01-10", pubend="2025-04-10")
    long_end = pen_row(date="2025-01-10", pubend="2030-01-01")
    person = person_pen_row(date="2025-06-01")
    f = t.write("p.csv", csv_bytes([old, short, long_end, person]))
    s, rej = t.ingest_one(f, now="2024-06-01T10:00:00+08:00")
    # 2025 dates are in the future on 2024-06-01
    eq(sorted(int(r["row"]) for r in rej), [3, 4, 5], "rows rejected as future on 2024-06-01")
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=4, accepted=3, duplicates=1)
    rec = one_record(t.show(old["code"], now="2024-06-01T10:00:00+08:00"), "penalty")
    eq(pub(rec), {"status": "published", "until": "2025-01-10"},
       "2022-01-10 penalty on 2024-06-01")
    rec = one_record(t.show(old["code"]), "penalty")
    eq(pub(rec), {"status": "ended", "until": "2025-01-10"},
       "2022-01-10 penalty on 2026-11-20 (36 months maximum)")
    rec = one_record(t.show(old["code"], now="2025-01-10T23:00:00+08:00"), "penalty")
    eq(rec["publicity"]["status"], "published", "last day of publicity")
    rec = one_record(t.show(short["code"]), "penalty")
    eq(pub(rec), {"status": "ended", "until": "2025-04-10"}, "公示截止期 given")
    leap = pen_row(date="2024-02-29")
    s, _ = t.ingest_one(t.write("leap.csv", csv_bytes([leap])))
    rec = one_record(t.show(leap["code"]), "penalty")
    eq(rec["publicity"]["until"], "2027-02-28", "2024-02-29 + 36 months")
    rec = one_record(t.show(long_end["code"]), "penalty")
    eq(pub(rec), {"status": "published", "until": "2028-01-10"},
       "公示截止期 beyond the 36-month maximum is capped")
    show = t.show(person["idno"])
    eq(show["subject"]["kind"], "resident_id", "person kind")
    eq(show["subject"]["subject_type"], "自然人", "person subject type")
    rec = one_record(show, "penalty")
    eq(rec["publicity"]["status"], "not_public", "a natural person's record")


def pub(rec):
    """A record's publicity status and last day."""
    return {k: rec["publicity"][k] for k in ("status", "until") if k in rec["publicity"]}


PEN_RULED = PEN + [("sev", "失信严重程度"), ("sector", "行业领域")]


@test
def publicity_by_regime_and_severity(t):
    t.init()
    rows = {
        # Order 36 (from 2026-04-01): a warning alone is 轻微 and not published.
        "minor": pen_row(date="2026-05-06", ptype="警告", fine="", content="警告"),
        "general": pen_row(date="2026-05-06"),
        "big_fine": pen_row(date="2026-05-06", ptype="罚款", fine="120"),
        "revoked": pen_row(date="2026-05-06", ptype="罚款;吊销许可证件"),
        "declared": pen_row(date="2026-05-06", sev="严重"),
        "dept_end": pen_row(date="2026-05-06", pubend="2026-09-30"),
        # Order 58: three months, a year in the food sector; severity does not matter.
        "o58": pen_row(date="2025-01-10"),
        "o58_food": pen_row(date="2025-01-10", sector="食品"),
        "o58_minor": pen_row(date="2025-01-10", ptype="警告", fine=""),
    }
    names = list(rows)
    s, rej = t.ingest_one(t.write("p.csv", csv_bytes([rows[k] for k in names],
                                                     layout=PEN_RULED)))
    eq(rej, [], "every row accepted")
    got = {k: one_record(t.show(rows[k]["code"]), "penalty")["publicity"] for k in names}
    want = {
        "minor": ("not_published", None, "2026-05-06", "minor", "minor_warning"),
        "general": ("published", "2027-05-06", "2026-08-06", "general", "general"),
        "big_fine": ("published", "2029-05-06", "2027-05-06", "serious", "serious_fine"),
        "revoked": ("published", "2029-05-06", "2027-05-06", "serious", "serious_type"),
        "declared": ("published", "2029-05-06", "2027-05-06", "serious", "declared"),
        "dept_end": ("ended", "2026-09-30", "2026-08-06", "general", "general"),
        "o58": ("published", "2028-01-10", "2025-04-10", "general", "general"),
        "o58_food": ("published", "2028-01-10", "2026-01-10", "general", "general"),
        "o58_minor": ("published", "2028-01-10", "2025-04-10", "minor", "minor_warning"),
    }
    for k in names:
        p = got[k]
        eq((p["status"], p.get("until"), p["repairable_from"], p["severity"],
            p["severity_rule"]), want[k], k)
    eq(got["general"]["regime"], "国家发展改革委令第36号", "the regime is named")
    eq(got["o58"]["regime"], "国家发展改革委令第58号", "the regime is named")
    eq(got["declared"]["severity_label"], "严重", "the class in Chinese")
    # A regime may start tomorrow, never in the past: records keep the period they got.
    regime = json.loads(t.ok(["rules", "--db", t.db, "show", "publicity"]).out)["rules"]
    past = dict(regime, effective_from="2026-11-01", name="追溯规则")
    r = t.run(["rules", "--db", t.db, "import", t.write("past.json", json.dumps(past))])
    eq(r.code, 2, "a regime starting in the past is refused")
    check("rules.in_force" in r.err and "明天" in r.err, r.err)
    future = dict(regime, effective_from="2026-11-21", name="新规")
    future["periods"] = dict(regime["periods"],
                             general={"published": True, "min_months": 6, "max_months": 24})
    t.ok(["rules", "--db", t.db, "import", t.write("future.json", json.dumps(future))])
    later = pen_row(date="2026-11-21")
    t.ingest_one(t.write("q.csv", csv_bytes([later])), now="2026-11-22T10:00:00+08:00")
    p = one_record(t.show(later["code"], now="2026-11-22T10:00:00+08:00"), "penalty")["publicity"]
    eq((p["until"], p["repairable_from"], p["regime"]), ("2028-11-21", "2027-05-21", "新规"),
       "an imported regime governs decisions from its date")
    p = one_record(t.show(rows["general"]["code"], now="2026-11-22T10:00:00+08:00"),
                   "penalty")["publicity"]
    eq(p["until"], "2027-05-06", "an earlier decision keeps its regime")


@test
def person_subjects(t):
    t.init()
    p = person_pen_row()
    old15 = "441202" + "850612" + "%03d" % 77
    p15 = person_pen_row(idno=old15)
    passport = person_pen_row(idtype="护照号", idno="E12345678")
    s, rej = t.ingest_one(t.write("p.csv", csv_bytes([p, p15, passport])))
    eq(rej, [], "person rejects")
    expect_counts(s, rows=3, accepted=3)
    full = "441202" + "19850612" + "077"
    full += id_check_char(full)
    show = t.show(full)
    eq(show["subject"]["code"], full, "15-digit ID stored as 18 digits")
    show = t.show(old15)
    eq(show["subject"]["code"], full, "subject show with the 15-digit ID")
    show = t.show(p["idno"])
    eq(show["subject"]["name"], p["name"], "person name")
    check(show["subject"]["region"] and "端州" in show["subject"]["region"]["name"],
          "person region: %r" % show["subject"]["region"])
    res = t.search(p["name"])
    check(p["idno"] in [x["code"] for x in res["results"]], "CLI search finds persons")
    eq(t.count("subjects", "WHERE kind='resident_id'"), 2, "resident_id subjects")
    eq(t.count("subjects", "WHERE kind='other'"), 1, "passport subject kind other")
    r = t.run(["subject", "show", "--db", t.db, make_id("110105", "19700101", "123")])
    eq(r.code, 1, "subject show of an unknown person")
    check("subject.not_found" in r.err, "stderr: %r" % r.err)


@test
def search_total_pages_filters_and_facts(t):
    t.ok(["demo", "--db", t.db, "--subjects", "300"])

    def search(*args):
        return t.ok(["search", "--db", t.db, "--compact"] + list(args)).json()

    everyone = t.sql("SELECT count(*) FROM subjects WHERE name_key LIKE '%%有限公司%%' "
                     "AND kind <> 'resident_id' AND subject_type <> '自然人'")[0][0]
    first = search("--limit", "7", "有限公司")
    eq((first["count"], first["total"], first["total_capped"]), (7, everyone, False),
       "a page of 7, and the exact total of every page")
    # Paging with the cursor walks every match once, in rank order.
    seen, page = [], first
    while True:
        seen += [r["code"] for r in page["results"]]
        if not page["next"]:
            break
        page = search("--limit", "7", "--cursor", page["next"], "有限公司")
    eq(len(seen), everyone, "the pages hold every match")
    eq(len(set(seen)), len(seen), "no match twice")
    ranks = [(r["match"], len(r["name"]), r["code"]) for r in search("--limit", "100", "有限公司")["results"]]
    eq(ranks, sorted(ranks, key=lambda x: (["code", "name", "prefix", "partial"].index(x[0]), x[1], x[2])),
       "ranked by match, then shorter names, then code")
    # The region and type filters.
    region = t.sql("SELECT region_code FROM subjects WHERE kind = 'uscc' GROUP BY region_code "
                   "ORDER BY count(*) DESC LIMIT 1")[0][0]
    local = search("--region", region, "--limit", "100", "公司")
    want = t.sql("SELECT count(*) FROM subjects WHERE name_key LIKE '%%公司%%' AND region_code = '%s' "
                 "AND kind <> 'resident_id' AND subject_type <> '自然人'" % region)[0][0]
    eq(local["total"], want, "the region's matches")
    check(local["results"] and all(r["region"]["code"] == region for r in local["results"]),
          "only the region's subjects")
    eq(search("--type", "个体工商户", "公司")["total"],
       t.sql("SELECT count(*) FROM subjects WHERE name_key LIKE '%%公司%%' AND subject_type = '个体工商户'")[0][0],
       "the type filter")
    r = t.run(["search", "--db", t.db, "--region", "44120", "公司"])
    check(r.code == 2 and "region" in r.err, "a bad region is refused: %r" % r.err)
    r = t.run(["search", "--db", t.db, "--cursor", "x", "公司"])
    check(r.code == 2 and "cursor" in r.err, "a bad cursor is refused: %r" % r.err)
    # Each result tells companies of one name apart: representative, founding, status.
    code = t.sql("SELECT subject_code FROM records WHERE category = 'registration' LIMIT 1")[0][0]
    hit = search(code)["results"][0]
    reg = json.loads(t.sql("SELECT data FROM records WHERE category = 'registration' AND "
                           "subject_code = '%s'" % code)[0][0])
    eq((hit["match"], hit["legal_rep"], hit["established"], hit["status"]),
       ("code", reg.get("legal_rep"), reg.get("established"), reg.get("status")),
       "a result's facts come from its registration record")
    listed = t.sql("SELECT subject_code FROM records WHERE category = 'dishonest_list' AND "
                   "(publicity_end = '' OR publicity_end >= '2026-11-20') LIMIT 1")[0][0]
    check("严重失信" in search(listed)["results"][0]["tags"], "a listed subject is tagged")


@test
def subject_labels_and_chapter_summary(t):
    t.ok(["demo", "--db", t.db, "--subjects", "200"])

    def subject_of(category):
        return t.sql("SELECT subject_code FROM records WHERE category = '%s' AND "
                     "(publicity_end = '' OR publicity_end >= '2026-11-20') "
                     "ORDER BY id LIMIT 1" % category)[0][0]

    listed = t.show(subject_of("dishonest_list"))
    ids = [x["id"] for x in listed["labels"]]
    check("serious_dishonest" in ids, "a listed subject's labels: %r" % listed["labels"])
    eq([x["chapter"] for x in listed["summary"]], list(range(1, 10)),
       "nine chapters, in the report's order, empty ones too")
    by_chapter = {}
    for g in listed["categories"]:
        by_chapter[g["chapter"]] = by_chapter.get(g["chapter"], 0) + g["count"]
    eq({x["chapter"]: x["count"] for x in listed["summary"] if x["count"]}, by_chapter,
       "the summary counts what the categories hold")
    eq(next(g["chapter"] for g in listed["categories"] if g["category"] == "dishonest_list"),
       4, "严重失信主体名单 is chapter 四")
    eq(listed["summary"][3]["title"], "严重失信主体名单信息", "the chapter's title")
    abnormal = t.show(subject_of("abnormal_list"))
    check(any(x["id"] == "abnormal" and x["tone"] == "warning" for x in abnormal["labels"]),
          "an abnormal-list subject's labels: %r" % abnormal["labels"])
    status = [x for x in abnormal["labels"] if x["id"] == "status"]
    check(len(status) <= 1 and all(x["text"] for x in status), "at most one status: %r" % status)


@test
def demo_database(t):
    r = t.ok(["demo", "--db", t.db, "--subjects", "200"])
    summ = r.json()
    eq(summ.get("subjects"), 200, "demo summary subjects")
    batches = summ.get("batches")
    check(isinstance(batches, list) and len(batches) == 9, "demo batches: %r" % batches)
    # The last two re-send penalties: corrected by their department (updates, whose
    # earlier content is kept), and claimed by another department (refused).
    corrections, other = batches[7], batches[8]
    for b in batches[:7]:
        eq(b["rejected"], 0, "demo batch %s rejected rows" % b.get("category"))
        check(b["accepted"] > 0, "demo batch %s accepted nothing" % b.get("category"))
    eq({b["category"] for b in batches}, set(BUILTIN), "demo categories")
    eq(t.count("records"), sum(b["accepted"] for b in batches[:7]), "records vs demo summary")
    check(corrections["category"] == "penalty" and corrections["accepted"] > 0 and
          corrections["rejected"] == 0, "corrections %r" % corrections)
    # One version per corrected row, one for the demo objection decided `correct`, and
    # one for each record an approved repair marked.
    eq(t.count("record_versions"),
       corrections["accepted"] + 1 + t.count("records", "WHERE (flags & 8) <> 0"),
       "a version per corrected record, corrected objection and approved repair")
    eq(t.count("cases", "WHERE kind = 'objection'"), 7, "the demo's objections")
    eq(t.sql("SELECT status, dept_code <> '' FROM cases WHERE kind = 'repair' ORDER BY id"),
       [("forwarded", 1), ("refused", 0), ("decided", 1)],
       "repairs waiting for the department, refused at the window, approved")
    eq(t.count("records", "WHERE (flags & 8) <> 0"), 1, "the approved repair's record")
    eq(sorted(x[0] for x in t.sql("SELECT DISTINCT status FROM cases")),
       ["accepted", "decided", "forwarded", "refused", "submitted", "withdrawn"],
       "demo cases in every state")
    eq(t.count("users"), 3, "the demo accounts")
    check(other["rejected"] > 0 and other["accepted"] == 0, "other department %r" % other)
    eq(t.sql("SELECT DISTINCT reason FROM batch_problems WHERE batch_id = %d" % other["batch"]),
       [("record.other_dept",)], "the other department's rows are refused as such")
    check(t.count("subjects", "WHERE kind='resident_id'") > 0, "no person subjects in demo")
    eq(t.count("subjects", "WHERE kind='uscc'"), 190, "companies (every 20th subject is a "
       "person)")
    names = [(c, n) for c, n in t.sql("SELECT code, name FROM subjects WHERE kind='uscc'")]
    # pick a 2-character part of a name that is rare, and search it
    all_names = [nm for (nm,) in t.sql("SELECT name FROM subjects")]
    best = None
    for code, name in names:
        for i in range(3, len(name) - 1):
            part = name[i:i + 2]
            if any(ch in part for ch in "()（）"):
                continue
            n = sum(1 for nm in all_names if part in nm)
            if best is None or n < best[2]:
                best = (code, part, n)
        if best and best[2] == 1:
            break
    code, part, n = best
    res = t.search(part, limit=100)
    eq(res["count"], n, "search %r count" % part)
    check(code in [x["code"] for x in res["results"]], "search %r does not find %s"
          % (part, code))
    show = t.show(code)
    check(records(show, "registration"), "demo company has no registration record")
    # The non-public categories: social insurance arrears for about one company in ten,
    # utility payments for about one subject in four, persons (by ID number) included.
    kinds = dict(t.sql("SELECT code, kind FROM subjects"))
    arrears = {c for (c,) in t.sql("SELECT subject_code FROM records "
                                   "WHERE category = 'social_insurance_arrears'")}
    check(arrears and all(kinds[c] == "uscc" for c in arrears),
          "social insurance arrears of %r" % sorted(arrears))
    check(8 <= len(arrears) <= 35, "%d companies in arrears of 190" % len(arrears))
    utility = {}
    for c, data in t.sql("SELECT subject_code, data FROM records "
                         "WHERE category = 'utility_payment'"):
        utility.setdefault(c, []).append(json.loads(data) if isinstance(data, str) else data)
    check(25 <= len(utility) <= 80, "%d subjects with utility payments of 200" % len(utility))
    persons = [c for c in utility if kinds[c] == "resident_id"]
    check(persons, "no person has utility payment records")
    for c in persons:
        for rec in utility[c]:
            eq((rec.get("party_type"), rec.get("id_number")), ("自然人", c),
               "a person's utility payment record")
    # In the archive (the console sees every level).
    code = sorted(arrears)[0]
    check(records(t.show(code), "social_insurance_arrears"), "archive of %s" % code)
    # the same seed gives the same data
    sub = Ctx("demo2")
    try:
        sub.ok(["demo", "--db", sub.db, "--subjects", "200"])
        eq(sorted(sub.sql("SELECT code, name FROM subjects")),
           sorted(t.sql("SELECT code, name FROM subjects")), "demo is deterministic")
    finally:
        sub.close()


@test
def usage_and_exit_statuses(t):
    r = t.run([])
    eq(r.code, 2, "no command")
    r = t.run(["frobnicate"])
    eq(r.code, 2, "unknown command")
    r = t.ok(["--version"])
    check(r.out.startswith("xinyong "), "version: %r" % r.out)
    for cmd in ("init", "ingest", "code", "catalog", "subject", "search", "demo"):
        r = t.run([cmd, "--help"])
        eq(r.code, 0, "%s --help" % cmd)
        check("usage" in r.out, "%s --help output: %r" % (cmd, r.out))
    t.init()
    r = t.run(["subject", "show", "--db", t.db, VALID_CODES[0]])
    eq(r.code, 1, "subject show of an absent subject")
    r = t.run(["subject", "show", "--db", t.db])
    eq(r.code, 2, "subject show without a code")


# ---- runner ----------------------------------------------------------------------------------


@test
def rejects_only_for_committed_batches(t):
    """A batch rolled back at the end (JSON keys that match no required column) leaves no
    line in the rejects file, and nothing in the database."""
    t.init()
    f = t.write("none.ndjson", '{"foo": 1}\n{"bar": 2}\n')
    good = t.write("good.csv", csv_bytes([pen_row(date="不是日期")]))
    rej = t.path("rejects.csv")
    r = t.run(["ingest", "--db", t.db, "--category", "penalty", "--dept", DEPT,
               "--rejects", rej, f, good])
    eq(r.code, 2, "exit status when one file could not be used")
    check("file.no_columns" in r.err, "no_columns reported: %s" % r.err)
    rows = read_rejects(rej)
    eq([(x["row"], x["reason"]) for x in rows], [("2", "date.unparseable")],
       "rejects of the committed batch only")
    eq(t.count("batches"), 1, "batches after one rolled-back and one committed file")


@test
def truncated_json_counts_its_break_as_a_row(t):
    t.init()
    objs = json_objects([pen_row(), pen_row()])
    text = json.dumps(objs, ensure_ascii=False)
    f = t.write("cut.json", text[: text.rindex("}") + 1] + ",\n{\"行政相对人名称\": \"半")
    s, rej = t.ingest_one(f)
    expect_counts(s, rows=3, accepted=2, rejected=1)
    eq(s["rows"], s["accepted"] + s["duplicates"] + s["rejected"], "rows add up")
    eq([x["reason"] for x in rej], ["file.format"], "the break is reported")


@test
def subject_kind_conflict(t):
    """A passport number equal to a company's USCC must not attach a person's penalty to
    the company."""
    t.init()
    company = pen_row()
    s, _ = t.ingest_one(t.write("c.csv", csv_bytes([company])))
    expect_counts(s, rows=1, accepted=1)
    person = person_pen_row(idtype="护照号", idno=company["code"], name="张护照")
    s, rej = t.ingest_one(t.write("p.csv", csv_bytes([person])), expect=1)
    expect_counts(s, rows=1, accepted=0, rejected=1)
    eq([(x["field"], x["reason"]) for x in rej], [("证件号码", "subject.kind_conflict")],
       "kind conflict reported on the document number")
    eq(len(records(t.show(company["code"]), "penalty")), 1, "the company keeps one record")


@test
def batch_encoding_decided_late(t):
    """A GB18030 file whose first 64 KiB are ASCII is recorded as gb18030."""
    t.init()
    filler = [pen_row(name="Zhaoqing Test %d Trading Co" % i, facts="a" * 200)
              for i in range(400)]
    late = pen_row()
    f = t.write("late.csv", csv_bytes(filler + [late], encoding="gb18030"))
    s, _ = t.ingest_one(f)
    eq(s["rejected"], 0, "all rows good")
    eq(t.sql("SELECT encoding FROM batches WHERE id = ?", (s["batch"],))[0][0], "gb18030",
       "recorded encoding")
    eq(t.show(late["code"])["subject"]["name"], late["name"], "Chinese decoded")


@test
def search_limit_is_checked(t):
    t.init()
    for bad in ("abc", "0", "-5", "101"):
        r = t.run(["search", "--db", t.db, "--limit", bad, "测试"])
        eq(r.code, 2, "exit status for --limit %s" % bad)
        check("request.invalid" in r.err, "reason for --limit %s: %s" % (bad, r.err))

# ---- the holiday calendar (xinyong calendar; data/calendar/cn-workdays.csv) --------------

def calendar_years(t):
    """{year: listed days} as the database holds them."""
    rows = t.sql("SELECT substr(day, 1, 4), count(*) FROM calendar_days GROUP BY substr(day, 1, 4) "
                 "ORDER BY 1")
    return {int(y): n for y, n in rows}


def builtin_calendar():
    with open(os.path.join(ROOT, "data", "calendar", "cn-workdays.csv"), encoding="utf-8") as f:
        return [(r["date"], r["kind"]) for r in csv.DictReader(f)]


def calendar_add(t, day, n, now=NOW):
    r = t.run(["calendar", "--db", t.db, "add", day, str(n)], now=now)
    check(r.code == 0, "calendar add %s %s: %s" % (day, n, r.describe()))
    return r.out.strip(), r.err


@test
def calendar_init_loads_the_builtin_calendar(t):
    t.init()
    eq(calendar_years(t), {2024: 36, 2025: 33, 2026: 39}, "years after init")
    eq(sorted(tuple(x) for x in t.sql("SELECT day, kind FROM calendar_days")),
       sorted(builtin_calendar()), "the rows are data/calendar/cn-workdays.csv")
    # init again over an operator's import of 2025 keeps the import: only missing years
    # of the built-in calendar are added.
    f = t.write("2025.csv", "date,kind\n2025-10-01,holiday\n")
    t.ok(["calendar", "--db", t.db, "import", f])
    t.init()
    eq(calendar_years(t), {2024: 36, 2025: 1, 2026: 39}, "years after a second init")


@test
def calendar_demo_loads_the_builtin_calendar(t):
    t.ok(["demo", "--db", t.db, "--subjects", "5"])
    eq(calendar_years(t), {2024: 36, 2025: 33, 2026: 39}, "years after demo")


@test
def calendar_add_counts_working_days(t):
    t.init()
    cases = [
        ("2024-02-08", 1, "2024-02-09"),  # 除夕 02-09 is a working Friday by the notice
        ("2024-02-09", 1, "2024-02-18"),  # Spring Festival off, the Sunday 02-18 worked
        ("2024-02-08", 2, "2024-02-18"),
        ("2025-09-26", 1, "2025-09-28"),  # the Sunday before National Day is worked
        ("2025-09-30", 1, "2025-10-09"),  # 10-01..10-08 off
        ("2025-09-30", 7, "2025-10-16"),  # the Saturday 10-11 counts
        ("2025-12-31", 1, "2026-01-04"),  # New Year 01-01..01-03 off, the Sunday worked
        ("2026-02-13", 2, "2026-02-24"),
        ("2024-02-12", 0, "2024-02-12"),  # zero days: the day itself
    ]
    for day, n, want in cases:
        out, err = calendar_add(t, day, n)
        eq(out, want, "calendar add %s %d" % (day, n))
        check("year_missing" not in err, "no warning for %s + %d: %r" % (day, n, err))
    # 2027 is not in the calendar: Monday-Friday, with a warning that names the year.
    out, err = calendar_add(t, "2026-12-31", 2)
    eq(out, "2027-01-04", "2026-12-31 + 2 by Monday-Friday in 2027")
    check("event=calendar warning=year_missing" in err and "years=2027" in err,
          "the fallback is logged: %r" % err)
    check("calendar.year_missing" in err and "calendar import" in err,
          "the fallback is explained: %r" % err)
    for args, what in ((["2024-02-30", "1"], "2024-02-30"), (["2024/02/08", "1"], "2024/02/08"),
                       (["2024-02-08", "x"], "x"), (["2024-02-08", "10001"], "10001")):
        r = t.run(["calendar", "--db", t.db, "add"] + args)
        eq(r.code, 2, "exit status of calendar add %s" % args)
        check("request.invalid" in r.err and what in r.err, "stderr of %s: %r" % (args, r.err))
    for args in (["add", "2024-02-08"], ["add"], ["import"], ["nope"], []):
        r = t.run(["calendar", "--db", t.db] + args)
        eq(r.code, 2, "exit status of calendar %s" % args)
        check("usage:" in r.err, "usage for calendar %s: %r" % (args, r.err))


@test
def calendar_import_replaces_whole_years(t):
    t.init()
    eq(calendar_add(t, "2025-12-31", 1)[0], "2026-01-04", "before the import")
    # A new notice for 2026 (an invented one: New Year's Day only) and the first for 2027.
    f = t.write("cn-2026-2027.csv", "\ufeffdate,kind\r\n2026-01-01,holiday\r\n\r\n"
                "2027-01-01,holiday\r\n2027-02-06,workday\r\n")
    r = t.ok(["calendar", "--db", t.db, "import", f], now="2026-11-25T09:00:00+08:00")
    eq(r.json(), {"file": f, "years": [2026, 2027], "days": 3, "replaced": [2026]},
       "import summary")
    eq(calendar_years(t), {2024: 36, 2025: 33, 2026: 1, 2027: 2}, "years after the import")
    eq([list(x) for x in t.sql("SELECT day, kind, updated_at FROM calendar_days "
                                "WHERE day >= '2026' ORDER BY day")],
       [["2026-01-01", "holiday", "2026-11-25T09:00:00+08:00"],
        ["2027-01-01", "holiday", "2026-11-25T09:00:00+08:00"],
        ["2027-02-06", "workday", "2026-11-25T09:00:00+08:00"]], "the rows written")
    # The count follows the new rows at once, and 2027 no longer falls back.
    eq(calendar_add(t, "2025-12-31", 1)[0], "2026-01-02", "2026-01-02 is a working day now")
    out, err = calendar_add(t, "2027-02-05", 1)
    eq(out, "2027-02-06", "the make-up Saturday of 2027")
    check("year_missing" not in err, "2027 is known: %r" % err)
    r = t.ok(["calendar", "--db", t.db, "status"])
    eq(r.json(), {"years": [2024, 2025, 2026, 2027], "warnings": []}, "calendar status")
    # The import is in the audit trail.
    r = t.ok(["audit", "--db", t.db, "list"])
    entries = [x for x in r.json()["entries"] if x["action"] == "calendar.import"]
    eq(len(entries), 1, "calendar.import entries")
    check("2027" in json.dumps(entries[0]["detail"]), "the entry names the years: %r" % entries)
    # Importing the same file again changes nothing but the timestamps.
    r = t.ok(["calendar", "--db", t.db, "import", f])
    eq(r.json()["replaced"], [2026, 2027], "replaced on the second import")
    eq(calendar_years(t), {2024: 36, 2025: 33, 2026: 1, 2027: 2}, "years after a second import")


@test
def calendar_import_rejects_a_bad_file_and_writes_nothing(t):
    t.init()
    before = sorted(tuple(x) for x in t.sql("SELECT day, kind, updated_at FROM calendar_days"))
    good = "date,kind\n2024-01-01,holiday\n2027-01-01,holiday\n"
    cases = [
        # (text, the line, the column or None, words the message must hold)
        (good + "2027-13-01,holiday\n", 4, "date", ["2027-13-01", "YYYY-MM-DD"]),
        (good + "2027/2/6,workday\n", 4, "date", ["2027/2/6", "YYYY-MM-DD"]),
        (good + "2027-02-06,make-up\n", 4, "kind", ["make-up", "holiday", "workday"]),
        (good + "2027-02-08,workday\n", 4, "kind", ["星期一", "星期六或星期日"]),
        (good + "\n2027-01-01,holiday\n", 5, "date", ["第3行", "重复"]),
        (good + "2027-02-06\n", 4, None, ["2列", "1列"]),
        (good + "2027-02-06,workday,调休\n", 4, None, ["2列", "3列"]),
        (good + "1999-10-01,holiday\n", 4, "date", ["1999", "2000 至 2099"]),
        ("日期,类型\n2027-01-01,holiday\n", 1, None, ["date,kind", "日期,类型"]),
        ("date,kind\n", None, None, ["没有数据行"]),
        ("", None, None, ["为空"]),
    ]
    for i, (text, line, col, words) in enumerate(cases):
        f = t.write("bad-%d.csv" % i, text)
        r = t.run(["calendar", "--db", t.db, "import", f])
        eq(r.code, 2, "exit status for %r" % text)
        check("xinyong: calendar.invalid: " in r.err, "reason for %r: %r" % (text, r.err))
        msg = r.err.split("calendar.invalid: ", 1)[1]
        check(f in msg and "未导入任何数据" in msg, "the message names the file and says "
              "nothing was written: %r" % msg)
        if line:
            check("第%d行" % line in msg, "line %d named for %r: %r" % (line, text, msg))
        if col:
            check("%s 列" % col in msg, "column %s named for %r: %r" % (col, text, msg))
        for w in words:
            check(w in msg, "%r lacks %r" % (msg, w))
        eq(r.out, "", "nothing printed on stdout for %r" % text)
    # Not UTF-8 (a GBK export), and a file that is not there.
    f = t.write("gbk.csv", "date,kind\n2027-01-01,假日\n".encode("gbk"))
    r = t.run(["calendar", "--db", t.db, "import", f])
    eq(r.code, 2, "exit status for GBK")
    check("calendar.invalid" in r.err and "第2行" in r.err and "UTF-8" in r.err,
          "GBK refused: %r" % r.err)
    r = t.run(["calendar", "--db", t.db, "import", t.path("missing.csv")])
    eq(r.code, 2, "exit status for a missing file")
    check("file.unreadable" in r.err and "missing.csv" in r.err, "missing file: %r" % r.err)
    after = sorted(tuple(x) for x in t.sql("SELECT day, kind, updated_at FROM calendar_days"))
    eq(after, before, "the calendar after the refused imports")
    r = t.ok(["audit", "--db", t.db, "list"])
    eq([x for x in r.json()["entries"] if x["action"] == "calendar.import"], [],
       "no calendar.import entry for a refused file")


@test
def calendar_healthz_warns_of_a_missing_year(t):
    """/healthz lists the calendar's years, loaded at start, and warns of today's year and,
    in December, of the next one when the calendar lacks them; the log says so at start."""
    t.init()
    for now, warned in (("2026-12-05T10:00:00+08:00", [2027]),
                        ("2027-03-01T10:00:00+08:00", [2027]),
                        ("2026-11-30T10:00:00+08:00", [])):
        proc = subprocess.Popen([BIN, "serve", "--db", t.db, "--listen", "127.0.0.1:0",
                                 "--web", os.path.join(ROOT, "web")], cwd=t.dir,
                                env=base_env(now), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            line = proc.stdout.readline().decode()
            port = int(line.split("127.0.0.1:")[1].split()[0].rstrip("/"))
            conn = socket.create_connection(("127.0.0.1", port), timeout=30)
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            conn.close()
        finally:
            err = stop_serve(proc)
        sanitizer_check(["serve"], err)
        head, _, body = data.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 200"), "healthz status: %r" % head[:60])
        cal = json.loads(body.decode("utf-8"))["calendar"]
        eq(cal["years"], [2024, 2025, 2026], "years on %s" % now)
        eq([w["year"] for w in cal["warnings"]], warned, "warned years on %s" % now)
        for w in cal["warnings"]:
            eq(w["reason"], "calendar.year_missing", "warning reason")
            check("%d" % w["year"] in w["message"] and "calendar import" in w["message"],
                  "warning message %r" % w["message"])
        for y in warned:
            check("event=calendar warning=year_missing year=%d" % y in err,
                  "the start logs the missing year %d: %r" % (y, err[-600:]))
        if not warned:
            check("year_missing" not in err, "no warning in November: %r" % err[-600:])


# ---- cases from the console (xinyong case, xinyong rules) ------------------------------

def case_json(t, args, now=NOW):
    return t.ok(["case", "--db", t.db] + args, now=now).json()


def case_refused(t, args, reason, now=NOW):
    r = t.run(["case", "--db", t.db] + args, now=now)
    eq(r.code, 2, "exit status of %r" % args)
    check(("xinyong: %s: " % reason) in r.err, "reason %s for %r: %r" % (reason, args, r.err))
    return r.err


@test
def case_repair_at_the_window(t):
    t.init()
    rows = [pen_row(date="2026-04-10"), pen_row(date="2026-10-10")]
    t.ingest_one(t.write("p.csv", csv_bytes(rows)))
    ok, early = [x[0] for x in t.sql("SELECT id FROM records ORDER BY id")]
    base = ["file", "--kind", "repair", "--text", "罚款已缴清"]
    case_refused(t, base + ["--record", str(ok)], "repair.commitment_required")
    case_refused(t, base + ["--record", str(early), "--commitment"], "repair.too_early")
    c = case_json(t, base + ["--record", str(ok), "--commitment"])
    eq((c["kind"], c["status"], c["channel"]), ("repair", "submitted", "window"), "filed")
    check("本主体承诺" in c["commitment_text"], "the commitment is stored with the case")
    case_refused(t, base + ["--record", str(ok), "--commitment"], "repair.pending")
    c = case_json(t, ["act", str(c["id"]), "accept"])
    eq(c["result_due"], "2026-12-04", "the result within 10 working days of acceptance")
    c = case_json(t, ["act", str(c["id"]), "forward"])
    c = case_json(t, ["act", str(c["id"]), "decide", "--outcome", "approve"])
    eq(c["outcome"]["outcome"], "approve", "the console decides for the department")
    # Only the subject and the deciding department see a repaired record: not even the
    # console's archive view shows it (the case and the audit trail keep it).
    cats = {g["category"] for g in t.show(rows[0]["code"])["categories"]}
    check("penalty" not in cats, "the console's view shows the repaired record: %r" % cats)
    eq(t.sql("SELECT flags & 8 FROM records WHERE id = %d" % ok), [(8,)], "marked repaired")


@test
def case_objection_from_filing_to_review(t):
    t.init()
    rows = [pen_row(), pen_row()]
    t.ingest_one(t.write("p.csv", csv_bytes(rows)))
    rid = t.sql("SELECT id FROM records WHERE business_key = '%s'" % rows[0]["no"])[0][0]
    # NOW is Friday 2026-11-20; no holiday falls in the next weeks.
    c = case_json(t, ["file", "--record", str(rid), "--grounds", "error", "--text", "罚款金额有误",
                      "--contact", "0758-1234567"])
    eq((c["status"], c["channel"], c["due"], c["overdue"], c["dept"]),
       ("submitted", "window", "2026-11-24", False, ""), "filed by the console for a walk-in")
    check(c["applicant"].startswith("cli:"), "audited as the console: %r" % c["applicant"])
    eq(c["history"][0]["action"], "file", "the filing is the first step")
    case_refused(t, ["file", "--record", str(rid), "--grounds", "error", "--text", "again"],
                 "case.already_open")
    case_refused(t, ["file", "--record", str(rid), "--grounds", "wrong", "--text", "x"],
                 "request.invalid")
    case_refused(t, ["act", str(c["id"]), "review"], "case.invalid_action")
    c = case_json(t, ["act", str(c["id"]), "accept", "--note", "材料齐全"])
    eq(c["status"], "accepted", "accepted")
    show = t.show(rows[0]["code"])
    rec = one_record(show, "penalty")
    eq((rec["disputed"], rec["case"]), (True, c["id"]), "the record is marked at once")
    c = case_json(t, ["act", str(c["id"]), "forward"])
    eq((c["status"], c["dept"], c["due"]), ("forwarded", DEPT, "2026-12-04"),
       "forwarded to the providing department, 10 working days")
    # The department re-submits the record with another fine during the case.
    t.ingest_one(t.write("p2.csv", csv_bytes([dict(rows[0], fine="0.3")])))
    c = case_json(t, ["show", str(c["id"])])
    eq([h["action"] for h in c["history"]], ["file", "accept", "forward", "resubmit"],
       "the re-submission is in the case's history")
    eq(c["history"][-1]["fields"], ["fine"], "and says which field changed")
    eq(one_record(t.show(rows[0]["code"]), "penalty")["disputed"], True, "the mark stays")
    case_refused(t, ["act", str(c["id"]), "decide", "--outcome", "reject"], "request.invalid")
    c = case_json(t, ["act", str(c["id"]), "decide", "--outcome", "correct", "--field",
                      "fine=0.25", "--reason", "核实后更正"])
    eq((c["status"], c["due"], c["review_until"], c["actions"]),
       ("decided", None, "2026-12-11", ["review"]), "decided: waits on the applicant")
    eq(c["outcome"]["fields"], {"fine": "0.25"}, "the outcome")
    rec = one_record(t.show(rows[0]["code"]), "penalty")
    eq((rec["disputed"], rec["fields"]["fine"]), (False, "0.25"), "corrected, mark gone")
    hist = t.ok(["record", "--db", t.db, "history", str(rid)]).json()
    eq([v["data"]["fine"] for v in hist["versions"]], ["0.3", "0.2"],
       "the earlier versions are kept, newest first")
    verify = t.ok(["audit", "--db", t.db, "verify"]).json()
    check(verify["intact"], "the audit chain verifies after the correction: %r" % verify)
    actions = [x[0] for x in t.sql("SELECT action FROM audit_log WHERE action LIKE 'case.%' "
                                   "ORDER BY seq")]
    eq(actions, ["case.file", "case.accept", "case.forward", "case.resubmit", "case.read",
                 "case.decide"], "every step is an audit entry, and so is the look at it")
    # A review past its window is refused; within it, once.
    case_refused(t, ["act", str(c["id"]), "review"], "case.review_closed",
                 now="2026-12-14T09:00:00+08:00")
    c = case_json(t, ["act", str(c["id"]), "review", "--note", "不服"],
                  now="2026-12-11T09:00:00+08:00")
    eq((c["status"], c["dept"], c["reviews"], c["outcome"]), ("forwarded", DEPT, 1, None),
       "back to the department")
    c = case_json(t, ["act", str(c["id"]), "decide", "--outcome", "reject", "--reason", "维持"],
                  now="2026-12-11T10:00:00+08:00")
    case_refused(t, ["act", str(c["id"]), "review"], "case.review_closed",
                 now="2026-12-11T11:00:00+08:00")
    lst = case_json(t, ["list", "--status", "decided"])
    eq([x["id"] for x in lst["cases"]], [c["id"]], "listed by status")
    eq(lst["next"], None, "one page")


@test
def case_list_overdue_and_attachments(t):
    t.init()
    rows = [pen_row() for _ in range(3)]
    t.ingest_one(t.write("p.csv", csv_bytes(rows)))
    ids = [x[0] for x in t.sql("SELECT id FROM records ORDER BY id")]
    made = [case_json(t, ["file", "--record", str(i), "--grounds", "other", "--text", "x"])["id"]
            for i in ids]
    eq(case_json(t, ["list", "--overdue"])["cases"], [], "nothing overdue on the day")
    err = case_refused(t, ["list", "--status", "decidd"], "request.invalid")
    check("decided" in err, "a misspelt status is refused, naming the states: %r" % err)
    late = case_json(t, ["list", "--overdue"], now="2026-11-25T09:00:00+08:00")
    eq(sorted(x["id"] for x in late["cases"]), sorted(made), "past the 2 working days")
    check(all(x["overdue"] for x in late["cases"]), "each says so")
    page = case_json(t, ["list", "--limit", "2"])
    eq(len(page["cases"]), 2, "a page of 2")
    rest = case_json(t, ["list", "--limit", "2", "--after", page["next"]])
    eq(len(rest["cases"]) + len(page["cases"]), 3, "the next page holds the rest")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 17
    f = t.write("scan.png", png)
    a = case_json(t, ["attach", str(made[0]), f])["attachment"]
    eq((a["type"], a["size"], a["name"], a["digest"]),
       ("image/png", len(png), "scan.png", hashlib.blake2b(png, digest_size=32).hexdigest()),
       "stored by content, with its BLAKE2b digest")
    r = t.run(["case", "--db", t.db, "attach", str(made[0]), t.write("note.pdf", "not a pdf")])
    eq(r.code, 2, "a text file named .pdf is refused")
    check("attachment.type" in r.err, r.err)
    c = case_json(t, ["show", str(made[0])])
    eq(c["history"][0]["attachments"], [a["digest"]], "the step lists its attachment")


@test
def rules_list_show_and_import_by_date(t):
    t.init()
    lst = t.ok(["rules", "--db", t.db, "list"]).json()["rules"]
    eq([(x["kind"], x["effective_from"], x["in_force"]) for x in lst],
       [("objection", "2024-01-01", True), ("publicity", "2000-01-01", False),
        ("publicity", "2023-05-01", False), ("publicity", "2026-04-01", True),
        ("repair", "2024-01-01", True)],
       "the built-in rules are listed, the latest regime in force")
    shown = t.ok(["rules", "--db", t.db, "show", "objection"]).json()
    states = {s["id"]: s for s in shown["rules"]["states"]}
    eq(states["forwarded"]["due_days"], 10, "10 working days for the department")
    newer = json.loads(json.dumps(shown["rules"]))
    newer["effective_from"] = "2026-12-01"
    for s in newer["states"]:
        if s["id"] == "submitted":
            s["due_days"] = 5
    t.ok(["rules", "--db", t.db, "import", t.write("newer.json", json.dumps(newer))])
    lst = t.ok(["rules", "--db", t.db, "list"]).json()["rules"]
    eq([(x["effective_from"], x["in_force"]) for x in lst if x["kind"] == "objection"],
       [("2024-01-01", True), ("2026-12-01", False)], "the newer rules wait for their date")
    rows = [pen_row(), pen_row()]
    t.ingest_one(t.write("p.csv", csv_bytes(rows)))
    ids = [x[0] for x in t.sql("SELECT id FROM records ORDER BY id")]
    old = case_json(t, ["file", "--record", str(ids[0]), "--grounds", "error", "--text", "x"])
    new = case_json(t, ["file", "--record", str(ids[1]), "--grounds", "error", "--text", "x"],
                    now="2026-12-01T09:00:00+08:00")
    eq((old["rules_from"], old["due"]), ("2024-01-01", "2026-11-24"), "filed under the old rules")
    eq((new["rules_from"], new["due"]), ("2026-12-01", "2026-12-08"), "filed under the new")
    # A case keeps its rules: accepted later, the old case still follows 2024-01-01's.
    later = case_json(t, ["act", str(old["id"]), "accept"], now="2026-12-01T10:00:00+08:00")
    eq(later["rules_from"], "2024-01-01", "a case finishes under the rules it started with")
    bad = dict(newer, effective_from="2026-12-02")
    bad["actions"] = [dict(a, to="nowhere") if a["id"] == "accept" else a
                      for a in newer["actions"]]
    r = t.run(["rules", "--db", t.db, "import", t.write("bad.json", json.dumps(bad))])
    eq(r.code, 2, "a bad rules file is refused")
    check("rules.invalid" in r.err and "nowhere" in r.err and "未导入" in r.err,
          "the message names the member and says nothing was stored: %r" % r.err)
    eq(t.count("case_rules", "WHERE kind = 'objection'"), 2, "nothing stored for the bad file")
    eq(t.count("audit_log", "WHERE action = 'rules.import'"), 1, "the import is audited")


# ---- the department directory (xinyong dept; docs/data-formats.md) ----------------------

DEPT_HEADER = "统一社会信用代码,部门名称,简称,行政区划,上级部门,联系方式,行业领域"
DEPT_EPB = make_uscc("11", "441200", "MB2C2345")   # 肇庆市生态环境局 (demo's org code)
DEPT_EMB = make_uscc("11", "441200", "MB2C3456")   # 肇庆市应急管理局
DEPT_NEW = make_uscc("11", "441202", "MB2C7777")   # a county bureau no directory names


def depts_rows(t):
    return [tuple(x) for x in t.sql("SELECT code, name, short_name, region_code, parent_code, "
                                    "contact, sector FROM depts ORDER BY code")]


def dept_list(t):
    return t.ok(["dept", "list", "--json", "--db", t.db]).json()["depts"]


@test
def dept_add_lists_updates_and_keeps_what_is_not_given(t):
    t.init()
    eq(dept_list(t), [], "init lists no department")
    r = t.ok(["dept", "add", DEPT.lower(), "--name", " 肇庆市市场监督管理局 ", "--short-name", "市监",
              "--region", "441200", "--contact", "0758-12315", "--sector", "食品", "--db", t.db])
    doc = r.json()
    eq(doc["created"], True, "a new department")
    eq(doc["dept"], {"code": DEPT, "name": "肇庆市市场监督管理局", "short_name": "市监",
                     "region_code": "441200", "parent_code": "", "contact": "0758-12315",
                     "sector": "食品"}, "the code normalized, the name trimmed")
    # Options not given keep their value; an empty one clears it.
    doc = t.ok(["dept", "add", DEPT, "--sector", "药品", "--contact", "", "--db", t.db]).json()
    eq(doc["created"], False, "the listed department is updated")
    eq(depts_rows(t), [(DEPT, "肇庆市市场监督管理局", "市监", "441200", "", "", "药品")], "one row")
    eq(t.count("audit_log", "WHERE action = 'dept.add'"), 2, "each add is audited")
    # The table text: a Chinese header, one tab-separated line per department.
    lines = t.ok(["dept", "list", "--db", t.db]).out.splitlines()
    eq(lines[0].split("\t"), DEPT_HEADER.split(","), "the list's header row")
    eq(lines[1].split("\t"), [DEPT, "肇庆市市场监督管理局", "市监", "441200", "", "", "药品"],
       "the list's row")


@test
def dept_add_refuses_bad_values(t):
    t.init()
    cases = [
        (["dept", "add", wrong_last(DEPT), "--name", "某局"], "统一社会信用代码", "校验位"),
        (["dept", "add", DEPT], "部门名称", "--name"),   # a new department needs its name
        (["dept", "add", DEPT, "--name", "某局", "--region", "999999"], "行政区划", "999999"),
        (["dept", "add", DEPT, "--name", "某局", "--parent", DEPT], "上级部门", "本部门自身"),
        (["dept", "add", DEPT, "--name", "某局", "--parent", "12345"], "上级部门", "12345"),
        (["dept", "add", DEPT, "--name", "某局", "--sector", "食" * 31], "行业领域", "30 个字"),
    ]
    for args, column, needle in cases:
        r = t.run(args + ["--db", t.db])
        eq(r.code, 2, "exit status of %r" % args)
        check("directory.invalid" in r.err and column in r.err and needle in r.err,
              "%r: the message names the column and the problem: %r" % (args, r.err))
    eq(t.count("depts"), 0, "nothing listed")
    eq(t.count("audit_log", "WHERE action = 'dept.add'"), 0, "nothing audited")
    r = t.run(["dept", "list", "--sector", "x", "--db", t.db])
    eq(r.code, 2, "an option of add given to list is a usage error")


@test
def dept_import_csv_and_json(t):
    t.init()
    t.ok(["dept", "add", DEPT, "--name", "旧名称", "--sector", "食品", "--db", t.db])
    csv_text = ("\ufeff" + DEPT_HEADER + "\r\n" +
                "%s,肇庆市市场监督管理局,市监,441200,,\"0758-12315, 2222222\",食品\r\n" % DEPT +
                "\r\n" +
                "%s,肇庆市生态环境局,市环境局,441200,,,生态环境\r\n" % DEPT_EPB.lower())
    doc = t.ok(["dept", "import", t.write("depts.csv", csv_text), "--db", t.db]).json()
    eq({k: doc[k] for k in ("format", "depts", "added", "updated")},
       {"format": "csv", "depts": 2, "added": 1, "updated": 1}, "import summary")
    eq(depts_rows(t), [
        (DEPT, "肇庆市市场监督管理局", "市监", "441200", "", "0758-12315, 2222222", "食品"),
        (DEPT_EPB, "肇庆市生态环境局", "市环境局", "441200", "", "", "生态环境")],
       "the file's departments, the listed one replaced")
    # JSON: an array, or the document GET /api/v1/depts answers; columns left out of a
    # row are empty (the file replaces a department whole).
    listed = {"depts": dept_list(t) + [{"code": DEPT_EMB, "name": "肇庆市应急管理局",
                                        "parent_code": DEPT, "sector": "安全生产"}]}
    doc = t.ok(["dept", "import", t.write("depts.json", json.dumps(listed, ensure_ascii=False)),
                "--db", t.db]).json()
    eq((doc["format"], doc["added"], doc["updated"]), ("json", 1, 2), "JSON import summary")
    eq(depts_rows(t)[2], (DEPT_EMB, "肇庆市应急管理局", "", "", DEPT, "", "安全生产"), "the new one")
    eq(t.count("audit_log", "WHERE action = 'dept.import'"), 2, "each import is audited")


@test
def dept_import_is_all_or_nothing_and_names_every_problem(t):
    t.init()
    t.ok(["dept", "add", DEPT, "--name", "肇庆市市场监督管理局", "--db", t.db])
    before = depts_rows(t)
    bad = "\n".join([
        DEPT_HEADER,
        "%s,肇庆市生态环境局,,441200,,,生态环境" % DEPT_EPB,          # row 2: good
        "%s,某局,,,,," % wrong_last(DEPT_EMB),                     # row 3: check character
        "%s,,,,,," % DEPT_NEW,                                    # row 4: no name
        "%s,又一个,,4412,,," % make_uscc("11", "441202", "MB2C7778"),  # row 5: division
        "%s,重复的生态环境局,,,,," % DEPT_EPB,                       # row 6: repeats row 2
    ]) + "\n"
    r = t.run(["dept", "import", t.write("bad.csv", bad), "--db", t.db])
    eq(r.code, 2, "a bad file is refused")
    check("directory.invalid" in r.err and "共 4 处错误" in r.err and "未导入任何部门" in r.err,
          "the summary says how many and that nothing was imported: %r" % r.err)
    for needle in ("第 3 行，统一社会信用代码", "第 4 行，部门名称", "第 5 行，行政区划",
                   "第 6 行，统一社会信用代码：%s 与第 2 行重复" % DEPT_EPB):
        check(needle in r.err, "%r is named: %r" % (needle, r.err))
    eq(depts_rows(t), before, "nothing of the file was written (row 2 was good)")
    eq(t.count("audit_log", "WHERE action = 'dept.import'"), 0, "nothing audited")
    # A header that is not the directory's, and JSON problems, the same way.
    r = t.run(["dept", "import", t.write("h.csv", "代码,名称\n%s,某局\n" % DEPT_NEW), "--db", t.db])
    check(r.code == 2 and "缺少“统一社会信用代码”列" in r.err and "“代码”不是部门目录的列" in r.err,
          "header problems: %r" % r.err)
    r = t.run(["dept", "import", t.write("b.json", '[{"code": "%s", "nmae": "某局"}]' % DEPT_NEW),
               "--db", t.db])
    check(r.code == 2 and "第 1 项的成员“nmae”" in r.err, "a misspelt member: %r" % r.err)
    r = t.run(["dept", "import", t.path("missing.csv"), "--db", t.db])
    check(r.code == 2 and "file.unreadable" in r.err, "a missing file: %r" % r.err)
    eq(depts_rows(t), before, "still nothing written")


@test
def dept_names_records_and_unlisted_codes_stay_accepted(t):
    t.init()
    # A department nobody named ingests, gets tokens and users, and shows as its code.
    row = pen_row()
    s, _ = t.ingest_one(t.write("p.csv", csv_bytes([row])), dept=DEPT_NEW)
    eq(s["accepted"], 1, "an unlisted department's file is accepted")
    t.ok(["token", "issue", "--db", t.db, "--dept", DEPT_NEW, "--scopes", "batches:read"])
    t.ok(["user", "add", "u_new", "--roles", "submitter", "--dept", DEPT_NEW, "--db", t.db])
    rec = one_record(t.show(row["code"]), "penalty")
    eq((rec["dept_code"], rec["dept_name"]), (DEPT_NEW, None), "unlisted: the code, a null name")
    t.ok(["dept", "add", DEPT_NEW, "--name", "肇庆市端州区市场监督管理局", "--db", t.db])
    rec = one_record(t.show(row["code"]), "penalty")
    eq((rec["dept_code"], rec["dept_name"]), (DEPT_NEW, "肇庆市端州区市场监督管理局"),
       "named once listed")
    hist = t.ok(["record", "history", "--db", t.db, str(rec["id"])]).json()
    eq(hist["record"]["dept_name"], "肇庆市端州区市场监督管理局", "the record's history names it")


@test
def dept_demo_names_its_departments(t):
    t.ok(["demo", "--db", t.db, "--subjects", "20"])
    listed = {d["code"]: d for d in dept_list(t)}
    eq(len(listed), 8, "six bureaus, HRSS and NDRC")
    samr = listed[make_uscc("11", "441200", "MB2C1234")]
    eq((samr["name"], samr["region_code"], samr["sector"]), ("肇庆市市场监督管理局", "441200", "食品"),
       "the market regulator")
    eq(listed[DEPT_EMB]["sector"], "安全生产", "the emergency management bureau")
    eq(listed[DEPT_EPB]["sector"], "生态环境", "the ecology bureau")
    for d in listed.values():
        check(d["short_name"] and d["contact"] and d["sector"], "every member given: %r" % d)
    # Every department demo's records come from is named.
    held = {x[0] for x in t.sql("SELECT DISTINCT dept_code FROM records")}
    check(held and held <= set(listed), "records of unnamed departments: %r" % (held - set(listed)))


# ---- credit reports and their keys (issue 12) -------------------------------------------

def report_setup(t):
    t.init()
    row = pen_row(date="2026-10-10")
    t.ingest_one(t.write("p.csv", csv_bytes([row])))
    return row


def tamper_json(path, out, fn):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    fn(doc)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    return out


@test
def report_verify_genuine_tampered_and_rotated(t):
    row = report_setup(t)
    t.ok(["report", row["code"], "--out", t.path("r.json"), "--db", t.db])
    r = t.ok(["report", "verify", t.path("r.json"), "--db", t.db])
    v = r.json()
    eq((v["genuine"], v["finding"], v["own"], v["subject"]["code"]),
       (True, "genuine", True, row["code"]), "genuine")
    # Re-serialized with other whitespace, escaping and member order: still genuine.
    with open(t.path("r.json"), encoding="utf-8") as f:
        doc = json.load(f)
    t.write("pretty.json", json.dumps(doc, ensure_ascii=True, indent=4, sort_keys=True))
    t.ok(["report", "verify", t.path("pretty.json"), "--db", t.db])
    # One value changed: the fine.
    def fine(d):
        for ch in d["chapters"]:
            for sec in ch["sections"]:
                for item in sec["items"]:
                    for f in item["fields"]:
                        if f["label"].startswith("罚款金额"):
                            f["value"] = "0.1"
    r = t.run(["report", "verify", tamper_json(t.path("r.json"), t.path("f.json"), fine),
               "--db", t.db])
    eq((r.code, r.json()["finding"]), (1, "bad_signature"), "a changed fine")
    check("改动" in r.err, "says what failed: %r" % r.err)
    r = t.run(["report", "verify", tamper_json(t.path("r.json"), t.path("c.json"),
               lambda d: d.update(verification_code="AAAAAAAAAAAAAAAA")), "--db", t.db])
    eq((r.code, r.json()["finding"]), (1, "code_mismatch"), "a wrong 验证码")
    r = t.run(["report", "verify", t.write("x.json", "{\"a\": 1"), "--db", t.db])
    eq(r.code, 2, "not a report at all: %s" % r.describe())
    check("report.invalid" in r.err, r.err)
    # A report of 25 November, and then the key retired as of the 21st: that report claims
    # a time after its key's validity, which is what a stolen retired key would make.
    t.ok(["report", row["code"], "--out", t.path("late.json"), "--db", t.db],
         now="2026-11-25T12:00:00+08:00")
    old_id = doc["key_id"]
    rot = t.ok(["keys", "rotate", "--db", t.db], now="2026-11-21T10:00:00+08:00").json()
    eq(rot["retired"], old_id, "the key in force is retired")
    # After the rotation the old key's earlier reports still verify.
    t.ok(["report", "verify", t.path("r.json"), "--db", t.db])
    r = t.run(["report", "verify", t.path("late.json"), "--db", t.db])
    eq((r.code, r.json()["finding"]), (1, "key_expired"), "signed after the key's validity")
    new = t.ok(["report", row["code"], "--db", t.db], now="2026-11-22T10:00:00+08:00").json()
    eq(new["key_id"], rot["key"]["id"], "signed with the new key")
    keys = t.ok(["keys", "list", "--json", "--db", t.db],
                now="2026-11-22T10:00:00+08:00").json()["keys"]
    eq(sorted((k["id"], k["in_force"]) for k in keys),
       sorted([(old_id, False), (rot["key"]["id"], True)]), "both keys listed")
    check(all("secret" not in json.dumps(k) for k in keys), "no secret listed")
    r = t.run(["keys", "generate", "--db", t.db])
    check(r.code == 2 and "keys rotate" in r.err, "generate refuses a second key: %r" % r.err)


@test
def report_pdf_has_the_chapters_in_order_and_verifies(t):
    row = report_setup(t)
    t.ok(["report", row["code"], "--format", "pdf", "--out", t.path("r.pdf"),
          "--url", "https://xy.example.gov.cn", "--db", t.db])
    with open(t.path("r.pdf"), "rb") as f:
        pdf = f.read()
    check(pdf.startswith(b"%PDF-"), "a PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", t.path("r.pdf"), "-"], capture_output=True,
                              check=True).stdout.decode("utf-8")
        titles = ["登记注册基础信息", "行政管理信息", "诚实守信相关荣誉信息", "严重失信主体名单信息",
                  "经营（活动）异常名录", "信用承诺信息", "信用评价信息", "司法判决及执行信息",
                  "其他信息", "信用状况提升建议", "报告说明"]
        pos = [text.find(x) for x in titles]
        check(all(p >= 0 for p in pos) and pos == sorted(pos), "chapters in order: %r" % pos)
        check(row["no"] in text and row["name"] in text, "the record and the subject")
        check("暂无信息" in text and "https://xy.example.gov.cn/verify.html?number=" in text,
              "empty chapters and the verification link")
    if shutil.which("pdfdetach"):
        listed = subprocess.run(["pdfdetach", "-list", t.path("r.pdf")], capture_output=True,
                                check=True).stdout.decode("utf-8")
        check("report.json" in listed, "report.json is an attachment: %r" % listed)
    t.ok(["report", "verify", t.path("r.pdf"), "--db", t.db])
    # One byte of the embedded document changed (the subject's name, same length).
    i = pdf.rfind(row["code"].encode())
    check(i > 0, "the code in the embedded document")
    bad = pdf[:i] + (b"0" if pdf[i:i + 1] != b"0" else b"1") + pdf[i + 1:]
    r = t.run(["report", "verify", t.write("bad.pdf", bad), "--db", t.db])
    eq((r.code, r.json()["finding"]), (1, "bad_signature"), "a tampered PDF")
    r = t.run(["report", "verify", t.write("cut.pdf", pdf[:len(pdf) // 2]), "--db", t.db])
    eq(r.code, 2, "a truncated PDF is no report: %s" % r.describe())


@test
def public_report_omits_a_record_past_publicity(t):
    t.init()
    code = company_code(next_n())
    rows = [pen_row(code=code, name="肇庆市报告测试有限公司", date="2026-10-10"),
            pen_row(code=code, name="肇庆市报告测试有限公司", date="2022-06-01")]
    t.ingest_one(t.write("p.csv", csv_bytes(rows)))
    public = t.ok(["report", code, "--db", t.db]).out
    check(rows[0]["no"] in public and rows[1]["no"] not in public,
          "the public report has only the record in publicity")
    shared = t.ok(["report", code, "--purpose", "行政许可审查", "--db", t.db]).json()
    eq(shared["view"], "shared", "a purpose gives the shared report")
    check(rows[1]["no"] in json.dumps(shared, ensure_ascii=False), "the shared one has both")
    person = make_id("441202", "19850612", "%03d" % (next_n() % 1000))
    prow = pen_row(name="陈报告", type="自然人", code="", rep="", idtype="身份证", idno=person)
    t.ingest_one(t.write("q.csv", csv_bytes([prow])))
    r = t.run(["report", person, "--db", t.db])
    check(r.code == 2 and "subject.not_found" in r.err, "a person's public report: %r" % r.err)


@test
def reports_of_a_trusted_platform_verify_here(t):
    row = report_setup(t)
    other = t.path("gz.db")
    t.ok(["init", "--db", other])
    t.ok(["keys", "rotate", "--issuer", "广州市公共信用信息共享平台", "--db", other])
    t.ok(["ingest", "--db", other, "--category", "penalty", "--dept", DEPT,
          t.write("g.csv", csv_bytes([row]))])
    t.ok(["report", row["code"], "--out", t.path("gz.json"), "--db", other])
    r = t.run(["report", "verify", t.path("gz.json"), "--db", t.db])
    eq((r.code, r.json()["finding"]), (1, "unknown_key"), "unknown, not forged")
    t.ok(["keys", "export", "--out", t.path("gz-keys.json"), "--db", other])
    added = t.ok(["keys", "trust", "--url-or-file", t.path("gz-keys.json"), "--name", "广州市",
                  "--db", t.db]).json()
    eq((added["issuer"], added["added"]), ("广州市", 2), "both of its keys added")
    v = t.ok(["report", "verify", t.path("gz.json"), "--db", t.db]).json()
    eq((v["genuine"], v["own"], v["issuer"]), (True, False, "广州市"), "recognised as 广州市's")
    mine = t.ok(["keys", "export", "--db", t.db]).out
    r = t.run(["keys", "trust", "--url-or-file", t.write("mine.json", mine), "--db", t.db])
    check(r.code == 2 and "keys.invalid" in r.err, "its own keys are not foreign: %r" % r.err)
    r = t.run(["keys", "trust", "--url-or-file", t.write("bad.json", "{\"issuer\": \"x\"}"),
               "--db", t.db])
    check(r.code == 2 and "keys.invalid" in r.err, "%r" % r.err)
    r = t.run(["keys", "trust", "--url-or-file", "https://xy.gz.example/keys.json", "--db", t.db])
    check(r.code == 2 and "curl" in r.err, "asks for the file: %r" % r.err)


@test
def credit_codes_verify_offline_and_from_a_trusted_platform(t):
    row = report_setup(t)
    doc = t.ok(["credit-code", row["code"], "--format", "json", "--url", "https://xy.zq.example",
                "--db", t.db]).json()
    eq(doc["colour"], "yellow", "a penalty in publicity")
    check(doc["url"].startswith("https://xy.zq.example/?cc=XYCC1."), doc["url"])
    # The link a scanner read verifies as well as the token alone.
    for text in (doc["url"], doc["token"]):
        v = t.ok(["credit-code", "verify", text, "--db", t.db]).json()
        eq((v["genuine"], v["colour"], v["code"]), (True, "yellow", row["code"]), text)
    # A greener claim under the same signature.
    head, payload, sig = doc["token"].split(".")
    claim = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claim["colour"] = "green"
    green = base64.urlsafe_b64encode(json.dumps(claim, separators=(",", ":"), sort_keys=True)
                                     .encode()).decode().rstrip("=")
    r = t.run(["credit-code", "verify", ".".join([head, green, sig]), "--db", t.db])
    eq((r.code, r.json()["finding"], r.json()["colour"]), (1, "bad_signature", "green"),
       "a changed colour")
    check("签名不符" in r.err, r.err)
    # Another platform's code is unknown until its keys are trusted.
    other = t.path("gz.db")
    t.ok(["init", "--db", other])
    t.ok(["ingest", "--db", other, "--category", "penalty", "--dept", DEPT,
          t.write("g.csv", csv_bytes([row]))])
    theirs = t.ok(["credit-code", row["code"], "--format", "json", "--db", other]).json()
    r = t.run(["credit-code", "verify", theirs["token"], "--db", t.db])
    eq((r.code, r.json()["finding"]), (1, "unknown_key"), "unknown, not forged")
    t.ok(["keys", "export", "--out", t.path("gz-keys.json"), "--db", other])
    t.ok(["keys", "trust", "--url-or-file", t.path("gz-keys.json"), "--name", "广州市",
          "--db", t.db])
    v = t.ok(["credit-code", "verify", theirs["token"], "--db", t.db]).json()
    eq((v["genuine"], v["issuer"]), (True, "广州市"), "recognised as 广州市's")
    # Written to a file: the SVG card; anything else is no credit code at all.
    t.ok(["credit-code", row["code"], "--out", t.path("c.svg"), "--db", t.db])
    with open(t.path("c.svg"), encoding="utf-8") as f:
        svg = f.read()
    check(svg.startswith("<?xml") and "黄码" in svg and row["name"] in svg, svg[:200])
    r = t.run(["credit-code", "verify", "https://xy.zq.example/#/subject/" + row["code"],
               "--db", t.db])
    check(r.code == 2 and "credit_code.invalid" in r.err, r.err)


def main():
    if not os.access(BIN, os.X_OK):
        print("FAIL - setup: %s is not executable" % BIN)
        print("0 passed, 1 failed")
        return 1
    print("# backend: %s" % (testdb.PG_BASE or "sqlite (a file per test)"))
    only = os.environ.get("XY_TEST_ONLY")
    passed = failed = 0
    for fn in TESTS:
        if only and fn.__name__ not in only.split(","):
            continue
        t = None
        try:
            t = Ctx(fn.__name__)
            fn(t)
        except Skip as ex:
            passed += 1
            print("ok - %s # skip %s" % (fn.__name__, ex))
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
                except Exception as ex:  # the database could not be dropped
                    failed += 1
                    print("FAIL - %s: cleanup: %s" % (fn.__name__, ex))
        sys.stdout.flush()
    left = testdb.leftover_dbs("xy_t")
    if left:
        failed += 1
        print("FAIL - cleanup: databases left on the server: %s" % " ".join(left))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
