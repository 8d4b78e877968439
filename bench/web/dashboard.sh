#!/usr/bin/env bash
# The dashboard's first view against a data directory, in headless Chromium
# (issue 8: under one second with a year of Hengqin data), beside a baseline
# directory made in the same run (`zonegate simulate --scale 0.05`): each
# run and the median and p90, the ratio to the baseline, each API request's
# time, the directory's size and the server's start time (docs/web.md).
#
#   bench/web/dashboard.sh BUILD/zonegate DATA_DIR [RUNS (10)]
#
# DATA_DIR gets an officer token valid a day, revoked at the end. Exits 1
# when the view does not complete (ZG_BENCH_VIEW_TIMEOUT_MS, 120 s) or shows
# an error. Run it niced on a shared machine: nice -n 10 bench/web/dashboard.sh ...
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
binary=${1:?usage: bench/web/dashboard.sh BUILD/zonegate DATA_DIR [RUNS]}
data=${2:?usage: bench/web/dashboard.sh BUILD/zonegate DATA_DIR [RUNS]}
runs=${3:-10}
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_BIN:-}" ]; then
  echo "dashboard bench: chromium is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
if [[ ! -d "$root/node_modules/playwright-core" ]]; then
  (cd "$root" && npm ci --no-audit --no-fund)
fi
exec node "$root/bench/web/dashboard.mjs" "$binary" "$data" "$runs"
