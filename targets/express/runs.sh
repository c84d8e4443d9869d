# Sourced (not run) by the scripts that start Express targets: matrix.sh,
# tests/targets/express_race.sh and tests/targets/express_smoke.sh. With ROOT
# (the repository) set, sourcing it makes WORK, a scratch directory for pid
# files and logs, and arranges that on exit every target whose launch.sh pid
# file is in $WORK is stopped, the PostgreSQL cluster too if one was started,
# and $WORK is removed. Then
#   express_postgres_for TARGET  starts the one throwaway cluster the targets
#                                share, the first time a target needs it, and
#                                sets its PG* environment; fails (its stderr
#                                in $WORK/pg.err) when it does not start.
EXPRESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGDIR=""

express_cleanup() {
  for pidfile in "$WORK"/*.pids; do [ -e "$pidfile" ] && "$EXPRESS_DIR/launch.sh" stop "$pidfile"; done
  for dir in "$WORK"/nginx.*; do [ -d "$dir" ] && "$ROOT/scripts/nginx.sh" stop "$dir"; done
  [ -n "$PGDIR" ] && "$ROOT/scripts/pg.sh" stop "$PGDIR" >/dev/null 2>&1
  rm -rf "$WORK"
}
WORK=$(mktemp -d)
trap express_cleanup EXIT

express_postgres_for() {
  grep -qs '"postgres"' "$EXPRESS_DIR/$1/expected.json" && [ -z "$PGDIR" ] || return 0
  PGDIR=$(mktemp -d)
  local env_lines
  env_lines=$("$ROOT/scripts/pg.sh" start "$PGDIR" 2>"$WORK/pg.err") || return 1
  eval "$env_lines"
}
