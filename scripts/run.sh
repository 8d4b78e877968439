#!/usr/bin/env bash
# Zonegate's main job on a fresh Debian 12 machine: install what is needed,
# build, and start the server with the Hengqin pack and a demo day on the
# embedded store (SQLite, in zonegate-demo/). It prints the URL, a token per
# role and curl lines to try; Ctrl-C stops it gracefully.
# Running it again keeps the zone (the demo day's commands are repeats) and
# prints fresh tokens.
#   scripts/run.sh [--listen HOST:PORT]     (default 127.0.0.1:8080)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
cd "$root"
exec "$root/build/zonegate" serve --demo --pack policies/hengqin --data zonegate-demo "$@"
