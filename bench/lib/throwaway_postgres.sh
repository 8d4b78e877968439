# Sourced by the PostgreSQL benchmarks: a throwaway PostgreSQL 15 cluster on
# 127.0.0.1. initdb and pg_ctl refuse root, so they run as postgres, in a
# directory it owns (its parent must be reachable by it).
#
#   start_throwaway_postgres DIR PORT   initdb in DIR, start on PORT
#   stop_throwaway_postgres DIR         stop it (for an EXIT trap; never fails)
PGBIN=$(pg_config --bindir)

start_throwaway_postgres() {
  local dir=$1 port=$2
  rm -rf "$dir"
  install -d -o postgres -g postgres -m 700 "$dir"
  runuser -u postgres -- "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 > /dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir" start > /dev/null
}

stop_throwaway_postgres() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$1" -m fast -w stop > /dev/null 2>&1 || true
}
