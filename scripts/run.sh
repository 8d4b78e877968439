#!/usr/bin/env bash
# Zonegate's main job on a fresh Debian 12 machine: install what is needed,
# build, and run the Hengqin demo day through the customs engine, printing
# one result per command and the demo enterprises' account books.
#
# Until the server lands (issue 4) the main job is `zonegate run` on the
# embedded (in-memory) engine with the Hengqin pack and the demo commands.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
zg="$root/build/zonegate"
pack="$root/policies/hengqin"
demo="$root/demo/hengqin-demo.jsonl"

"$zg" policy check "$pack"
echo
echo "== zonegate run --pack policies/hengqin demo/hengqin-demo.jsonl"
"$zg" run --pack "$pack" --stats "$demo"
echo
echo "== zonegate book (Hengqin Display Works)"
"$zg" book --pack "$pack" "$demo" 914404000MA4W2X03C
