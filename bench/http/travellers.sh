#!/usr/bin/env bash
# Traveller decisions through `zonegate serve`, load generator (wrk) on the
# same machine: N travellers enrolled (JSON Lines batches, officer token),
# then single `traveller_crossing` requests from a gate token, keep-alive,
# for SECONDS at each connection count. The first pass over the travellers
# verifies every credential (Ed25519); later passes use the engine's cache.
# Baseline in the same run: GET /health at the same connection count.
# Every response is checked ("decision":"open" for every crossing).
#
#   bench/http/travellers.sh BUILD_DIR [SECONDS] [TRAVELLERS]
#   ZG_CONNS="32 64" (connection counts), ZG_IO_THREADS=2, ZG_BATCH=1 (crossings
#   per request: more sends JSON Lines batches, as a hall's lane controller would)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: bench/http/travellers.sh BUILD_DIR [SECONDS] [TRAVELLERS]}" && pwd)
seconds=${2:-10}
travellers=${3:-20000}
conns=${ZG_CONNS:-"32 64"}
zonegate=$build/zonegate
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zg-travellers-XXXXXX")
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "travellers: FAILED: $*" >&2; exit 1; }

"$zonegate" serve --pack "$root/policies/hengqin" --data "$tmp/data" --listen 127.0.0.1:0 --quiet \
  --rate-limit 0 --io-threads "${ZG_IO_THREADS:-2}" --snapshot-every 1000000000000 \
  > "$tmp/server.out" 2> "$tmp/server.err" &
server_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|^zonegate serve: listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$tmp/server.out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the server did not start: $(cat "$tmp/server.err")"
url=http://127.0.0.1:$port
officer=$("$zonegate" token create --data "$tmp/data" --role officer | tail -n 1)
gate=$("$zonegate" token create --data "$tmp/data" --role gate | tail -n 1)

# Enrol, 10,000 to a request (the server's --batch-max).
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
until=$(date -u -d '+1 year' +%Y-%m-%d)
awk -v n="$travellers" -v now="$now" -v until="$until" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "{\"type\":\"enrol_traveller\",\"id\":\"bench-enrol-%d\",\"at\":\"%s\",\"document\":{\"kind\":\"home_return_permit\",\"number\":\"M%08d\",\"birth_date\":\"1980-01-01\"},\"categories\":[\"macao_resident\"],\"biometric_ref\":\"hall-a/%d\",\"valid_until\":\"%s\"}\n", i, now, 10000000 + i, i, until
}' | split -l 10000 - "$tmp/enrol."
t0=$(date +%s.%N)
for part in "$tmp"/enrol.*; do
  curl -sS --fail-with-body "$url/v1/commands" -H "Authorization: Bearer $officer" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$part" >> "$tmp/enrolled"
done
t1=$(date +%s.%N)
grep -o '"credential":"[^"]*"' "$tmp/enrolled" | cut -d'"' -f4 > "$tmp/credentials"
got=$(wc -l < "$tmp/credentials")
[ "$got" -eq "$travellers" ] || fail "$got of $travellers enrolments accepted: $(grep -m1 rejected "$tmp/enrolled")"
awk -v n="$travellers" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "enrolled %d travellers in %.2f s (%.0f/s, signing each credential)\n", n, t1 - t0, n / (t1 - t0) }'

pass=0
for c in $conns; do
  health=$(wrk -t1 -c"$c" -d"$seconds"s "$url/health" | awk '/Requests\/sec/ { print $2 }')
  out=$(ZG_TOKEN=$gate ZG_CREDENTIALS=$tmp/credentials ZG_RUN=c$c ZG_PASS=$pass ZG_BATCH=${ZG_BATCH:-1} \
    wrk -t1 -c"$c" -d"$seconds"s --timeout 60s --latency -s "$root/bench/http/travellers.lua" "$url/v1/commands")
  result=$(echo "$out" | grep '^zg-result:') || { echo "$out"; fail "no result line"; }
  echo "$out" | grep '^zg-first-failure:' || true
  echo "c$c: $result health=${health}/s" | awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s traveller decisions %.0f/s (open %d, refer %d, rejected %d, non-200 %d, socket errors %d), p50 %s ms, p99 %s ms; GET /health %.0f/s (%.2fx)\n",
      $1, v["decisions"] / v["seconds"], v["open"], v["refer"], v["rejected"], v["non200"], v["socket_errors"], v["p50_ms"], v["p99_ms"],
      v["health"], (v["decisions"] / v["seconds"]) / v["health"] }'
  requests=$(echo "$result" | sed -n 's/.*decisions=\([0-9]*\).*/\1/p')
  # The next run starts on an "out" (odd) pass after the last one this run
  # reached: leaving is always allowed, so no one is refused for entering
  # twice, and the "in" pass after it finds everyone outside. (wrk may have
  # sent up to C requests more than it counted as answered.)
  last=$(( pass + (requests + c * ${ZG_BATCH:-1} - 1) / travellers ))
  pass=$(( last + 1 + (last + 1 + 1) % 2 ))
done
