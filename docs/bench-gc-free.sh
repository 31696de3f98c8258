#!/usr/bin/env bash
# How fast Berth's online garbage collector frees N unreferenced blobs, against CNCF distribution
# 2.8.2's offline `docker-registry garbage-collect --delete-untagged` on the same content (issue 21).
# Both registries run side by side on loopback on the same kind of store: with --store s3 (the
# default) one s3proxy (filesystem backend) with a bucket each, distribution on its s3 driver and
# Berth on BERTH_STORAGE_TYPE=s3; with --store fs distribution's filesystem driver and Berth's
# embedded default. The same images (docs/bench-gc-images.py: one config and four layers each,
# unique random blobs of 1 KiB to 1 MiB, about 100 KiB on average) are pushed to both and then
# deleted by digest, so all N blobs are unreferenced. Distribution is then stopped (its collector
# needs the registry down) and `garbage-collect` timed; Berth (BERTH_GC_ENABLED=false, grace 1 s)
# runs one collection asked for through POST /api/v1/gc, timed from the POST until its report says
# it ended (polled every 50 ms; the run's own start and end are printed too). As on a registry in
# service, that run is an incremental one: a first run, before the deletes, walks the store and sets
# the cutoff it starts from. With --full the timed run is a full pass instead (every row, and a walk
# of the store for orphans, as Berth does once a day). The objects left in
# each store are counted before and after; distribution's garbage-collect leaves the repositories'
# layer links (one small file per blob), which are counted apart from its blobs/. One RESULT line
# gives both times and distribution/berth (>1: Berth is faster). Everything runs under WORKDIR and is
# stopped by PID at the end.
#
# --s3-latency MS (s3 store only; 0, the default, runs as without it) emulates a remote S3: on loopback
# a request costs s3proxy's own work and no round trip, while a real S3 answers each one ~10-30 ms
# later, so a collector that makes one or more requests per blob, one after another (distribution
# lists and deletes each blob on its own), pays that N times where one that batches (Berth's
# multi-object deletes, 500 keys a request) pays it a few times. Both registries then reach s3proxy
# through docs/s3-latency-proxy.py, which forwards every request unchanged and adds the delay once per
# request, before it forwards it (not per byte, nor on the response). The delay is 0 while the images
# are pushed and deleted and during Berth's first run, and MS only while distribution's
# garbage-collect and Berth's timed run go on; the proxy's counters are zeroed before each of the two
# and the S3 requests each made are printed after it, by kind (GET-list is a bucket listing,
# POST-delete a multi-object delete; the keys those carried are added up apart).
#
#   docs/bench-gc-free.sh WORKDIR [--store fs|s3] [--blobs N] [--full] [--s3-latency MS]
#                                                         (s3, 10000 blobs and no latency by default)
#
# Needs: a built Berth (registry-server/target/quarkus-app, or BERTH_APP), JAVA (a JDK 25 java), the
# s3proxy jar in the local Maven repository for s3 (./mvnw install puts it there), Debian's
# docker-registry, curl, python3, and ../shared/bench/anchor-registry for fs (BENCH_DIR names another
# folder).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
usage="usage: docs/bench-gc-free.sh WORKDIR [--store fs|s3] [--blobs N] [--full] [--s3-latency MS]"
work=$(workdir "${1:?$usage}")
shift
store=s3 blobs=10000 full=false latency=0
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=true; shift ;;
    --store) store=${2:?$usage}; shift 2 ;;
    --blobs) blobs=${2:?$usage}; shift 2 ;;
    --s3-latency) latency=${2:?$usage}; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$store" in fs|s3) ;; *) echo "$usage" >&2; exit 2 ;; esac
if ! [[ "$latency" =~ ^[0-9]+([.][0-9]+)?$ ]]; then echo "$usage (MS: a number of milliseconds)" >&2; exit 2; fi
latency_on=false
if python3 -c 'import sys; sys.exit(float(sys.argv[1]) <= 0)' "$latency"; then latency_on=true; fi
if [ "$latency_on" = true ] && [ "$store" != s3 ]; then echo "--s3-latency is for --store s3 only" >&2; exit 2; fi
s3_port=17180 proxy_port=17181 dist_port=17100 berth_port=17101 pg_port=17532
images="$here/docs/bench-gc-images.py"
berth_url=http://127.0.0.1:$berth_port

rm -rf "$work/s3data" "$work/berth-data" "$work/dist"
mkdir -p "$work/dist"

distribution_env

berth_env=()
if [ "$store" = s3 ]; then
  start_s3proxy "$work" $s3_port
  s3_endpoint=http://127.0.0.1:$s3_port
  if [ "$latency_on" = true ]; then
    # Both registries reach s3proxy through the latency proxy; its delay stays 0 until a timed collection.
    delay_file=$work/s3-delay-ms
    : > "$delay_file"
    python3 "$here/docs/s3-latency-proxy.py" --listen $proxy_port --upstream "http://127.0.0.1:$s3_port" \
      --delay-file "$delay_file" > "$work/s3-latency-proxy.log" 2>&1 &
    pids+=($!)
    s3_endpoint=http://127.0.0.1:$proxy_port
    wait_for "$s3_endpoint/__proxy/stats" s3-latency-proxy
  fi
  # distribution does not create its bucket.
  mkdir -p "$work/s3data/distribution"
  dist_config=$work/dist/config.yml
  distribution_s3_config "$s3_endpoint" $dist_port > "$dist_config"
  env "${unset_vars[@]}" docker-registry serve "$dist_config" > "$work/dist/registry.log" 2>&1 &
  dist_pid=$!
  pids+=("$dist_pid")
  dist_blobs=$work/s3data/distribution/registry/docker/registry/v2/blobs
  dist_all=$work/s3data/distribution
  berth_blobs=$work/s3data/berth
  berth_env=(BERTH_STORAGE_TYPE=s3 BERTH_STORAGE_S3_ENDPOINT=$s3_endpoint BERTH_STORAGE_S3_BUCKET=berth
    BERTH_STORAGE_S3_PATH_STYLE=true BERTH_STORAGE_S3_ACCESS_KEY=bench-access
    BERTH_STORAGE_S3_SECRET_KEY=bench-secret-key)
else
  # anchor-registry's configuration: filesystem driver, delete enabled, no authentication.
  dist_pid=$("$shared/anchor-registry" start $dist_port "$work/dist")
  pids+=("$dist_pid")
  dist_config=$work/dist/config.yml
  dist_blobs=$work/dist/storage/docker/registry/v2/blobs
  dist_all=$work/dist/storage
  berth_blobs=$work/berth-data/blobs
fi
wait_for "http://127.0.0.1:$dist_port/v2/" distribution

env "${berth_env[@]}" BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/berth-data" \
  BERTH_DATABASE_EMBEDDED_PORT=$pg_port BERTH_GC_ENABLED=false BERTH_GC_GRACE=1s \
  QUARKUS_HTTP_PORT=$berth_port QUARKUS_HTTP_HOST=127.0.0.1 \
  "$java" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
pids+=($!)
wait_for "$berth_url/v2/" Berth

files() { # DIR: regular files under it (0 if it does not exist)
  if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi
}
counts() { # WHEN
  echo "$1: distribution $(files "$dist_blobs") files under blobs/ ($(files "$dist_all") in its whole store)," \
    "Berth $(files "$berth_blobs") files in its store"
}
now() { date +%s.%N; }

# With --s3-latency: the proxy's delay, its counters zeroed, and the requests one bucket's owner made.
set_delay() { # MS
  [ "$latency_on" = true ] || return 0
  printf '%s\n' "$1" > "$delay_file.new"
  mv "$delay_file.new" "$delay_file"
}
reset_requests() { # NAME: what was counted up to now is left in WORK/s3-requests-before-NAME.json
  [ "$latency_on" = true ] || return 0
  curl -sf -X POST "$s3_endpoint/__proxy/reset" > "$work/s3-requests-before-$1.json"
}
print_requests() { # WHO BUCKET
  [ "$latency_on" = true ] || return 0
  curl -sf "$s3_endpoint/__proxy/stats" > "$work/s3-requests-$2.json"
  python3 - "$work/s3-requests-$2.json" "$1" "$2" "$latency" <<'PY'
import json, sys
stats, who, bucket, ms = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
mine = stats.get("buckets", {}).get(bucket, {})
order = ["GET", "GET-list", "HEAD", "PUT", "POST", "POST-delete", "DELETE"]
counted_apart = ["total", "POST-delete-keys", "bodies-chunked", "bodies-aws-chunked"]
kinds = order + sorted(k for k in mine if k not in order + counted_apart)
text = ", ".join("%s %d" % (k, mine[k]) for k in kinds if mine.get(k))
if mine.get("POST-delete-keys"):
    text += " (%d keys in the POST-deletes)" % mine["POST-delete-keys"]
others = stats.get("total", 0) - mine.get("total", 0)
print("%s made %d S3 requests at %s ms each: %s%s" % (who, mine.get("total", 0), ms, text or "none",
      "; %d more to other buckets meanwhile" % others if others else ""))
PY
}
seconds() { # START END
  python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"
}

berth_run() { # FULL: starts a deleting run, waits for it to end, leaves its JSON in $run and its status in $status
  run=$(curl -sf -u "admin:$password" -H 'Content-Type: application/json' -d "{\"dryRun\": false, \"full\": $1}" \
    "$berth_url/api/v1/gc")
  id=$(printf '%s' "$run" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  while :; do
    run=$(curl -sf -u "admin:$password" "$berth_url/api/v1/gc/runs/$id")
    status=$(printf '%s' "$run" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
    if [ "$status" != pending ] && [ "$status" != running ]; then break; fi
    sleep 0.05
  done
}

echo "== $store store, $blobs blobs$([ "$full" = true ] && echo ", Berth timed on a full pass")$(
  [ "$latency_on" = true ] && echo ", $latency ms added to each S3 request of the timed collections")"
python3 "$images" push --registry "http://127.0.0.1:$dist_port" \
  --registry "http://admin:$password@127.0.0.1:$berth_port" --blobs "$blobs" --list "$work/images.jsonl"
# Berth's first run: it walks the (still fully referenced) store and sets the cutoff the next run starts from.
berth_run false
echo "Berth's first run, before the deletes: $status"
python3 "$images" delete --registry "http://127.0.0.1:$dist_port" \
  --registry "http://admin:$password@127.0.0.1:$berth_port" --list "$work/images.jsonl"
counts "before collection"

# distribution: its garbage-collect runs on a stopped registry.
kill "$dist_pid"
for _ in $(seq 1 100); do kill -0 "$dist_pid" 2>/dev/null || break; sleep 0.1; done
reset_requests distribution-gc
set_delay "$latency"
started=$(now)
if ! env "${unset_vars[@]}" docker-registry garbage-collect --delete-untagged "$dist_config" > "$work/dist/gc.log" 2>&1; then
  tail -20 "$work/dist/gc.log" >&2; exit 1
fi
dist_seconds=$(seconds "$started" "$(now)")
set_delay 0
echo "distribution garbage-collect: $dist_seconds s; it printed: $(grep 'blobs marked' "$work/dist/gc.log" | tail -1)"
print_requests "distribution garbage-collect" distribution

# Berth: past the 1 s grace period, one run asked for through the admin API (whose login and code path
# are warmed first by reading the run list, so the time is the collector's).
curl -sf -u "admin:$password" "$berth_url/api/v1/gc/runs" > /dev/null
sleep 2
reset_requests berth-gc
set_delay "$latency"
started=$(now)
berth_run "$full"
berth_seconds=$(seconds "$started" "$(now)")
set_delay 0
echo "$run" > "$work/berth-gc-run.json"
python3 - "$work/berth-gc-run.json" "$berth_seconds" <<'PY'
import datetime, json, sys
r = json.load(open(sys.argv[1]))
at = lambda k: datetime.datetime.fromisoformat(r[k].replace("Z", "+00:00"))
kinds = ", ".join("%s %d items, %d bytes" % (k, r["kinds"].get(k, {}).get("items", 0), r["kinds"].get(k, {}).get("bytes", 0))
                  for k in ("BLOB", "LINK"))
print("Berth gc run %d: %s in %s s from the POST (%.2f s from its start to its end); %s; note: %s; orphan scan: %s%s; "
      "errors: %s" % (r["id"], r["status"], sys.argv[2], (at("finishedAt") - at("startedAt")).total_seconds(), kinds,
                      r["note"], r["orphanScan"], "; full pass: %s" % r["fullPass"] if "fullPass" in r else "",
                      r["errors"] or "none"))
PY
print_requests "Berth's gc run" berth

counts "after collection"
echo "RESULT store=$store blobs=$blobs$([ "$latency_on" = true ] && echo " s3_latency=${latency}ms")" \
  "berth=${berth_seconds}s distribution=${dist_seconds}s" \
  "distribution/berth=$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' \
  "$dist_seconds" "$berth_seconds")"
[ "$status" = finished ]
