#!/usr/bin/env bash
# zonegate run throughput on a generated file of N single-item commands
# (default 1,000,000), in memory. Prints commands per second and, as a
# baseline measured in the same run, how fast `wc -l` reads the same file:
# the ratio says how far the engine is from the cost of just reading input.
#
#   bench/run_throughput.sh [BUILD_DIR] [N]
set -euo pipefail
build=${1:-build}
count=${2:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
file=$(mktemp /tmp/zg-bench-XXXXXX.jsonl)
trap 'rm -f "$file"' EXIT

"$build/bench/zonegate_gen_commands" "$count" > "$file"
bytes=$(stat -c %s "$file")
echo "input: $count commands, $((bytes / 1024 / 1024)) MiB"

now() { date +%s.%N; }
t0=$(now); wc -l < "$file" > /dev/null; t1=$(now)
"$build/zonegate" run --pack "$root/policies/hengqin" --stats "$file" > /dev/null 2> "$file.stats"
t2=$(now)
cat "$file.stats"; rm -f "$file.stats"
awk -v n="$count" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
  base = t1 - t0; run = t2 - t1;
  printf "baseline wc -l: %.3f s (%.0f lines/s)\n", base, n / base;
  printf "zonegate run:   %.3f s (%.0f commands/s), %.1fx the baseline time\n", run, n / run, run / base;
}'
