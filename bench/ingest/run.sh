#!/usr/bin/env bash
# bench/ingest/run.sh - ingestion throughput with full validation, against the sqlite3
# shell's `.import` of the same CSV into a plain table, in the same run.
#
# usage: bench/ingest/run.sh [ROWS...]        (default: 1000000)
#        BUILD=build bench/ingest/run.sh 1000000 10000000
#
# Each side runs REPEAT times (default 3; 1 for 10M rows and more) and the median time
# is reported: the machines this runs on are virtual and noisy.
#
# Writes bench/results/ingest-<ROWS>.json and prints a Markdown table row per size.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
bin="$root/${BUILD:-build}/xinyong"
work=${BENCH_WORK:-$root/bench/work}
mkdir -p "$work" bench/results
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000)
export XINYONG_NOW=${XINYONG_NOW:-2026-11-20T10:00:00+08:00}

# Runs a command under GNU time; sets $secs (wall) and $rss_kb (peak resident set).
measure() {
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null
  read -r secs rss_kb <"$out"
  rm -f "$out"
}

# median N... : the middle value.
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

for rows in "${sizes[@]}"; do
  csv="$work/penalty-$rows.csv"
  [ -f "$csv" ] || "$bin" demo --penalties "$rows" --seed 7 >"$csv"
  bytes=$(stat -c %s "$csv")
  dept=$(sed -n 2p "$csv" | awk -F, '{print $NF}')

  repeat=${REPEAT:-$([ "$rows" -ge 10000000 ] && echo 1 || echo 3)}
  raw_times=() xy_times=() raw_rss=0 xy_rss=0
  for _ in $(seq "$repeat"); do
    rm -f "$work/raw.db"*
    measure sqlite3 "$work/raw.db" -cmd '.mode csv' ".import $csv penalty_raw"
    raw_times+=("$secs"); [ "$rss_kb" -gt "$raw_rss" ] && raw_rss=$rss_kb
    raw_rows=$(sqlite3 "$work/raw.db" 'select count(*) from penalty_raw')
    rm -f "$work/raw.db"*

    rm -f "$work/xy.db"*
    "$bin" init --db "$work/xy.db" >/dev/null
    measure "$bin" ingest --db "$work/xy.db" --category penalty --dept "$dept" "$csv"
    xy_times+=("$secs"); [ "$rss_kb" -gt "$xy_rss" ] && xy_rss=$rss_kb
    xy_rows=$(sqlite3 "$work/xy.db" 'select count(*) from records')
    rejected=$(sqlite3 "$work/xy.db" 'select coalesce(sum(rejected),0) from batches')
    rm -f "$work/xy.db"*
  done
  raw_secs=$(median "${raw_times[@]}") xy_secs=$(median "${xy_times[@]}")

  python3 - "$rows" "$bytes" "$raw_secs" "$raw_rss" "$raw_rows" "$xy_secs" "$xy_rss" \
    "$xy_rows" "$rejected" "$repeat" "${raw_times[*]}" "${xy_times[*]}" <<'PY'
import json, platform, subprocess, sys, datetime
rows, size, rs, rm, rr, xs, xm, xr, rej, rep, rts, xts = sys.argv[1:]
rows, size, rr, xr, rej = int(rows), int(size), int(rr), int(xr), int(rej)
rs, xs, rm, xm = float(rs), float(xs), int(rm), int(xm)
res = {
    "benchmark": "ingest",
    "date": datetime.date.today().isoformat(),
    "machine": {"cpus": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
                "kernel": platform.release()},
    "rows": rows, "csv_bytes": size, "runs": int(rep),
    "baseline": {"tool": "sqlite3 .import into a plain table", "seconds": rs,
                 "all_seconds": [float(x) for x in rts.split()],
                 "records_per_s": round(rows / rs) if rs else None, "peak_rss_mb": round(rm / 1024, 1),
                 "rows_loaded": rr},
    "xinyong": {"tool": "xinyong ingest --category penalty (full validation)", "seconds": xs,
                "all_seconds": [float(x) for x in xts.split()],
                "records_per_s": round(rows / xs) if xs else None, "peak_rss_mb": round(xm / 1024, 1),
                "records_stored": xr, "rejected": rej},
}
res["ratio"] = round((rows / xs) / (rows / rs), 3) if xs and rs else None
with open("bench/results/ingest-%d.json" % rows, "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")
b, x = res["baseline"], res["xinyong"]
print("| %d | %.1f MB | %s | %s | %.2f | %.1f MB | %.1f MB |" % (
    rows, size / 1e6, f"{b['records_per_s']:,}", f"{x['records_per_s']:,}", res["ratio"],
    b["peak_rss_mb"], x["peak_rss_mb"]))
PY
done
