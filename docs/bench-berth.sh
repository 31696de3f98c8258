#!/usr/bin/env bash
# Berth against another build of Berth, both on the embedded default (filesystem blobs, embedded
# PostgreSQL) with fresh data under WORKDIR: does a change keep the speed of the build before it?
# Everything runs on loopback and is stopped by PID at the end.
#
#   docs/bench-berth.sh WORKDIR OTHER_QUARKUS_APP [registry-bench compare options]
#
# A is this checkout's registry-server/target/quarkus-app (or BERTH_APP), B the other build's
# quarkus-app folder (build an older commit in a git worktree: ./mvnw install -DskipTests -pl
# registry-server -am, then pass <worktree>/registry-server/target/quarkus-app). Both start the
# same way, with BERTH_WARM_RUNS quick harness runs each first if set; BERTH_CPU=1 records their CPU
# per round (WORKDIR/cpu.txt). The JSON result goes to WORKDIR/berth-compare.json.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
work=$(workdir "${1:?usage: docs/bench-berth.sh WORKDIR OTHER_QUARKUS_APP [compare options]}")
other=$(cd "${2:?usage: docs/bench-berth.sh WORKDIR OTHER_QUARKUS_APP [compare options]}" && pwd)
shift 2

start_berth() { # NAME APP HTTP_PORT PG_PORT
  rm -rf "${work:?}/$1-data"
  BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/$1-data" BERTH_DATABASE_EMBEDDED_PORT=$4 \
    QUARKUS_HTTP_PORT=$3 QUARKUS_HTTP_HOST=127.0.0.1 \
    "$java" -jar "$2/quarkus-run.jar" > "$work/$1.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$3/v2/" "$1"
  warm_berth "$here" "$shared" "$3" "$password"
}

start_berth a "$app" 16001 16432
a_pid=${pids[-1]}
start_berth b "$other" 16003 16434
b_pid=${pids[-1]}
record_cpu "$here" "$work" a="$a_pid" a-postgres="$(head -1 "$work/a-data/postgres/data/postmaster.pid")" \
  b="$b_pid" b-postgres="$(head -1 "$work/b-data/postgres/data/postmaster.pid")"

"$shared/registry-bench" compare --a "http://127.0.0.1:16001" --a-user admin --a-password "$password" \
  --b "http://127.0.0.1:16003" --b-user admin --b-password "$password" \
  --json "$work/berth-compare.json" "$@" 2>&1 | tee "$work/compare.out"
cpu_report "$here" "$work"
