#!/usr/bin/env bash
# bench/lookup/run.sh - subject lookup and name search latency (p50/p90/p99/max) on each
# backend, against a baseline measured in the same run (xinyong-bench-lookup; see
# bench/README.md).
#
# usage: bench/lookup/run.sh [ROWS...]      (default: $SIZES, else 1000000 10000000)
#        BACKENDS="sqlite postgresql" QUERIES=2000 SEARCH_QUERIES=300 SEED=1 bench/lookup/run.sh
#
# For each size and backend it needs a database holding ROWS penalty records ingested from
# bench/work/penalty-ROWS.csv: the one bench/ingest/run.sh kept (bench/work/
# xy_lookup_sqlite_ROWS.db, or the database xy_lookup_pg_ROWS on the PostgreSQL server) when
# it holds exactly ROWS records, else one built now with `xinyong init` + `xinyong ingest`
# (minutes at 10M rows).  PostgreSQL: PG_URL, or a private server (tests/pg/server.sh) for
# the time of the run, whose databases go with it.
#
# Writes bench/results/lookup-<sqlite|pg>-<ROWS>.json and prints a Markdown table row each.
source "$(dirname "$0")/../lib.sh"

sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && read -r -a sizes <<<"${SIZES:-1000000 10000000}"
read -r -a backends <<<"${BACKENDS:-sqlite postgresql}"
queries=${QUERIES:-2000}
search_queries=${SEARCH_QUERIES:-300}
seed=${SEED:-1}

for rows in "${sizes[@]}"; do
  for b in "${backends[@]}"; do
    backend=$(backend_name "$b")
    if [ "$backend" = postgresql ]; then
      pg_ensure
      server=$(pg_server_json)
    else
      server=$(printf '{"sqlite_version": "%s"}' "$(sqlite3 --version | awk '{print $1}')")
    fi
    name=$(lookup_db_name "$backend" "$rows")
    url=$(db_url "$backend" "$name")
    have=-1
    db_exists "$backend" "$name" && have=$(db_records "$url")
    if [ "$have" -ne "$rows" ]; then
      echo "bench: building $url ($rows records)..." >&2
      bench_csv "$rows"
      db_fresh "$backend" "$name"
      "$bin" init --db "$url" >/dev/null
      "$bin" ingest --db "$url" --category penalty --dept "$dept" "$csv" >/dev/null
    fi
    out=$(mktemp)
    "$lookup_bin" --db "$url" --queries "$queries" --search-queries "$search_queries" \
      --seed "$seed" >"$out"
    python3 bench/report.py lookup --out "bench/results/lookup-$(backend_tag "$backend")-$rows.json" \
      --backend "$backend" --server "$server" --rows "$rows" --result "$out"
    rm -f "$out"
  done
done
