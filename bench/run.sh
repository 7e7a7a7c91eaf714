#!/usr/bin/env bash
# bench/run.sh - every benchmark on every backend (what `make bench` runs).
#
# usage: SIZES="1000000 10000000" BACKENDS="sqlite postgresql" bench/run.sh
#        make bench SIZES=100000 BACKENDS=sqlite            (a quick run)
#
# Ingestion first, for each backend (bench/ingest/run.sh), then lookup and search latency
# (bench/lookup/run.sh) on the databases the ingestion left.  PostgreSQL runs on PG_URL, or
# on one private server (tests/pg/server.sh) started here for the whole run.
source "$(dirname "$0")/lib.sh"

read -r -a sizes <<<"${SIZES:-1000000 10000000}"
read -r -a backends <<<"${BACKENDS:-sqlite postgresql}"
for b in "${backends[@]}"; do
  if [ "$(backend_name "$b")" = postgresql ]; then pg_ensure; fi
done

for b in "${backends[@]}"; do
  echo "## ingest, $(backend_name "$b")"
  BACKEND=$b bench/ingest/run.sh "${sizes[@]}"
done
echo "## lookup"
BACKENDS="${backends[*]}" bench/lookup/run.sh "${sizes[@]}"
