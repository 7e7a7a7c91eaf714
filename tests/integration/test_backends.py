#!/usr/bin/env python3
"""The same files give the same platform on SQLite and on PostgreSQL.

usage: python3 tests/integration/test_backends.py /path/to/xinyong /path/to/source_root

Each scenario ingests one sequence of files into an SQLite file and into PostgreSQL
databases, then compares everything a user or an operator can see: every command's
output (batch summaries, rejects files, subject archives, searches) and every stored row,
ids and timestamps included, with the audit trail those commands wrote, hashes included.
PostgreSQL writes a batch in bulk (COPY into a staging table, merged by one statement,
src/store/pg_bulk.c) while SQLite writes row by row, so the scenarios aim at what the merge
must get exactly right: a key repeated inside one batch with changing content, content that
changes back, duplicates of stored records, new subjects that later rows of the same batch
use, name conflicts and rejected rows.
PostgreSQL runs twice: with the default flush size, and with XINYONG_PG_FLUSH_BYTES=200
so that a batch is merged in many small pieces.

Uses the server named by XINYONG_TEST_PG, or starts one with tests/pg/server.sh.  Prints
`ok - name` / `FAIL - name: reason` and ends with `N passed, M failed`.
"""

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import traceback

if len(sys.argv) != 3:
    sys.stderr.write("usage: test_backends.py /path/to/xinyong /path/to/source_root\n")
    sys.exit(2)

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
DEPT = "11441200MB2C12348J"
DEPT2 = "11441200MB2D5678XW"  # another department
SANITIZER_MARKERS = ("runtime error", "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer")

sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
import testdb  # noqa: E402

try:
    testdb.use_server(ROOT)
except RuntimeError as ex:
    print("FAIL - postgresql: %s" % ex)
    print("0 passed, 1 failed")
    sys.exit(1)


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


HEADER = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "法定代表人",
          "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别",
          "处罚内容", "罚款金额（万元）", "处罚决定日期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码",
          "数据来源单位", "数据来源单位统一社会信用代码"]

# Codes with correct check characters.
XINGHU = ("肇庆市端州星湖药业有限公司", "91441202MMT651770R")
HONGDA = ("肇庆市鼎湖宏达物流有限公司", "91441203MA4X0KJ34N")
JINXIU = ("肇庆市四会锦绣纺织有限公司", "91441284MA53HJ6W1W")
PERSON = ("李海燕", "441202198803150022")


def row(subject, number, fact="经查，当事人销售过期食品。", amount="0.2", date="2026-06-12"):
    name, code = subject
    person = code == PERSON[1]
    return [name, "自然人" if person else "法人及非法人组织", "" if person else code,
            "" if person else "冯锦荣", "身份证" if person else "", code if person else "",
            "肇市监罚〔2026〕%d号" % number, "销售不符合食品安全标准的食品", fact,
            "《中华人民共和国食品安全法》第一百二十四条", "罚款", "罚款2000元", amount, date, "",
            "肇庆市市场监督管理局", DEPT, "肇庆市市场监督管理局", DEPT]


def csv_text(rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue()


def run(args, env_extra=None, now="2026-11-20T10:00:00+08:00"):
    env = dict(os.environ, XINYONG_NOW=now)
    env.update(env_extra or {})
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=300)
    err = p.stderr.decode("utf-8", "replace")
    for marker in SANITIZER_MARKERS:
        check(marker not in err, "sanitizer report from %s: %s" % (args[0], err[-3000:]))
    return p.returncode, p.stdout.decode("utf-8"), err


# Each batch: (time, rows).  Keys repeat within and across batches on purpose.
SCENARIO = [
    ("2026-11-20T10:00:00+08:00", [
        row(XINGHU, 1),
        row(HONGDA, 2),
        row(XINGHU, 1),                                  # duplicate inside the batch
        row(XINGHU, 3, fact="经查，当事人第一次违法。"),
        row(XINGHU, 3, fact="经查，当事人第二次违法。"),   # update inside the batch
        row(XINGHU, 3, fact="经查，当事人第一次违法。"),   # and back again
        row(JINXIU, 4),                                  # a new subject ...
        row(("肇庆市四会锦绣纺织有限责任公司", JINXIU[1]), 5),  # ... renamed two rows later
        row(PERSON, 6),
        ["", "法人及非法人组织", "91441202MMT651770X", "", "", "", "肇市监罚〔2026〕7号", "", "",
         "", "", "", "", "2026-13-45", "", "", "", "", ""],  # rejected
        row(HONGDA, 8, amount="abc"),                    # rejected
    ]),
    ("2026-11-21T09:30:00+08:00", [
        row(XINGHU, 1),                                  # duplicate of a stored record
        row(HONGDA, 2, fact="经复查，更正违法事实。"),      # update of a stored record
        row(HONGDA, 2, fact="经复查，更正违法事实。"),      # then a duplicate of it
        row(XINGHU, 3, fact="经查，当事人第二次违法。"),    # stored h1 -> h2
        row(XINGHU, 3, fact="经查，当事人第一次违法。"),    # -> h1 again: changed, written
        row(PERSON, 6),
        row(JINXIU, 9),
    ]),
    # Another department sends keys the first one holds: refused, nothing changes, and
    # its one new key is its own.
    ("2026-11-22T09:00:00+08:00", [
        row(HONGDA, 2, fact="另一部门的改写。"),
        row(XINGHU, 1),
        row(XINGHU, 10),
    ], DEPT2),
]


def dump(db):
    """Every stored row that a migration or a comparison cares about."""
    tables = {
        "subjects": "SELECT code, kind, subject_type, name, name_key, region_code, "
                    "created_at, updated_at FROM subjects ORDER BY code",
        "records": "SELECT id, subject_code, category, business_key, batch_id, dept_code, "
                   "data, content_hash, decision_date, publicity_end, flags, created_at, "
                   "updated_at FROM records ORDER BY id",
        # Version ids are left out: PostgreSQL does not reuse the ids of the versions a
        # batch drops (content it wrote itself), SQLite may.
        "record_versions": "SELECT record_id, subject_code, category, business_key, batch_id, "
                           "dept_code, data, content_hash, decision_date, publicity_end, "
                           "flags, valid_from, replaced_at FROM record_versions "
                           "ORDER BY record_id, replaced_at, batch_id, content_hash",
        "batches": "SELECT id, category, dept_code, source, format, encoding, rows, accepted, "
                   "duplicates, rejected, warnings, created_at FROM batches ORDER BY id",
        "problems": "SELECT batch_id, row, field, reason, message, warning FROM batch_problems "
                    "ORDER BY batch_id, row, seq",
        # Every write and every console read is an entry of the hash chain: the same
        # entries, hashes included, on both backends.
        "audit": "SELECT seq, at, actor, role, dept_code, action, subject_code, purpose, client, "
                 "detail, prev_hash, hash FROM audit_log ORDER BY seq",
    }
    return {name: testdb.sql_rows(db, q) for name, q in tables.items()}


def play(db, tmp, env_extra):
    """Runs the scenario on db; returns everything a user sees, in order."""
    seen = []
    code, out, err = run(["init", "--db", db], env_extra)
    check(code == 0, "init failed: %s" % err)
    for i, (now, rows, *dept) in enumerate(SCENARIO):
        path = os.path.join(tmp, "batch%d.csv" % i)
        rejects = os.path.join(tmp, "rejects%d.csv" % i)
        with open(path, "w", encoding="utf-8") as f:
            f.write(csv_text(rows))
        code, out, err = run(["ingest", "--db", db, "--category", "penalty", "--dept",
                              dept[0] if dept else DEPT, "--rejects", rejects, path],
                             env_extra, now)
        check(code in (0, 1), "ingest exit %d: %s" % (code, err))
        with open(rejects, encoding="utf-8") as f:
            seen.append(("ingest", i, code, out, f.read()))
    for subject in (XINGHU, HONGDA, JINXIU, PERSON):
        seen.append(("subject", subject[1]) + run(["subject", "show", "--db", db, subject[1]],
                                                  env_extra))
    for key in ("星湖", "锦绣纺织", "肇庆市", "李海燕", subject[1]):
        seen.append(("search", key) + run(["search", "--db", db, key], env_extra))
    return seen


def compare(name, a, b):
    check(len(a) == len(b), "%s: %d vs %d outputs" % (name, len(a), len(b)))
    for x, y in zip(a, b):
        check(x == y, "%s differs:\n  sqlite:     %r\n  postgresql: %r" % (name, x, y))


results = {"passed": 0, "failed": 0}


def test(fn):
    try:
        fn()
        print("ok - %s" % fn.__name__)
        results["passed"] += 1
    except Exception as ex:  # noqa: BLE001 - any failure is reported
        detail = str(ex) if isinstance(ex, Fail) else traceback.format_exc()
        print("FAIL - %s: %s" % (fn.__name__, detail))
        results["failed"] += 1
    return fn


def scenario_on_both(flush_bytes):
    with tempfile.TemporaryDirectory() as tmp:
        lite = os.path.join(tmp, "lite.db")
        pg = testdb.new_db(tmp, "xy_backends")
        try:
            extra = {"XINYONG_PG_FLUSH_BYTES": str(flush_bytes)} if flush_bytes else {}
            seen_lite = play(lite, tmp, extra)
            seen_pg = play(pg, tmp, extra)
            compare("command output", seen_lite, seen_pg)
            rows_lite, rows_pg = dump(lite), dump(pg)
            for table in rows_lite:
                compare("table %s" % table, rows_lite[table], rows_pg[table])
            # The scenario must really exercise what it claims to.
            batches = rows_lite["batches"]
            check(batches[0][7:10] == (8, 1, 2), "batch 1 accepted/dup/rejected: %r"
                  % (batches[0][7:10],))
            check(batches[1][7:10] == (4, 3, 0), "batch 2 accepted/dup/rejected: %r"
                  % (batches[1][7:10],))
            check(batches[0][10] >= 1, "batch 1 has no name-conflict warning")
            actions = [r[5] for r in rows_lite["audit"]]
            check(batches[2][7:10] == (1, 0, 2), "batch 3 (another department) "
                  "accepted/dup/rejected: %r" % (batches[2][7:10],))
            check([r[3] for r in rows_lite["problems"] if r[0] == 3] == ["record.other_dept"] * 2,
                  "batch 3's problems: %r" % rows_lite["problems"])
            check(len(rows_lite["record_versions"]) >= 2, "versions: %r"
                  % rows_lite["record_versions"])
            check(actions.count("batch.create") == 3 and actions.count("subject.read") == 4,
                  "audit actions %r" % actions)
        finally:
            testdb.drop_db(pg)


@test
def same_platform_with_default_flush():
    scenario_on_both(0)


@test
def same_platform_when_a_batch_is_merged_in_pieces():
    scenario_on_both(200)


@test
def no_database_left_behind():
    check(testdb.leftover_dbs("xy_backends") == [], "databases left behind")


print("%d passed, %d failed" % (results["passed"], results["failed"]))
sys.exit(1 if results["failed"] else 0)
