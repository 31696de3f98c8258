#!/usr/bin/env bash
# Records an AOT cache for Berth (JDK 25 or newer: JEP 483, 514 and 515).
#
#   src/main/aot/train.sh [APP_DIR [CACHE]]
#
# APP_DIR is the packaged server (default registry-server/target/quarkus-app), CACHE the file to
# write (default APP_DIR/berth.aot). Start Berth with the cache afterwards:
#
#   java -XX:AOTCache=registry-server/target/quarkus-app/berth.aot -jar registry-server/target/quarkus-app/quarkus-run.jar
#
# The training run starts Berth from APP_DIR with -XX:AOTCacheOutput, on a data directory of its own
# with its embedded PostgreSQL, sends it registry traffic with curl (token logins, monolithic and
# chunked uploads, manifests, tags, catalog, blob downloads, some of them in parallel), stops it, and
# the JVM writes what it loaded, linked and profiled into CACHE. A later start maps those classes
# instead of loading them and hands the JIT the recorded profiles, so Berth starts faster and
# reaches full speed after fewer requests.
#
# Storage: the filesystem store under the training's data directory, unless the environment selects
# S3 (BERTH_STORAGE_TYPE=s3 and the BERTH_STORAGE_S3_* settings), which trains the S3 download path
# as well. Point it at a scratch bucket: the training's blobs stay there.
#
# The cache fits one JDK build and one APP_DIR: the JVM ignores it (with a warning) when either
# changed, so train again after every build, with the java that will run Berth, in the place it will
# run from. JAVA selects the java (default: JAVA_HOME's, else the PATH's); BERTH_AOT_TRAIN_PORT and
# BERTH_AOT_TRAIN_DB_PORT the two loopback ports (default 15980 and 15981).
set -euo pipefail

here=$(cd "$(dirname "$0")/../../.." && pwd)
app=$(cd "${1:-$here/registry-server/target/quarkus-app}" && pwd)
cache=${2:-$app/berth.aot}
java=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
port=${BERTH_AOT_TRAIN_PORT:-15980}
db_port=${BERTH_AOT_TRAIN_DB_PORT:-15981}
url=http://127.0.0.1:$port
password=aot-training-$RANDOM$RANDOM

major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${major:-0}" -lt 25 ]; then
  echo "train.sh: $java is Java $major; an AOT cache with profiles needs Java 25 or newer" >&2
  exit 2
fi

work=$(mktemp -d -t berth-aot-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "train.sh: $*" >&2; }

# A cache left from an earlier run must not pass for this run's.
rm -f "$cache"
log "starting Berth from $app (log: $work/berth.log)"
# Unset what would point the training at a real database or move it off loopback.
env -u BERTH_DATABASE_URL -u BERTH_DATABASE_USERNAME -u BERTH_DATABASE_PASSWORD \
    -u BERTH_TLS_CERTIFICATE_FILE -u BERTH_TLS_KEY_FILE -u BERTH_AUTH_KEYCLOAK_URL \
    BERTH_DATA_DIR="$work/data" BERTH_ADMIN_PASSWORD="$password" BERTH_DATABASE_EMBEDDED_PORT="$db_port" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" \
    "$java" -XX:AOTCacheOutput="$cache" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
server_pid=$!
fail() { log "$*"; tail -40 "$work/berth.log" >&2; exit 1; }

for attempt in $(seq 1 1200); do
  if curl -sf -o /dev/null "$url/q/health/ready"; then break; fi
  kill -0 "$server_pid" 2>/dev/null || fail "Berth stopped while starting"
  [ "$attempt" -lt 1200 ] || fail "Berth was not ready after 120 s"
  sleep 0.1
done

token() { # scope -> a bearer token
  curl -sf -u "admin:$password" "$url/token?service=berth-registry&scope=$1" |
    sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p'
}

# Blob contents: a shared random body behind a short unique header, so that every push is a new blob.
head -c $((100 * 1024 * 1024)) /dev/urandom > "$work/base"
blob() { # file name size
  { printf 'berth-aot-%s\n' "$1"; head -c "$2" "$work/base"; } > "$work/$1"
  echo "sha256:$(sha256sum "$work/$1" | cut -d' ' -f1)"
}
location() { # response headers -> absolute upload URL
  local loc
  loc=$(grep -i '^location:' | tail -1 | cut -d' ' -f2 | tr -d '\r')
  case "$loc" in http*) echo "$loc" ;; *) echo "$url$loc" ;; esac
}
with_digest() { case "$1" in *\?*) echo "$1&digest=$2" ;; *) echo "$1?digest=$2" ;; esac; }

push_monolithic() { # repo token file digest
  local loc
  loc=$(curl -sf -D - -o /dev/null -X POST -H "Authorization: Bearer $2" "$url/v2/$1/blobs/uploads/" | location)
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $2" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$3" "$(with_digest "$loc" "$4")" || fail "monolithic push to $1 failed"
}
push_single_post() { # repo token file digest
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $2" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$3" "$url/v2/$1/blobs/uploads/?digest=$4" || fail "single-POST push to $1 failed"
}
push_chunked() { # repo token file digest chunk-bytes
  local loc size offset=0 end
  size=$(stat -c %s "$3")
  loc=$(curl -sf -D - -o /dev/null -X POST -H "Authorization: Bearer $2" "$url/v2/$1/blobs/uploads/" | location)
  while [ "$offset" -lt "$size" ]; do
    end=$((offset + $5 - 1)); [ "$end" -lt "$size" ] || end=$((size - 1))
    loc=$(dd if="$3" iflag=skip_bytes,count_bytes skip="$offset" count=$((end - offset + 1)) bs=1M status=none |
      curl -sf -D - -o /dev/null -X PATCH -H "Authorization: Bearer $2" -H 'Content-Type: application/octet-stream' \
        -H "Content-Range: $offset-$end" --data-binary @- "$loc" | location) || fail "PATCH to $1 failed"
    offset=$((end + 1))
  done
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $2" "$(with_digest "$loc" "$4")" || fail "chunked push to $1 failed"
}
push_image() { # repo token tag layer-file layer-digest
  local config config_digest manifest
  config=$work/config-${1//\//_}-$3
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]},"config":{"Cmd":["/bin/sh"]}}' "$5" > "$config"
  config_digest=sha256:$(sha256sum "$config" | cut -d' ' -f1)
  push_single_post "$1" "$2" "$config" "$config_digest"
  manifest=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$config_digest" "$(stat -c %s "$config")" "$5" "$(stat -c %s "$4")")
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $2" -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "$manifest" "$url/v2/$1/manifests/$3" || fail "manifest push to $1:$3 failed"
}
repeat_get() { # count token url [curl options...]: one curl, one connection, count requests
  local count=$1 bearer=$2 target=$3; shift 3
  local args=()
  for _ in $(seq 1 "$count"); do args+=("$target" -o /dev/null); done
  curl -sf -H "Authorization: Bearer $bearer" "$@" "${args[@]}" || fail "GET $target failed"
}

accept='application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json'
started=$(date +%s)

log "pushing: 24 monolithic, 24 single-POST and 24 chunked 10 MiB blobs, 4 of 100 MiB, 60 small images"
t=$(token "repository:training/blobs:pull,push,delete")
for i in $(seq 1 24); do
  d=$(blob "m$i" $((10 * 1024 * 1024))); push_monolithic training/blobs "$t" "$work/m$i" "$d"
  d=$(blob "p$i" $((10 * 1024 * 1024))); push_single_post training/blobs "$t" "$work/p$i" "$d"
  d=$(blob "c$i" $((10 * 1024 * 1024))); push_chunked training/blobs "$t" "$work/c$i" "$d" $((2 * 1024 * 1024))
  rm -f "$work/p$i" "$work/c$i"
done
for i in 1 2; do
  d=$(blob "big$i" $((100 * 1024 * 1024))); push_monolithic training/blobs "$t" "$work/big$i" "$d"
  d=$(blob "bigc$i" $((100 * 1024 * 1024))); push_chunked training/blobs "$t" "$work/bigc$i" "$d" $((10 * 1024 * 1024))
  rm -f "$work/bigc$i"
done
big_digest=sha256:$(sha256sum "$work/big1" | cut -d' ' -f1)
for i in $(seq 1 60); do
  repo=training/app$((i % 6))
  ti=$(token "repository:$repo:pull,push")
  d=$(blob "l$i" $((256 * 1024)))
  curl -s -o /dev/null -I -H "Authorization: Bearer $ti" "$url/v2/$repo/blobs/$d"
  push_monolithic "$repo" "$ti" "$work/l$i" "$d"
  push_image "$repo" "$ti" "v$i" "$work/l$i" "$d"
  rm -f "$work/l$i"
done

log "pulling: first reads of new blobs, 100 MiB blobs, 10 MiB blobs from 8 clients at once, ranges"
# A blob's first read takes another path than later ones (direct reads on the filesystem default).
for i in $(seq 9 24); do
  d=sha256:$(sha256sum "$work/m$i" | cut -d' ' -f1)
  repeat_get 1 "$t" "$url/v2/training/blobs/blobs/$d"
done
for _ in $(seq 1 4); do repeat_get 6 "$t" "$url/v2/training/blobs/blobs/$big_digest"; done
pids=()
for c in $(seq 1 8); do
  d=sha256:$(sha256sum "$work/m$c" | cut -d' ' -f1)
  repeat_get 12 "$t" "$url/v2/training/blobs/blobs/$d" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a parallel download failed"; done
repeat_get 50 "$t" "$url/v2/training/blobs/blobs/$big_digest" -H 'Range: bytes=1048576-2097151'
repeat_get 50 "$t" "$url/v2/training/blobs/blobs/$big_digest" -I

log "reading metadata: manifests by tag and digest, tags, catalog, referrers"
ta=$(token "repository:training/app1:pull")
manifest_digest=$(curl -sf -I -H "Authorization: Bearer $ta" -H "Accept: $accept" "$url/v2/training/app1/manifests/v1" |
  grep -i '^docker-content-digest:' | cut -d' ' -f2 | tr -d '\r')
for _ in $(seq 1 6); do
  repeat_get 500 "$ta" "$url/v2/training/app1/manifests/v1" -H "Accept: $accept"
  repeat_get 500 "$ta" "$url/v2/training/app1/manifests/v1" -H "Accept: $accept" -I
  repeat_get 100 "$ta" "$url/v2/training/app1/manifests/$manifest_digest" -H "Accept: $accept"
  repeat_get 100 "$ta" "$url/v2/training/app1/tags/list?n=5"
  repeat_get 50 "$ta" "$url/v2/training/app1/referrers/$manifest_digest"
  repeat_get 100 "$(token "registry:catalog:*")" "$url/v2/_catalog?n=3"
done
basic_args=()
for _ in $(seq 1 200); do basic_args+=("$url/v2/training/app1/manifests/v1" -o /dev/null); done
curl -sf -u "admin:$password" -H "Accept: $accept" "${basic_args[@]}" || fail "GET with Basic credentials failed"

log "traffic done after $(( $(date +%s) - started )) s; stopping Berth, the JVM writes the cache"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=
[ -s "$cache" ] || fail "no AOT cache at $cache"
warnings=$(grep -cE '^\[.*\]\[(warning|error)\]\[aot' "$work/berth.log" || true)
# Classes the JVM cannot cache (signed jars, classes defined at run time, failed preloads) load as without
# a cache; they are listed in the training log, which goes with the temporary folder.
log "$warnings classes or entries could not be cached (normal: signed jars, generated classes)"
log "wrote $cache ($(du -h "$cache" | cut -f1)); start Berth with: $java -XX:AOTCache=$cache -jar $app/quarkus-run.jar"
