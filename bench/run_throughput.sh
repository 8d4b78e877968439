#!/usr/bin/env bash
# zonegate run throughput on a generated file of N single-item commands
# (default 1,000,000). Prints commands per second and, as a baseline
# measured in the same run, how fast `wc -l` reads the same file: the ratio
# says how far the engine is from the cost of just reading its input.
# With --data, also runs the durable engine (a fresh data directory) on the
# same file, then replays its journal.
#
#   bench/run_throughput.sh [BUILD_DIR] [N] [--data]
set -euo pipefail
build=${1:-build}
count=${2:-1000000}
durable=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
file=$(mktemp /tmp/zg-bench-XXXXXX.jsonl)
data=$(mktemp -d /tmp/zg-bench-data-XXXXXX)
trap 'rm -rf "$file" "$file.stats" "$data"' EXIT

"$build/bench/zonegate_gen_commands" "$count" > "$file"
bytes=$(stat -c %s "$file")
echo "input: $count commands, $((bytes / 1024 / 1024)) MiB"

now() { date +%s.%N; }
t0=$(now); wc -l < "$file" > /dev/null; t1=$(now)
"$build/zonegate" run --pack "$root/policies/hengqin" --stats "$file" > /dev/null 2> "$file.stats"
t2=$(now)
cat "$file.stats"
awk -v n="$count" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
  base = t1 - t0; run = t2 - t1;
  printf "baseline wc -l: %.3f s (%.0f lines/s)\n", base, n / base;
  printf "zonegate run:   %.3f s (%.0f commands/s), %.1fx the baseline time\n", run, n / run, run / base;
}'
if [ "$durable" = "--data" ]; then
  # The run itself, without its closing snapshot (measured below).
  sync
  t3=$(now)
  "$build/zonegate" run --pack "$root/policies/hengqin" --data "$data" --stats \
    --snapshot-every 1000000000000 "$file" > /dev/null 2> "$file.stats"
  t4=$(now)
  cat "$file.stats"
  awk -v n="$count" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" 'BEGIN {
    memory = t2 - t1; durable = t4 - t3;
    printf "zonegate run --data: %.3f s (%.0f commands/s), %.1fx the in-memory time\n",
           durable, n / durable, durable / memory;
  }'
  sync
  "$build/zonegate" replay --data "$data"
  # A snapshot, then recovery from it (the second command's "recovery" figure).
  "$build/zonegate" snapshot --data "$data" | head -n 1
  sync
  "$build/zonegate" snapshot --data "$data" | head -n 1
  # Group commit against one transaction (one fsync) per command, on the
  # first 20,000 commands (a million single commits would take minutes).
  head -n 20000 "$file" > "$file.20k"
  rm -rf "$data" && mkdir -p "$data"
  sync
  t5=$(now)
  "$build/zonegate" run --pack "$root/policies/hengqin" --data "$data" --commit-max 1 "$file.20k" > /dev/null
  rm -rf "$data" && mkdir -p "$data"
  sync
  t6=$(now)
  "$build/zonegate" run --pack "$root/policies/hengqin" --data "$data" "$file.20k" > /dev/null
  t7=$(now)
  rm -f "$file.20k"
  awk -v t5="$t5" -v t6="$t6" -v t7="$t7" 'BEGIN {
    single = t6 - t5; group = t7 - t6;
    printf "20,000 commands, one transaction each: %.3f s (%.0f commands/s)\n", single, 20000 / single;
    printf "20,000 commands, group commit:         %.3f s (%.0f commands/s), %.1fx faster\n",
           group, 20000 / group, single / group;
  }'
fi
