#!/usr/bin/env bash
# The web pages' tests in headless Chromium (Debian's chromium, driven by
# playwright-core from npm, pinned in package.json) against a real
# `zonegate serve --demo`.
#   scripts/web-test.sh BUILD/zonegate [PACK]
# Installs the pinned npm packages when node_modules lacks playwright-core.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary=${1:?usage: scripts/web-test.sh BUILD/zonegate [PACK]}
pack=${2:-policies/hengqin}
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_BIN:-}" ]; then
  echo "web-test: chromium is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
if [[ ! -d node_modules/playwright-core ]]; then
  npm ci --no-audit --no-fund
fi
exec timeout 300 node tests/web/pages.test.mjs "$binary" "$pack"
