#!/usr/bin/env python3
"""soak.py - minutes of mixed load on a real server, with a slowloris in the background.

    bench/soak/soak.py BUILD_DIR [--seconds 600] [--workers 8] [--out FILE]

Starts `xinyong serve` of BUILD_DIR on a fresh SQLite database filled by `xinyong demo`
(or on PostgreSQL with --db URL), on 127.0.0.1 only, then runs for --seconds:

  - lookups of a subject's archive and name searches, anonymous (the server runs with
    --rate-limit 0: every request comes from 127.0.0.1);
  - logins (good and bad passwords) and audited reads: a department handler opening
    archives with a purpose, each read recorded in the audit trail;
  - uploads of good penalty files and of garbage (a JSON array of empty objects that
    the platform refuses whole), by a department's token, and their rejects;
  - a slowloris: 64 connections that each send one byte of a request head every 5 s.

Every 10 s it prints and keeps requests/s, errors by status, p50/p99/max latency and
the server's RSS.  Every request loop is bounded by the deadline; the server and the
slow connections are closed at the end.  429 (rate limit) is not an error; every other
status that is not the expected one is.  Results: JSON (--out, default
bench/results/soak.json) and a Markdown summary on stdout.
"""
import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

NOW = None  # the real clock: a soak runs in the present
DEPT = "11441200MB2C12348J"
PASSWORD = "Soak#2026pass"


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat = []       # seconds, this interval
        self.count = 0
        self.errors = {}    # "kind:status" -> n, this interval
        self.total = 0
        self.total_errors = {}
        self.all_lat = []

    def add(self, kind, status, ok, seconds):
        with self.lock:
            self.count += 1
            self.total += 1
            self.lat.append(seconds)
            self.all_lat.append(seconds)
            if not ok:
                key = "%s:%s" % (kind, status)
                self.errors[key] = self.errors.get(key, 0) + 1
                self.total_errors[key] = self.total_errors.get(key, 0) + 1

    def take(self):
        with self.lock:
            lat, n, errors = self.lat, self.count, self.errors
            self.lat, self.count, self.errors = [], 0, {}
        return lat, n, errors


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1.0


def run(binary, args, env, stdin=None):
    return subprocess.run([binary] + args, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, check=True, timeout=600)


def setup(binary, db, env):
    run(binary, ["demo", "--db", db, "--subjects", "3000"], env)
    run(binary, ["user", "add", "soak.handler", "--db", db, "--roles", "handler", "--dept",
                 DEPT, "--password-stdin"], env, (PASSWORD + "\n").encode())
    lines = run(binary, ["token", "issue", "--db", db, "--dept", DEPT, "--scopes",
                         "batches:write,batches:read"], env).stdout.decode().split("\n")
    token = [l for l in lines if l.strip()][-1]
    codes = run(binary, ["search", "--db", db, "--limit", "100", "有限公司"], env).stdout
    codes = [h["code"] for h in json.loads(codes)["results"]]
    penalties = run(binary, ["demo", "--penalties", "300", "--seed", "11"], env).stdout
    return token, codes, penalties


class Client:
    """One keep-alive connection; reconnects after the server closes it."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data, r
            except (ConnectionError, http.client.HTTPException, socket.timeout, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def worker(port, deadline, stats, token, codes, penalties, seed):
    rnd = random.Random(seed)
    c = Client(port)
    session = None
    n = 0
    while time.time() < deadline:
        n += 1
        pick = rnd.random()
        t0 = time.time()
        kind, expect = "lookup", (200,)
        try:
            if pick < 0.35:
                status, _, _ = c.call("GET", "/api/v1/subjects/" + rnd.choice(codes))
            elif pick < 0.60:
                kind = "search"
                q = rnd.choice(["肇庆", "星湖", "端州", "建材", "科技", "贸易"])
                status, _, _ = c.call("GET", "/api/v1/subjects?q=" + urllib.parse.quote(q))
            elif pick < 0.70:
                kind = "login"
                # Failures go to a name that does not exist: five in a row would lock
                # the handler's account, as they should.
                good = rnd.random() < 0.8
                status, body, r = c.call(
                    "POST", "/api/v1/session",
                    json.dumps({"name": "soak.handler" if good else "soak.nobody",
                                "password": PASSWORD if good else "wrong-" + str(n)}),
                    {"Content-Type": "application/json"})
                expect = (201,) if good else (401,)
                if good and status == 201:
                    m = re.match(r"xy_session=([^;]+);", r.getheader("set-cookie", ""))
                    if m:
                        session = m.group(1)
            elif pick < 0.90:
                kind = "audited_read"
                if session is None:
                    stats.add("audited_read_skipped", 0, True, 0.0)
                    continue
                status, _, _ = c.call(
                    "GET", "/api/v1/subjects/%s?purpose=%s"
                    % (rnd.choice(codes), urllib.parse.quote("执法检查")),
                    headers={"Cookie": "xy_session=" + session})
            elif pick < 0.97:
                kind = "upload_good"
                expect = (201,)
                status, body, _ = c.call(
                    "POST", "/api/v1/batches?category=penalty&name=soak.csv", penalties,
                    {"Authorization": "Bearer " + token, "Content-Type": "text/csv"})
                if status == 201:
                    batch = json.loads(body)["batch"]
                    status2, _, _ = c.call("GET", "/api/v1/batches/%d/rejects?limit=100" % batch,
                                           headers={"Authorization": "Bearer " + token})
                    stats.add("rejects", status2, status2 == 200, time.time() - t0)
            else:
                kind = "upload_garbage"
                expect = (422,)
                status, _, _ = c.call(
                    "POST", "/api/v1/batches?category=penalty&name=garbage.json",
                    b"[" + b",".join([b"{}"] * 20000) + b"]",
                    {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        except Exception as ex:  # noqa: BLE001 - a failed request is a finding
            status = "exception:" + type(ex).__name__
        dt = time.time() - t0
        stats.add(kind, status, status in expect or status == 429, dt)


def slowloris(port, deadline, conns, every, stop):
    """`conns` connections that each send one byte of a request head every `every` s.
    A connection the server closes is opened again, so the pressure stays."""
    head = b"GET /api/v1/subjects?q=" + b"x" * 4000
    socks = []
    sent = {}
    opened = [0]

    def open_one():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        socks.append(s)
        sent[s] = 0
        opened[0] += 1

    for _ in range(conns):
        try:
            open_one()
        except OSError:
            pass
    while time.time() < deadline and not stop.is_set():
        for s in list(socks):
            try:
                s.send(head[sent[s]:sent[s] + 1])
                sent[s] = (sent[s] + 1) % len(head)
            except OSError:
                socks.remove(s)
                s.close()
        while len(socks) < conns and time.time() < deadline:
            try:
                open_one()
            except OSError:
                break
        stop.wait(every)
    for s in socks:
        s.close()
    return opened[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--slow", type=int, default=64)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL (default: an SQLite file)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "results", "soak.json"))
    a = ap.parse_args()
    binary = os.path.join(os.path.abspath(a.build), "xinyong")
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    tmp = tempfile.mkdtemp(prefix="xy-soak-")
    db = a.db or os.path.join(tmp, "soak.db")
    env = dict(os.environ, TMPDIR=tmp)
    env.pop("XINYONG_NOW", None)
    env.pop("XINYONG_DB", None)
    print("# setting up %s ..." % db, file=sys.stderr)
    token, codes, penalties = setup(binary, db, env)
    log = open(os.path.join(tmp, "server.log"), "wb")
    # No anonymous rate limit: every request comes from 127.0.0.1, and the point is the
    # work behind the answers, not a stream of 429s.
    proc = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:0",
                             "--web", os.path.join(root, "web"), "--rate-limit", "0"],
                            stdout=subprocess.PIPE, stderr=log, env=env)
    line = proc.stdout.readline().decode()
    m = re.search(r"127\.0\.0\.1:(\d+)", line)
    if not m:
        print("server did not start: %r" % line, file=sys.stderr)
        return 1
    port = int(m.group(1))
    stats = Stats()
    start = time.time()
    deadline = start + a.seconds
    stop = threading.Event()
    slow_result = {}
    slow = threading.Thread(target=lambda: slow_result.update(
        opened=slowloris(port, deadline, a.slow, 5.0, stop)), daemon=True)
    slow.start()
    threads = [threading.Thread(target=worker, args=(port, deadline, stats, token, codes,
                                                     penalties, i), daemon=True)
               for i in range(a.workers)]
    for t in threads:
        t.start()
    samples = []
    print("| t (s) | req/s | p50 ms | p99 ms | max ms | errors | RSS MB |")
    print("|---|---|---|---|---|---|---|")
    while time.time() < deadline:
        time.sleep(min(a.interval, max(0.1, deadline - time.time())))
        lat, n, errors = stats.take()
        sample = {"t": round(time.time() - start, 1), "requests": n,
                  "rps": round(n / a.interval, 1),
                  "p50_ms": round(percentile(lat, 50) * 1000, 1),
                  "p99_ms": round(percentile(lat, 99) * 1000, 1),
                  "max_ms": round(max(lat) * 1000, 1) if lat else 0.0,
                  "errors": errors, "rss_mb": round(rss_mb(proc.pid), 1)}
        samples.append(sample)
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            sample["t"], sample["rps"], sample["p50_ms"], sample["p99_ms"], sample["max_ms"],
            sum(errors.values()), sample["rss_mb"]))
        sys.stdout.flush()
    for t in threads:
        t.join(180)
    stop.set()
    slow.join(30)
    proc.send_signal(2)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
    rss = [s["rss_mb"] for s in samples if s["rss_mb"] > 0]
    result = {
        "benchmark": "soak", "backend": "postgresql" if a.db else "sqlite",
        "seconds": a.seconds, "workers": a.workers, "slowloris_connections": a.slow,
        "slowloris_connections_opened": slow_result.get("opened", 0),
        "requests": stats.total,
        "rps": round(stats.total / float(a.seconds), 1),
        "p50_ms": round(percentile(stats.all_lat, 50) * 1000, 1),
        "p99_ms": round(percentile(stats.all_lat, 99) * 1000, 1),
        "max_ms": round(max(stats.all_lat) * 1000, 1) if stats.all_lat else 0.0,
        "errors": stats.total_errors,
        "rss_mb": {"first": rss[0] if rss else None, "last": rss[-1] if rss else None,
                   "max": max(rss) if rss else None,
                   "median": statistics.median(rss) if rss else None},
        "load_average": os.getloadavg(),
        "samples": samples,
        "server_exit": proc.returncode,
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
    print("\n%d requests in %d s (%.1f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms; errors %r; "
          "RSS first %s MB, max %s MB, last %s MB" % (
              stats.total, a.seconds, result["rps"], result["p50_ms"], result["p99_ms"],
              result["max_ms"], stats.total_errors, result["rss_mb"]["first"],
              result["rss_mb"]["max"], result["rss_mb"]["last"]))
    return 0 if not stats.total_errors else 1


if __name__ == "__main__":
    sys.exit(main())
