#!/usr/bin/env bash
# Installs what Zonegate needs to build and test on a fresh Debian 12 machine.
# Every dependency is a Debian package (see docs/architecture.md, "Dependencies").
# Safe to run again: apt-get skips what is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache python3 git
  libtomlplusplus-dev libssl-dev libsqlite3-dev libjemalloc-dev libsodium-dev libxgboost-dev
  libpqxx-dev libpq-dev postgresql-15
  libboost1.81-dev curl wrk openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang libclang-rt-14-dev
  chromium
)

# clang builds the sanitizer build, with libFuzzer (libclang-rt-14-dev) for
# the fuzz targets (scripts/build-sanitize.sh, scripts/fuzz.sh).
# PostgreSQL: libpqxx (6.4) for the journal's PostgreSQL backend, and the
# server itself, which .ci/run starts as a throwaway cluster for its tests.
# Chromium runs the web pages' tests (scripts/web-test.sh), driven by
# playwright-core from npm. Node.js and npm run those and the OpenAPI
# validator (package.json). Machines that
# already have Node.js (with its own npm) keep it: Debian's npm conflicts
# with it, so both are installed from Debian only when node is absent.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
