#!/usr/bin/env python3
"""Distribution readiness of the PostgreSQL schema, checked on a real server.

usage: python3 tests/integration/test_schema_pg.py /path/to/xinyong /path/to/source_root

The national platform runs on PostgreSQL distributed with Citus (docs/scaling.md).  Citus
is not installable here, so this suite checks on plain PostgreSQL what Citus will demand
of the schema that `xinyong init` creates, reading pg_catalog with psql:

  - every table is classified as distributed (by which column, co-located with what),
    reference, or local to the coordinator, so that a new table without a decision fails;
  - every PRIMARY KEY, UNIQUE and exclusion constraint, and every unique index, of a
    distributed table includes its distribution column;
  - foreign keys between distributed tables run along co-located distribution columns,
    and none goes from a reference or coordinator-local table to a distributed one;
  - co-located distribution columns have the same type and collation, and are NOT NULL;
    identity and sequence columns of distributed tables are bigint;
  - subjects.name_key has its GIN trigram index, and the database's LC_CTYPE gives
    Chinese names trigrams;
  - the key-routed reads of src/store/sql.def use an index that starts with the
    distribution key (EXPLAIN of the statements themselves, on a database with demo data).
Then `checks_can_fail` breaks a second database in each of those ways and expects every
check to notice.

Every test prints `ok - name` or `FAIL - name: reason`; the run ends with
`N passed, M failed` (exit status 1 when any failed).  The server: the one of
XINYONG_TEST_PG (a base URL such as tests/pg/server.sh prints) when set, else a private
one started with tests/pg/server.sh for the time of the run.
"""

import json
import os
import re
import subprocess
import sys
import traceback
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import testdb  # noqa: E402  (tests/pg/testdb.py: psql and row reading)

if len(sys.argv) != 3:
    sys.stderr.write("usage: test_schema_pg.py /path/to/xinyong /path/to/source_root\n")
    sys.exit(2)

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
NOW = "2026-11-20T10:00:00+08:00"
SANITIZER_MARKERS = ("runtime error", "AddressSanitizer", "LeakSanitizer")
DEMO_SUBJECTS = 2000

# ---- the distribution plan (docs/scaling.md; tests/unit/test_sql.c says the same) ------

# table -> (distribution column, the table it is co-located with)
DISTRIBUTED = {
    "subjects": ("code", "subjects"),
    "records": ("subject_code", "subjects"),
    "batches": ("id", "batches"),
    "batch_problems": ("batch_id", "batches"),
    # grows with the subjects, read and written by subject code
    "authorizations": ("subject_code", "subjects"),
    # every earlier content of a record, on the shard of the record it was
    "record_versions": ("subject_code", "subjects"),
    # a subject's cases, their steps and attachments, and its statements
    "cases": ("subject_code", "subjects"),
    "case_steps": ("subject_code", "subjects"),
    "case_attachments": ("subject_code", "subjects"),
    "record_statements": ("subject_code", "subjects"),
}
# Small tables read by key, replicated to every node.
REFERENCE = {"catalog_categories", "code_exceptions", "calendar_days", "depts", "schema_migrations",
             "case_rules",
             "users", "sessions", "api_tokens",
             # the platform's report signing keys: a handful, read by every report
             "signing_keys"}
# Kept on the coordinator alone: the audit chain is one sequence written under one lock
# (migrations/postgresql/003_accounts.sql).  tests/unit/test_sql.c checks their statements
# as it checks those of reference tables: none fans out to shards.
# The register of issued reports is read by number alone (verification knows no subject
# shard) and written once per report, like the audit chain it resembles.
LOCAL = {"audit_log", "audit_checkpoints", "audit_anchor", "reports"}

# Tables whose per-request lookups must use the index by the planner's own choice: they
# hold thousands of rows after `demo --subjects 2000`, enough for an index to win.
PLANNER_MUST_CHOOSE = {"subjects", "records"}


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


# ---- the database --------------------------------------------------------------------

def rows(db, query):
    """Rows of a catalog query (no ? placeholders) as tuples of JSON-typed values."""
    return testdb.sql_rows(db, query)


def run(args, timeout=300):
    env = dict(os.environ, XINYONG_NOW=NOW)
    env.pop("XINYONG_DB", None)
    p = subprocess.run([BIN] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=timeout)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0 or any(m in err for m in SANITIZER_MARKERS):
        raise Fail("xinyong %s: exit %d: %s" % (args[0], p.returncode, err[-2000:]))
    return p.stdout.decode("utf-8", "replace")


def db_url(base, name):
    return urllib.parse.urlsplit(base)._replace(path="/" + name).geturl()


def create_db(base, name, subjects):
    """A new UTF-8 database `name` with the platform's schema and `subjects` demo subjects,
    analyzed."""
    testdb.psql(base, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    testdb.psql(base, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
                      "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" % name)
    url = db_url(base, name)
    run(["init", "--db", url])
    if subjects:
        run(["demo", "--db", url, "--subjects", str(subjects)])
    testdb.psql(url, "ANALYZE")
    return url


def drop_db(base, name):
    testdb.psql(base, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


# ---- the statements of sql.def -------------------------------------------------------

C_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def c_unescape(s):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def string_macros(src):
    """{name: text} of the object-like macros whose body is string literals only (such as
    SQL_USER_COLUMNS, a column list several statements share)."""
    out = {}
    for m in re.finditer(r"^#define (\w+)[ \t]+((?:[^\n]*\\\n)*[^\n]*)$", src, re.M):
        body = m.group(2).replace("\\\n", " ")
        if C_STRING.sub("", body).strip() == "" and C_STRING.search(body):
            out[m.group(1)] = "".join(c_unescape(x) for x in C_STRING.findall(body))
    return out


def read_sql_def():
    """{name: (backend, route, text)} from src/store/sql.def; text None for an entry
    whose text is built by a function-like macro (SQLite's search statements)."""
    src = open(os.path.join(ROOT, "src", "store", "sql.def"), encoding="utf-8").read()
    macros = string_macros(src)
    out = {}
    for m in re.finditer(r"^SQL\((\w+),\s*(\w+),\s*(\w+),", src, re.M):
        i, parts, macro, depth = m.end(), [], False, 0
        while True:
            c = src[i]
            if src.startswith("/*", i):
                i = src.index("*/", i) + 2
            elif c == '"':
                j, s = i + 1, []
                while src[j] != '"':
                    if src[j] == "\\":
                        s.append({"n": "\n", "t": "\t"}.get(src[j + 1], src[j + 1]))
                        j += 2
                    else:
                        s.append(src[j])
                        j += 1
                if depth == 0:
                    parts.append("".join(s))
                i = j + 1
            elif c == "(":
                depth += 1
                i += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
                i += 1
            elif c.isspace():
                i += 1
            elif c.isalpha() or c == "_":
                j = i
                while src[j].isalnum() or src[j] == "_":
                    j += 1
                if src[i:j] in macros and depth == 0:
                    parts.append(macros[src[i:j]])
                else:
                    macro = True
                i = j
            else:
                macro = True
                i += 1
        out[m.group(1)] = (m.group(2), m.group(3), None if macro else "".join(parts))
    return out


def pg_text(sql):
    """?N -> $N outside quotes, as src/store/pg.c does."""
    out, quote = [], None
    for i, c in enumerate(sql):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "?" and i + 1 < len(sql) and sql[i + 1].isdigit():
            out.append("$")
            continue
        out.append(c)
    return "".join(out)


def lit(v):
    return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else str(v)


# ---- the checks: each returns a list of problems -------------------------------------

def check_classified(db):
    problems = []
    found = set()
    for schema, name, kind in rows(db, """
            SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'"""):
        found.add(name)
        if schema != "public":
            problems.append("%s.%s is outside the public schema" % (schema, name))
        elif name not in DISTRIBUTED and name not in REFERENCE and name not in LOCAL:
            problems.append("table %s is neither distributed, reference nor local: decide, "
                            "and add it here, to tests/unit/test_sql.c and to "
                            "docs/scaling.md" % name)
    for name in sorted(set(DISTRIBUTED) | REFERENCE | LOCAL):
        if name not in found:
            problems.append("table %s of the distribution plan does not exist" % name)
    return problems


def check_unique_keys(db):
    problems = []
    for table, index, cols in rows(db, """
            SELECT c.relname, ic.relname, array(
                SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, n)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
                WHERE k.n <= i.indnkeyatts ORDER BY k.n)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND i.indisunique"""):
        if table in DISTRIBUTED and DISTRIBUTED[table][0] not in cols:
            problems.append("unique index %s on %s(%s) leaves out %s, the distribution "
                            "column" % (index, table, ", ".join(cols),
                                        DISTRIBUTED[table][0]))
    for table, con, kind, cols in rows(db, """
            SELECT c.relname, co.conname, co.contype::text, array(
                SELECT a.attname FROM unnest(co.conkey) AS k(num)
                JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num)
            FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND co.contype IN ('p', 'u', 'x')"""):
        if table in DISTRIBUTED and DISTRIBUTED[table][0] not in cols:
            problems.append("%s constraint %s on %s(%s) leaves out %s, the distribution "
                            "column" % ({"p": "PRIMARY KEY", "u": "UNIQUE",
                                         "x": "exclusion"}[kind], con, table,
                                        ", ".join(cols), DISTRIBUTED[table][0]))
    return problems


def foreign_key_problem(src, src_cols, dst, dst_cols):
    """Why Citus would refuse the foreign key src(src_cols) -> dst(dst_cols), or None."""
    if src in REFERENCE or src in LOCAL:
        if dst in DISTRIBUTED:
            return "a %s table cannot refer to a distributed one" % (
                "reference" if src in REFERENCE else "coordinator-local")
        return None
    if src in DISTRIBUTED and dst in DISTRIBUTED:
        if DISTRIBUTED[src][1] != DISTRIBUTED[dst][1]:
            return "%s and %s are not co-located" % (src, dst)
        if (DISTRIBUTED[src][0], DISTRIBUTED[dst][0]) not in zip(src_cols, dst_cols):
            return ("it does not map %s.%s to %s.%s (the distribution columns)"
                    % (src, DISTRIBUTED[src][0], dst, DISTRIBUTED[dst][0]))
    return None


def check_foreign_keys(db):
    problems = []
    for con, src, src_cols, dst, dst_cols in rows(db, """
            SELECT co.conname, s.relname, array(
                SELECT a.attname FROM unnest(co.conkey) WITH ORDINALITY AS k(num, n)
                JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num
                ORDER BY k.n), d.relname, array(
                SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY AS k(num, n)
                JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.num
                ORDER BY k.n)
            FROM pg_constraint co JOIN pg_class s ON s.oid = co.conrelid
            JOIN pg_class d ON d.oid = co.confrelid
            JOIN pg_namespace n ON n.oid = s.relnamespace
            WHERE n.nspname = 'public' AND co.contype = 'f'"""):
        why = foreign_key_problem(src, src_cols, dst, dst_cols)
        if why:
            problems.append("foreign key %s %s(%s) -> %s(%s): %s"
                            % (con, src, ", ".join(src_cols), dst, ", ".join(dst_cols), why))
    return problems


def column(db, table, col):
    """(type, collation, not null) of a column, or None."""
    r = rows(db, """
        SELECT format_type(a.atttypid, a.atttypmod), coalesce(co.collname, ''), a.attnotnull
        FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = to_regclass('public.%s') AND a.attname = '%s'
          AND NOT a.attisdropped""" % (table, col))
    return tuple(r[0]) if r else None


def check_colocation(db):
    problems = []
    for table, (col, anchor) in sorted(DISTRIBUTED.items()):
        mine = column(db, table, col)
        if mine is None:
            problems.append("%s.%s, the distribution column, does not exist" % (table, col))
            continue
        if not mine[2]:
            problems.append("%s.%s may be NULL: Citus cannot route a row without its "
                            "distribution column" % (table, col))
        if anchor == table:
            continue
        theirs = column(db, anchor, DISTRIBUTED[anchor][0])
        if theirs and mine[:2] != theirs[:2]:
            problems.append("%s.%s is %s COLLATE %s but %s.%s, which it is co-located "
                            "with, is %s COLLATE %s" % (table, col, mine[0], mine[1] or "-",
                                                        anchor, DISTRIBUTED[anchor][0],
                                                        theirs[0], theirs[1] or "-"))
    for table, col, typ, ident, default in rows(db, """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attidentity::text, coalesce(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
              AND c.relkind IN ('r', 'p')
              AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')"""):
        if table in DISTRIBUTED and typ != "bigint":
            problems.append("%s.%s is a %s %s: Citus numbers identity and sequence columns "
                            "of distributed tables per node only as bigint"
                            % (table, col, typ, "identity" if ident else "sequence"))
    return problems


def check_trigram(db):
    problems = []
    idx = rows(db, """
        SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_am am ON am.oid = ic.relam
        JOIN pg_opclass oc ON oc.oid = i.indclass[0]
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = to_regclass('public.subjects') AND a.attname = 'name_key'
          AND am.amname = 'gin' AND oc.opcname = 'gin_trgm_ops'""")
    if not idx:
        problems.append("subjects.name_key has no GIN index with gin_trgm_ops")
    ctype = rows(db, "SELECT datctype FROM pg_database WHERE datname = current_database()")
    if not re.search(r"utf-?8", ctype[0][0], re.I):
        problems.append("the database's LC_CTYPE is %s, not a UTF-8 locale" % ctype[0][0])
    try:
        n = rows(db, "SELECT cardinality(show_trgm('肇庆市星湖'))")[0][0]
    except RuntimeError as ex:
        problems.append("show_trgm failed (is pg_trgm installed?): %s" % ex)
    else:
        if n <= 0:
            problems.append("show_trgm('肇庆市星湖') has no trigram: LC_CTYPE %s does not "
                            "count Chinese characters as letters" % ctype[0][0])
    return problems


def index_first_columns(db):
    return {name: col for name, col in rows(db, """
        SELECT ic.relname, a.attname FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE n.nspname = 'public'""")}


def plan_scans(plan, out):
    """(table, node type, index name) of every scan of a table in a JSON plan."""
    rel = plan.get("Relation Name")
    if rel:
        idx = plan.get("Index Name")
        if plan["Node Type"] == "Bitmap Heap Scan":
            kids = [k for k in plan.get("Plans", []) if k.get("Index Name")]
            idx = kids[0]["Index Name"] if len(kids) == 1 else None
        out.append((rel, plan["Node Type"], idx))
    for kid in plan.get("Plans", []):
        plan_scans(kid, out)
    return out


def explain(db, text, params, settings):
    sql = "%s PREPARE xy_check AS %s; EXPLAIN (FORMAT JSON) EXECUTE xy_check(%s)" % (
        "".join("SET %s; " % s for s in settings), pg_text(text), ", ".join(params))
    return plan_scans(json.loads(testdb.psql(db, sql))[0]["Plan"], [])


def sample_params(db):
    """Parameters for each key-routed read of sql.def, from the demo data."""
    codes = [r[0] for r in rows(db, """
        SELECT subject_code FROM records GROUP BY subject_code
        ORDER BY subject_code LIMIT 20 OFFSET 100""")]
    if len(codes) < 20:
        raise Fail("the database holds too few subjects with records for the EXPLAIN checks")
    batch = rows(db, "SELECT min(id) FROM batches")[0][0] or 1
    return {
        "SUBJECT_GET": [lit(codes[0])],
        "RECORDS_OF_SUBJECT": [lit(codes[0])],
        # An ingest window asks for at most 512 codes (ROW_QUEUE_SLOTS) of a table of
        # millions of subjects, a tiny fraction of it.  5 of the demo's ~2000 subjects keep
        # the fraction small; from about 20 codes on, the planner rightly reads a table
        # this small whole instead.
        "SUBJECTS_GET_MANY": [lit("{" + ",".join('"%s"' % c for c in codes[:5]) + "}")],
        "BATCH_GET": [lit(batch)],
        "PROBLEMS_LIST": [lit(batch), "2", "-1", "0", "1000"],
        "AUTHZ_ACTIVE": [lit(codes[0]), lit(codes[1]), lit(NOW)],
        "AUTHZ_OF_SUBJECT": [lit(codes[0])],
        "RECORD_OWNER": [lit(codes[0]), lit("penalty"), lit("x")],
        "RECORDS_FOREIGN_MANY": [lit("{" + ",".join('"%s"' % c for c in codes[:5]) + "}"),
                                 lit("11441200MB2C12348J")],
        "RECORD_VERSIONS_OF": [lit(codes[0]), "1"],
        "RECORD_VERSIONS_FULL_OF": [lit(codes[0]), "1"],
        "CASES_OF_SUBJECT": [lit(codes[0]), lit("objection"), lit(""), lit(""),
                             "9223372036854775807", "100"],
        "CASE_STEPS_OF": [lit(codes[0]), "1"],
        "CASE_ATTACHMENTS_OF": [lit(codes[0]), "1"],
        "CASE_ATTACHMENT_CONTENT": [lit(codes[0]), "1", lit("x")],
        "STATEMENTS_OF_SUBJECT": [lit(codes[0])],
    }


def check_key_reads(db, notes=None):
    """Every ROUTE_KEY / ROUTE_BATCH read of sql.def that PostgreSQL runs uses an index
    starting with the distribution key: with the planner's own choice (custom and generic
    plan) on the tables in PLANNER_MUST_CHOOSE, which hold thousands of rows; on the small
    ones (5 batches, no problems and no authorizations in the demo data) the planner
    rightly reads the few pages whole, so there the plan is asked for again with
    enable_seqscan off, which proves that such an index exists and fits the statement,
    not that it is chosen."""
    problems = []
    firsts = index_first_columns(db)
    params = sample_params(db)
    counts = {t: rows(db, "SELECT count(*) FROM %s" % t)[0][0] for t in PLANNER_MUST_CHOOSE}
    for t, n in counts.items():
        if n < 1000:
            problems.append("%s holds only %d rows: too few to ask the planner" % (t, n))
    statements = {name: v for name, v in read_sql_def().items()
                  if v[0] in ("SQL_BOTH", "SQL_PG") and v[1] in ("ROUTE_KEY", "ROUTE_BATCH")
                  and v[2] and v[2].lstrip().upper().startswith("SELECT")}
    if not statements:
        problems.append("no key-routed SELECT found in sql.def")

    def bad_scans(scans):
        return ["%s by %s%s" % (t, node, " " + idx if idx else "")
                for t, node, idx in scans if t in DISTRIBUTED and
                (idx is None or firsts.get(idx) != DISTRIBUTED[t][0])]

    for name, (_, _, text) in sorted(statements.items()):
        if name not in params:
            problems.append("%s: no sample parameters for it in sample_params(): add them"
                            % name)
            continue
        for plan_mode in ("force_custom_plan", "force_generic_plan"):
            scans = explain(db, text, params[name], ["plan_cache_mode = " + plan_mode])
            bad = bad_scans(scans)
            if not scans:
                problems.append("%s: the plan reads no distributed table" % name)
            tables = {t for t, _, _ in scans}
            if bad and not (tables & PLANNER_MUST_CHOOSE):
                # A small table: is an index on the key there and usable at all?
                scans = explain(db, text, params[name],
                                ["plan_cache_mode = " + plan_mode, "enable_seqscan = off"])
                if not bad_scans(scans):
                    if notes is not None:
                        notes.add("%s: index usable (the planner prefers reading %s whole)"
                                  % (name, ", ".join(sorted(tables))))
                    continue
                bad = bad_scans(scans)
            if bad:
                problems.append("%s (%s): reads %s, not an index that starts with the "
                                "distribution column" % (name, plan_mode, "; ".join(bad)))
    return problems


# ---- the tests -----------------------------------------------------------------------

CHECKS = [
    ("every_table_is_classified", check_classified),
    ("unique_keys_include_the_distribution_column", check_unique_keys),
    ("foreign_keys_are_co_located", check_foreign_keys),
    ("co_located_columns_match", check_colocation),
    ("name_search_has_trigrams", check_trigram),
    ("key_routed_reads_use_the_key_index", check_key_reads),
]


def foreign_key_rule_can_fail():
    """foreign_key_problem on made-up keys (the schema's one foreign key today, sessions
    to users, joins two reference tables)."""
    bad = [("records", ["batch_id"], "batches", ["id"]),
           ("batch_problems", ["row"], "batches", ["id"]),
           ("code_exceptions", ["code"], "subjects", ["code"]),
           ("audit_log", ["subject_code"], "subjects", ["code"])]
    good = [("batch_problems", ["batch_id"], "batches", ["id"]),
            ("records", ["subject_code"], "subjects", ["code"]),
            ("records", ["category"], "catalog_categories", ["id"]),
            ("sessions", ["user_id"], "users", ["id"]),
            ("audit_log", ["seq"], "audit_anchor", ["seq"])]
    for fk in bad:
        check(foreign_key_problem(*fk), "a foreign key Citus refuses passed: %r" % (fk,))
    for fk in good:
        check(not foreign_key_problem(*fk), "a co-located foreign key failed: %r" % (fk,))


# Each way of breaking the schema, and the check that must notice it.
BREAKS = [
    ("CREATE TABLE ledger (id bigint PRIMARY KEY)", "every_table_is_classified", "ledger"),
    ("CREATE UNIQUE INDEX records_id_key ON records(id)",
     "unique_keys_include_the_distribution_column", "records_id_key"),
    ("ALTER TABLE batches ADD CONSTRAINT batches_cat_key UNIQUE (category, created_at, source)",
     "unique_keys_include_the_distribution_column", "batches_cat_key"),
    ("ALTER TABLE records ADD CONSTRAINT records_batch_fk FOREIGN KEY (batch_id) "
     "REFERENCES batches(id)", "foreign_keys_are_co_located", "records_batch_fk"),
    ("ALTER TABLE batch_problems ALTER COLUMN batch_id TYPE integer",
     "co_located_columns_match", "batch_problems.batch_id"),
    ("ALTER TABLE records ALTER COLUMN subject_code TYPE text COLLATE \"POSIX\"",
     "co_located_columns_match", "records.subject_code"),
    ("ALTER TABLE subjects ADD COLUMN n integer GENERATED BY DEFAULT AS IDENTITY",
     "co_located_columns_match", "subjects.n"),
    ("DROP INDEX subjects_name_trgm", "name_search_has_trigrams", "gin_trgm_ops"),
    ("ALTER TABLE subjects DROP CONSTRAINT subjects_pkey",
     "key_routed_reads_use_the_key_index", "SUBJECT_GET"),
    ("ALTER TABLE batch_problems DROP CONSTRAINT batch_problems_pkey; "
     "CREATE INDEX batch_problems_row ON batch_problems(row, batch_id, seq)",
     "key_routed_reads_use_the_key_index", "PROBLEMS_LIST"),
]


def checks_can_fail(base):
    """Breaks a second database in each way of BREAKS and expects its check to say so;
    a database in the C locale must fail the trigram check."""
    name = "xy_schema_neg_%d" % os.getpid()
    try:
        url = create_db(base, name, DEMO_SUBJECTS)
        testdb.psql(url, "; ".join(b[0] for b in BREAKS) + "; ANALYZE")
        by_name = dict(CHECKS)
        for ddl, check_name, needle in BREAKS:
            found = by_name[check_name](url)
            check(any(needle in p for p in found),
                  "%s did not notice `%s` (it said: %s)" % (check_name, ddl, found))
    finally:
        drop_db(base, name)
    name = "xy_schema_c_%d" % os.getpid()
    try:
        testdb.psql(base, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
                          "LC_COLLATE 'C' LC_CTYPE 'C'" % name)
        url = db_url(base, name)
        run(["init", "--db", url])
        found = check_trigram(url)
        check(any("no trigram" in p for p in found) and any("LC_CTYPE" in p for p in found),
              "a database with LC_CTYPE C passed the trigram check: %s" % found)
    finally:
        drop_db(base, name)


def main():
    if not os.access(BIN, os.X_OK):
        print("FAIL - setup: %s is not executable" % BIN)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    try:
        base = testdb.use_server(ROOT)
    except RuntimeError as ex:
        print("FAIL - setup: %s" % ex)
        print("0 passed, 1 failed")
        return 1
    print("# server: %s" % base)
    name = "xy_schema_%d" % os.getpid()
    try:
        db = create_db(base, name, DEMO_SUBJECTS)
    except Exception as ex:
        print("FAIL - setup: %s" % ex)
        drop_db(base, name)
        print("0 passed, 1 failed")
        return 1
    notes = set()
    tests = [(n, (lambda f: lambda: f(db))(f)) for n, f in CHECKS
             if f is not check_key_reads]
    tests += [("key_routed_reads_use_the_key_index", lambda: check_key_reads(db, notes)),
              ("foreign_key_rule_can_fail", foreign_key_rule_can_fail),
              ("checks_can_fail", lambda: checks_can_fail(base))]
    for test_name, fn in tests:
        try:
            problems = fn()
            if problems:
                raise Fail("; ".join(problems))
        except Fail as ex:
            failed += 1
            print("FAIL - %s: %s" % (test_name, ex))
        except Exception:
            failed += 1
            tb = traceback.format_exc().strip().splitlines()
            print("FAIL - %s: %s" % (test_name, " | ".join(tb[-4:])))
        else:
            passed += 1
            print("ok - %s" % test_name)
        sys.stdout.flush()
    for note in sorted(notes):
        print("# %s" % note)
    try:
        drop_db(base, name)
    except Exception as ex:
        failed += 1
        print("FAIL - cleanup: %s" % ex)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
