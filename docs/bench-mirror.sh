#!/usr/bin/env bash
# The pull-through cache against CNCF distribution 2.8.2 in proxy mode (proxy.remoteurl), both
# mirroring one upstream distribution on loopback, each with fresh data under WORKDIR:
#   cold    skopeo copy of an uncached image (1+5+10+20+50 MiB layers) from the mirror into an oci:
#           layout, against the same copy of another such image straight from the upstream;
#   warm    the copy again, now cached, against a copy from a repository pushed into Berth itself;
#   herd    8 concurrent cold copies of one image: the blob GETs the upstream served, per blob;
#   ttfb    time to the first byte of an uncached 100 MiB layer, against the upstream's own.
# Every image is used once per measurement, so "cold" is cold. Prints one line per sample and a summary.
#
#   docs/bench-mirror.sh WORKDIR [ROUNDS=3]
#
# Needs a built Berth (registry-server/target/quarkus-app), Debian's docker-registry and skopeo.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
work=$(workdir "${1:?usage: docs/bench-mirror.sh WORKDIR [ROUNDS]}")
rounds=${2:-3}
up_port=16100 berth_port=16101 proxy_port=16102 pg_port=16432
rm -rf "$work/up" "$work/proxy" "$work/berth-data" "$work/images" "$work/out"
mkdir -p "$work/up" "$work/proxy" "$work/out"
distribution_env

registry_config() { # DIR PORT [EXTRA]
  cat > "$1/config.yml" <<CFG
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $1/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$2
${3:-}
CFG
}
registry_config "$work/up" $up_port
registry_config "$work/proxy" $proxy_port "proxy:
  remoteurl: http://127.0.0.1:$up_port"
env "${unset_vars[@]}" docker-registry serve "$work/up/config.yml" > "$work/up/registry.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$up_port/v2/" upstream
# The proxy asks the upstream at start, and exits if it cannot reach it.
env "${unset_vars[@]}" docker-registry serve "$work/proxy/config.yml" > "$work/proxy/registry.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$proxy_port/v2/" "distribution's proxy"

BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/berth-data" BERTH_DATABASE_EMBEDDED_PORT=$pg_port \
  QUARKUS_HTTP_PORT=$berth_port QUARKUS_HTTP_HOST=127.0.0.1 \
  BERTH_MIRROR_UPSTREAMS_UP_URL=http://127.0.0.1:$up_port BERTH_MIRROR_UPSTREAMS_UP_NAMESPACE=up \
  BERTH_MIRROR_UPSTREAMS_UP_ANONYMOUS_PULL=true \
  "$java" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$berth_port/v2/" Berth

# Images: per round one straight from the upstream, one cold through each mirror; one for the herds
# of each mirror; one pushed into Berth itself for the warm comparison.
images=$((3 * rounds + 3))
python3 "$here/docs/bench-mirror-images.py" "$work/images" "$images"
for n in $(seq 0 $((images - 1))); do
  skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$work/images/image-$n:1" \
    "docker://127.0.0.1:$up_port/library/image-$n:1"
done
skopeo copy -q --preserve-digests --dest-tls-verify=false --dest-creds "admin:$password" \
  "oci:$work/images/image-$((images - 1)):1" "docker://127.0.0.1:$berth_port/local/image:1"
# Public, so that it is pulled anonymously, as the mirror is.
curl -sf -o /dev/null -u "admin:$password" -X PUT -H 'Content-Type: application/json' -d '{"public": true}' \
  "http://127.0.0.1:$berth_port/api/v1/repositories/local/image/visibility"

copy() { # REFERENCE: prints the seconds a copy into a fresh oci: layout took
  local out start end
  out=$(mktemp -d "$work/out/copy-XXXX")
  start=$(date +%s.%N)
  skopeo copy -q --preserve-digests --src-tls-verify=false "docker://$1" "oci:$out:1"
  end=$(date +%s.%N)
  rm -rf "$out"
  echo "$end - $start" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: > "$work/samples.txt"
: > "$work/columns.txt"
for r in $(seq 0 $((rounds - 1))); do
  d=$(copy "127.0.0.1:$up_port/library/image-$((3 * r)):1")
  b=$(copy "127.0.0.1:$berth_port/up/library/image-$((3 * r + 1)):1")
  p=$(copy "127.0.0.1:$proxy_port/library/image-$((3 * r + 2)):1")
  bw=$(copy "127.0.0.1:$berth_port/up/library/image-$((3 * r + 1)):1")
  bl=$(copy "127.0.0.1:$berth_port/local/image:1")
  echo "round $r: upstream $d s, berth cold $b s, distribution proxy cold $p s, berth warm $bw s, berth local $bl s" \
    | tee -a "$work/samples.txt"
  echo "$d $b $p $bw $bl" >> "$work/columns.txt"
done

herd() { # REGISTRY/PATH
  local i copies=()
  for i in $(seq 1 8); do copy "$1" > /dev/null & copies+=($!); done
  wait "${copies[@]}"
}
herd "127.0.0.1:$berth_port/up/library/image-$((3 * rounds)):1"
herd "127.0.0.1:$proxy_port/library/image-$((3 * rounds + 1)):1"
blob_gets() { grep -c "\"GET /v2/library/image-$1/blobs/sha256:[0-9a-f]* HTTP/1.1\" 200" "$work/up/registry.log" || true; }
berth_gets=$(blob_gets $((3 * rounds)))
proxy_gets=$(blob_gets $((3 * rounds + 1)))

# TTFB of an uncached 100 MiB layer: one layer each, pushed to the upstream.
ttfb() { curl -s -o /dev/null -w '%{time_starttransfer}' "$1"; }
for which in direct berth; do
  head -c $((100 * 1024 * 1024)) /dev/urandom > "$work/big.bin"
  digest=sha256:$(sha256sum "$work/big.bin" | cut -d' ' -f1)
  location=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$up_port/v2/library/big/blobs/uploads/" \
    | tr -d '\r' | sed -n 's/^Location: //Ip')
  case $location in http*) ;; *) location=http://127.0.0.1:$up_port$location ;; esac
  curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$work/big.bin" \
    "$location&digest=$digest"
  if [ $which = direct ]; then
    ttfb_direct=$(ttfb "http://127.0.0.1:$up_port/v2/library/big/blobs/$digest")
  else
    ttfb_berth=$(ttfb "http://127.0.0.1:$berth_port/v2/up/library/big/blobs/$digest")
  fi
done
rm -f "$work/big.bin"

read -r d b p bw bl < <(awk '{for (i = 1; i <= 5; i++) print $i > "'"$work"'/col" i}' "$work/columns.txt";
  for i in 1 2 3 4 5; do median < "$work/col$i"; done | paste -sd' ')
cat <<OUT | tee "$work/summary.txt"
medians of $rounds rounds (seconds for a skopeo copy of 86 MiB in 5 layers into an oci: layout):
  straight from the upstream          $d
  Berth, cold                         $b   ratio upstream/Berth = $(echo "scale=3; $d / $b" | bc)
  distribution's proxy, cold          $p   ratio upstream/proxy = $(echo "scale=3; $d / $p" | bc)
  Berth, warm (cached)                $bw
  Berth, a repository pushed to it    $bl   ratio local/warm = $(echo "scale=3; $bl / $bw" | bc)
8 concurrent cold copies of one image, blob GETs the upstream served (6 blobs per image: 5 layers and the config):
  Berth $berth_gets, distribution's proxy $proxy_gets
time to first byte of an uncached 100 MiB layer: upstream $ttfb_direct s, through Berth $ttfb_berth s
OUT
