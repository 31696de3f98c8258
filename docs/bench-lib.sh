# Shared by docs/bench-*.sh (sourced, with $here the repository root): the settings every script
# takes, the processes a benchmark started, stopped by PID on exit, waiting for a server to answer,
# Berth's AOT cache, its warm-up and the CPU record.

shared=${BENCH_DIR:-$here/../shared/bench}
java=${JAVA:-java}
app=${BERTH_APP:-$here/registry-server/target/quarkus-app}
password=benchpass123

# Makes the work folder and prints its absolute path.
workdir() { # PATH
  mkdir -p "$1"
  (cd "$1" && pwd)
}

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

# With BERTH_AOT=1, records Berth's AOT cache in WORK with src/main/aot/train.sh (in the storage the
# caller's environment selects) and sets aot_options to start Berth with it; otherwise leaves them empty.
aot_options=()
train_aot_cache() { # REPOSITORY_ROOT JAVA WORK
  [ "${BERTH_AOT:-}" = 1 ] || return 0
  JAVA=$2 "$1/src/main/aot/train.sh" "$1/registry-server/target/quarkus-app" "$3/berth.aot"
  aot_options=(-XX:AOTCache="$3/berth.aot")
}

# With BERTH_WARM=N, N skopeo push-and-pull round trips of the harness's skopeo image to Berth before
# the comparison (docs/bench-warm.py), so that a JIT-compiled Berth is measured at the speed it serves
# at once its first minutes are behind it. The compared distribution is a Go binary: nothing to warm.
# With BERTH_WARM_RUNS=N, N quick-scale harness runs against Berth alone come first (issue 19's warm-up).
warm_berth() { # REPOSITORY_ROOT HARNESS_DIR PORT PASSWORD
  for _ in $(seq 1 "${BERTH_WARM_RUNS:-0}"); do
    "$2/registry-bench" run --url "http://127.0.0.1:$3" --user admin --password "$4" --scale quick --no-limits \
      > /dev/null 2>&1
  done
  [ "${BERTH_WARM:-0}" -gt 0 ] || return 0
  python3 "$1/docs/bench-warm.py" "$2/registry-bench" "127.0.0.1:$3" "admin:$4" "$BERTH_WARM"
}

# With BERTH_CPU=1, samples the CPU of each NAME=PID process tree during the comparison
# (docs/bench-cpu.py) into WORK/cpu.json; cpu_report then prints it per round, from the harness's
# output in WORK/compare.out.
record_cpu() { # REPOSITORY_ROOT WORK NAME=PID...
  [ "${BERTH_CPU:-}" = 1 ] || return 0
  local root=$1 work=$2
  shift 2
  python3 "$root/docs/bench-cpu.py" record "$work/cpu.json" "$@" &
  cpu_sampler=$!
}
cpu_report() { # REPOSITORY_ROOT WORK
  [ "${BERTH_CPU:-}" = 1 ] || return 0
  wait "$cpu_sampler"
  python3 "$1/docs/bench-cpu.py" report "$2/cpu.json" "$2/compare.out" | tee "$2/cpu.txt"
}

# One s3proxy (filesystem backend under WORK/s3data, credentials bench-access / bench-secret-key) on
# 127.0.0.1:PORT, started in the background (its PID in pids) and waited for.
start_s3proxy() { # WORK PORT
  local work=$1 port=$2 jar
  jar=$(ls "$HOME"/.m2/repository/org/gaul/s3proxy/*/s3proxy-*-jar-with-dependencies.jar | tail -1)
  mkdir -p "$work/s3data"
  cat > "$work/s3proxy.conf" <<CFG
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access
s3proxy.credential=bench-secret-key
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3data
CFG
  "$java" -Xmx512m -jar "$jar" --properties "$work/s3proxy.conf" > "$work/s3proxy.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/" s3proxy
}

# distribution's configuration on its s3 driver (bucket "distribution", created by hand since it does
# not create it), listening on 127.0.0.1:PORT, without authentication; a caller may append an auth
# section.
distribution_s3_config() { # S3_ENDPOINT PORT
  cat <<CFG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  s3:
    accesskey: bench-access
    secretkey: bench-secret-key
    region: us-east-1
    regionendpoint: $1
    bucket: distribution
    secure: false
    v4auth: true
    rootdirectory: /registry
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
  redirect:
    disable: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$2
CFG
}

# Fills unset_vars with the `env -u` options docker-registry needs: it treats every REGISTRY_*
# variable as a configuration override, and its AWS SDK refuses to start when AWS_CA_BUNDLE is set
# (it cannot load a bundle into its HTTP transport). Run it as: env "${unset_vars[@]}" docker-registry ...
distribution_env() {
  local v
  unset_vars=(-u AWS_CA_BUNDLE)
  for v in $(compgen -e | grep '^REGISTRY_' || true); do unset_vars+=(-u "$v"); done
}
