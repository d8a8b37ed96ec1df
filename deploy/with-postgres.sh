#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port, exports
# DATABASE_URL (and PGBENCH_* helpers) and runs the given command. The
# cluster and its files are removed when the command ends, however it ends.
# As root the server runs as the `postgres` system user (PostgreSQL refuses
# root); as a normal user it runs as that user.
#
# Usage: deploy/with-postgres.sh COMMAND [ARGS...]
# PG_DURABLE=1 keeps fsync on (the default turns it off: throwaway data).
# PG_OPTIONS adds server options, e.g. "-c shared_preload_libraries=pg_stat_statements".
set -euo pipefail

bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "with-postgres: no free port found" >&2
  exit 1
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/fachtag-pg.XXXXXX")
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
cleanup() {
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
durable=off
[ "${PG_DURABLE:-0}" = 1 ] && durable=on
# A port nobody listens on may still be bound (the local end of another
# program's connection), so a failed start tries another port.
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400 -c fsync=$durable -c synchronous_commit=$durable -c full_page_writes=$durable -c shared_buffers=256MB ${PG_OPTIONS:-}" \
    start >/dev/null && break
  grep -q 'Address already in use' "$dir/server.log" && [ "$attempt" -lt 5 ] || { cat "$dir/server.log" >&2; exit 1; }
  : >"$dir/server.log"
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
echo "with-postgres: PostgreSQL running on 127.0.0.1:$port (data in $dir)" >&2
set +e
"$@"
status=$?
exit $status
