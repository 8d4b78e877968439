#!/usr/bin/env bash
# Installs what is needed, builds and runs every fast test (unit, end-to-end
# and the contract's worked examples) on a fresh Debian 12 machine.
#   scripts/test.sh              the normal build, in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UBSan (clang), in build-asan/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
if [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-asan"
  "$root/scripts/build-sanitize.sh" "$build"
  # A leak inside libpqxx itself is suppressed (scripts/lsan.supp says which).
  export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
else
  build="$root/build"
  "$root/scripts/build.sh" "$build"
fi
cd "$build"
ctest --output-on-failure -L fast -j "$(nproc)"
