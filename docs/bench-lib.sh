# Shared by docs/bench-*.sh (sourced): the processes a benchmark started, stopped by PID on exit,
# and waiting for a server to answer.

pids=()
stop_started() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}
trap stop_started EXIT

wait_for() { # URL what
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$1" || true)
    if [ "$code" != 000 ]; then return 0; fi
    sleep 0.1
  done
  echo "$(basename "$0"): $2 did not answer on $1" >&2; exit 1
}
