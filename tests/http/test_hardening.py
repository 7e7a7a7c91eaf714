#!/usr/bin/env python3
"""Black-box tests of the server's defences against hostile clients (issue 18): bodies
larger than their route takes, the spool directory and its quota, slow and idle
connections, a full connection table, what reaches the request log, odd methods and
what the static file route will serve.

    python3 tests/http/test_hardening.py BUILD/xinyong SOURCE_ROOT

Python 3 standard library only, SQLite only (nothing here depends on the backend).
Each test starts the servers it needs on loopback with the flags it is about (short
deadlines, small quotas), so that the suite stays fast; every server is stopped with
SIGINT and must exit 0 without a sanitizer report.  Prints one line per test and
finally `N passed, M failed`.
"""

import http.client
import os
import re
import select
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402 - tests/http is on sys.path

NOW = "2026-03-05T10:00:00"
DEPT = "11440300MB2C874540"  # 深圳市市场监督管理局 (a valid unified social credit code)
CSV_OK = ("行政相对人名称,行政相对人代码_1(统一社会信用代码),行政处罚决定书文号,处罚决定日期\r\n"
          "深圳市星河数据科技有限公司,91440300MA5G2K7P5H,深市监罚〔2026〕1号,2026-02-01\r\n")


class Server:
    """One `xinyong serve` on 127.0.0.1 with the suite's database and extra flags."""

    def __init__(self, ctx, *args, env=None, spool=None):
        self.ctx = ctx
        self.spool = spool or os.path.join(ctx.tmp.name, "spool-%d" % next(ctx.serial))
        self.log_path = os.path.join(ctx.tmp.name, "server-%d.log" % next(ctx.serial))
        self.log = open(self.log_path, "wb")
        cmd = [ctx.binary, "serve", "--db", ctx.db, "--listen", "127.0.0.1:0", "--web",
               ctx.web, "--rate-limit", "0", "--spool-dir", self.spool] + list(args)
        self.proc = subprocess.Popen(cmd, env=dict(ctx.env, **(env or {})),
                                     stdout=subprocess.PIPE, stderr=self.log)
        line = read_line(self.proc.stdout, 30)
        m = re.match(r"xinyong: serving http://127\.0\.0\.1:(\d+) ", line)
        if not m:
            self.stop()
            raise AssertionError("server did not start: %r %s" % (line, self.text()[-800:]))
        self.port = int(m.group(1))
        ctx.servers.append(self)

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        """Stops the server; returns the problems found (exit status, sanitizers)."""
        problems = []
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("did not stop within 30 s of SIGINT")
        self.proc.stdout.close()
        self.log.close()
        if self.proc.returncode != 0:
            problems.append("exit status %r" % self.proc.returncode)
        log = self.text()
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if marker in log:
                problems.append("sanitizer report: " + log[log.index(marker) - 200:][:1500])
        if self in self.ctx.servers:
            self.ctx.servers.remove(self)
        return problems

    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


class Ctx:
    def __init__(self, binary, src):
        self.binary = os.path.abspath(binary)
        self.src = os.path.abspath(src)
        self.web = os.path.join(self.src, "web")
        self.tmp = tempfile.TemporaryDirectory(prefix="xinyong-hard-")
        self.db = os.path.join(self.tmp.name, "h.db")
        self.env = dict(os.environ, XINYONG_NOW=NOW, TMPDIR=self.tmp.name)
        self.env.pop("XINYONG_DB", None)
        self.servers = []
        self.serial = iter(range(1, 1000000))
        self.problems = []
        subprocess.run([self.binary, "init", "--db", self.db], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, timeout=60)
        p = subprocess.run([self.binary, "token", "issue", "--db", self.db, "--dept", DEPT,
                            "--scopes", "batches:write,batches:read", "--expires", "30d"],
                           env=self.env, stdout=subprocess.PIPE, check=True, timeout=60)
        self.token = p.stdout.decode().strip().splitlines()[-1]

    def stop_all(self):
        for srv in list(self.servers):
            self.problems += srv.stop()

    def cleanup(self):
        self.stop_all()
        self.tmp.cleanup()


def read_line(stream, timeout):
    result = []
    t = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    if not result:
        raise AssertionError("the server printed nothing within %d s" % timeout)
    return result[0].decode("utf-8", "replace").rstrip("\n")


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def read_response(s, timeout=10):
    """Reads one response from socket s: (status, headers dict, body).  Status 0 when
    the server closed the connection without answering."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            return 0, {}, b""
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (l.partition(":") for l in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(lines[0].split()[1]), headers, body
    except ConnectionResetError:
        return 0, {}, b""


def request(srv, method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def error_code(body):
    m = re.search(rb'"code":"([a-z_.]+)"', body)
    return m.group(1).decode() if m else None


def spool_files(srv):
    return sorted(f for f in os.listdir(srv.spool) if f.startswith("upload-"))


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ---- item 3: bodies and the spool ---------------------------------------------------

@test
def json_route_refuses_a_large_declared_body_on_the_head(ctx):
    """A 200 MB login body is refused with 413 before a byte of it is read, and nothing
    is spooled: the route takes a JSON object, not an upload."""
    srv = Server(ctx)
    s = srv.connect()
    try:
        s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 209715200\r\n\r\n{\"name\":")
        status, _, body = read_response(s, timeout=5)
    finally:
        s.close()
    check(status == 413, "status %r, expected 413 on the head: %r" % (status, body[:200]))
    check(error_code(body) == "request.too_large", "code %r" % error_code(body))
    check("请求体" in body.decode("utf-8"), "message is not Chinese: %r" % body[:200])
    check(spool_files(srv) == [], "spooled: %r" % spool_files(srv))
    # A route without a body refuses a declared one too.
    status, _, body = request(srv, "GET", "/healthz", body=b"x" * 10)
    check(status == 413 and error_code(body) == "request.too_large",
          "GET with a body: %d %r" % (status, body[:200]))


@test
def json_route_cuts_a_chunked_body_at_its_limit(ctx):
    """A chunked login body is cut once it passes the route's 64 KiB: the server closes
    the connection long before the client has sent its 8 MiB."""
    srv = Server(ctx)
    s = srv.connect()
    sent = 0
    try:
        s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (16384, b" " * 16384)
        deadline = time.monotonic() + 10
        try:
            while sent < 8 << 20 and time.monotonic() < deadline:
                s.sendall(piece)
                sent += 16384
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, _ = read_response(s, timeout=5)
    finally:
        s.close()
    check(sent < 8 << 20, "the server read all 8 MiB of a login body (status %r)" % status)
    check(status in (0, 413), "status %r" % status)
    check(spool_files(srv) == [], "spooled: %r" % spool_files(srv))
    status, _, _ = request(srv, "GET", "/healthz")
    check(status == 200, "healthz after the cut: %d" % status)


@test
def spool_directory_is_private_and_swept_at_start(ctx):
    spool = os.path.join(ctx.tmp.name, "spool-private")
    os.mkdir(spool, 0o755)
    os.chmod(spool, 0o755)
    stale = os.path.join(spool, "upload-99999999-abcdef.csv")  # beyond any pid_max
    foreign = os.path.join(spool, "keep.txt")
    live = os.path.join(spool, "upload-%d-abcdef" % os.getpid())  # this test runs
    for p in (stale, foreign, live):
        open(p, "w").close()
    srv = Server(ctx, spool=spool)
    mode = stat.S_IMODE(os.stat(spool).st_mode)
    check(mode == 0o700, "spool directory mode %o" % mode)
    check(not os.path.exists(stale), "a crashed server's upload was not removed")
    check(os.path.exists(foreign), "a file that is no upload was removed")
    check(os.path.exists(live), "a running server's upload was removed")
    check("event=spool_cleanup removed=1" in srv.text(), "cleanup not logged")
    # Uploads land there, and are gone when answered.
    status, _, body = request(srv, "POST", "/api/v1/batches?category=penalty&name=a.csv",
                              body=CSV_OK.encode(), headers={
                                  "Authorization": "Bearer " + ctx.token})
    check(status in (201, 422), "upload: %d %r" % (status, body[:300]))
    check(spool_files(srv) == [os.path.basename(live)], "left: %r" % spool_files(srv))


@test
def spool_directory_must_be_ours(ctx):
    target = os.path.join(ctx.tmp.name, "elsewhere")
    os.mkdir(target)
    link = os.path.join(ctx.tmp.name, "spool-link")
    os.symlink(target, link)
    for args, what in ((["--spool-dir", link], "a symbolic link"),
                       (["--spool-dir", os.path.join(ctx.tmp.name, "sq"), "--max-body", "1M",
                         "--spool-quota", "512K"], "a quota below --max-body")):
        p = subprocess.run([ctx.binary, "serve", "--db", ctx.db, "--listen", "127.0.0.1:0",
                            "--web", ctx.web] + args, env=ctx.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        err = p.stderr.decode("utf-8", "replace")
        check(p.returncode == 2 and "config.spool" in err,
              "%s: exit %d %r" % (what, p.returncode, err[-300:]))


def hold_upload(srv, token, length):
    """Starts an upload that declares `length` bytes and sends only a few: it holds its
    share of the quota until the socket is closed."""
    s = srv.connect()
    s.sendall(("POST /api/v1/batches?category=penalty HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n"
               % (token, length)).encode() + b"a,b\r\n")
    return s


@test
def spool_quota_refuses_with_507(ctx):
    srv = Server(ctx, "--max-body", "100K", "--spool-quota", "150K")
    auth = {"Authorization": "Bearer " + ctx.token}
    holder = hold_upload(srv, ctx.token, 100 * 1024)
    try:
        time.sleep(0.3)
        # A declared length that does not fit: refused on the head.
        s = hold_upload(srv, ctx.token, 80 * 1024)
        try:
            status, _, body = read_response(s, timeout=5)
        finally:
            s.close()
        check(status == 507, "declared upload over the quota: %d %r" % (status, body[:200]))
        check(error_code(body) == "spool.full", "code %r" % error_code(body))
        check("暂存空间已满" in body.decode("utf-8"), "message %r" % body[:200])
        # A chunked one that grows past it: read to its end, kept nowhere, then 507.
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        conn.request("POST", "/api/v1/batches?category=penalty", headers=auth,
                     body=iter([b"x" * 10240] * 8), encode_chunked=True)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        check(r.status == 507 and error_code(body) == "spool.full",
              "chunked upload over the quota: %d %r" % (r.status, body[:200]))
    finally:
        holder.close()
    # The holder's share comes back when it goes away.
    deadline = time.monotonic() + 5
    while True:
        status, _, body = request(srv, "POST", "/api/v1/batches?category=penalty&name=b.csv",
                                  body=CSV_OK.encode() + b"x" * (90 * 1024), headers=auth)
        if status != 507 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(status != 507, "the quota was not given back: %d %r" % (status, body[:200]))
    check(spool_files(srv) == [], "left: %r" % spool_files(srv))


# ---- item 4: slow and idle connections, a full table ----------------------------------

class Slowloris:
    """Connections that send a request head one byte at a time, `every` seconds apart,
    from 127.0.0.1, and notice when the server closes them."""

    def __init__(self, srv, count, every, stagger=0.0):
        self.srv = srv
        self.every = every
        self.conns = []  # [socket, opened, closed_at or None]
        for _ in range(count):
            s = srv.connect()
            s.setblocking(False)
            self.conns.append([s, time.monotonic(), None])
            try:
                s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            except OSError:
                pass
            if stagger:
                time.sleep(stagger)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(self.every):
            for c in self.conns:
                if c[2] is None:
                    try:
                        c[0].send(b"a")
                    except OSError:
                        c[2] = time.monotonic()
            self.poll()

    def poll(self):
        """Marks the connections the server has closed (EOF or reset)."""
        for c in self.conns:
            if c[2] is not None:
                continue
            r, _, _ = select.select([c[0]], [], [], 0)
            if r:
                try:
                    data = c[0].recv(4096)
                except OSError:
                    data = b""
                if not data:
                    c[2] = time.monotonic()

    def closed(self):
        self.poll()
        return [c[2] is not None for c in self.conns]

    def close(self):
        self.stop.set()
        self.thread.join(10)
        for c in self.conns:
            c[0].close()


def threads_of(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^Threads:\s+(\d+)", f.read(), re.M).group(1))


@test
def slow_heads_do_not_starve_normal_requests(ctx):
    """80 connections trickle their heads one byte every 0.4 s; meanwhile normal requests
    are answered at once, the daemon keeps its few threads, and every slow connection is
    closed once its head deadline (2 s) has passed."""
    srv = Server(ctx, "--head-timeout", "2", "--threads", "4")
    slow = Slowloris(srv, 80, 0.4)
    try:
        time.sleep(0.5)
        threads = threads_of(srv.proc.pid)
        check(threads < 40, "%d threads for 80 connections: one per connection?" % threads)
        slowest = 0.0
        for i in range(15):
            t = time.monotonic()
            status, _, body = request(srv, "GET", "/healthz", timeout=5)
            slowest = max(slowest, time.monotonic() - t)
            check(status == 200, "request %d during the attack: %d %r" % (i, status, body[:200]))
            time.sleep(0.1)
        check(slowest < 2, "a normal request took %.1f s during the attack" % slowest)
        deadline = time.monotonic() + 4
        while not all(slow.closed()) and time.monotonic() < deadline:
            time.sleep(0.1)
        closed = slow.closed()
        check(all(closed), "%d of 80 slow heads still open 4 s after their deadline"
              % closed.count(False))
        late = [c[2] - c[1] for c in slow.conns if c[2] - c[1] > 2 + 1.5]
        check(not late, "slow heads closed only after %.1f s" % max(late or [0]))
        check("event=conn_drop reason=head_timeout" in srv.text(), "head timeouts not logged")
    finally:
        slow.close()


@test
def idle_keepalive_connections_are_closed(ctx):
    srv = Server(ctx, "--idle-timeout", "1")
    s = srv.connect()
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, _ = read_response(s)
        check(status == 200 and headers.get("connection", "").lower() != "close",
              "keep-alive answer: %d %r" % (status, headers))
        t = time.monotonic()
        s.settimeout(5)
        try:
            data = s.recv(100)
        except socket.timeout:
            data = None
        except ConnectionResetError:
            data = b""
        check(data == b"", "the idle connection was not closed (%r)" % data)
        took = time.monotonic() - t
        check(0.8 < took < 2.5, "closed after %.1f s of idleness, expected about 1 s" % took)
    finally:
        s.close()


@test
def full_table_drops_the_oldest_unfinished_head(ctx):
    """With room for 20 connections, all held by slow heads, normal requests still get in:
    each takes the place of the slow connection that has waited longest."""
    srv = Server(ctx, "--max-connections", "20", "--head-timeout", "60")
    slow = Slowloris(srv, 20, 1.0, stagger=0.02)
    try:
        time.sleep(0.3)
        check(not any(slow.closed()), "slow connections closed before the table was full")
        for i in range(5):
            status, _, body = request(srv, "GET", "/healthz", timeout=5)
            check(status == 200, "request %d with a full table: %d %r" % (i, status, body[:200]))
        time.sleep(0.3)
        closed = slow.closed()
        n = closed.count(True)
        check(1 <= n <= 5, "%d slow connections dropped for 5 requests" % n)
        check(closed == [True] * n + [False] * (20 - n),
              "not the oldest were dropped: %r" % closed)
        check("event=conn_drop reason=table_full" in srv.text(), "eviction not logged")
    finally:
        slow.close()


@test
def connections_per_address_are_capped(ctx):
    srv = Server(ctx, "--max-per-address", "5", "--head-timeout", "60")
    slow = Slowloris(srv, 5, 1.0)
    try:
        extra = srv.connect()
        extra.settimeout(5)
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            data = extra.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        finally:
            extra.close()
        # The server accepts connections on several threads, so under load the sixth
        # may be accepted before one of the five: then that one is refused.  Either
        # way one of six is, and never more than five are held.
        time.sleep(1.5)
        refused = (data == b"") + sum(1 for c in slow.closed() if c)
        check(refused >= 1, "six connections from one address were all served: %r" % data[:50])
        check(data == b"" or refused == 1, "more than one of six refused: %r" % slow.closed())
    finally:
        slow.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            status = request(srv, "GET", "/healthz", timeout=5)[0]
        except (ConnectionError, http.client.HTTPException):
            status = 0
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(status == 200, "no request served after the five went away: %d" % status)


# ---- items 7 and 8: the request log, odd methods -------------------------------------

def raw(srv, data, timeout=5):
    s = srv.connect()
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_response(s, timeout)
    finally:
        s.close()


def log_is_clean(text):
    """Problems of a server log: control characters, lines that are no event."""
    problems = []
    for i, line in enumerate(text.split("\n")[:-1]):
        if re.search(r"[\x00-\x1f\x7f]", line):
            problems.append("line %d holds a control character: %r" % (i, line[:200]))
        if not re.match(r"^event=[a-z_]+ ", line):
            problems.append("line %d is no event line: %r" % (i, line[:200]))
    return problems


@test
def odd_methods_get_400_or_405(ctx):
    srv = Server(ctx)
    for method, want in ((b"\xff\xfe", 400), (b"\xe4\xb8\xad", 400), (b"G\x01T", 400),
                         (b"GET\x7f", 400), (b"A" * 40, 400), (b"G\"T", 400),
                         (b"BREW", 405), (b"get", 405), (b"PROPFIND", 405)):
        status, headers, body = raw(srv, method + b" / HTTP/1.1\r\nHost: x\r\n"
                                    b"Connection: close\r\n\r\n")
        check(status in (400, 405), "method %r: %d %r" % (method, status, body[:200]))
        if status == want:
            check(error_code(body) in ("request.invalid", "method.not_allowed"),
                  "method %r: %r" % (method, body[:200]))
            body.decode("utf-8")  # the error document is valid UTF-8
        check(status == want or status == 400, "method %r: %d, expected %d"
              % (method, status, want))
    problems = log_is_clean(srv.text())
    check(not problems, "; ".join(problems[:3]))


@test
def log_lines_cannot_be_forged(ctx):
    srv = Server(ctx)
    for data in (b"GET /%0D%0Aevent=http%20method=GET%20forged HTTP/1.1\r\nHost: x\r\n"
                 b"Connection: close\r\n\r\n",
                 b"GE\x1b[31mT / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 b"GET /api/v1/subjects/a%0Ab HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: x\r\nBad\x01Header\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"):
        raw(srv, data)
    status, _, _ = request(srv, "GET", "/healthz")
    check(status == 200, "healthz %d" % status)
    text = srv.text()
    problems = log_is_clean(text)
    check(not problems, "; ".join(problems[:3]))
    check("forged" not in text, "a path reached the log")


@test
def log_names_routes_never_paths(ctx):
    """An ID number in a path, in any form, never reaches the log: lines carry the route
    pattern the request matched."""
    srv = Server(ctx)
    ident = "44030419850312003X"
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in ident)
    quoted = lambda t: "".join("%%%02X" % b for b in t.encode("utf-8"))  # noqa: E731
    paths = ["/api/v1/subjects/" + ident, "/api/v1/subjects/" + quoted(fullwidth),
             "/api/v1/subjects/" + quoted(ident), "/api/v1/batches/" + ident,
             "/" + ident + ".html", "/" + quoted(fullwidth), "/docs/" + quoted(ident) + "/x",
             "/api/v1/nope/" + ident, "/api/v1/subjects/" + ident[:9] + "/" + ident[9:]]
    for p in paths:
        raw(srv, ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % p).encode())
    request(srv, "GET", "/api/v1/subjects?q=" + quoted(fullwidth))
    # A line is written when the request completes, just after its answer went out.
    deadline = time.monotonic() + 3
    while "route=/api/v1/subjects " not in srv.text() and time.monotonic() < deadline:
        time.sleep(0.05)
    text = srv.text()
    lines = [l for l in text.splitlines() if l.startswith("event=http ")]
    check(len(lines) >= len(paths), "only %d request lines" % len(lines))
    for needle in (ident, ident[:6], ident[-6:], quoted(ident)[:12], quoted(fullwidth)[:12],
                   fullwidth[:3], "%EF%BC", "85031"):
        check(needle not in text, "the log holds %r" % needle)
    routes = {re.search(r" route=(\S+) ", l).group(1) for l in lines}
    for want in ("/api/v1/subjects/{code}", "/api/v1/batches/{id}", "/*", "/api/*",
                 "/api/v1/subjects"):
        check(want in routes, "no line with route=%s: %r" % (want, sorted(routes)))


# ---- item 14: what the static route serves, error pages -----------------------------

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


@test
def static_route_serves_regular_files_only(ctx):
    """A FIFO, a socket, a device, a directory or a link out of the web root are not
    served; a FIFO must not even block the server (it runs one thread here)."""
    web = os.path.join(ctx.tmp.name, "web-odd")
    os.mkdir(web)
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html><title>ok</title>")
    with open(os.path.join(ctx.tmp.name, "secret.txt"), "w") as f:
        f.write("SECRET")
    os.mkfifo(os.path.join(web, "fifo.html"))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(os.path.join(web, "sock.html"))
    os.mkdir(os.path.join(web, "dir.html"))
    os.symlink(os.path.join(ctx.tmp.name, "secret.txt"), os.path.join(web, "out.txt"))
    os.symlink("index.html", os.path.join(web, "in.html"))
    os.mkfifo(os.path.join(ctx.tmp.name, "fifo-outside"))
    os.symlink(os.path.join(ctx.tmp.name, "fifo-outside"), os.path.join(web, "fifo-link.html"))
    refused = ["/fifo.html", "/sock.html", "/dir.html", "/out.txt", "/fifo-link.html"]
    if os.geteuid() == 0:
        os.mknod(os.path.join(web, "null.html"), stat.S_IFCHR | 0o644, os.makedev(1, 3))
        refused.append("/null.html")
    try:
        srv = Server(ctx, "--web", web, "--threads", "1")
        for path in refused:
            try:
                status, headers, body = request(srv, "GET", path, timeout=3)
            except socket.timeout:
                raise AssertionError("GET %s hung the server" % path) from None
            check(status == 404, "GET %s: %d %r" % (path, status, body[:100]))
            check(b"SECRET" not in body, "GET %s leaked the file outside" % path)
        for path in ("/", "/in.html"):
            status, _, body = request(srv, "GET", path, timeout=3)
            check(status == 200 and b"<title>ok" in body, "GET %s: %d" % (path, status))
    finally:
        sock.close()


@test
def oversized_heads_get_the_security_headers(ctx):
    srv = Server(ctx)
    cases = ((b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (40 << 10) +
              b"\r\n\r\n", 431, "request.head_too_large"),
             (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
              b"".join(b"X-Pad-%03d: %s\r\n" % (i, b"b" * 400) for i in range(100)) +
              b"\r\n", 431, "request.head_too_large"),
             (b"GET /healthz?q=" + b"c" * (10 << 10) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
              "request.uri_too_long"),
             (b"GET /" + b"d" * (10 << 10) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
              "request.uri_too_long"))
    for data, want, code in cases:
        status, headers, body = raw(srv, data)
        check(status == want, "%d instead of %d: %r" % (status, want, body[:200]))
        for name, value in SECURITY_HEADERS.items():
            check(headers.get(name) == value, "%d without %s: %r" % (want, name, headers))
        check(error_code(body) == code, "%d: code %r" % (want, error_code(body)))
    # A head beyond the library's pool still only costs its connection.
    raw(srv, b"GET / HTTP/1.1\r\nX-Pad: " + b"e" * (200 << 10) + b"\r\n\r\n")
    check(request(srv, "GET", "/healthz")[0] == 200, "healthz after a huge head")


# ---- item 13: /healthz from memory, /metrics for operators ----------------------------

def operator_cookie(ctx, srv):
    if not getattr(ctx, "operator_made", False):
        subprocess.run([ctx.binary, "user", "add", "u_op", "--roles", "operator", "--db", ctx.db,
                        "--password-stdin"], env=ctx.env, input=b"Yunfan-2026-Safe\n",
                       stdout=subprocess.DEVNULL, check=True, timeout=60)
        ctx.operator_made = True
    status, headers, body = request(srv, "POST", "/api/v1/session",
                                    b'{"name":"u_op","password":"Yunfan-2026-Safe"}',
                                    {"Content-Type": "application/json"})
    check(status == 201, "operator login: %d %r" % (status, body[:200]))
    return headers["set-cookie"].split(";")[0]


def metric(text, name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    check(m, "no %s%s in /metrics" % (name, labels))
    return float(m.group(1))


@test
def healthz_answers_from_memory(ctx):
    """/healthz reads nothing from the database: it answers while the database is
    locked by another process."""
    import sqlite3
    srv = Server(ctx)
    status, _, _ = request(srv, "GET", "/healthz")
    check(status == 200, "healthz %d" % status)
    db = sqlite3.connect(ctx.db, timeout=1, isolation_level=None)
    try:
        db.execute("BEGIN EXCLUSIVE")
        t = time.monotonic()
        status, _, body = request(srv, "GET", "/healthz")
        took = time.monotonic() - t
        db.execute("ROLLBACK")
    finally:
        db.close()
    check(status == 200 and b'"status":"ok"' in body, "healthz under a lock: %d %r"
          % (status, body[:200]))
    check(took < 0.5, "healthz took %.2f s while the database was locked" % took)
    check(b'"counts"' not in body, "healthz still counts rows")


@test
def metrics_for_operators(ctx):
    srv = Server(ctx, "--threads", "2")
    for _ in range(3):
        request(srv, "GET", "/healthz")
    request(srv, "GET", "/nope.html")
    status, _, body = request(srv, "GET", "/metrics")
    check(status == 401 and error_code(body) == "auth.required", "anonymous: %d" % status)
    status, _, body = request(srv, "POST", "/api/v1/batches?category=penalty&name=m.csv",
                              body=CSV_OK.encode(), headers={
                                  "Authorization": "Bearer " + ctx.token})
    check(status == 201, "upload: %d %r" % (status, body[:300]))
    status, _, _ = request(srv, "GET", "/metrics", headers={"Authorization": "Bearer " +
                                                            ctx.token})
    check(status == 403, "a department token: %d" % status)
    # An objection filed long ago and never accepted: the backlog operators must see.
    import sqlite3
    penalties = os.path.join(os.path.dirname(ctx.db), "metrics-penalties.csv")
    with open(penalties, "wb") as f:
        subprocess.run([ctx.binary, "demo", "--penalties", "3"], env=ctx.env, stdout=f,
                       check=True, timeout=60)
    subprocess.run([ctx.binary, "ingest", "--db", ctx.db, "--category", "penalty", "--dept",
                    "11441200MB2C12348J", penalties], env=ctx.env, stdout=subprocess.DEVNULL,
                   check=True, timeout=60)
    db = sqlite3.connect(ctx.db)
    rid = db.execute("SELECT max(id) FROM records").fetchone()[0]
    db.close()
    subprocess.run([ctx.binary, "case", "--db", ctx.db, "file", "--record", str(rid),
                    "--grounds", "error", "--text", "金额有误"],
                   env=dict(ctx.env, XINYONG_NOW="2026-01-05T09:00:00+08:00"),
                   stdout=subprocess.DEVNULL, check=True, timeout=60)
    cookie = operator_cookie(ctx, srv)
    status, headers, body = request(srv, "GET", "/metrics", headers={"Cookie": cookie})
    check(status == 200, "operator: %d %r" % (status, body[:300]))
    check(headers.get("content-type") == "text/plain; version=0.0.4; charset=utf-8",
          "content type %r" % headers.get("content-type"))
    for name, value in SECURITY_HEADERS.items():
        check(headers.get(name) == value, "/metrics without %s" % name)
    text = body.decode("utf-8")
    # Every sample line is NAME{labels} VALUE, every family has HELP and TYPE.
    families = set(re.findall(r"^# TYPE (\S+) (?:counter|gauge|histogram)$", text, re.M))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r'^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$', line)
        check(m, "malformed sample line %r" % line)
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        check(m.group(1) in families or base in families, "no TYPE for %r" % line)
    health = '{method="GET",route="/healthz",code="2xx"}'
    check(metric(text, "xinyong_http_requests_total", health) == 3, "healthz count")
    check(metric(text, "xinyong_http_requests_total",
                 '{method="GET",route="/*",code="4xx"}') == 1, "static 404 count")
    check(metric(text, "xinyong_http_request_duration_seconds_count",
                 '{method="GET",route="/healthz"}') == 3, "healthz latency count")
    check(metric(text, "xinyong_http_request_duration_seconds_bucket",
                 '{method="GET",route="/healthz",le="+Inf"}') == 3, "healthz +Inf bucket")
    check(metric(text, "xinyong_ingest_batches_total", '{outcome="committed"}') == 1,
          "batches")
    check(metric(text, "xinyong_ingest_rows_total", '{outcome="read"}') == 1, "rows read")
    rows = (metric(text, "xinyong_ingest_rows_total", '{outcome="accepted"}') +
            metric(text, "xinyong_ingest_rows_total", '{outcome="rejected"}') +
            metric(text, "xinyong_ingest_rows_total", '{outcome="duplicate"}'))
    check(rows == 1, "accepted + rejected + duplicate = %r" % rows)
    metric(text, "xinyong_db_pool_waits_total")
    check(metric(text, "xinyong_store_rows", '{table="batches"}') >= 1, "batches rows")
    check(metric(text, "xinyong_audit_chain_length") >= 1, "the login was not audited?")
    check(metric(text, "xinyong_http_connections_open") >= 1, "connections")
    check(metric(text, "xinyong_spool_bytes", '{state="quota"}') > 0, "spool quota")
    check(metric(text, "xinyong_cases", '{kind="objection",status="submitted"}') >= 1,
          "the objection is counted")
    check(metric(text, "xinyong_cases_overdue", '{kind="objection",status="submitted"}') >= 1,
          "and counted as overdue")


def main(argv):
    if len(argv) != 3:
        print("usage: test_hardening.py XINYONG_BINARY SOURCE_ROOT", file=sys.stderr)
        return 2
    try:
        ctx = Ctx(argv[1], argv[2])
    except Exception as exc:  # noqa: BLE001 - report and stop
        print("FAIL setup: %s" % exc)
        print("0 passed, 1 failed")
        return 1

    def each(fn):
        # Every test's servers stop after it, so that their problems are its own.
        def run(c):
            try:
                fn(c)
            finally:
                before = list(c.problems)
                c.stop_all()
                new = c.problems[len(before):]
                if new:
                    raise AssertionError("server: " + "; ".join(new))
        run.__name__ = fn.__name__
        return run

    passed, failed = harness.run_tests([each(t) for t in TESTS], ctx)
    return harness.finish(ctx, passed, failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
