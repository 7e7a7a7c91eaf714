#!/usr/bin/env python3
"""report.py - writes a benchmark's results as JSON under bench/results/ and prints its
Markdown table row (bench/README.md).  Called by bench/ingest/run.sh and
bench/lookup/run.sh; the measuring is theirs.

  report.py ingest --out FILE --backend B --rows N --csv-bytes N --server JSON
                   --baseline-tool T --baseline-seconds "S..." --baseline-rss-kb "K..."
                   --baseline-rows N --baseline-db-bytes N
                   --xinyong-seconds "S..." --xinyong-rss-kb "K..." --records-stored N
                   --rejected N --xinyong-db-bytes N
  report.py lookup --out FILE --backend B --rows N --server JSON --result FILE
  report.py rows bench/results/ingest-1000000.json ...   (the table rows of result files)
"""

import argparse
import datetime
import json
import os
import platform


def machine():
    return {"cpus": str(os.cpu_count()), "kernel": platform.release()}


def median(values):
    v = sorted(values)
    return v[(len(v) + 1) // 2 - 1]


def floats(text):
    return [float(x) for x in text.split()]


def write(path, res):
    with open(path, "w") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)
        f.write("\n")


def ingest(a):
    bs, xs = floats(a.baseline_seconds), floats(a.xinyong_seconds)
    b_secs, x_secs = median(bs), median(xs)
    rows = a.rows
    res = {
        "benchmark": "ingest",
        "backend": a.backend,
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "server": json.loads(a.server),
        "rows": rows, "csv_bytes": a.csv_bytes, "runs": len(xs),
        "baseline": {"tool": a.baseline_tool, "seconds": b_secs, "all_seconds": bs,
                     "records_per_s": round(rows / b_secs) if b_secs else None,
                     "peak_rss_mb": round(max(floats(a.baseline_rss_kb)) / 1024, 1),
                     "rows_loaded": a.baseline_rows, "db_bytes": a.baseline_db_bytes},
        "xinyong": {"tool": "xinyong ingest --category penalty (full validation)",
                    "seconds": x_secs, "all_seconds": xs,
                    "records_per_s": round(rows / x_secs) if x_secs else None,
                    "peak_rss_mb": round(max(floats(a.xinyong_rss_kb)) / 1024, 1),
                    "records_stored": a.records_stored, "rejected": a.rejected,
                    "db_bytes": a.xinyong_db_bytes},
    }
    res["ratio"] = round(b_secs / x_secs, 3) if b_secs and x_secs else None
    write(a.out, res)
    print(ingest_row(res))


def ingest_row(res):
    b, x = res["baseline"], res["xinyong"]
    return "| %s | %s | %s MB | %s | %s | %s | %.1f MB | %.1f MB |" % (
        res.get("backend", "sqlite"), f"{res['rows']:,}", f"{res['csv_bytes'] / 1e6:,.1f}",
        f"{b['records_per_s']:,}", f"{x['records_per_s']:,}",
        "%.2f" % res["ratio"] if res["ratio"] else "-", b["peak_rss_mb"], x["peak_rss_mb"])


def fmt_us(us):
    """Microseconds below a millisecond, milliseconds above."""
    if us < 1000:
        return "%.0f µs" % us if us >= 10 else "%.1f µs" % us
    return "%.1f ms" % (us / 1000) if us < 100000 else "%.0f ms" % (us / 1000)


def lookup(a):
    with open(a.result) as f:
        res = json.load(f)
    out = {"benchmark": "lookup", "backend": a.backend,
           "date": datetime.date.today().isoformat(), "machine": machine(),
           "server": json.loads(a.server), "rows": a.rows}
    out.update((k, v) for k, v in res.items() if k not in out)
    write(a.out, out)
    print(lookup_row(out))


def lookup_row(res):
    ops = res["operations"]

    def pair(op):
        return "%s / %s" % (fmt_us(ops[op]["p50_us"]), fmt_us(ops[op]["p99_us"]))

    return "| %s | %s | %s | %s | %s | %s | %s | %s |" % (
        res["backend"], f"{res['rows']:,}", f"{res['counts']['subjects']:,}",
        pair("baseline"), pair("lookup"), pair("search_2"), pair("search_3_4"),
        pair("search_6_plus"))


def rows(a):
    """The table rows of result files already written."""
    for path in a.files:
        with open(path) as f:
            res = json.load(f)
        print({"ingest": ingest_row, "lookup": lookup_row}[res["benchmark"]](res))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("ingest")
    for name in ("out", "backend", "server", "baseline-tool", "baseline-seconds",
                 "baseline-rss-kb", "xinyong-seconds", "xinyong-rss-kb"):
        i.add_argument("--" + name, required=True)
    for name in ("rows", "csv-bytes", "baseline-rows", "baseline-db-bytes", "records-stored",
                 "rejected", "xinyong-db-bytes"):
        i.add_argument("--" + name, required=True, type=int)
    lk = sub.add_parser("lookup")
    for name in ("out", "backend", "server", "result"):
        lk.add_argument("--" + name, required=True)
    lk.add_argument("--rows", required=True, type=int)
    r = sub.add_parser("rows")
    r.add_argument("files", nargs="+")
    a = p.parse_args()
    {"ingest": ingest, "lookup": lookup, "rows": rows}[a.cmd](a)


if __name__ == "__main__":
    main()
