#!/usr/bin/env bash
# zonegate serve throughput over HTTP, load generator on the same machine:
# BUILD_DIR/bench/zonegate_http_load (bench/http/load.cc, one epoll thread)
# by default, or wrk with bench/http/{single,batch}.lua (ZG_CLIENT=wrk), which
# costs the shared cores far more on big answers. One server on a fresh data
# directory; 20 enterprises registered in one JSON Lines request; an officer
# token; then, each for SECONDS (default 10):
#
#   a. GET /health (no engine, no journal): the baseline of the HTTP layer
#      and of the client itself, measured at each connection count used in b;
#   b. single declarations, one per request, keep-alive, from C connections
#      for C in ZG_CONNS;
#   c. JSON Lines batches of 1,000 and of 10,000 declarations,
#      ZG_BATCH_CONNS batches in flight.
#
# Every response is checked (200, and each result "accepted"); declarations/s
# counts accepted results only. wrk stops at SECONDS and drops the answers in
# flight; zonegate_http_load stops sending at SECONDS and counts the answers
# still in flight, its seconds running to the last one. After the runs: the
# server's group-commit batch sizes (zonegate_commit_entries from GET
# /metrics), a graceful stop (SIGTERM), `zonegate verify` on the data
# directory, its state hash, and a check that the journal holds every
# declaration a client saw accepted (journal rows - registrations >= accepted
# responses; the excess is what the server answered after the client stopped
# listening: none with zonegate_http_load, at most the requests in flight at
# the end of each run with wrk).
#
# Also per run: CPU used by the server (and by each of its threads), by the
# client, and by everything else on the machine (other people's builds make the
# figures noisy: look at "other"). The server's threads go by their names:
# zonegate (the main thread, HTTP I/O), zg-http (the other HTTP I/O threads,
# --io-threads N: N - 1 of them), zg-engine (applies the commands), zg-commit
# (encodes the journal rows, commits, fsyncs, hands out the answers), and
# others that are mostly asleep (zg-heartbeat, zg-log, zg-watchdog, ...).
#
# wrk runs with --timeout 60s: wrk leaves out of its latency figures any
# response slower than its timeout (default 2 s) and only counts it as a
# "timeout", which would hide stalls from p99. zonegate_http_load counts
# every answer's latency, and one slower than 60 s (120 s for batches) as a
# socket error.
#
# The runs go one after the other against the same zone, so later runs work
# on a bigger state (over a million commands by the batches), and the zone
# writes a snapshot every 100,000 commands at first (--snapshot-every; then
# every quarter of its journal) in a child process (SCHED_IDLE, idle I/O class), which
# starts writing once the snapshot's last row is committed: runs that cross
# such a mark slow down while it is written (the child's CPU, and the
# server's pages copied on write). ZG_SERVE_ARGS="--snapshot-every
# 1000000000000" measures without them.
#
#   bench/http/run_http.sh BUILD_DIR [SECONDS]
#
# Environment (optional; an empty ZG_CONNS or ZG_BATCHES skips those runs):
#   ZG_CLIENT=zg             zg (zonegate_http_load) or wrk
#   ZG_CONNS="16 32 64 128"  connection counts for a and b
#   ZG_BATCH_CONNS=4         batches in flight for c
#   ZG_BATCHES="1000 10000"  batch sizes for c
#   ZG_IO_THREADS=2          zonegate serve --io-threads
#   ZG_SERVE_ARGS=""         more zonegate serve options (e.g. --commit-max 1024)
#   TMPDIR                   where the data directory goes (it must be a real
#                            disk for the fsyncs to count)
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: bench/http/run_http.sh BUILD_DIR [SECONDS]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
seconds=${2:-10}
conns=${ZG_CONNS-"16 32 64 128"}
batch_conns=${ZG_BATCH_CONNS:-4}
batches=${ZG_BATCHES-"1000 10000"}
io_threads=${ZG_IO_THREADS:-2}
client=${ZG_CLIENT:-zg}
serve_args=${ZG_SERVE_ARGS:-}
zonegate=$build/zonegate
gen=$build/bench/zonegate_gen_commands
load=$build/bench/zonegate_http_load
registrations=20

fail() {
  echo "run_http: FAILED: $*" >&2
  exit 1
}
[ "$client" = zg ] || [ "$client" = wrk ] || fail "ZG_CLIENT is zg or wrk, not \"$client\""
[ "$client" = wrk ] || [ -x "$load" ] || fail "no $load (build the zonegate_http_load target)"
for tool in curl awk $([ "$client" = wrk ] && echo wrk); do
  command -v "$tool" > /dev/null || fail "$tool is not installed"
done
[ -x "$zonegate" ] || fail "no $zonegate (build the zonegate target)"
[ -x "$gen" ] || fail "no $gen (build the zonegate_gen_commands target)"
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] || fail "SECONDS must be a whole number >= 1"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zg-http-XXXXXX")
data=$tmp/data
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
    kill -TERM "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the server ---------------------------------------------------------------

echo "build: $build ($(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" 2> /dev/null || echo 'build type unknown'))"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); data: $data ($(df -T "$tmp" | awk 'NR==2 {print $2}'))"
# shellcheck disable=SC2086  # serve_args is a list of options
"$zonegate" serve --pack "$root/policies/hengqin" --data "$data" --listen 127.0.0.1:0 \
  --quiet --rate-limit 0 --io-threads "$io_threads" $serve_args \
  > "$tmp/server.out" 2> "$tmp/server.err" &
server_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|^zonegate serve: listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$tmp/server.out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2> /dev/null || { cat "$tmp/server.err" >&2; fail "the server exited"; }
  sleep 0.1
done
[ -n "$port" ] || fail "the server did not say it was listening within 30 s"
url=http://127.0.0.1:$port
echo "server: pid $server_pid, $url, --io-threads $io_threads $serve_args"

token=$("$zonegate" token create --data "$data" --role officer --note bench | tail -n 1)
[ -n "$token" ] || fail "no officer token"

# The generator's first registrations (valid USCCs), re-dated to now.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$gen" 100 > "$tmp/generated.jsonl"
head -n "$registrations" "$tmp/generated.jsonl" |
  sed -E "s/\"id\":\"e-/\"id\":\"bench-reg-/; s/\"at\":\"[^\"]*\"/\"at\":\"$now\"/" > "$tmp/register.jsonl"
usccs=$(grep -o '"uscc":"[^"]*"' "$tmp/register.jsonl" | cut -d'"' -f4 | paste -sd, -)
curl -sS --fail-with-body "$url/v1/commands" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/register.jsonl" > "$tmp/register.out" ||
  fail "registration request: $(cat "$tmp/register.out")"
registered=$(grep -c '"status":"accepted"' "$tmp/register.out" || true)
[ "$registered" -eq "$registrations" ] ||
  fail "$registered of $registrations registrations accepted: $(head -c 600 "$tmp/register.out")"
echo "registered $registered enterprises"

# ---- measuring ----------------------------------------------------------------

ticks=$(getconf CLK_TCK)
# CPU ticks (user + system) of each thread of the server: "tid name ticks".
server_threads() {
  # The name is between the first "(" and the last ")"; after it,
  # fields 12 = utime, 13 = stime.
  awk '{ tid = FILENAME; sub(/\/stat$/, "", tid); sub(/.*\//, "", tid);
         name = $0; sub(/^[^(]*\(/, "", name); sub(/\)[^)]*$/, "", name); gsub(/ /, "_", name);
         sub(/.*\) /, ""); split($0, f, " "); print tid, name, f[12] + f[13] }' \
    /proc/"$server_pid"/task/*/stat 2> /dev/null | sort -n || true
}
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

metrics_file() { curl -sS --fail "$url/metrics" > "$1" || fail "GET /metrics"; }
metric() { awk -v name="$2" '$1 == name { print $2 }' "$1"; }
# How much counter NAME grew during run n_run.
run_delta() {
  awk -v a="$(metric "$tmp/metrics.$((n_run - 1))" "$1")" \
    -v b="$(metric "$tmp/metrics.$n_run" "$1")" 'BEGIN { print b - a }'
}

# Rows of the summary table, and sums for the final check.
rows=()
client_accepted=0
in_flight_bound=0
health_rps=()
n_run=0
metrics_file "$tmp/metrics.0"

# run_load KIND LABEL CONNS BATCH client command...   (KIND: health | single | batch)
run_load() {
  local kind=$1 label=$2 c=$3 batch=$4
  shift 4
  n_run=$((n_run + 1))
  local out=$tmp/run.$n_run
  echo
  local shown=${*#"$build/bench/"}
  echo "=== $label: ${shown//"$token"/TOKEN} (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  server_threads > "$out.threads0"
  local busy0 t0 t1 busy1
  busy0=$(machine_busy)
  t0=$(date +%s.%N)
  local TIMEFORMAT='%U %S'
  { time "$@" > "$out" 2>&1; } 2> "$out.cpu" || { cat "$out" >&2; fail "$label: the client failed"; }
  t1=$(date +%s.%N)
  busy1=$(machine_busy)
  server_threads > "$out.threads1"
  cat "$out"
  grep -q 'PANIC' "$out" && fail "$label: the wrk script failed"

  # CPU: server (per thread), the client, everyone else; in % of one core.
  local cpu
  cpu=$(awk -v ticks="$ticks" -v t0="$t0" -v t1="$t1" -v b0="$busy0" -v b1="$busy1" \
    -v client_cpu="$(cat "$out.cpu")" '
    FNR == 1 { file++ }
    file == 1 { before[$1] = $3; next }
    file == 2 { d = $3 - before[$1]; total += d;
                if (d > 0) list = list sprintf(" %s:%.0f", $2, 100 * d / ticks / (t1 - t0)); next }
    END {
      wall = t1 - t0; split(client_cpu, w, " "); client = w[1] + w[2];
      server = total / ticks; all = (b1 - b0) / ticks; other = all - server - client; if (other < 0) other = 0;
      printf "%.0f %.0f %.0f|%s", 100 * server / wall, 100 * client / wall, 100 * other / wall, list
    }' "$out.threads0" "$out.threads1")
  local server_cpu client_cpu other_cpu per_thread
  read -r server_cpu client_cpu other_cpu <<< "${cpu%%|*}"
  per_thread=${cpu#*|}
  echo "CPU (% of one core, $(nproc) cores): zonegate $server_cpu (by thread:$per_thread), client ($client) $client_cpu, other processes $other_cpu"

  # Group commits during this run.
  metrics_file "$tmp/metrics.$n_run"
  local commits rows_committed commit_s
  commits=$(awk -v a="$(metric "$tmp/metrics.$((n_run - 1))" zonegate_commit_entries_count)" \
    -v b="$(metric "$tmp/metrics.$n_run" zonegate_commit_entries_count)" 'BEGIN { print b - a }')
  rows_committed=$(awk -v a="$(metric "$tmp/metrics.$((n_run - 1))" zonegate_commit_entries_sum)" \
    -v b="$(metric "$tmp/metrics.$n_run" zonegate_commit_entries_sum)" 'BEGIN { print b - a }')
  commit_s=$(awk -v a="$(metric "$tmp/metrics.$((n_run - 1))" zonegate_commit_seconds_sum)" \
    -v b="$(metric "$tmp/metrics.$n_run" zonegate_commit_seconds_sum)" 'BEGIN { print b - a }')
  local commit_info
  commit_info=$(awk -v c="$commits" -v r="$rows_committed" -v s="$commit_s" 'BEGIN {
    if (c > 0) printf "%d commits, %.1f rows/commit, %.2f ms/commit", c, r / c, 1000 * s / c;
    else printf "no commits" }')
  # WAL checkpoints during this run (an SQLite journal's; PostgreSQL has none
  # to show): by the checkpoint thread, and the short rests by the committer.
  if grep -q '^zonegate_wal_checkpoints_total' "$tmp/metrics.$n_run"; then
    commit_info="$commit_info, WAL checkpoints $(run_delta 'zonegate_wal_checkpoints_total{by="thread"}') by thread + $(run_delta 'zonegate_wal_checkpoints_total{by="committer"}') by committer"
  fi
  echo "group commit during the run: $commit_info"

  local rps dps p50 p99 ratio requests secs accepted
  if [ "$kind" = health ] && [ "$client" = wrk ]; then
    # wrk's own figures: Requests/sec and the 50% / 99% lines of --latency.
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    to_ms='{ v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
             printf "%.3f", v * (u == "us" ? 0.001 : u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : 1) }'
    p50=$(awk '$1 == "50%" '"$to_ms" "$out")
    p99=$(awk '$1 == "99%" '"$to_ms" "$out")
    [ -n "$rps" ] && [ -n "$p99" ] || fail "$label: no figures in wrk's output"
    local non2xx
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    [ -z "$non2xx" ] || fail "$label: $non2xx responses were not 2xx"
    health_rps[c]=$rps
    dps="-"
    ratio="-"
  else
    local result
    result=$(grep '^zg-result:' "$out") || fail "$label: the script printed no zg-result line"
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$result"; }
    requests=$(field requests)
    secs=$(field seconds)
    accepted=$(field accepted)
    p50=$(field p50_ms)
    p99=$(field p99_ms)
    if [ "$kind" = health ]; then
      [ "$(field non200)" = 0 ] || fail "$label: $(field non200) responses were not 200"
      [ "$(field socket_errors)" = 0 ] || fail "$label: $(field socket_errors) socket errors or timeouts"
      rps=$(awk -v n="$(field requests)" -v s="$(field seconds)" 'BEGIN { printf "%.0f", n / s }')
      health_rps[c]=$rps
      rows+=("$(printf '%-28s %9s %11s %9s %9s %9s %8s %5s %5s %s' "$label" "$rps" "-" "$p50" "$p99" \
        "-" "$server_cpu" "$client_cpu" "$other_cpu" "$commit_info")")
      return
    fi
    [ "$(field rejected)" = 0 ] || fail "$label: $(field rejected) declarations rejected"
    [ "$(field non200)" = 0 ] || fail "$label: $(field non200) responses were not 200"
    [ "$(field socket_errors)" = 0 ] || fail "$label: $(field socket_errors) socket errors or timeouts"
    # (wrk's single.lua does not count missing results; zonegate_http_load does.)
    [ -z "$(field missing)" ] || [ "$(field missing)" = 0 ] ||
      fail "$label: $(field missing) results missing or extra"
    [ "$accepted" -gt 0 ] || fail "$label: nothing accepted"
    rps=$(awk -v n="$requests" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    dps=$(awk -v n="$accepted" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    client_accepted=$((client_accepted + accepted))
    in_flight_bound=$((in_flight_bound + c * batch))
    if [ "$kind" = single ] && [ -n "${health_rps[$c]:-}" ]; then
      ratio=$(awk -v a="$rps" -v b="${health_rps[$c]}" 'BEGIN { printf "%.2f", a / b }')
    else
      ratio="-"
    fi
  fi
  rows+=("$(printf '%-28s %9s %11s %9s %9s %9s %8s %5s %5s %s' "$label" "$rps" "$dps" "$p50" "$p99" \
    "$ratio" "$server_cpu" "$client_cpu" "$other_cpu" "$commit_info")")
}

run=0
for c in $conns; do
  run=$((run + 1))
  if [ "$client" = wrk ]; then
    run_load health "GET /health -c$c" "$c" 0 \
      wrk -t1 -c"$c" -d"${seconds}s" --timeout 60s --latency "$url/health"
    ZG_TOKEN=$token ZG_USCCS=$usccs ZG_RUN="s$run-c$c" \
      run_load single "single declare -c$c" "$c" 1 \
      wrk -t1 -c"$c" -d"${seconds}s" --timeout 60s --latency -s "$root/bench/http/single.lua" \
      "$url/v1/commands"
  else
    run_load health "GET /health -c$c" "$c" 0 \
      "$load" --url "$url" --kind health --connections "$c" --seconds "$seconds"
    run_load single "single declare -c$c" "$c" 1 \
      "$load" --url "$url" --kind single --connections "$c" --seconds "$seconds" \
      --token "$token" --usccs "$usccs" --run "s$run-c$c"
  fi
done
for b in $batches; do
  run=$((run + 1))
  if [ "$client" = wrk ]; then
    ZG_TOKEN=$token ZG_USCCS=$usccs ZG_RUN="b$run-n$b" ZG_BATCH=$b \
      run_load batch "batch of $b -c$batch_conns" "$batch_conns" "$b" \
      wrk -t1 -c"$batch_conns" -d"${seconds}s" --timeout 120s --latency \
      -s "$root/bench/http/batch.lua" "$url/v1/commands"
  else
    run_load batch "batch of $b -c$batch_conns" "$batch_conns" "$b" \
      "$load" --url "$url" --kind batch --batch "$b" --connections "$batch_conns" \
      --seconds "$seconds" --timeout-seconds 120 --token "$token" --usccs "$usccs" --run "b$run-n$b"
  fi
done

# ---- after the runs -----------------------------------------------------------

# Requests still in flight when wrk stopped are finished by the server:
# wait until the counters stand still.
previous=""
for _ in $(seq 1 120); do
  metrics_file "$tmp/metrics.final"
  current="$(metric "$tmp/metrics.final" zonegate_commands_accepted_total) $(metric "$tmp/metrics.final" zonegate_journal_lag) $(metric "$tmp/metrics.final" zonegate_queue_commands)"
  [ "$current" = "$previous" ] && [ "${current#* }" = "0 0" ] && break
  previous=$current
  sleep 0.5
done
server_accepted=$(metric "$tmp/metrics.final" zonegate_commands_accepted_total)
server_rejected=$(metric "$tmp/metrics.final" zonegate_commands_rejected_total)

echo
echo "=== group commit: journal rows per commit over the whole run (GET /metrics)"
grep '^zonegate_commit_entries' "$tmp/metrics.final"
awk -F'[{}" ]+' '/^zonegate_commit_entries_bucket/ {
    le = $3; n = $NF; if (n - last > 0) printf "  rows <= %-6s %8d commits\n", le, n - last; last = n }
  /^zonegate_commit_entries_sum/ { sum = $NF } /^zonegate_commit_entries_count/ { count = $NF }
  /^zonegate_commit_seconds_sum/ { secs = $NF }
  END { if (count > 0) printf "  %d commits, %.1f rows per commit on average, %.2f ms per commit (fsync included)\n",
          count, sum / count, 1000 * secs / count }' "$tmp/metrics.final"

# The zone writes a snapshot (in a child process) every --snapshot-every
# commands at first (100,000 by default) and keeps the last two: the seq in
# their names (a .partial is one still being written).
echo "snapshots written during the runs (the last two kept): $(ls "$data/snapshots" 2> /dev/null | paste -sd' ' - || true)"

echo
echo "=== stopping the server (SIGTERM; it finishes, commits and snapshots)"
t0=$(date +%s.%N)
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || { cat "$tmp/server.err" >&2; fail "the server exited with status $status"; }
echo "stopped in $(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.2f", t1 - t0 }') s"
if [ -s "$tmp/server.err" ]; then
  echo "server's standard error:"
  cat "$tmp/server.err"
fi

echo
echo "=== zonegate verify --data DIR"
"$zonegate" verify --data "$data" | tee "$tmp/verify.out" || fail "zonegate verify failed"
grep -q '^verify: ok' "$tmp/verify.out" || fail "zonegate verify did not say ok"
journal=$(sed -n 's/^verify: \([0-9]*\) commands replayed.*/\1/p' "$tmp/verify.out")
state_hash=$(sed -n 's/^state hash: //p' "$tmp/verify.out")
[ -n "$journal" ] || fail "no command count from verify"
journal_declarations=$((journal - registrations))
unanswered=$((journal_declarations - client_accepted))
# zonegate_http_load waits for every answer: nothing is answered after it.
[ "$client" = wrk ] || in_flight_bound=0

echo
echo "=== summary ($seconds s per run; latency from the client ($client); CPU in % of one core of $(nproc))"
printf '%-28s %9s %11s %9s %9s %9s %8s %5s %5s %s\n' "run" "req/s" "decl/s" "p50 ms" "p99 ms" \
  "vs health" "zonegate" "client" "other" "group commit"
for row in "${rows[@]}"; do echo "$row"; done
echo
echo "declarations accepted in responses:  $client_accepted"
echo "declarations in the journal:         $journal_declarations ($journal commands - $registrations registrations)"
echo "answered after the client stopped:   $unanswered (at most $in_flight_bound may be)"
echo "server counters: accepted $server_accepted (registrations included), rejected $server_rejected"
echo "state hash: $state_hash"

[ "$server_rejected" = 0 ] || fail "the server rejected $server_rejected commands"
[ "$server_accepted" = "$journal" ] ||
  fail "the server accepted $server_accepted commands but the journal holds $journal"
[ "$unanswered" -ge 0 ] ||
  fail "$((-unanswered)) declarations answered 'accepted' are not in the journal"
[ "$unanswered" -le "$in_flight_bound" ] ||
  fail "the journal holds $unanswered declarations more than were answered, above the $in_flight_bound in flight"
echo "ok: every declaration answered 'accepted' is in the journal"
