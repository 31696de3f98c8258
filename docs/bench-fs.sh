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
# harness's skopeo image (docs/bench-warm.py) and is compared warm. BERTH_APP names another built
# quarkus-app folder to compare instead of this checkout's (an older build, a variant).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: docs/bench-fs.sh WORKDIR [compare options]}
shift
mkdir -p "$work"
work=$(cd "$work" && pwd)
shared=${BENCH_DIR:-$here/../shared/bench}
java=${JAVA:-java}
app=${BERTH_APP:-$here/registry-server/target/quarkus-app}
password=benchpass123
dist_port=16000 berth_port=16001 pg_port=16432

# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"

rm -rf "$work/berth-data" "$work/dist"
mkdir -p "$work/dist"
htpasswd -Bbn bench "$password" > "$work/htpasswd"
pids+=("$("$shared/anchor-registry" start $dist_port "$work/dist" "$work/htpasswd")")
wait_for "http://127.0.0.1:$dist_port/v2/" distribution

train_aot_cache "$here" "$java" "$work"

BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/berth-data" BERTH_DATABASE_EMBEDDED_PORT=$pg_port \
  QUARKUS_HTTP_PORT=$berth_port QUARKUS_HTTP_HOST=127.0.0.1 \
  "$java" "${aot_options[@]}" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$berth_port/v2/" Berth
warm_berth "$here" "$shared" "$berth_port" "$password"

"$shared/registry-bench" compare --a "http://127.0.0.1:$berth_port" --a-user admin --a-password "$password" \
  --b "http://127.0.0.1:$dist_port" --b-user bench --b-password "$password" \
  --json "$work/fs-compare.json" "$@"
