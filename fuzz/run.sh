#!/usr/bin/env bash
# run.sh - builds the libFuzzer targets (configuring the build directory with clang when
# it has not been) and runs each for a while over a scratch copy of its seed corpus, so
# that what a run discovers never grows the committed corpus/.  Prints "ok"/"FAIL" per
# target and a closing "N passed, M failed"; a crash, a sanitizer report, a leak or a
# timeout fails the target and leaves the input in BUILD_DIR/fuzz-artifacts/TARGET/.
#
# usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#   make fuzz   runs every target FUZZ_SECONDS (300) seconds
#   make test   runs every target 10 seconds (suite `fuzz` of tests/run_all.sh)
#
# A crash reproduces with: BUILD_DIR/fuzz/TARGET BUILD_DIR/fuzz-artifacts/TARGET/crash-...
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_csv fuzz_json_input fuzz_code fuzz_date fuzz_calendar fuzz_dept fuzz_rules fuzz_publicity fuzz_http_head fuzz_rejects fuzz_attachment)

scratch=$(mktemp -d /tmp/xinyong-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

if [ ! -f "$build/build.ninja" ]; then
  if ! CC=clang meson setup "$build" -Dfuzz=true >"$scratch/setup.log" 2>&1; then
    echo "FAIL fuzz: meson setup $build with clang failed (scripts/deps.sh fuzz installs clang)"
    tail -n 20 "$scratch/setup.log"
    echo "0 passed, 1 failed"; exit 1
  fi
fi
if ! ninja -C "$build" "${targets[@]/#/fuzz/}" >"$scratch/build.log" 2>&1; then
  echo "FAIL fuzz: the targets do not build"
  grep -E 'error:|^FAILED' "$scratch/build.log" | head -n 20
  echo "0 passed, 1 failed"; exit 1
fi

passed=0
failed=0
for t in "${targets[@]}"; do
  exe="$build/fuzz/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$scratch/$t" "$artifacts"
  if [ ! -x "$exe" ] || [ ! -d "fuzz/corpus/$t" ]; then
    echo "FAIL $t: no executable $exe or no corpus fuzz/corpus/$t"
    failed=$((failed + 1)); continue
  fi
  cp fuzz/corpus/"$t"/* "$scratch/$t/"
  # -timeout: one input running this long is a hang, a failure like a crash.
  # -rss_limit_mb: the readers promise bounded memory whatever the input.
  "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$scratch/$t" >"$scratch/$t.log" 2>&1
  status=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$scratch/$t.log")
  if [ "$status" -eq 0 ]; then
    echo "ok $t (${runs:-?} runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "FAIL $t (exit $status): input saved in $artifacts/"
    grep -E -A14 'ERROR|runtime error|SUMMARY' "$scratch/$t.log" | head -n 40
    tail -n 5 "$scratch/$t.log"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
