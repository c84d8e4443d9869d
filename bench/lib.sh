# Sourced by the bench/<name>/run.sh scripts that start a target of their own.
# Gives them:
#   target_cpu, load_cpu  taskset prefixes (on 2+ cores the target runs on core 0
#                         and the load generator on core 1, for every tool alike);
#   work                  a temporary directory, removed on exit;
#   start_target NAME CMD...  starts CMD in the background (pinned), waits for its
#                         "listening on URL" line and sets $url; exits 3 naming
#                         NAME and the target's stderr if it does not start. The
#                         target is stopped by its pid on exit.
target_cpu=() load_cpu=()
if [ "$(nproc)" -ge 2 ]; then target_cpu=(taskset -c 0); load_cpu=(taskset -c 1); fi

work=$(mktemp -d)
target_pid=""
bench_cleanup() {
  if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap bench_cleanup EXIT

start_target() {
  local name=$1
  shift
  "${target_cpu[@]}" "$@" >"$work/target.out" 2>"$work/target.err" &
  target_pid=$!
  for _ in $(seq 50); do grep -q '^listening on ' "$work/target.out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$work/target.out")
  [ -n "$url" ] || { echo "$name: the target did not start: $(cat "$work/target.err")" >&2; exit 3; }
}
