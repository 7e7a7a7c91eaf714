# bench/lib.sh - what the benchmark scripts share; sourced, not run.
#
# After sourcing: the working directory is the repository root, and
#   $root        the repository root
#   $bin         the xinyong binary ($BUILD, default build)
#   $lookup_bin  bench/lookup/xinyong-bench-lookup of the same build
#   $work        where generated files and kept databases live ($BENCH_WORK, default
#                bench/work; git ignores it)
#   XINYONG_NOW  fixed, so that the generated data (dates) is the same on every run
#
# Backends are named `sqlite` and `postgresql` (`pg` is accepted); a database is named by
# a bare NAME: the file $work/NAME.db on SQLite, the database NAME on the PostgreSQL
# server of $PG_URL.  When PG_URL is not set, pg_ensure starts a private server with
# tests/pg/server.sh in $work/pg and stops it when the script exits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
bin="$root/${BUILD:-build}/xinyong"
lookup_bin="$root/${BUILD:-build}/bench/lookup/xinyong-bench-lookup"
work=${BENCH_WORK:-$root/bench/work}
mkdir -p "$work" bench/results
export XINYONG_NOW=${XINYONG_NOW:-2026-11-20T10:00:00+08:00}

for b in "$bin" "$lookup_bin"; do
  [ -x "$b" ] || { echo "bench: $b is missing; build first (make build, or BUILD=DIR)" >&2; exit 1; }
done

# backend_name NAME: the canonical name of a backend (exits on an unknown one).
backend_name() {
  case "$1" in
    sqlite) echo sqlite ;;
    postgresql|postgres|pg) echo postgresql ;;
    *) echo "bench: unknown backend '$1' (sqlite or postgresql)" >&2; exit 2 ;;
  esac
}

# backend_tag BACKEND: the short name used in result file names (sqlite, pg).
backend_tag() { [ "$1" = postgresql ] && echo pg || echo sqlite; }

# Runs a command under GNU time; sets $secs (wall) and $rss_kb (peak resident set of the
# command and its descendants, the largest of them).  Its stdout is kept in $measure_out.
measure_out="$work/.measure.out"
measure() {
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >"$measure_out"
  read -r secs rss_kb <"$out"
  rm -f "$out"
}

# bench_csv ROWS: makes sure $work/penalty-ROWS.csv exists (xinyong demo --penalties, seed
# 7); sets $csv, $csv_bytes and $dept (the submitting department of its rows).
bench_csv() {
  csv="$work/penalty-$1.csv"
  if [ ! -f "$csv" ]; then
    "$bin" demo --penalties "$1" --seed 7 >"$csv.part"
    mv "$csv.part" "$csv"
  fi
  csv_bytes=$(stat -c %s "$csv")
  dept=$(sed -n 2p "$csv" | awk -F, '{print $NF}')
}

# ---- PostgreSQL --------------------------------------------------------------------------

# psql next to the newest server: Debian's /usr/bin/psql is a Perl wrapper costing ~45 ms
# a call (as in tests/pg/testdb.py).
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
psql_bin=${psql_bin:-$(command -v psql || echo psql)}
export PGCLIENTENCODING=UTF8

bench_pg_dir=
bench_pg_stop() {
  if [ -n "$bench_pg_dir" ]; then
    "$root/tests/pg/server.sh" stop "$bench_pg_dir" >/dev/null 2>&1 || true
    bench_pg_dir=
  fi
}

# pg_ensure: sets and exports PG_URL, starting a private server when it is not set.  That
# server is tests/pg/server.sh's, whose durability is off for the tests: here fsync,
# full_page_writes and synchronous_commit are set back to PostgreSQL's defaults, so that
# ingestion pays for durability as it would in production (SQLite runs with WAL and
# synchronous=NORMAL).  Its other settings are the defaults (shared_buffers 128MB); give
# PG_URL of a tuned server to measure another configuration.
pg_ensure() {
  [ -n "${PG_URL:-}" ] && return 0
  bench_pg_dir="$work/pg"
  # Left over by a run that was killed: server.sh start wants an empty directory.
  [ -d "$bench_pg_dir" ] && "$root/tests/pg/server.sh" stop "$bench_pg_dir" >/dev/null 2>&1 || true
  trap bench_pg_stop EXIT
  trap 'exit 130' INT TERM
  PG_URL=$("$root/tests/pg/server.sh" start "$bench_pg_dir" | tail -n 1)
  export PG_URL
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$PG_URL" \
    -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
    -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
  echo "bench: PostgreSQL server at $PG_URL (log $bench_pg_dir/log)" >&2
}

# pg_url NAME: $PG_URL with the database NAME.
pg_url() {
  python3 -c 'import sys, urllib.parse as u
print(u.urlsplit(sys.argv[1])._replace(path="/" + sys.argv[2]).geturl())' "$PG_URL" "$1"
}

# pg_admin SQL...: runs statements on the server's maintenance database (from $PG_URL).
pg_admin() {
  local c args=(-c "SET client_min_messages = warning")
  for c in "$@"; do args+=(-c "$c"); done
  "$psql_bin" -X -q -A -t -v ON_ERROR_STOP=1 "$PG_URL" "${args[@]}"
}

# pg_query NAME SQL: one value from database NAME.
pg_query() { "$psql_bin" -X -q -A -t -v ON_ERROR_STOP=1 "$(pg_url "$1")" -c "$2"; }

# The server's settings that matter to the numbers, as a JSON object.
pg_server_json() {
  pg_admin "SELECT json_build_object(
      'version', current_setting('server_version'),
      'shared_buffers', current_setting('shared_buffers'),
      'work_mem', current_setting('work_mem'),
      'maintenance_work_mem', current_setting('maintenance_work_mem'),
      'max_wal_size', current_setting('max_wal_size'),
      'fsync', current_setting('fsync'),
      'full_page_writes', current_setting('full_page_writes'),
      'synchronous_commit', current_setting('synchronous_commit'),
      'encoding', current_setting('server_encoding'),
      'lc_ctype', (SELECT datctype FROM pg_database WHERE datname = current_database()))"
}

# ---- databases, on either backend -----------------------------------------------------

# db_url BACKEND NAME: what to pass to `xinyong --db`.
db_url() {
  if [ "$1" = postgresql ]; then pg_url "$2"; else echo "$work/$2.db"; fi
}

db_drop() {
  if [ "$1" = postgresql ]; then
    pg_admin "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" >/dev/null
  else
    rm -f "$work/$2.db" "$work/$2.db-wal" "$work/$2.db-shm" "$work/$2.db-journal"
  fi
}

# db_fresh BACKEND NAME: an empty database (dropped first when it exists).
db_fresh() {
  db_drop "$1" "$2"
  if [ "$1" = postgresql ]; then pg_admin "CREATE DATABASE \"$2\"" >/dev/null; fi
}

db_exists() {
  if [ "$1" = postgresql ]; then
    [ "$(pg_admin "SELECT 1 FROM pg_database WHERE datname = '$2'")" = 1 ]
  else
    [ -f "$work/$2.db" ]
  fi
}

# db_rename BACKEND FROM TO (TO is dropped first).
db_rename() {
  db_drop "$1" "$3"
  if [ "$1" = postgresql ]; then
    pg_admin "ALTER DATABASE \"$2\" RENAME TO \"$3\"" >/dev/null
  else
    local ext
    for ext in "" -wal -shm; do
      [ -f "$work/$2.db$ext" ] && mv "$work/$2.db$ext" "$work/$3.db$ext"
    done
    return 0
  fi
}

# db_bytes BACKEND NAME: the database's size on disk.
db_bytes() {
  if [ "$1" = postgresql ]; then
    pg_admin "SELECT pg_database_size('$2')"
  else
    local f total=0
    for f in "$work/$2.db" "$work/$2.db-wal"; do
      [ -f "$f" ] && total=$((total + $(stat -c %s "$f")))
    done
    echo "$total"
  fi
}

# db_records URL: the records the store holds (store_counts, through store.h).
db_records() {
  "$lookup_bin" --db "$1" --counts | python3 -c 'import json, sys; print(json.load(sys.stdin)["counts"]["records"])'
}

# The lookup benchmark's database of ROWS records on BACKEND (the ingest benchmark keeps
# its last database under this name).
lookup_db_name() { echo "xy_lookup_$(backend_tag "$1")_$2"; }
