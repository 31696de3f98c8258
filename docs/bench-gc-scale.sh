#!/usr/bin/env bash
# How a garbage collection run that finds nothing costs as the registry grows (issue 21: within 2x from
# 1,000 to 1,000,000 blob rows). Berth on its embedded default; the rows are generated in SQL: one
# manifest that references every blob, each blob linked into one repository, all of them 30 days old,
# so nothing is garbage but every row is older than the grace period. Six runs per size, through the
# admin API, timed from the run's start to its end as the run records them: the first is a full pass
# (the run table is emptied with the rows, so the orphan scan is due), the next five look only at what
# changed since the run before (the first few of them also warm the JIT up).
#
#   docs/bench-gc-scale.sh WORKDIR [SIZE ...]      (sizes default to 1000 1000000)
#
# Needs a built Berth (registry-server/target/quarkus-app), curl, python3 and Debian's psql.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=docs/bench-lib.sh
. "$here/docs/bench-lib.sh"
work=$(workdir "${1:?usage: docs/bench-gc-scale.sh WORKDIR [SIZE ...]}")
shift
sizes=("${@:-1000 1000000}")
read -r -a sizes <<< "${sizes[*]}"
berth_port=16011 pg_port=16452

rm -rf "$work/berth-data"
BERTH_ADMIN_PASSWORD=$password BERTH_DATA_DIR="$work/berth-data" BERTH_DATABASE_EMBEDDED_PORT=$pg_port \
  BERTH_GC_ENABLED=false QUARKUS_HTTP_PORT=$berth_port QUARKUS_HTTP_HOST=127.0.0.1 \
  "$java" -jar "$app/quarkus-run.jar" > "$work/berth.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$berth_port/v2/" Berth

sql() {
  PGPASSWORD=$(cat "$work/berth-data/postgres/password") psql -q -h 127.0.0.1 -p $pg_port -U postgres postgres "$@"
}
field() { # JSON FIELD
  python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}
millis() { # JSON: from startedAt to finishedAt
  python3 -c 'import json, sys, datetime as d
r = json.loads(sys.argv[1]); t = lambda k: d.datetime.fromisoformat(r[k].replace("Z", "+00:00"))
print(round((t("finishedAt") - t("startedAt")).total_seconds() * 1000))' "$1"
}

for n in "${sizes[@]}"; do
  sql > /dev/null 2>&1 <<SQL
truncate manifest_blob, manifest_child, tag, repository_blob, manifest, blob, repository, gc_run, gc_suspect restart identity cascade;
insert into repository (name) values ('scale/app');
insert into manifest (repository_id, digest, media_type, size, content, created_at, last_referenced_at)
  values (1, 'sha256:' || repeat('0', 64), 'application/vnd.oci.image.manifest.v1+json', 2, '{}',
          now() - interval '30 days', now() - interval '30 days');
insert into blob (digest, size, created_at, last_referenced_at)
  select 'sha256:' || lpad(to_hex(i), 64, '0'), 1000, now() - interval '30 days', now() - interval '30 days'
  from generate_series(1, $n) i;
insert into repository_blob (repository_id, blob_digest, created_at, last_referenced_at)
  select 1, digest, created_at, last_referenced_at from blob;
insert into manifest_blob (manifest_id, blob_digest) select 1, digest from blob;
analyze;
SQL
  for round in 1 2 3 4 5 6; do
    started=$(curl -s -u "admin:$password" -H 'Content-Type: application/json' -d '{"dryRun": false}' \
      "http://127.0.0.1:$berth_port/api/v1/gc")
    id=$(field "$started" id)
    while :; do
      run=$(curl -s -u "admin:$password" "http://127.0.0.1:$berth_port/api/v1/gc/runs/$id")
      status=$(field "$run" status)
      if [ "$status" != pending ] && [ "$status" != running ]; then break; fi
      sleep 0.2
    done
    echo "$n blob rows, run $round: $status in $(millis "$run") ms, orphan scan: $(field "$run" orphanScan), full pass: $(field "$run" fullPass)"
  done
done
