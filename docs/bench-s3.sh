#!/usr/bin/env bash
# Berth on S3 against CNCF distribution 2.8.2 with its own S3 driver, both on one s3proxy
# (filesystem backend), both with authentication. Everything runs on loopback under WORKDIR and is
# stopped by PID at the end.
#
#   docs/bench-s3.sh WORKDIR [registry-bench compare options, e.g. --workloads pull-blob --rounds 3]
#
# Needs: a built Berth (registry-server/target/quarkus-app), the s3proxy jar in the local Maven
# repository (./mvnw install puts it there), Debian's docker-registry and apache2-utils, and
# ../shared/bench/registry-bench (BENCH_DIR names another folder). The JSON result goes to
# WORKDIR/s3-compare.json.
#
# With BERTH_AOT=1 (JDK 25), Berth first records an AOT cache with src/main/aot/train.sh, storing the
# training's blobs in a bucket of their own on the same s3proxy, and the compared Berth starts with it.
# With BERTH_WARM=N, Berth first serves N skopeo round trips of the harness's skopeo image
# (docs/bench-warm.py) and is compared warm.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
work=$(workdir "${1:?usage: docs/bench-s3.sh WORKDIR [compare options]}")
shift
s3_port=17080 dist_port=17000 berth_port=17001 pg_port=17432

rm -rf "$work/s3data" "$work/berth-data" "$work/dist"
mkdir -p "$work/s3data" "$work/dist"

start_s3proxy "$work" $s3_port
# distribution does not create its bucket.
mkdir -p "$work/s3data/distribution"

htpasswd -Bbn bench "$password" > "$work/dist/htpasswd"
{
  distribution_s3_config "http://127.0.0.1:$s3_port" $dist_port
  cat <<CFG
auth:
  htpasswd:
    realm: bench
    path: $work/dist/htpasswd
CFG
} > "$work/dist/config.yml"
distribution_env
env "${unset_vars[@]}" docker-registry serve "$work/dist/config.yml" > "$work/dist/registry.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$dist_port/v2/" distribution

BERTH_STORAGE_TYPE=s3 BERTH_STORAGE_S3_ENDPOINT=http://127.0.0.1:$s3_port \
  BERTH_STORAGE_S3_BUCKET=berth-aot-training BERTH_STORAGE_S3_PATH_STYLE=true \
  BERTH_STORAGE_S3_ACCESS_KEY=bench-access BERTH_STORAGE_S3_SECRET_KEY=bench-secret-key \
  train_aot_cache "$here" "$java" "$work"

BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/berth-data" BERTH_DATABASE_EMBEDDED_PORT=$pg_port \
  BERTH_STORAGE_TYPE=s3 BERTH_STORAGE_S3_ENDPOINT=http://127.0.0.1:$s3_port BERTH_STORAGE_S3_BUCKET=berth \
  BERTH_STORAGE_S3_PATH_STYLE=true BERTH_STORAGE_S3_ACCESS_KEY=bench-access \
  BERTH_STORAGE_S3_SECRET_KEY=bench-secret-key QUARKUS_HTTP_PORT=$berth_port QUARKUS_HTTP_HOST=127.0.0.1 \
  "$java" "${aot_options[@]}" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$berth_port/v2/" Berth
warm_berth "$here" "$shared" "$berth_port" "$password"

"$shared/registry-bench" compare --a "http://127.0.0.1:$berth_port" --a-user admin --a-password "$password" \
  --b "http://127.0.0.1:$dist_port" --b-user bench --b-password "$password" \
  --json "$work/s3-compare.json" "$@"
