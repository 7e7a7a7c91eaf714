#!/usr/bin/env python3
"""Black-box tests of `xinyong serve` over HTTPS (--tls-cert / --tls-key) and of the
request-header limit, on a real server.

    python3 tests/http/test_tls.py BUILD/xinyong SOURCE_ROOT

Python 3 standard library plus the `openssl` command, which makes a throwaway
self-signed certificate (EC P-256, valid one day) in a temporary directory.  Starts one
HTTPS server and one plain HTTP server on free ports and talks to them; starts further
servers that must refuse unusable certificate files (exit 2, reason `config.tls`).
Prints one line per test and finally `N passed, M failed`; exits non-zero on any
failure.  The database is a new SQLite file, or a PostgreSQL database when
XINYONG_TEST_PG is set (tests/pg/testdb.py), as in test_api.py.
"""

import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import warnings

sys.dont_write_bytecode = True  # no __pycache__ in tests/pg
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import harness  # noqa: E402 - tests/http is on sys.path
import testdb  # noqa: E402  (tests/pg/testdb.py: the database on either backend)

NOW = "2026-03-05T10:00:00"
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer",
                     "runtime error:")
# libmicrohttpd keeps the request line and headers in a 32 KiB pool per connection.
HUGE = 40 * 1024


def openssl(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


class Server:
    """One `xinyong serve` process: started with extra arguments, stopped with SIGINT."""

    def __init__(self, ctx, name, args, env=None):
        self.ctx = ctx
        self.log_path = os.path.join(ctx.tmp.name, name + ".log")
        self.args = args
        self.env = env or ctx.env
        self.proc = None
        self.log = None
        self.port = None
        self.scheme = None
        self.exit_code = None

    def start(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.ctx.binary, "serve", "--db", self.ctx.db, "--listen", "127.0.0.1:0",
             "--web", os.path.join(self.ctx.src, "web")] + self.args,
            env=self.env, stdout=subprocess.PIPE, stderr=self.log)
        line = read_line(self.proc.stdout, 30)
        m = re.match(r"xinyong: serving (https?)://127\.0\.0\.1:(\d+) \(db=.*, web=.*\)$",
                     line)
        if not m:
            self.stop()
            raise RuntimeError("unexpected start line: %r; log: %s"
                               % (line, self.server_log()[-1500:]))
        self.scheme = m.group(1)
        self.port = int(m.group(2))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.exit_code = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.exit_code = self.proc.wait()
        elif self.proc:
            self.exit_code = self.proc.returncode
        if self.proc:
            self.proc.stdout.close()
            self.log.close()
            self.proc = None

    def server_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def shutdown_problems(self):
        """After stop: a clean exit and quiet sanitizers."""
        problems = []
        if self.exit_code != 0:
            problems.append("exit status %r after SIGINT" % self.exit_code)
        log = self.server_log()
        for marker in SANITIZER_MARKERS:
            if marker in log:
                problems.append("sanitizer report in the server log: " + marker)
        return problems


class Ctx:
    """The certificate files, the database and the two servers the tests share."""

    def __init__(self, binary, src):
        self.binary = os.path.abspath(binary)
        self.src = os.path.abspath(src)
        self.tmp = tempfile.TemporaryDirectory(prefix="xinyong-tls-")
        self.db = None
        try:
            self.db = testdb.new_db(self.tmp.name, "xy_tls")
        except BaseException:
            self.tmp.cleanup()
            raise
        self.env = dict(os.environ, XINYONG_NOW=NOW, TMPDIR=self.tmp.name)
        for k in ("XINYONG_DB", "XINYONG_TLS_CERT", "XINYONG_TLS_KEY"):
            self.env.pop(k, None)
        self.cert = self.path("cert.pem")
        self.key = self.path("key.pem")
        self.https = None
        self.plain = None

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def setup(self):
        # The address goes in subjectAltName too: clients match IP addresses against it,
        # never against the CN.
        openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", "key.pem", "-out", "cert.pem"], self.tmp.name)
        os.chmod(self.key, 0o600)
        openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                 "-out", "other-key.pem"], self.tmp.name)
        openssl(["x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der"],
                self.tmp.name)
        subprocess.run([self.binary, "init", "--db", self.db], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, timeout=60)
        self.https = Server(self, "https", ["--tls-cert", self.cert, "--tls-key", self.key])
        self.https.start()
        self.plain = Server(self, "plain", [])
        self.plain.start()

    def stop(self):
        for srv in (self.https, self.plain):
            if srv:
                srv.stop()

    def cleanup(self):
        try:
            testdb.drop_db(self.db)
        finally:
            self.tmp.cleanup()


def read_line(stream, timeout):
    result = []
    t = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    if not result:
        raise RuntimeError("the server printed nothing within %d s" % timeout)
    return result[0].decode("utf-8", "replace").rstrip("\n")


def client_context(ctx):
    """Trusts exactly the test certificate, with hostname checking on."""
    c = ssl.create_default_context(cafile=ctx.cert)
    c.check_hostname = True
    return c


def https_get(ctx, path, headers=None):
    conn = http.client.HTTPSConnection("127.0.0.1", ctx.https.port, timeout=30,
                                       context=client_context(ctx))
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def exchange(sock, data):
    """Sends a raw request and reads until the server closes; returns what came back."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
        pass  # the server may answer and close before everything was sent
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, socket.timeout):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def raw(ctx, server, data):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        if server.scheme == "https":
            s = client_context(ctx).wrap_socket(s, server_hostname="127.0.0.1")
        return exchange(s, data)
    finally:
        s.close()


def status_of(answer):
    first = answer.split(b"\r\n", 1)[0].decode("latin-1")
    m = re.match(r"HTTP/1\.[01] (\d{3})", first)
    return int(m.group(1)) if m else 0


def get_with_headers(header_lines):
    return ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n"
            % "".join("%s\r\n" % h for h in header_lines)).encode("latin-1")


def serve_fails(ctx, args, env=None):
    """Runs `xinyong serve` that must refuse to start; returns its stderr."""
    p = subprocess.run(
        [ctx.binary, "serve", "--db", ctx.db, "--listen", "127.0.0.1:0", "--web",
         os.path.join(ctx.src, "web")] + args,
        env=env or ctx.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 2, "exit %d, expected 2; stdout %r, stderr %r"
          % (p.returncode, p.stdout[:200], err[-800:]))
    check(b"serving" not in p.stdout, "it printed a ready line: %r" % p.stdout)
    check("config.tls" in err, "no config.tls on stderr: %r" % err[-800:])
    for marker in SANITIZER_MARKERS:
        check(marker not in err, "sanitizer report: %s" % err[-2000:])
    return err


# ---- assertions ----------------------------------------------------------------------

def check(cond, message):
    if not cond:
        raise AssertionError(message)


# ---- tests ---------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def start_line_names_the_scheme(ctx):
    check(ctx.https.scheme == "https", "TLS server printed %s://" % ctx.https.scheme)
    check(ctx.plain.scheme == "http", "plain server printed %s://" % ctx.plain.scheme)


@test
def https_healthz(ctx):
    status, headers, body = https_get(ctx, "/healthz")
    check(status == 200, "status %d: %r" % (status, body[:300]))
    check(b'"status":"ok"' in body, "body %r" % body[:300])
    check(headers.get("content-type") == "application/json; charset=utf-8",
          "content type %r" % headers.get("content-type"))


@test
def https_protocol_and_certificate(ctx):
    s = socket.create_connection(("127.0.0.1", ctx.https.port), timeout=30)
    with client_context(ctx).wrap_socket(s, server_hostname="127.0.0.1") as t:
        check(t.version() in ("TLSv1.2", "TLSv1.3"), "negotiated %s" % t.version())
        der = t.getpeercert(binary_form=True)
    with open(ctx.path("cert.der"), "rb") as f:
        check(der == f.read(), "the server presented another certificate")


@test
def https_static_page(ctx):
    status, headers, body = https_get(ctx, "/")
    check(status == 200, "status %d" % status)
    check(headers.get("content-type", "").startswith("text/html"),
          "content type %r" % headers.get("content-type"))


@test
def old_tls_versions_refused(ctx):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    try:
        warnings.simplefilter("ignore", DeprecationWarning)
        c.minimum_version = ssl.TLSVersion.TLSv1
        c.maximum_version = ssl.TLSVersion.TLSv1_1
        c.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        print("# skip old_tls_versions_refused: this OpenSSL cannot offer TLS 1.1")
        return
    s = socket.create_connection(("127.0.0.1", ctx.https.port), timeout=30)
    try:
        try:
            t = c.wrap_socket(s, server_hostname="127.0.0.1")
        except (ssl.SSLError, ConnectionResetError, OSError):
            return
        version = t.version()
        t.close()
        raise AssertionError("a TLS 1.1 client was accepted (%s)" % version)
    finally:
        s.close()


@test
def plain_http_to_tls_port_fails(ctx):
    answer = raw_plain(ctx.https.port, get_with_headers([]))
    check(not answer.startswith(b"HTTP/"), "plain HTTP was answered: %r" % answer[:200])
    check(b'"status":"ok"' not in answer, "plain HTTP was served: %r" % answer[:200])


def raw_plain(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        return exchange(s, data)
    finally:
        s.close()


@test
def tls_to_plain_port_fails(ctx):
    s = socket.create_connection(("127.0.0.1", ctx.plain.port), timeout=30)
    try:
        try:
            client_context(ctx).wrap_socket(s, server_hostname="127.0.0.1").close()
        except (ssl.SSLError, ConnectionResetError, OSError):
            return
        raise AssertionError("a TLS handshake succeeded on the plain HTTP port")
    finally:
        s.close()


@test
def ordinary_headers_served(ctx):
    # An 8 KiB cookie is large but real (several analytics cookies): it must pass.
    cookie = "Cookie: a=" + "x" * 8192
    for srv in (ctx.https, ctx.plain):
        answer = raw(ctx, srv, get_with_headers([cookie]))
        check(status_of(answer) == 200, "%s: status %d: %r"
              % (srv.scheme, status_of(answer), answer[:200]))


@test
def huge_header_refused(ctx):
    for srv in (ctx.https, ctx.plain):
        answer = raw(ctx, srv, get_with_headers(["X-Padding: " + "a" * HUGE]))
        check(status_of(answer) in (413, 431), "%s: status %d, expected 431 or 413: %r"
              % (srv.scheme, status_of(answer), answer[:200]))
        check(b'"status":"ok"' not in answer, "%s: served anyway" % srv.scheme)


@test
def many_headers_refused(ctx):
    lines = ["X-Pad-%03d: %s" % (i, "b" * 400) for i in range(120)]  # ~50 KiB
    for srv in (ctx.https, ctx.plain):
        answer = raw(ctx, srv, get_with_headers(lines))
        check(status_of(answer) in (413, 431), "%s: status %d, expected 431 or 413: %r"
              % (srv.scheme, status_of(answer), answer[:200]))


@test
def servers_still_answer(ctx):
    """The refused requests above cost their connections only."""
    status, _, _ = https_get(ctx, "/healthz")
    check(status == 200, "https status %d" % status)
    check(status_of(raw(ctx, ctx.plain, get_with_headers([]))) == 200, "plain server")


@test
def env_variables_enable_tls(ctx):
    env = dict(ctx.env, XINYONG_TLS_CERT=ctx.cert, XINYONG_TLS_KEY=ctx.key)
    srv = Server(ctx, "env", [], env=env)
    srv.start()
    try:
        check(srv.scheme == "https", "start line says %s://" % srv.scheme)
        answer = raw(ctx, srv, get_with_headers([]))
        check(status_of(answer) == 200, "status %d" % status_of(answer))
    finally:
        srv.stop()
    problems = srv.shutdown_problems()
    check(not problems, "; ".join(problems))


@test
def missing_key_file(ctx):
    err = serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", ctx.path("nope.pem")])
    check("nope.pem" in err, "the message does not name the file: %r" % err)


@test
def garbage_key_file(ctx):
    bad = ctx.write("garbage.pem", b"this is not a key\n" * 20)
    err = serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", bad])
    check("garbage.pem" in err, "the message does not name the file: %r" % err)


@test
def corrupt_pem_key(ctx):
    with open(ctx.key, "rb") as f:
        text = f.read()
    lines = text.split(b"\n")
    lines[1] = b"A" * len(lines[1])  # a base64 line that decodes to nonsense
    bad = ctx.write("corrupt-key.pem", b"\n".join(lines))
    serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", bad])


@test
def empty_key_file(ctx):
    bad = ctx.write("empty.pem", b"")
    err = serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", bad])
    check("empty.pem" in err, "the message does not name the file: %r" % err)


@test
def key_is_a_directory(ctx):
    serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", ctx.tmp.name])


@test
def garbage_cert_file(ctx):
    bad = ctx.write("garbage-cert.pem", b"-----BEGIN CERTIFICATE-----\nnonsense\n"
                    b"-----END CERTIFICATE-----\n")
    err = serve_fails(ctx, ["--tls-cert", bad, "--tls-key", ctx.key])
    check("garbage-cert.pem" in err, "the message does not name the file: %r" % err)


@test
def der_cert_refused(ctx):
    err = serve_fails(ctx, ["--tls-cert", ctx.path("cert.der"), "--tls-key", ctx.key])
    check("PEM" in err, "the message does not say PEM: %r" % err)


@test
def swapped_files(ctx):
    serve_fails(ctx, ["--tls-cert", ctx.key, "--tls-key", ctx.cert])


@test
def key_of_another_certificate(ctx):
    err = serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", ctx.path("other-key.pem")])
    check("不匹配" in err, "the message does not say they do not match: %r" % err)


@test
def encrypted_key_refused(ctx):
    openssl(["pkey", "-in", "key.pem", "-aes256", "-passout", "pass:secret", "-out",
             "encrypted-key.pem"], ctx.tmp.name)
    serve_fails(ctx, ["--tls-cert", ctx.cert, "--tls-key", ctx.path("encrypted-key.pem")])


@test
def only_one_of_the_pair(ctx):
    serve_fails(ctx, ["--tls-cert", ctx.cert])
    serve_fails(ctx, ["--tls-key", ctx.key])
    serve_fails(ctx, [], env=dict(ctx.env, XINYONG_TLS_KEY=ctx.key))


def main(argv):
    if len(argv) != 3:
        print("usage: test_tls.py XINYONG_BINARY SOURCE_ROOT", file=sys.stderr)
        return 2
    try:
        ctx = Ctx(argv[1], argv[2])
    except Exception as exc:  # noqa: BLE001 - report and stop
        print("FAIL setup: %s" % exc)
        print("0 passed, 1 failed")
        return 1
    try:
        ctx.setup()
    except Exception as exc:  # noqa: BLE001 - report and stop
        detail = exc.stderr.decode("utf-8", "replace") if isinstance(
            exc, subprocess.CalledProcessError) and exc.stderr else ""
        print("FAIL start: %s %s" % (exc, detail))
        ctx.stop()
        ctx.cleanup()
        print("0 passed, 1 failed")
        return 1
    try:
        passed, failed = harness.run_tests(TESTS, ctx)
    finally:
        ctx.stop()
    for srv in (ctx.https, ctx.plain):
        problems = srv.shutdown_problems()
        if problems:
            failed += 1
            print("FAIL shutdown %s: %s" % (srv.scheme, "; ".join(problems)))
            print(srv.server_log()[-3000:])
        else:
            passed += 1
            print("ok   shutdown %s" % srv.scheme)
    return harness.finish(ctx, passed, failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
