#!/usr/bin/env bash
# Zonegate's durable group commit against PostgreSQL doing one transaction
# per declaration with its rows (the declaration, its item, two book
# postings), fsync on, one client — the way a row-per-request system would
# store the same flow; and the same group commit with the journal in that
# PostgreSQL (zonegate run --store postgresql://…). All run in this script,
# on this machine, against the same server.
#
#   bench/postgres_one_txn.sh [BUILD_DIR] [SECONDS]
# Needs PostgreSQL 15's server binaries (Debian's postgresql-15) and pgbench.
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib/throwaway_postgres.sh"
PGDATA=/tmp/zg-bench-pg
PGPORT=55433
work=$(mktemp -d /tmp/zg-bench-pg-work-XXXXXX)
cleanup() {
  stop_throwaway_postgres "$PGDATA"
  rm -rf "$work" "$PGDATA"
}
trap cleanup EXIT
start_throwaway_postgres "$PGDATA" "$PGPORT"
psql_() { psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"; }
psql_ <<'SQL'
CREATE SEQUENCE declaration_seq;
CREATE TABLE declarations (number text PRIMARY KEY, seq bigint NOT NULL, declarant text NOT NULL,
  movement text NOT NULL, at timestamptz NOT NULL, customs_value numeric(16,2) NOT NULL,
  duty numeric(16,2) NOT NULL, consumption_tax numeric(16,2) NOT NULL, vat numeric(16,2) NOT NULL,
  refund numeric(16,2) NOT NULL, result jsonb NOT NULL);
CREATE TABLE items (declaration text NOT NULL REFERENCES declarations, line int NOT NULL,
  item text NOT NULL, hs text NOT NULL, quantity numeric(20,4) NOT NULL, customs_value numeric(16,2) NOT NULL,
  duty numeric(16,2) NOT NULL, vat numeric(16,2) NOT NULL, PRIMARY KEY (declaration, line));
CREATE TABLE postings (id bigserial PRIMARY KEY, enterprise text NOT NULL, seq bigint NOT NULL,
  lot bigint NOT NULL, kind text NOT NULL, quantity numeric(20,4) NOT NULL, value numeric(16,2) NOT NULL);
SQL
cat > "$work/declare.sql" <<'SQL'
BEGIN;
INSERT INTO declarations VALUES ('HQ' || nextval('declaration_seq'), currval('declaration_seq'),
  '91440400MA4W00000P', 'second_line_exit', now(), 9000.00, 1260.00, 1140.00, 1482.00, 0.00,
  '{"status":"accepted","items":[{"line":1,"duty":"1260.00"}]}');
INSERT INTO items VALUES ('HQ' || currval('declaration_seq'), 1, 'IMP-1', '22042100', 10, 9000.00, 1260.00, 1482.00);
INSERT INTO postings (enterprise, seq, lot, kind, quantity, value)
  VALUES ('91440400MA4W00000P', currval('declaration_seq'), 1, 'removal', -10, -7054.60);
INSERT INTO postings (enterprise, seq, lot, kind, quantity, value)
  VALUES ('91440400MA4W00000P', currval('declaration_seq'), 2, 'receipt', 10, 7054.60);
COMMIT;
SQL
echo "PostgreSQL: one transaction per declaration (declaration, item, two postings), fsync on, ${seconds} s"
pg_tps=$(pgbench -n -c 1 -j 1 -T "$seconds" -f "$work/declare.sql" -h 127.0.0.1 -p "$PGPORT" -U postgres postgres \
  | awk -F'= ' '/^tps/ {print int($2)}')
echo "  ${pg_tps} declarations/s"

commands=${ZG_BENCH_COMMANDS:-300000}
"$build/bench/zonegate_gen_commands" "$commands" > "$work/load.jsonl"
# Seconds of one durable run of the load, the journal where $1 says.
timed_run() {
  sync
  local t0 t1
  t0=$(date +%s.%N)
  "$build/zonegate" run --pack "$root/policies/hengqin" --data "$work/$1" "${@:2}" \
    --snapshot-every 1000000000000 "$work/load.jsonl" > /dev/null
  t1=$(date +%s.%N)
  awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.3f", t1 - t0 }'
}
sqlite_s=$(timed_run zone-sqlite)
pg_s=$(timed_run zone-pg --store "postgresql://postgres@127.0.0.1:$PGPORT/postgres?shard=bench")
journal_rows=$(psql_ -At -c "SELECT count(*) FROM bench.journal")
awk -v n="$commands" -v s="$sqlite_s" -v p="$pg_s" -v pg="$pg_tps" -v rows="$journal_rows" 'BEGIN {
  printf "Zonegate: group commit, %d single-item commands journaled with their results, fsynced\n", n;
  printf "  SQLite store:     %.0f commands/s (%.2f s): %.0fx PostgreSQL one transaction per declaration\n", n / s, s, n / s / pg;
  printf "  PostgreSQL store: %.0f commands/s (%.2f s): %.0fx PostgreSQL one transaction per declaration; %.2fx the SQLite store (%d journal rows)\n", n / p, p, n / p / pg, s / p, rows;
}'
