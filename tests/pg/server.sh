#!/usr/bin/env bash
# server.sh - a throwaway PostgreSQL server for the test suites.
#
#   tests/pg/server.sh start DIR   initdb into DIR/data, start a server listening only on
#                                  127.0.0.1 on a free port, print its base URL
#                                  postgresql://xinyong@127.0.0.1:PORT/postgres as the last
#                                  line of stdout and write it to DIR/url
#   tests/pg/server.sh stop DIR    stop that server and remove DIR
#
# Uses Debian's server binaries (/usr/lib/postgresql/VERSION/bin, the highest version
# present).  PostgreSQL refuses to run as root: as root, DIR is given to the `postgres`
# system user (created by Debian's postgresql package) and initdb/pg_ctl run as that user.
# Authentication is `trust` (the server is reachable from this machine only), durability is
# off (fsync, synchronous_commit, full_page_writes): the data lives as long as one test run.
# The cluster is UTF8 with the C.UTF-8 locale, which pg_trgm needs to treat CJK characters
# as word characters.  The server log is DIR/log.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -n "$dir" ] || usage
MARKER=.xinyong-pg-test   # stop removes only a directory that start prepared
START_TIMEOUT=${XINYONG_PG_START_TIMEOUT:-60}

die() { echo "server.sh: $*" >&2; exit 1; }

pg_bindir() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
    best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)
  done
  [ -n "$best" ] || die "no PostgreSQL server in /usr/lib/postgresql/*/bin" \
    "(install Debian's postgresql package: scripts/deps.sh test)"
  echo "$best"
}

# Runs a command as the user that owns the cluster.
if [ "$(id -u)" -eq 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

start() {
  local bin abs port url tries=0
  bin=$(pg_bindir)
  mkdir -p "$dir"
  abs=$(cd "$dir" && pwd)
  [ -z "$(ls -A "$abs")" ] || [ -f "$abs/$MARKER" ] ||
    die "$abs is not empty; give a new or empty directory"
  touch "$abs/$MARKER"
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null ||
      die "running as root, but there is no postgres user to run the server as" \
        "(install Debian's postgresql package: scripts/deps.sh test)"
    chown postgres: "$abs"
    chmod 0755 "$abs"
    runuser -u postgres -- test -w "$abs" -a -x "$abs" ||
      die "the postgres user cannot use $abs (is a parent directory private to root?)"
  fi
  # A Unix socket path is limited to 107 bytes.
  [ ${#abs} -le 80 ] || die "$abs is too long for the server's Unix socket; use a shorter one"

  if ! as_owner "$bin/initdb" -D "$abs/data" --encoding=UTF8 --locale=C.UTF-8 \
      --auth=trust -U xinyong >"$abs/initdb.log" 2>&1; then
    cat "$abs/initdb.log" >&2
    die "initdb failed"
  fi
  cat >>"$abs/data/postgresql.conf" <<EOF

# tests/pg/server.sh: a private, disposable server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$abs'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_checkpoints = off
log_line_prefix = '%m [%p] %d '
EOF

  # The port is free when chosen but another process may take it before the server binds
  # it: try again with another port.
  while :; do
    tries=$((tries + 1))
    port=$(free_port)
    : >"$abs/log"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$abs/log"; fi
    if as_owner "$bin/pg_ctl" -D "$abs/data" -l "$abs/log" -w -t "$START_TIMEOUT" \
        -o "-p $port" start >"$abs/pg_ctl.log" 2>&1; then
      break
    fi
    if [ $tries -lt 5 ] && grep -q 'could not bind\|Address already in use' "$abs/log"; then
      continue
    fi
    echo "---- pg_ctl:" >&2; cat "$abs/pg_ctl.log" >&2
    echo "---- server log $abs/log:" >&2; tail -n 50 "$abs/log" >&2
    die "the server did not start"
  done

  # pg_ctl -w waited for the server; check that it answers on TCP as the tests will use it.
  local waited=0
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U xinyong -d postgres; do
    waited=$((waited + 1))
    if [ $waited -gt $((START_TIMEOUT * 10)) ]; then
      echo "---- server log $abs/log:" >&2; tail -n 50 "$abs/log" >&2
      die "the server does not answer on 127.0.0.1:$port after ${START_TIMEOUT}s"
    fi
    sleep 0.1
  done
  url="postgresql://xinyong@127.0.0.1:$port/postgres"
  echo "$url" >"$abs/url"
  echo "$url"
}

stop() {
  local bin abs
  [ -d "$dir" ] || { echo "server.sh: $dir does not exist; nothing to stop" >&2; return 0; }
  abs=$(cd "$dir" && pwd)
  [ -f "$abs/$MARKER" ] || die "$abs was not made by '$0 start'; not touching it"
  if [ -f "$abs/data/postmaster.pid" ]; then
    bin=$(pg_bindir)
    as_owner "$bin/pg_ctl" -D "$abs/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || {
      # pg_ctl gave up: end the postmaster named by its pid file (children follow it).
      local pid
      pid=$(head -n 1 "$abs/data/postmaster.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null || true
      sleep 1
    }
  fi
  rm -rf "$abs"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
