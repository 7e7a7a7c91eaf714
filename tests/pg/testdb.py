"""The test suites' databases, on either backend.

    XINYONG_TEST_PG=postgresql://xinyong@127.0.0.1:PORT/postgres   (tests/pg/server.sh)

When XINYONG_TEST_PG is set, `new_db` creates a uniquely named PostgreSQL database on that
server and returns its URL; otherwise it returns the path of a SQLite file in the given
directory.  Either value is what the suites pass to `xinyong --db`.  `drop_db` removes a
PostgreSQL database (a SQLite file goes with its temporary directory).

`sql_rows(db, query, params)` reads a database directly, whichever it is: sqlite3 for a
file, psql for a URL.  Queries use `?` placeholders and SQL that both dialects accept.
Rows come back as tuples of typed values as Python's sqlite3 gives them: int for integer
columns (count(*) included), str for text, None for NULL.  On PostgreSQL each row travels
as row_to_json() output, which keeps the column types (and any tab or newline in a value).

Python 3 standard library only.
"""

import atexit
import glob
import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.parse

PG_BASE = os.environ.get("XINYONG_TEST_PG") or None
BACKEND = "postgresql" if PG_BASE else "sqlite"

_serial = itertools.count(1)


def is_url(db):
    return db.startswith(("postgresql://", "postgres://"))


def _version_key(path):
    return [int(x) for x in re.findall(r"\d+", path)]


def _find_psql():
    # The psql next to the newest server; Debian's /usr/bin/psql is a Perl wrapper that
    # costs about 45 ms a call.
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=_version_key)
    if found:
        return found[-1]
    return shutil.which("psql") or "/usr/bin/psql"


PSQL = _find_psql()
_PSQL_ENV = dict(os.environ, PGCLIENTENCODING="UTF8", PGCONNECT_TIMEOUT="10")
for _k in ("PGSERVICE", "PGOPTIONS", "PGPASSFILE"):
    _PSQL_ENV.pop(_k, None)


def _url_with_db(url, name):
    return urllib.parse.urlsplit(url)._replace(path="/" + name).geturl()


def _db_name(url):
    return urllib.parse.urlsplit(url).path.lstrip("/")


def psql(url, sql, timeout=120):
    """Runs sql (one or more statements) on url; returns stdout (unaligned, tuples only).
    Raises RuntimeError with psql's message on any error."""
    p = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                        "-c", sql], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=_PSQL_ENV, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("psql %s: %s (exit %d): %s"
                           % (_db_name(url), sql[:300], p.returncode,
                              p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout.decode("utf-8")


def use_server(root):
    """Makes sure there is a server to test on: XINYONG_TEST_PG's, else a private one
    started with tests/pg/server.sh and stopped when this process exits.  Sets PG_BASE
    (so new_db creates PostgreSQL databases from then on) and returns it; raises
    RuntimeError with the script's output when the server does not start."""
    global PG_BASE, BACKEND
    if PG_BASE:
        return PG_BASE
    script = os.path.join(root, "tests", "pg", "server.sh")
    d = tempfile.mkdtemp(prefix="xy-pg.", dir="/tmp")
    os.chmod(d, 0o755)  # the server may run as the postgres user
    p = subprocess.run([script, "start", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=180)
    lines = p.stdout.decode().strip().splitlines()
    if p.returncode != 0 or not lines:
        shutil.rmtree(d, ignore_errors=True)
        raise RuntimeError("tests/pg/server.sh start failed (exit %d): %s"
                           % (p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))
    atexit.register(subprocess.run, [script, "stop", d], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=120)
    PG_BASE, BACKEND = lines[-1], "postgresql"
    return PG_BASE


def new_db(tmpdir, prefix):
    """A fresh, empty database: a file in tmpdir, or a new PostgreSQL database."""
    if not PG_BASE:
        return os.path.join(tmpdir, "test.db")
    name = "%s_%d_%d" % (prefix, os.getpid(), next(_serial))
    psql(PG_BASE, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
                  "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" % name)
    return _url_with_db(PG_BASE, name)


def drop_db(db):
    """Drops a database new_db created on PostgreSQL (connections are ended)."""
    if db and is_url(db):
        psql(PG_BASE, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % _db_name(db))


def leftover_dbs(prefix):
    """Names of this process's databases still on the server (for a final check)."""
    if not PG_BASE:
        return []
    out = psql(PG_BASE, "SELECT datname FROM pg_database WHERE datname LIKE '%s\\_%d\\_%%'"
               % (prefix, os.getpid()))
    return out.split()


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    raise TypeError("unsupported parameter %r" % (v,))


def _bind(query, params):
    """query with each ? (outside string literals) replaced by a literal of params."""
    out, it, quoted = [], iter(params), False
    for ch in query:
        if ch == "'":
            quoted = not quoted
        if ch == "?" and not quoted:
            try:
                out.append(_literal(next(it)))
            except StopIteration:
                raise ValueError("more ? than parameters in %r" % query)
            continue
        out.append(ch)
    if next(it, StopIteration) is not StopIteration:
        raise ValueError("more parameters than ? in %r" % query)
    return "".join(out)


def sql_rows(db, query, params=(), text_as_bytes=False):
    """The rows of a query as a list of tuples.  text_as_bytes: text values as bytes
    (sqlite3's text_factory=bytes), to check what is stored is valid UTF-8.  PostgreSQL
    cannot store invalid UTF-8 in a UTF8 database, so there the check holds by
    construction (an invalid value would have failed the insert)."""
    if is_url(db):
        out = psql(db, "SELECT row_to_json(q) FROM (%s) q" % _bind(query, params))
        rows = []
        for line in out.splitlines():
            pairs = json.loads(line, object_pairs_hook=lambda p: p)
            vals = tuple(v for _, v in pairs)
            if text_as_bytes:
                vals = tuple(v.encode("utf-8") if isinstance(v, str) else v for v in vals)
            rows.append(vals)
        return rows
    con = sqlite3.connect(db)
    try:
        if text_as_bytes:
            con.text_factory = bytes
        return [tuple(r) for r in con.execute(query, params).fetchall()]
    finally:
        con.close()
