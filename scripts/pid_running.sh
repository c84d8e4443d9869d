# pid_running PID: whether the process is still running. A process that has
# exited but is not yet reaped (a zombie) has stopped: its parent may be an
# init that reaps only about once a second, and `kill -0` succeeds on a zombie,
# so a stop loop on `kill -0` alone waits that second every time.
# Sourced by the scripts that stop their servers by pid.
pid_running() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}
