#!/usr/bin/env bash
# run_all.sh - runs every test suite against a build directory and prints one closing
# line "N passed, M failed".
#
#   unit         Criterion executables (one per module)
#   integration  the xinyong binary on real files and real SQLite databases
#   http         a real server on loopback
#   e2e          the web page in headless Chromium (playwright-core)
#
#   *-tsan       integration and http again on a ThreadSanitizer build, when one is
#                given: ingestion and the server run threads
#
# usage: tests/run_all.sh BUILD_DIR [TSAN_BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
tsan_build=${2:-}
root=$(pwd)
bin="$root/$build/xinyong"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

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

python3 tests/integration/test_cli.py "$bin" "$root" >"$log/out" 2>&1
status=$?; grep -E '^(FAIL|not ok)' "$log/out" | head -n 40; count integration "$log/out" $status

python3 tests/http/test_api.py "$bin" "$root" >"$log/out" 2>&1
status=$?; grep -E '^(FAIL|not ok)' "$log/out" | head -n 40; count http "$log/out" $status

if [ -n "$tsan_build" ]; then
  tsan_bin="$root/$tsan_build/xinyong"
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1}
  python3 tests/integration/test_cli.py "$tsan_bin" "$root" >"$log/out" 2>&1
  status=$?; grep -E '^(FAIL|not ok)' "$log/out" | head -n 40; count integration-tsan "$log/out" $status
  python3 tests/http/test_api.py "$tsan_bin" "$root" >"$log/out" 2>&1
  status=$?; grep -E '^(FAIL|not ok)' "$log/out" | head -n 40; count http-tsan "$log/out" $status
fi

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) >"$log/npm" 2>&1 ||
    { echo "!! npm ci failed"; cat "$log/npm"; }
fi
node tests/e2e/search.test.mjs "$bin" "$root" >"$log/out" 2>&1
status=$?; grep -E '^(FAIL|not ok)' "$log/out" | head -n 40; count e2e "$log/out" $status

[ ${#broken[@]} -gt 0 ] && echo "failing suites: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
