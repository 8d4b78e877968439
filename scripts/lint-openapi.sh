#!/usr/bin/env bash
# Lints docs/openapi.json: it must parse as JSON, declare OpenAPI 3.1.x, and pass
# `redocly lint` (Redocly CLI, pinned in package.json; rules in redocly.yaml) with
# no errors and no warnings. Installs the pinned CLI from package-lock.json first
# when node_modules lacks it. Exit status: 0 clean, non-zero otherwise.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

spec=docs/openapi.json

# No usage data or update checks leave the machine (redocly.yaml also sets telemetry: off).
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

if [[ ! -d node_modules/@redocly/cli ]]; then
  npm ci --no-audit --no-fund
fi

# 1. Plain JSON, and the OpenAPI version we promise.
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`${file}: not valid JSON: ${e.message}`);
    process.exit(1);
  }
  if (typeof doc.openapi !== "string" || !/^3\.1\.\d+$/.test(doc.openapi)) {
    console.error(`${file}: "openapi" must be 3.1.x, not ${JSON.stringify(doc.openapi)}`);
    process.exit(1);
  }
  console.log(`${file}: JSON, OpenAPI ${doc.openapi}`);
' "$spec"

# 2. Redocly, for people: exits non-zero on errors (and on errors in redocly.yaml).
npx --no-install redocly lint --lint-config=error "$spec"

# 3. Redocly again, for this script: warnings fail too.
report=$(npx --no-install redocly lint --lint-config=error --format=json "$spec" 2>/dev/null)
node -e '
  const { totals } = JSON.parse(process.argv[1]);
  if (totals.errors + totals.warnings > 0) {
    console.error(`redocly lint: ${totals.errors} error(s), ${totals.warnings} warning(s): not clean`);
    process.exit(1);
  }
  console.log(`redocly lint: 0 errors, 0 warnings (${totals.ignored} ignored)`);
' "$report"
