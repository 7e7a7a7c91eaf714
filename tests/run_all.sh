#!/usr/bin/env bash
# run_all.sh - runs every test suite against a build directory and prints one closing
# line "N passed, M failed".
#
#   unit         Criterion executables (one per module)
#   integration  the xinyong binary on real files and real SQLite databases
#   http         a real server on loopback
#   access       who may call which route (every route, every kind of caller), what each
#                disclosure level shows, the audit trail and its tampering, accounts,
#                sessions, tokens, rate limits (tests/http/test_access.py)
#   cases        cases and objections: every action of the objection machine by every
#                kind of caller, the order of 401/403/409/400, filing, dispute marks,
#                outcomes, review windows, overdue cases, lists, attachments, statements
#                (tests/http/test_cases.py)
#   tls          a real server over HTTPS (a throwaway certificate from `openssl`),
#                unusable certificate files, the request-header limit
#   hardening    hostile clients: bodies over a route's limit, the spool and its quota,
#                slow and idle connections, a full connection table, the request log,
#                odd methods, what the static route serves (tests/http/test_hardening.py)
#   backends     the same files on SQLite and PostgreSQL give the same outputs and rows
#   migrate      xinyong migrate between SQLite and PostgreSQL, resumed and verified
#   schema-pg    the PostgreSQL schema's readiness for Citus
#   *-pg         integration, http, access and cases again on PostgreSQL: a private server
#                (tests/pg/server.sh) runs for the time of these suites, every test gets
#                a database of its own on it (XINYONG_TEST_PG); a server that does not
#                start is a failure (suite `postgresql`)
#   e2e          the web page in headless Chromium (playwright-core)
#   e2e-account  the login and account pages (login.html, me.html) the same way
#   e2e-cases    objections from filing to decision: the subject page's forms, 我的申请
#                (cases.html) and the console (/console/)
#   e2e-repair   credit repair: the greyed 申请信用修复 and its reason, filing with proof and
#                the commitment, 我的申请's steps, the console's queues, approval taking the
#                record off the public page, revocation
#   report       credit reports over HTTP: which report each caller gets, PDF/HTML/JSON,
#                what the public report leaves out, the online check, the published keys,
#                the access log (tests/http/test_report.py)
#   fuzz         each libFuzzer target (fuzz/) 10 seconds over its seed corpus, in a
#                clang build of its own: $FUZZ_BUILD (default build-fuzz), configured
#                and built when needed
#
#   *-tsan       integration and http again on a ThreadSanitizer build, when one is
#                given: ingestion and the server run threads (http-pg-tsan: the server
#                on PostgreSQL)
#
# usage: tests/run_all.sh BUILD_DIR [TSAN_BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
tsan_build=${2:-}
root=$(pwd)
bin="$root/$build/xinyong"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp -d)
pg_dir=
cleanup() {
  if [ -n "$pg_dir" ]; then tests/pg/server.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
  rm -rf "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
broken=()

# Adds a suite's counts from its closing "N passed, M failed" line; a suite that crashed
# before printing one counts as a failure of its own.
count() {
  local name=$1 file=$2 status=$3 line p f
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$file" | tail -n 1)
  if [ -z "$line" ]; then
    echo "!! $name: no result line (exit $status)"; tail -n 30 "$file"
    failed=$((failed + 1)); broken+=("$name"); return
  fi
  p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ] || [ "$status" -ne 0 ]; then
    broken+=("$name")
    [ "$f" -eq 0 ] && failed=$((failed + 1))
  fi
  echo "== $name: $line"
}

# Runs one black-box suite (a command that prints "ok/FAIL" lines and a closing
# "N passed, M failed") and counts it as `name`.
suite() {
  local name=$1 status
  shift
  "$@" >"$log/out" 2>&1
  status=$?; grep -E '^(FAIL|not ok)' "$log/out" | head -n 40; count "$name" "$log/out" $status
}

# Every unit test must have been built: a missing one is a failure, not a skip.
units=$(find "$build/tests" -maxdepth 1 -type f -name 'test_*' -perm -u+x 2>/dev/null | wc -l)
if [ "$units" -lt 10 ]; then
  echo "!! only $units unit test executables in $build/tests (is Criterion installed?)"
  failed=$((failed + 1)); broken+=("unit")
fi

# Criterion prints "Synthesis: Tested: T | Passing: P | Failing: F | Crashing: C".
for exe in "$build"/tests/test_*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  name=unit/$(basename "$exe")
  "$exe" --jobs=1 >"$log/out" 2>&1
  status=$?
  syn=$(grep -E 'Synthesis: Tested' "$log/out" | tail -n 1)
  if [ -z "$syn" ]; then
    echo "0 passed, 1 failed" >>"$log/out"
  else
    p=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$syn")
    f=$(sed -E 's/.*Failing: ([0-9]+) \| Crashing: ([0-9]+).*/\1+\2/' <<<"$syn")
    echo "$p passed, $((f)) failed" >>"$log/out"
  fi
  # Criterion counts a test as passed even when the sanitizers report a leak or undefined
  # behaviour in its worker, so the output itself decides too.
  if grep -qE 'Sanitizer|runtime error' "$log/out"; then
    grep -E -A12 'Sanitizer|runtime error' "$log/out" | head -n 60
    status=1
  fi
  [ "$status" -ne 0 ] && grep -E '\[FAIL\]|\[----\]' "$log/out" | head -n 40
  count "$name" "$log/out" "$status"
done

suite fuzz fuzz/run.sh "${FUZZ_BUILD:-build-fuzz}" 10

suite integration python3 tests/integration/test_cli.py "$bin" "$root"

suite http python3 tests/http/test_api.py "$bin" "$root"

suite access python3 tests/http/test_access.py "$bin" "$root"

suite cases python3 tests/http/test_cases.py "$bin" "$root"
suite repair python3 tests/http/test_repair.py "$bin" "$root"
suite report python3 tests/http/test_report.py "$bin" "$root"

suite tls python3 tests/http/test_tls.py "$bin" "$root"

suite hardening python3 tests/http/test_hardening.py "$bin" "$root"

# The same two suites on PostgreSQL, on one server that lives until after the TSan runs
# (http-pg-tsan); the EXIT trap stops it whatever happens.
pg_dir=$(mktemp -d /tmp/xinyong-pg.XXXXXX)
if pg_url=$(tests/pg/server.sh start "$pg_dir" 2>"$log/pg" | tail -n 1) && [ -n "$pg_url" ]; then
  suite integration-pg env XINYONG_TEST_PG="$pg_url" python3 tests/integration/test_cli.py "$bin" "$root"
  suite http-pg env XINYONG_TEST_PG="$pg_url" python3 tests/http/test_api.py "$bin" "$root"
  suite access-pg env XINYONG_TEST_PG="$pg_url" python3 tests/http/test_access.py "$bin" "$root"
  suite cases-pg env XINYONG_TEST_PG="$pg_url" python3 tests/http/test_cases.py "$bin" "$root"
  suite repair-pg env XINYONG_TEST_PG="$pg_url" python3 tests/http/test_repair.py "$bin" "$root"
  suite report-pg env XINYONG_TEST_PG="$pg_url" python3 tests/http/test_report.py "$bin" "$root"
  suite backends env XINYONG_TEST_PG="$pg_url" python3 tests/integration/test_backends.py "$bin" "$root"
  suite migrate env XINYONG_TEST_PG="$pg_url" python3 tests/integration/test_migrate.py "$bin" "$root"
  suite schema-pg env XINYONG_TEST_PG="$pg_url" python3 tests/integration/test_schema_pg.py "$bin" "$root"
else
  echo "!! postgresql: the test server did not start"; cat "$log/pg"
  failed=$((failed + 1)); broken+=("postgresql")
  tests/pg/server.sh stop "$pg_dir" >/dev/null 2>&1; pg_dir=
fi

if [ -n "$tsan_build" ]; then
  tsan_bin="$root/$tsan_build/xinyong"
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:suppressions=$root/tests/tsan.supp}
  suite integration-tsan python3 tests/integration/test_cli.py "$tsan_bin" "$root"
  suite http-tsan python3 tests/http/test_api.py "$tsan_bin" "$root"
  if [ -n "$pg_dir" ]; then
    suite http-pg-tsan env XINYONG_TEST_PG="$pg_url" python3 tests/http/test_api.py "$tsan_bin" "$root"
  fi
fi

if [ -n "$pg_dir" ]; then
  tests/pg/server.sh stop "$pg_dir" >"$log/pg" 2>&1 ||
    { echo "!! postgresql: the test server did not stop"; cat "$log/pg"
      failed=$((failed + 1)); broken+=("postgresql"); }
  pg_dir=
fi

if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) >"$log/npm" 2>&1 ||
    { echo "!! npm ci failed"; cat "$log/npm"; }
fi
suite e2e node tests/e2e/search.test.mjs "$bin" "$root"
suite e2e-account node tests/e2e/account.test.mjs "$bin" "$root"
suite e2e-cases node tests/e2e/cases.test.mjs "$bin" "$root"
suite e2e-repair node tests/e2e/repair.test.mjs "$bin" "$root"

[ ${#broken[@]} -gt 0 ] && echo "failing suites: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
