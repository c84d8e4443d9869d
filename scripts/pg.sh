#!/usr/bin/env bash
# Throwaway PostgreSQL 15 clusters for tests and example targets.
#
#   scripts/pg.sh start DIR   creates a cluster in DIR (data, socket dir and log
#                             inside DIR), starts it on a free 127.0.0.1 port and
#                             prints eval-able lines:
#                               PGHOST=127.0.0.1
#                               PGPORT=NNNN
#                               PGUSER=racecheck
#                               PGDATABASE=racecheck
#                               export PGHOST PGPORT PGUSER PGDATABASE
#                             The postmaster pid is recorded in DIR/postmaster.pid.recorded.
#   scripts/pg.sh stop DIR    stops that cluster (pg_ctl stop, else a kill of the
#                             recorded pid — never by name) and deletes DIR.
#
# Needs the Debian package postgresql (scripts/setup.sh --with postgres). As
# root, the server runs as the postgres user (PostgreSQL refuses to run as root).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB_USER=racecheck
DB_NAME=racecheck

die() { echo "pg.sh: $*" >&2; exit 2; }

as_pg() {  # runs a PostgreSQL binary as the postgres user when we are root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null && return
  fi
  echo $((20000 + RANDOM % 40000))
}

start() {
  local dir=$1
  [ -x "$PGBIN/initdb" ] || die "no $PGBIN/initdb: install postgresql (scripts/setup.sh --with postgres)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/data" ] || die "$dir/data exists: stop that cluster first or use a new DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  as_pg test -w "$dir" || die "the postgres user cannot write $dir: every parent directory must be searchable by it (e.g. use DIR=\$(mktemp -d) itself, not a folder inside it)"
  mkdir -p "$dir/sock" && { [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/sock"; }
  as_pg "$PGBIN/initdb" -D "$dir/data" -U "$DB_USER" --auth=trust -E UTF8 --no-sync \
    > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed in $dir/data"; }
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    # fsync off: a throwaway cluster trades durability for speed.
    if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
         -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         start > /dev/null 2>&1; then
      break
    fi
    port=""
  done
  [ -n "$port" ] || { tail -n 20 "$dir/server.log" >&2; die "postgres did not start (see $dir/server.log)"; }
  head -n 1 "$dir/data/postmaster.pid" > "$dir/postmaster.pid.recorded"
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME" \
    || { stop "$dir"; die "createdb failed"; }
  printf 'PGHOST=127.0.0.1\nPGPORT=%s\nPGUSER=%s\nPGDATABASE=%s\nexport PGHOST PGPORT PGUSER PGDATABASE\n' \
    "$port" "$DB_USER" "$DB_NAME"
}

stop() {
  local dir=$1
  [ -d "$dir" ] || die "no directory $dir"
  local pid=""
  [ -f "$dir/postmaster.pid.recorded" ] && pid=$(cat "$dir/postmaster.pid.recorded")
  if [ -d "$dir/data" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 15 stop > /dev/null 2>&1 || true
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || die "usage: pg.sh start DIR"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: pg.sh stop DIR"; stop "$2" ;;
  *) die "usage: pg.sh start DIR | stop DIR" ;;
esac
