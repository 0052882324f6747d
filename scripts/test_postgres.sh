#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a socket, and TCP on 127.0.0.1 only at a
# free port (so that the documented postgresql://user@host:port/db form is tried too),
# fsync off, data and socket in DIR.
#
#   scripts/test_postgres.sh start DIR [PORT]   # prints nothing; the socket URL is in
#                                               # DIR/url, the port (default 5432) in DIR/port
#   scripts/test_postgres.sh stop DIR    # stops the cluster and removes DIR
#
# CTest runs `start` as a fixture before the PostgreSQL tests and `stop` after them,
# also when they fail. initdb refuses to run as root, so as root the cluster belongs to
# the `postgres` user that Debian's package creates.
set -euo pipefail

command=${1:?usage: test_postgres.sh start|stop DIR}
dir=${2:?usage: test_postgres.sh start|stop DIR}
port=${3:-5432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "test_postgres: PostgreSQL is not installed (scripts/bootstrap.sh installs it)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "$command" in
  start)
    stop  # a cluster left by an interrupted run
    mkdir -p "$dir/socket"
    if [ "$(id -u)" -eq 0 ]; then
      chown -R postgres:postgres "$dir"
    fi
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
      >"$dir/initdb.log" 2>&1
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir/socket' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    echo "postgresql://postgres@/postgres?host=$dir/socket&port=$port" >"$dir/url"
    echo "$port" >"$dir/port"
    chmod 0755 "$dir"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: test_postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
