#!/usr/bin/env bash
# Zonegate's main job on a fresh Debian 12 machine: install what is needed,
# build, and run the Hengqin demo commands through the durable engine on the
# embedded store (SQLite, in zone-demo/), then show what the zone now holds.
# Running it again replays the journal: repeated commands get their
# original answers.
#
# (The HTTP server comes with issue 4; until then the main job is the
# engine's command-line door.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
zg="$root/build/zonegate"
pack="$root/policies/hengqin"
demo="$root/demo/hengqin-demo.jsonl"
data="$root/zone-demo"

"$zg" policy check "$pack"
echo
echo "== zonegate run --pack policies/hengqin --data zone-demo demo/hengqin-demo.jsonl"
"$zg" run --pack "$pack" --data "$data" --stats "$demo"
echo
echo "== zonegate verify --data zone-demo"
"$zg" verify --data "$data"
echo
echo "== zonegate taxes --data zone-demo"
"$zg" taxes --data "$data"
echo
echo "== zonegate book --data zone-demo 914404000MA4W2X03C (Hengqin Display Works)"
"$zg" book --data "$data" 914404000MA4W2X03C
