#!/usr/bin/env bash
# Starts and stops the Express example targets by pid (never by name).
#
#   launch.sh list                     target names, one a line
#   launch.sh start NAME PIDFILE       starts the target's process(es) on free
#                                      loopback ports, waits for each "listening
#                                      on" line, prints one base URL a line and
#                                      writes the pids to PIDFILE (logs beside it:
#                                      PIDFILE.N.log)
#   launch.sh stop PIDFILE             SIGTERM to exactly those pids, SIGKILL
#                                      after 5 s, then removes PIDFILE
#
# Targets that need PostgreSQL ("needs": ["postgres"] in expected.json) read
# PGHOST/PGPORT/PGUSER/PGDATABASE from the environment; start a throwaway
# cluster with scripts/pg.sh first. "instances": 2 starts the same server twice;
# each instance after the first is given "--peer URL" for every instance
# started before it (a leader finds its follower so), and servers that have no
# peers ignore it. demo-racy and demo-safe are the demo bank
# (build/release/targets/demo/racecheck-demo-target, or $DEMO_TARGET), for the
# matrix's nginx rows.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/pid_running.sh"
STARTUP_TIMEOUT_S=${STARTUP_TIMEOUT_S:-15}

die() { echo "launch.sh: $*" >&2; exit 2; }

list_targets() {
  for d in "$HERE"/*/; do
    [ -f "$d/server.js" ] && [ -f "$d/expected.json" ] && basename "$d"
  done
  return 0
}

expected_field() {  # expected_field NAME FIELD DEFAULT
  node -e '
    const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = e[process.argv[2]];
    console.log(v === undefined ? process.argv[3] : Array.isArray(v) ? v.join(" ") : v);
  ' "$HERE/$1/expected.json" "$2" "$3"
}

stop_pids() {  # stop_pids PIDFILE
  local pidfile=$1 pid deadline
  [ -f "$pidfile" ] || return 0
  while read -r pid; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done < "$pidfile"
  deadline=$((SECONDS + 5))
  while read -r pid; do
    [ -n "$pid" ] || continue
    while pid_running "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
    pid_running "$pid" && kill -KILL "$pid" 2>/dev/null || true
  done < "$pidfile"
  rm -f "$pidfile"
}

# The command line of one instance of target NAME.
server_command() {  # server_command NAME
  case "$1" in
    demo-racy|demo-safe)
      local demo=${DEMO_TARGET:-$HERE/../../build/release/targets/demo/racecheck-demo-target}
      [ -x "$demo" ] || die "no demo bank at $demo (scripts/build.sh release racecheck-demo-target)"
      echo "$demo --balance ${1#demo-} --idempotency correct --port 0" ;;
    *) echo "node $HERE/$1/server.js --port 0" ;;
  esac
}

start_target() {  # start_target NAME PIDFILE
  local name=$1 pidfile=$2 command
  case "$name" in
    demo-racy|demo-safe) command=$(server_command "$name"); start_instances "$name" "$pidfile" 1 "$command"; return ;;
  esac
  [ -f "$HERE/$name/server.js" ] || die "unknown target '$name' (see: launch.sh list)"
  [ -d "$HERE/node_modules" ] || die "no node_modules: run 'npm ci' in $HERE"
  local needs instances
  needs=$(expected_field "$name" needs "")
  instances=$(expected_field "$name" instances 1)
  if [[ " $needs " == *" postgres "* ]] && [ -z "${PGHOST:-}" ]; then
    die "target '$name' needs PostgreSQL: eval \"\$(scripts/pg.sh start DIR)\" first"
  fi
  command=$(server_command "$name")
  start_instances "$name" "$pidfile" "$instances" "$command"
}

start_instances() {  # start_instances NAME PIDFILE COUNT COMMAND
  local name=$1 pidfile=$2 instances=$3 command=$4
  : > "$pidfile"
  local i urls=()
  for ((i = 1; i <= instances; i++)); do
    local log="$pidfile.$i.log"
    # setsid: the server gets its own process group, so a Ctrl-C in the
    # caller's terminal does not reach it and the pid we record is its leader.
    : > "$log"  # truncated here, not in the child, so no stale line is read
    local peers=() u
    for u in "${urls[@]}"; do peers+=(--peer "$u"); done
    # shellcheck disable=SC2086  # the command's words
    setsid $command "${peers[@]}" >> "$log" 2>&1 < /dev/null &
    local pid=$!
    echo "$pid" >> "$pidfile"
    local deadline=$((SECONDS + STARTUP_TIMEOUT_S)) url=""
    while [ -z "$url" ]; do
      url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$log" | head -n 1)
      [ -n "$url" ] && break
      if ! pid_running "$pid"; then
        echo "launch.sh: $name instance $i exited during start-up; its log:" >&2
        cat "$log" >&2
        stop_pids "$pidfile"; exit 3
      fi
      if [ $SECONDS -ge $deadline ]; then
        echo "launch.sh: $name instance $i did not print 'listening on' in ${STARTUP_TIMEOUT_S}s; its log:" >&2
        cat "$log" >&2
        stop_pids "$pidfile"; exit 3
      fi
      sleep 0.05
    done
    urls+=("$url")
  done
  printf '%s\n' "${urls[@]}"
}

case "${1:-}" in
  list) list_targets ;;
  start) [ $# -eq 3 ] || die "usage: launch.sh start NAME PIDFILE"; start_target "$2" "$3" ;;
  stop) [ $# -eq 2 ] || die "usage: launch.sh stop PIDFILE"; stop_pids "$2" ;;
  *) die "usage: launch.sh list | start NAME PIDFILE | stop PIDFILE" ;;
esac
