#!/usr/bin/env bash
# Replay speed of two (or more) zonegate binaries on the same journal, runs
# alternating so the machine's noise falls on each alike. Prints every run's
# commands/s and each binary's median, then the medians' ratio to the first.
# Use it to measure a change against the build before it: build the old
# commit's zonegate somewhere, then
#
#   bench/replay_ab.sh DATA_DIR RUNS OLD_ZONEGATE NEW_ZONEGATE [MORE...]
#
# DATA_DIR is a data directory made by any of them, for example
#   build/bench/zonegate_gen_commands 1000000 > c.jsonl
#   build/zonegate run --pack policies/hengqin --data DIR c.jsonl > /dev/null
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: bench/replay_ab.sh DATA_DIR RUNS ZONEGATE ZONEGATE [ZONEGATE...]" >&2
  exit 2
fi
data=$1
runs=$2
shift 2
declare -A rates
for ((i = 1; i <= runs; i++)); do
  for binary in "$@"; do
    output=$("$binary" replay --data "$data")
    line=${output%%$'\n'*}
    rate=$(sed -E 's/.*\(([0-9]+) commands\/s\).*/\1/' <<< "$line")
    rates[$binary]="${rates[$binary]:-} $rate"
  done
done
first=""
for binary in "$@"; do
  sorted=$(tr ' ' '\n' <<< "${rates[$binary]}" | grep . | sort -n | tr '\n' ' ')
  median=$(tr ' ' '\n' <<< "$sorted" | grep . | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  first=${first:-$median}
  awk -v b="$binary" -v s="$sorted" -v m="$median" -v f="$first" \
    'BEGIN { printf "%s: %s\n  median %d commands/s, %.2fx the first\n", b, s, m, m / f }'
done
