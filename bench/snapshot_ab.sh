#!/usr/bin/env bash
# Snapshot writing and recovery of two (or more) zonegate binaries on the
# same zone, runs alternating so the machine's noise falls on each alike.
# Each run is `zonegate snapshot --data` twice:
#   - on a copy of DATA_DIR without its snapshots: a full replay, then the
#     snapshot is written (the figure: the time in all less the replay's);
#   - again on that copy: recovery from the snapshot just written.
# Prints every run's seconds and each binary's median, then the medians'
# ratio to the first. The copy (the journal's size again) goes under
# ${TMPDIR:-/tmp} and is removed at the end.
#
# With ZG_OVER=1, as a server writes one: DATA_DIR must hold two snapshots
# behind its journal's end. Each run puts them back in the copy (written
# just then, so in the page cache, as a server's older snapshot is), waits
# 6 s (this VM's host takes freed memory back within about 3 s), then runs
# `zonegate snapshot` once: recovery from the newer one and the tail, and a
# snapshot at the end, which drops the older one (or is written over it).
#
#   bench/snapshot_ab.sh DATA_DIR RUNS OLD_ZONEGATE NEW_ZONEGATE [MORE...]
#
# All the binaries must read the same snapshot format.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: bench/snapshot_ab.sh DATA_DIR RUNS ZONEGATE ZONEGATE [ZONEGATE...]" >&2
  exit 2
fi
data=$1
runs=$2
shift 2
[ -f "$data/journal.db" ] || { echo "snapshot_ab: $data has no journal.db" >&2; exit 2; }
copy=$(mktemp -d "${TMPDIR:-/tmp}/zg-snapshot-ab.XXXXXX")
trap 'rm -rf "$copy"' EXIT
cp -r "$data"/. "$copy"/
declare -A writes recoveries
# "snapshot at seq N written; T s in all, recovery R s (...)": T and R.
seconds() { sed -E 's/.* ([0-9.]+) s in all, recovery ([0-9.]+) s.*/\1 \2/' <<< "$1"; }
over=${ZG_OVER:-0}
if [ "$over" = 1 ] && [ "$(find "$data/snapshots" -name '*.snap' 2> /dev/null | wc -l)" -ne 2 ]; then
  echo "snapshot_ab: with ZG_OVER=1, $data/snapshots must hold two snapshots" >&2
  exit 2
fi
for ((i = 1; i <= runs; i++)); do
  for binary in "$@"; do
    rm -rf "$copy/snapshots"
    if [ "$over" = 1 ]; then
      cp -r "$data/snapshots" "$copy/snapshots"
      sync
      sleep 6
      read -r all recovered < <(seconds "$("$binary" snapshot --data "$copy" | head -1)")
      write=$(awk -v a="$all" -v r="$recovered" 'BEGIN { printf "%.3f", a - r }')
      writes[$binary]="${writes[$binary]:-} $write"
      recoveries[$binary]="${recoveries[$binary]:-} $recovered"
      echo "run $i, $binary: recovered in $recovered s, written in $write s" >&2
      continue
    fi
    mkdir "$copy/snapshots"
    read -r all replayed < <(seconds "$("$binary" snapshot --data "$copy" | head -1)")
    write=$(awk -v a="$all" -v r="$replayed" 'BEGIN { printf "%.3f", a - r }')
    read -r _ recovered < <(seconds "$("$binary" snapshot --data "$copy" | head -1)")
    writes[$binary]="${writes[$binary]:-} $write"
    recoveries[$binary]="${recoveries[$binary]:-} $recovered"
    echo "run $i, $binary: written in $write s, recovered in $recovered s" >&2
  done
done
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
first_write=""
first_recovery=""
for binary in "$@"; do
  w=$(median "${writes[$binary]}")
  r=$(median "${recoveries[$binary]}")
  first_write=${first_write:-$w}
  first_recovery=${first_recovery:-$r}
  awk -v b="$binary" -v w="$w" -v r="$r" -v fw="$first_write" -v fr="$first_recovery" \
    -v ws="${writes[$binary]}" -v rs="${recoveries[$binary]}" 'BEGIN {
      printf "%s\n  snapshot written:%s s; median %.2f s, %.2fx the first'"'"'s speed\n", b, ws, w, fw / w
      printf "  recovered from it:%s s; median %.2f s, %.2fx the first'"'"'s speed\n", rs, r, fr / r }'
done
