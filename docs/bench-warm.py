#!/usr/bin/env python3
"""Brings a registry to its steady state before a benchmark: ROUNDS skopeo push-and-pull round trips
of the image the harness's skopeo-copy workload uses (fresh uncompressed layers of its full scale's
sizes: 1, 5, 10, 20 and 50 MiB), each to a repository of its own, then removes its local copies.

    docs/bench-warm.py HARNESS HOST:PORT USER:PASSWORD ROUNDS

HARNESS is the registry-bench script; its own layout builder makes the layers, so the warm-up sends
the same shapes the measured rounds send. docs/bench-fs.sh and docs/bench-s3.sh call this for Berth
when BERTH_WARM is set. A JIT-compiled server needs it to be measured at the speed it serves at
after its first minutes; a Go server has nothing to warm.
"""
import importlib.machinery
import importlib.util
import shutil
import subprocess
import sys
import tempfile


def load_harness(path):
    loader = importlib.machinery.SourceFileLoader("registry_bench", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("registry_bench", loader))
    saved, sys.argv = sys.argv, [path]  # the harness reads its arguments when loaded
    try:
        loader.exec_module(module)
    finally:
        sys.argv = saved
    return module


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    harness, hostport, credentials, rounds = load_harness(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    # The layer sizes of the scale docs/bench-*.sh are run with, from the harness itself.
    layer_mib = harness.SCALES["full"]["skopeo_mib"]
    skopeo = ["skopeo", "--insecure-policy", "copy", "-q", "--preserve-digests"]
    work = tempfile.mkdtemp(prefix="berth-warm-")
    try:
        for r in range(rounds):
            source, copy = "%s/src-%d" % (work, r), "%s/dst-%d" % (work, r)
            harness.build_oci_layout(source, layer_mib, "v1")
            reference = "docker://%s/warm-up/r%d:v1" % (hostport, r)
            subprocess.run(skopeo + ["--dest-tls-verify=false", "--dest-creds=" + credentials,
                                     "oci:%s:v1" % source, reference], check=True)
            subprocess.run(skopeo + ["--dest-oci-accept-uncompressed-layers", "--src-tls-verify=false",
                                     "--src-creds=" + credentials, reference, "oci:%s:v1" % copy], check=True)
            shutil.rmtree(source)
            shutil.rmtree(copy)
        print("bench-warm.py: %d skopeo round trips to %s" % (rounds, hostport), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
