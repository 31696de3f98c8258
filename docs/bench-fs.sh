#!/usr/bin/env bash
# Berth on its embedded default (filesystem blobs, embedded PostgreSQL) against CNCF distribution
# 2.8.2 on its filesystem driver (../shared/bench/anchor-registry), both with authentication, both
# with fresh data under WORKDIR on the same file system. Everything runs on loopback and is stopped
# by PID at the end.
#
#   docs/bench-fs.sh WORKDIR [registry-bench compare options, e.g. --workloads push-mono --rounds 3]
#
# Needs: a built Berth (registry-server/target/quarkus-app), Debian's docker-registry and
# apache2-utils, and ../shared/bench (BENCH_DIR names another folder). The JSON result goes to
# WORKDIR/fs-compare.json.
#
# With BERTH_AOT=1 (JDK 25), Berth first records an AOT cache with src/main/aot/train.sh, and the
# compared Berth starts with it. With BERTH_WARM=N, Berth first serves N skopeo round trips of the
# harness's skopeo image (docs/bench-warm.py) and is compared warm. With BERTH_CPU=1 the CPU of
# Berth, its PostgreSQL and distribution is recorded per round (WORKDIR/cpu.txt). BERTH_APP names another built
# quarkus-app folder to compare instead of this checkout's (an older build, a variant).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
work=$(workdir "${1:?usage: docs/bench-fs.sh WORKDIR [compare options]}")
shift
dist_port=16000 berth_port=16001 pg_port=16432

rm -rf "$work/berth-data" "$work/dist"
mkdir -p "$work/dist"
htpasswd -Bbn bench "$password" > "$work/htpasswd"
dist_pid=$("$shared/anchor-registry" start $dist_port "$work/dist" "$work/htpasswd")
pids+=("$dist_pid")
wait_for "http://127.0.0.1:$dist_port/v2/" distribution

train_aot_cache "$here" "$java" "$work"

BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/berth-data" BERTH_DATABASE_EMBEDDED_PORT=$pg_port \
  QUARKUS_HTTP_PORT=$berth_port QUARKUS_HTTP_HOST=127.0.0.1 \
  "$java" "${aot_options[@]}" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
berth_pid=$!
pids+=("$berth_pid")
wait_for "http://127.0.0.1:$berth_port/v2/" Berth
warm_berth "$here" "$shared" "$berth_port" "$password"
record_cpu "$here" "$work" berth="$berth_pid" postgres="$(head -1 "$work/berth-data/postgres/data/postmaster.pid")" \
  distribution="$dist_pid"

"$shared/registry-bench" compare --a "http://127.0.0.1:$berth_port" --a-user admin --a-password "$password" \
  --b "http://127.0.0.1:$dist_port" --b-user bench --b-password "$password" \
  --json "$work/fs-compare.json" "$@" 2>&1 | tee "$work/compare.out"
cpu_report "$here" "$work"
