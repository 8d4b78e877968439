#!/usr/bin/env bash
# Fuzzes Zonegate's parsers at its trust boundaries (fuzz/, docs/reliability.md)
# with libFuzzer, AddressSanitizer and UBSan, in the sanitizer build (clang).
#   scripts/fuzz.sh [--seconds N] [--jobs J] [TARGET...]
# Runs each target (all by default) for N seconds (60), J at a time (the
# number of cores), from its seed corpus in fuzz/corpus/TARGET and what earlier
# runs on this machine found (build-asan/fuzz-corpus/TARGET). Prints a table:
# runs, runs per second, edges covered, corpus size and crashes per target.
# A crash is kept as build-asan/fuzz-crashes/TARGET-crash-…; the script then
# fails. Copy it to fuzz/regressions/TARGET/ with the fix.
# Each run's figures are appended to build-asan/fuzz-log.tsv (the README's
# fuzz hours are its sums).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
jobs=$(nproc)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  targets=(command_json json_canonical http_request policy_toml policy_csv mrz credential
           envelope merkle_proof risk_csv)
fi

"$root/scripts/install-deps.sh"
build="$root/build-asan"
"$root/scripts/build-sanitize.sh" "$build" fuzz_targets

out="$build/fuzz-out"
mkdir -p "$out" "$build/fuzz-crashes"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp"

run_one() {
  local t=$1
  mkdir -p "$build/fuzz-corpus/$t"
  # -timeout: one input taking 10 s is a hang worth a look; -rss_limit_mb:
  # the same for memory. Output to a log; the summary reads it.
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$t-" \
    "$build/fuzz-corpus/$t" "$root/fuzz/corpus/$t" > "$out/$t.log" 2>&1
  echo $? > "$out/$t.rc"
}
export -f run_one
export build root seconds out
echo "fuzzing ${#targets[@]} targets, ${seconds} s each, $jobs at a time"
rm -f "$out"/*.rc
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'

failed=0
printf '%-16s %10s %8s %7s %8s %s\n' target runs "runs/s" edges corpus result
for t in "${targets[@]}"; do
  log="$out/$t.log"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  corpus=$(find "$build/fuzz-corpus/$t" -type f | wc -l)
  rc=$(cat "$out/$t.rc" 2> /dev/null || echo missing)
  if grep -q 'ERROR: \|property broken\|==ERROR\|deadly signal\|Test unit written' "$log"; then
    result="CRASH: $(grep -o "Test unit written to .*" "$log" | head -1)"
    failed=1
  elif [ "$rc" != 0 ] || [ "${runs:-0}" = 0 ]; then
    result="FAILED to run (exit $rc, ${runs:-0} runs): see $log"
    failed=1
  else
    result=ok
  fi
  printf '%-16s %10s %8s %7s %8s %s\n' "$t" "${runs:-0}" "${rate:-0}" "${edges:-0}" "$corpus" "$result"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$seconds" "${runs:-0}" "${edges:-0}" \
    "$result" >> "$build/fuzz-log.tsv"
done
if [ "$failed" -ne 0 ]; then
  echo "a target crashed or broke a property: its log is in $out/" >&2
  exit 1
fi
