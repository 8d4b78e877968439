#!/usr/bin/env bash
# Installs what is needed, builds and runs every fast test (unit, end-to-end
# and the contract's worked examples) on a fresh Debian 12 machine.
#   scripts/test.sh              the normal build, in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UBSan (clang), in build-asan/
#   scripts/test.sh --tsan       ThreadSanitizer, in build-tsan/
set -euo pipefail
skip=""
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
if [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-asan"
  "$root/scripts/build-sanitize.sh" "$build"
  # A leak inside libpqxx itself is suppressed (scripts/lsan.supp says which).
  export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
elif [ "${1:-}" = "--tsan" ]; then
  build="$root/build-tsan"
  "$root/scripts/build.sh" "$build" -DZG_TSAN=ON -DZG_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
    -DZG_UNITY=ON
  # Races are errors; scripts/tsan.supp names only what TSan cannot see
  # into (XGBoost's OpenMP threads).
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
  # Two tests run in the other two builds only:
  # - training the risk model on the whole dataset is XGBoost's OpenMP work,
  #   which TSan cannot see into (scripts/tsan.supp) and slows past 15 minutes;
  # - the simulation's 30 seeds (simtest_short) took 190 s under TSan; their
  #   threads (each node's committer, the replay pipeline) are the same in
  #   every seed, and the SimulationTest.* tests run seeds of it here.
  skip='^(Risk\.TheScoreBeatsTheYardstickOnALaterPeriod|simtest_short)$'
else
  build="$root/build"
  "$root/scripts/build.sh" "$build"
fi
cd "$build"
ctest --output-on-failure -L fast -j "$(nproc)" ${skip:+-E "$skip"}
