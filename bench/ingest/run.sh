#!/usr/bin/env bash
# bench/ingest/run.sh - ingestion throughput with full validation, against the database's
# own bulk load of the same CSV into a plain table, in the same run.
#
# usage: bench/ingest/run.sh [ROWS...]        (default: 1000000)
#        BUILD=build bench/ingest/run.sh 1000000 10000000
#        BACKEND=postgresql [PG_URL=postgresql://USER@HOST:PORT/DB] bench/ingest/run.sh 1000000
#
#   BACKEND=sqlite (default)  baseline: the sqlite3 shell's `.import` into a plain table;
#                             xinyong ingest into a fresh database file.
#   BACKEND=postgresql        baseline: psql's `\copy ... CSV HEADER` into a plain table of
#                             text columns; xinyong ingest into a fresh database.  Both on
#                             the server of PG_URL (its databases are created and dropped
#                             there), or on a private server started with
#                             tests/pg/server.sh when PG_URL is not set.
#
# Each side runs REPEAT times (default 3; 1 for 10M rows and more) and the median time
# is reported: the machines this runs on are virtual and noisy.  The database of the last
# xinyong run is kept (KEEP_DB=0 to drop it) as the lookup benchmark's database of that
# size (bench/lookup/run.sh reuses it).
#
# Writes bench/results/ingest-<ROWS>.json (SQLite) or ingest-pg-<ROWS>.json and prints a
# Markdown table row per size.
source "$(dirname "$0")/../lib.sh"

backend=$(backend_name "${BACKEND:-sqlite}")
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000)

raw_db=xy_bench_raw
xy_db=xy_bench_ingest
if [ "$backend" = postgresql ]; then
  pg_ensure
  server=$(pg_server_json)
  baseline_tool='psql \copy CSV HEADER into a plain table (text columns)'
  result_prefix=ingest-pg-
else
  server=$(printf '{"sqlite_version": "%s"}' "$(sqlite3 --version | awk '{print $1}')")
  baseline_tool='sqlite3 .import into a plain table'
  result_prefix=ingest-
fi

# The baseline: the whole file into one plain table, timed with the creation of its table
# (`.import` creates it from the header; on PostgreSQL a text column per header field).
baseline_load() {
  if [ "$backend" = postgresql ]; then
    local cols
    cols=$(head -n 1 "$csv" | python3 -c 'import csv, sys
print(", ".join("\"%s\" text" % c.replace("\"", "\"\"") for c in next(csv.reader(sys.stdin))))')
    db_fresh postgresql "$raw_db"
    measure "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$(pg_url "$raw_db")" \
      -c "CREATE TABLE penalty_raw ($cols)" -c "\\copy penalty_raw FROM '$csv' CSV HEADER"
    raw_rows=$(pg_query "$raw_db" 'SELECT count(*) FROM penalty_raw')
  else
    db_drop sqlite "$raw_db"
    measure sqlite3 "$work/$raw_db.db" -cmd '.mode csv' ".import $csv penalty_raw"
    raw_rows=$(sqlite3 "$work/$raw_db.db" 'select count(*) from penalty_raw')
  fi
  raw_bytes=$(db_bytes "$backend" "$raw_db")
  db_drop "$backend" "$raw_db"
}

for rows in "${sizes[@]}"; do
  bench_csv "$rows"
  repeat=${REPEAT:-$([ "$rows" -ge 10000000 ] && echo 1 || echo 3)}
  raw_times=() xy_times=() raw_rss=() xy_rss=()
  for run in $(seq "$repeat"); do
    baseline_load
    raw_times+=("$secs") raw_rss+=("$rss_kb")

    db_fresh "$backend" "$xy_db"
    url=$(db_url "$backend" "$xy_db")
    "$bin" init --db "$url" >/dev/null
    measure "$bin" ingest --db "$url" --category penalty --dept "$dept" "$csv"
    xy_times+=("$secs") xy_rss+=("$rss_kb")
    rejected=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rejected"])' "$measure_out")
    xy_rows=$(db_records "$url")
    xy_bytes=$(db_bytes "$backend" "$xy_db")
    if [ "$run" -eq "$repeat" ] && [ "${KEEP_DB:-1}" = 1 ] && [ "$xy_rows" -eq "$rows" ]; then
      db_rename "$backend" "$xy_db" "$(lookup_db_name "$backend" "$rows")"
    else
      db_drop "$backend" "$xy_db"
    fi
  done

  python3 bench/report.py ingest --out "bench/results/$result_prefix$rows.json" \
    --backend "$backend" --server "$server" --rows "$rows" --csv-bytes "$csv_bytes" \
    --baseline-tool "$baseline_tool" --baseline-seconds "${raw_times[*]}" \
    --baseline-rss-kb "${raw_rss[*]}" --baseline-rows "$raw_rows" --baseline-db-bytes "$raw_bytes" \
    --xinyong-seconds "${xy_times[*]}" --xinyong-rss-kb "${xy_rss[*]}" \
    --records-stored "$xy_rows" --rejected "$rejected" --xinyong-db-bytes "$xy_bytes"
done
