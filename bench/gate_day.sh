#!/usr/bin/env bash
# A Hengqin day at the gates through `zonegate run --data` (docs/gates.md):
# the business day's declarations, single-plate permits and N traveller
# enrolments first; then the day itself — trucks at both lines (some held,
# released, let through; some at the wrong line, overweight, misread), Macao
# cars, every traveller in and out (some referred). Checks that every
# decision came out as the simulator expected, prints the zone's gate
# figures, and the day's throughput against the preparation's in the same
# run (a baseline: declarations and enrolments, no verification).
#
#   bench/gate_day.sh [BUILD_DIR] [TRAVELLERS] [CARS]
set -euo pipefail
build=${1:-build}
travellers=${2:-30000}
cars=${3:-400}
root=$(cd "$(dirname "$0")/.." && pwd)
pack="$root/policies/hengqin"
work=$(mktemp -d /tmp/zg-gate-day-XXXXXX)
trap 'rm -rf "$work"' EXIT
zg="$build/zonegate"
opts=(--pack "$pack" --travellers "$travellers" --cars "$cars")

"$zg" demo gates prepare "${opts[@]}" > "$work/prep.jsonl"
"$zg" run --pack "$pack" --data "$work/zone" --stats "$work/prep.jsonl" > "$work/prep.results" \
  2> "$work/prep.stats"
echo "preparation: $(cat "$work/prep.stats")"
"$zg" demo gates day "${opts[@]}" "$work/prep.jsonl" "$work/prep.results" > "$work/day.jsonl"
"$zg" run --pack "$pack" --data "$work/zone" --stats "$work/day.jsonl" > "$work/day.results" \
  2> "$work/day.stats"
echo "the day:     $(cat "$work/day.stats")"
"$zg" demo gates check "$work/day.jsonl" "$work/day.results"
"$zg" gates --data "$work/zone" > "$work/figures.json"
python3 - "$work/figures.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
t = f["travellers"]
print(f"travellers: {t['decisions']} decisions, {t['cleared_without_referral']} cleared without referral")
for c in f["crossings_by_channel"]:
    print(f"  {c['channel']:<24} open {c['open']:>6}  held or referred {c['stopped']:>4}")
busiest = max(f["crossings_by_hour"], key=lambda h: h["open"] + h["stopped"])
print(f"busiest hour: {busiest['channel']} {busiest['hour']}: {busiest['open'] + busiest['stopped']}")
for lane, times in f["release_times"]["by_lane"].items():
    a = times["arrival_to_release"]
    print(f"lane {lane}: arrival to release median {a['median_seconds']} s, p90 {a['p90_seconds']} s "
          f"({a['count']} declarations)")
PY
