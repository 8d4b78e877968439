#!/usr/bin/env bash
# Configures and builds the sanitizer build: clang with AddressSanitizer and
# UBSan, and libFuzzer's coverage hooks, so the same build runs the whole
# test suite (scripts/test.sh --sanitize) and the fuzz targets (scripts/fuzz.sh).
# A unity build (ZG_UNITY, CMakeLists.txt), to compile in less time.
#   scripts/build-sanitize.sh BUILD_DIR [TARGET...]   (all targets by default)
# A directory configured with another compiler (g++ before clang took
# over) is started afresh: CMake cannot change a build's compiler.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
shift
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$build/CMakeCache.txt"; then
  echo "build-sanitize: $build was made with another compiler; starting it afresh"
  rm -rf "$build"
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DZG_SANITIZE=ON -DZG_FUZZ=ON -DZG_BENCH=OFF -DZG_UNITY=ON > /dev/null
if [ $# -gt 0 ]; then
  cmake --build "$build" -j "$(nproc)" --target "$@"
else
  cmake --build "$build" -j "$(nproc)"
fi
