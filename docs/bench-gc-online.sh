#!/usr/bin/env bash
# Push and pull throughput while the online garbage collector works (issue 21), against the same Berth
# without collection. Two Berth instances of one build on the embedded default (filesystem blobs,
# embedded PostgreSQL), each with its own data folder: A collects every second (BERTH_GC_INTERVAL=1s,
# grace 30 s, an orphan scan of the store every minute), B never (BERTH_GC_ENABLED=false). Against each
# runs a garbage generator (docs/bench-gc-images.py churn: CHURN_RATE images a second, 5 by default,
# each of a config and three unique layers of 1-32 KiB, pushed and at once deleted by digest), so A's
# collector always has something to free; then registry-bench compares A with B. At the end the
# script prints the ratios, what the generators did, and A's (and B's) garbage collection runs and
# what they freed, so one can see the collector really worked during the comparison. Everything runs
# on loopback under WORKDIR and is stopped by PID at the end.
#
#   docs/bench-gc-online.sh WORKDIR [registry-bench compare options, e.g. --workloads push-mono,manifest-get]
#
# Needs: a built Berth (registry-server/target/quarkus-app, or BERTH_APP), JAVA (a JDK 25 java), curl,
# python3, and ../shared/bench/registry-bench with its tools (BENCH_DIR names another folder). The
# JSON result goes to WORKDIR/gc-online-compare.json. The grace period is 30 s rather than the
# default hour so that the generators' garbage is freed while the comparison runs; a workload that
# came back to content it left alone for longer would find it collected on A.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
work=$(workdir "${1:?usage: docs/bench-gc-online.sh WORKDIR [compare options]}")
shift
a_port=16101 b_port=16103 a_pg=16501 b_pg=16503
images="$here/docs/bench-gc-images.py"

rm -rf "$work/a-data" "$work/b-data" "$work/gc-online-compare.json"
start_berth() { # LABEL PORT PG_PORT ENV...
  local label=$1 port=$2 pg=$3
  shift 3
  env "$@" BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/$label-data" BERTH_DATABASE_EMBEDDED_PORT=$pg \
    QUARKUS_HTTP_PORT=$port QUARKUS_HTTP_HOST=127.0.0.1 \
    "$java" -jar "$app/quarkus-run.jar" > "$work/berth-$label.log" 2>&1 &
  pids+=($!)
}
start_berth a $a_port $a_pg BERTH_GC_ENABLED=true BERTH_GC_INTERVAL=1s BERTH_GC_GRACE=30s \
  BERTH_GC_ORPHAN_SCAN_INTERVAL=1m
start_berth b $b_port $b_pg BERTH_GC_ENABLED=false
wait_for "http://127.0.0.1:$a_port/v2/" "Berth A"
wait_for "http://127.0.0.1:$b_port/v2/" "Berth B"

churn_pids=()
for target in a:$a_port b:$b_port; do
  python3 "$images" churn --registry "http://admin:$password@127.0.0.1:${target#*:}" --rate "${CHURN_RATE:-5}" \
    --seed "${target#*:}" > "$work/churn-${target%%:*}.log" 2>&1 &
  pids+=($!)
  churn_pids+=($!)
done
# Let garbage pile up and A's collector settle into its rhythm before the first round.
sleep 10

status=0
"$shared/registry-bench" compare --a "http://127.0.0.1:$a_port" --a-user admin --a-password "$password" \
  --b "http://127.0.0.1:$b_port" --b-user admin --b-password "$password" --no-limits \
  --json "$work/gc-online-compare.json" "$@" 2>&1 | tee "$work/compare.out" || status=$?

for pid in "${churn_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${churn_pids[@]}"; do wait "$pid" 2>/dev/null || true; done

echo
echo "== A (collecting) / B (not collecting), >1 means A is better"
if [ -f "$work/gc-online-compare.json" ]; then
  python3 - "$work/gc-online-compare.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for k, v in doc["ratios"].items():
    print("  %-24s %.2f" % (k, v))
print("  errors: %d" % doc["errors_total"])
PY
fi
echo "== garbage generators"
cat "$work/churn-a.log" "$work/churn-b.log"
echo "== garbage collection runs"
for target in A:$a_port B:$b_port; do
  curl -sf -u "admin:$password" "http://127.0.0.1:${target#*:}/api/v1/gc/runs?limit=1000" > "$work/gc-runs-${target%%:*}.json"
  python3 - "${target%%:*}" "$work/gc-runs-${target%%:*}.json" <<'PY'
import collections, datetime, json, sys
label, runs = sys.argv[1], json.load(open(sys.argv[2]))
at = lambda r, k: datetime.datetime.fromisoformat(r[k].replace("Z", "+00:00"))
statuses = collections.Counter(r["status"] for r in runs)
items, size = collections.Counter(), collections.Counter()
busy = 0.0
for r in runs:
    if r["dryRun"]:
        continue
    for kind, k in r["kinds"].items():
        items[kind] += k["items"]
        size[kind] += k["bytes"]
    if r.get("startedAt") and r.get("finishedAt"):
        busy += (at(r, "finishedAt") - at(r, "startedAt")).total_seconds()
span = ""
if runs:
    first, last = min(at(r, "createdAt") for r in runs), max(at(r, "createdAt") for r in runs)
    span = " over %.0f s" % (last - first).total_seconds()
full = sum(1 for r in runs if r.get("fullPass"))
print("%s: %d runs%s%s (%s; %d with an orphan scan%s), %.1f s spent collecting; freed: %s; errors: %d" % (
    label, len(runs), span, " (the newest 1000 only)" if len(runs) == 1000 else "",
    ", ".join("%s %d" % kv for kv in sorted(statuses.items())) or "none", sum(1 for r in runs if r["orphanScan"]),
    ", %d full passes" % full if any("fullPass" in r for r in runs) else "", busy,
    ", ".join("%s %d items (%.1f MiB)" % (k, items[k], size[k] / 1048576) for k in items if items[k]) or "nothing",
    sum(len(r["errors"]) for r in runs)))
PY
done
exit "$status"
