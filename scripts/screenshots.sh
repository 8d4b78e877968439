#!/usr/bin/env bash
# Screenshots of the web pages into docs/screenshots/ (docs/web.md), from a
# real `zonegate serve --demo` in headless Chromium.
#   scripts/screenshots.sh [BUILD/zonegate]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary=${1:-build/zonegate}
if [[ ! -d node_modules/playwright-core ]]; then npm ci --no-audit --no-fund; fi
ZG_DEMO_SCALE=${ZG_DEMO_SCALE:-1} exec timeout 300 node tests/web/screenshots.mjs "$binary" policies/hengqin docs/screenshots
