#!/usr/bin/env bash
# The exchange end to end: two `zonegate serve` instances on this machine —
# Hengqin, and "Macao customs" under a copy of the pack — partners of each
# other. N first-line declarations go to Hengqin in JSON Lines batches; each
# makes a declaration summary for Macao, which Hengqin's courier seals and
# delivers to Macao's inbox in batches (one JSON Lines request each), checks
# Macao's signed receipts and acknowledges.
# Prints how long Hengqin took to accept the declarations (the baseline, in
# the same run) and how long until Macao had received every summary, and
# checks every summary arrived exactly once.
#
#   bench/http/exchange.sh BUILD_DIR [DECLARATIONS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: bench/http/exchange.sh BUILD_DIR [DECLARATIONS]}" && pwd)
n=${2:-5000}
zonegate=$build/zonegate
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zg-exchange-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null && wait "$pid" 2> /dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "exchange: FAILED: $*" >&2; exit 1; }
now_s() { date +%s.%N; }

cp -r "$root/policies/hengqin" "$tmp/macao-pack"
sed -i 's/^id = "hengqin"/id = "macao-customs"/' "$tmp/macao-pack/pack.toml"
start() {  # name pack -> port
  "$zonegate" serve --pack "$2" --data "$tmp/$1" --listen 127.0.0.1:0 --quiet --rate-limit 0 \
    > "$tmp/$1.out" 2> "$tmp/$1.err" &
  pids+=($!)
  for _ in $(seq 1 300); do
    port=$(sed -n 's|^zonegate serve: listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$tmp/$1.out")
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  fail "$1 did not start: $(cat "$tmp/$1.err")"
}
hq=$(start hengqin "$root/policies/hengqin")
mo=$(start macao "$tmp/macao-pack")
hq_admin=$("$zonegate" token create --data "$tmp/hengqin" --role admin | tail -n 1)
hq_officer=$("$zonegate" token create --data "$tmp/hengqin" --role officer | tail -n 1)
mo_admin=$("$zonegate" token create --data "$tmp/macao" --role admin | tail -n 1)
key() { "$zonegate" exchange zone-keys --data "$tmp/$1" | sed -n "s/.*\"$2\":\"\([0-9a-f]*\)\".*/\1/p"; }
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
post() {  # port token body
  curl -sS --fail-with-body "http://127.0.0.1:$1/v1/commands" -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/x-ndjson' --data-binary "$3"
}
post "$hq" "$hq_admin" "{\"type\":\"register_partner\",\"id\":\"p-1\",\"at\":\"$now\",\"partner\":\"MACAO-CUSTOMS\",\"name\":\"Macao Customs\",\"sign_key\":\"$(key macao sign_key)\",\"box_key\":\"$(key macao box_key)\",\"inbox\":\"http://127.0.0.1:$mo/v1/exchange/inbox\"}" | grep -q accepted || fail "register Macao"
post "$mo" "$mo_admin" "{\"type\":\"register_partner\",\"id\":\"p-1\",\"at\":\"$now\",\"partner\":\"HENGQIN\",\"name\":\"Hengqin\",\"sign_key\":\"$(key hengqin sign_key)\",\"box_key\":\"$(key hengqin box_key)\"}" | grep -q accepted || fail "register Hengqin"
post "$hq" "$hq_officer" "{\"type\":\"register_enterprise\",\"id\":\"e-1\",\"at\":\"$now\",\"uscc\":\"914404000MA4W2X05J\",\"name\":\"Hengqin Wine Traders\",\"legal_person\":true,\"registered_in_zone\":true,\"macao_funded\":true,\"duty_free_importer\":false,\"encouraged_industry\":false,\"high_tech\":false,\"credit_grade\":\"general\"}" | grep -q accepted || fail "register the enterprise"
sleep 1  # the first tree head goes to Macao (a witness) before timing starts
received() { curl -sS "http://127.0.0.1:$mo/v1/exchange/partners" -H "Authorization: Bearer $mo_admin" | sed -n 's/.*"received":\([0-9]*\).*/\1/p'; }
base=$(received)

awk -v n="$n" -v now="$now" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "{\"type\":\"declare\",\"id\":\"d-%d\",\"at\":\"%s\",\"movement\":\"first_line_entry\",\"declarant\":\"914404000MA4W2X05J\",\"purpose\":\"trade\",\"currency\":\"CNY\",\"gross_kg\":\"800.0\",\"items\":[{\"item\":\"WINE-R\",\"hs\":\"22042100\",\"origin\":\"FR\",\"quantity\":\"600\",\"unit\":\"L\",\"value\":\"60000.00\"}]}\n", i, now
}' | split -l 1000 - "$tmp/declare."
t0=$(now_s)
for part in "$tmp"/declare.*; do
  post "$hq" "$hq_officer" @"$part" > /dev/null
done
t1=$(now_s)
deadline=$(( $(date +%s) + 600 ))
while :; do
  got=$(( $(received) - base ))
  [ "$got" -ge "$n" ] && break
  [ "$(date +%s)" -lt "$deadline" ] || fail "only $got of $n summaries reached Macao in 10 minutes"
  sleep 0.05
done
t2=$(now_s)
sleep 1
got=$(( $(received) - base ))
outbox=$(curl -sS "http://127.0.0.1:$hq/v1/exchange/outbox" -H "Authorization: Bearer $hq_admin")
delivered=$(echo "$outbox" | sed -n 's/.*"delivered":\([0-9]*\).*/\1/p')
[ "$got" -le "$((n + 2))" ] || fail "Macao received $got, more than the $n summaries (and tree heads)"
awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v d="$delivered" -v g="$got" 'BEGIN {
  printf "accepted %d first-line declarations in %.2f s (%.0f/s, batches of 1,000: the baseline)\n", n, t1 - t0, n / (t1 - t0)
  printf "Macao received all %d summaries %.2f s after the first was sent: %.0f messages/s delivered: sealed, posted in batches, opened, receipted (%.2fx the declarations)\n", n, t2 - t0, n / (t2 - t0), (n / (t2 - t0)) / (n / (t1 - t0))
  printf "Hengqin counts %d delivered (with tree heads); Macao %d received since the start\n", d, g
}'
