#!/usr/bin/env python3
"""Images for the garbage collection benchmarks (docs/bench-gc-free.sh, docs/bench-gc-online.sh).

  bench-gc-images.py push   --registry URL [--registry URL ...] --blobs N --list FILE
                            [--seed S] [--layers L] [--repos R] [--prefix NAME] [--workers W]
  bench-gc-images.py delete --registry URL [--registry URL ...] --list FILE [--workers W]
  bench-gc-images.py churn  --registry URL [--rate IMAGES_PER_S] [--layers L] [--seed S]
                            [--prefix NAME] [--max-seconds S] [--workers W]

A registry is http://HOST:PORT or http://USER:PASSWORD@HOST:PORT (HTTP Basic on every request).

push: N blobs, as images of one config and L layers each (the last image may have fewer), every
blob unique and the same for the same seed: layer sizes are mixed, 55 % of 1-16 KiB, 33 % of
16-256 KiB and 12 % of 256 KiB-1 MiB (about 100 KiB a blob with the configs, so 10,000 blobs are
about 1 GiB), random bytes from the seed. Every image goes to every registry given, through the
OCI distribution API (POST /v2/<name>/blobs/uploads/, then PUT <location>&digest= with the bytes;
PUT /v2/<name>/manifests/<tag> with an OCI image manifest), by a pool of W threads; images are
spread over R repositories. FILE gets one JSON line per image (repository, tag, manifest digest).

delete: DELETE /v2/<name>/manifests/<digest> of every image in FILE on every registry, so what they
referenced becomes unreferenced.

churn: garbage at a fixed rate until killed (or --max-seconds): pushes an image of one config and
L small unique layers (1-32 KiB) and deletes its manifest by digest at once, RATE images a second
(made on one thread, sent by a pool of W threads, 3 by default, so a slow request does not lower the
rate). It prints what it did, and the rate it reached, when it stops (SIGTERM or SIGINT).

Python 3 standard library only.
"""

import argparse
import base64
import concurrent.futures
import hashlib
import http.client
import json
import random
import signal
import sys
import threading
import time
import urllib.parse

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
KiB = 1024
MiB = 1024 * KiB


class Registry:
    """One registry: its address, its credentials, and a keep-alive connection per thread."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise SystemExit("only http:// registries: %s" % url)
        self.host, self.port = u.hostname, u.port or 80
        self.label = "%s:%d" % (self.host, self.port)
        self.auth = None
        if u.username is not None:
            cred = "%s:%s" % (urllib.parse.unquote(u.username), urllib.parse.unquote(u.password or ""))
            self.auth = "Basic " + base64.b64encode(cred.encode()).decode()
        self.local = threading.local()

    def request(self, method, path, body=None, headers=None):
        """Sends one request and returns (status, headers, body); one retry on a broken connection."""
        hdrs = dict(headers or {})
        if self.auth:
            hdrs["Authorization"] = self.auth
        if body is not None:
            hdrs["Content-Length"] = str(len(body))
        elif method in ("POST", "PUT"):
            hdrs["Content-Length"] = "0"
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    self.local.conn = None
                return resp.status, resp, data
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise


def fail(reg, what, status, data):
    raise RuntimeError("%s: %s: HTTP %d %s" % (reg.label, what, status, data[:300].decode("utf-8", "replace")))


def push_blob(reg, name, data, digest):
    """POST an upload, then PUT the bytes with their digest (what docker and containerd do)."""
    status, resp, body = reg.request("POST", "/v2/%s/blobs/uploads/" % name)
    if status != 202:
        fail(reg, "POST upload in " + name, status, body)
    loc = urllib.parse.urlsplit(resp.getheader("Location"))
    path = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=" + urllib.parse.quote(digest)
    status, _, body = reg.request("PUT", path, body=data, headers={"Content-Type": "application/octet-stream"})
    if status != 201:
        fail(reg, "PUT blob %s in %s" % (digest, name), status, body)


def put_manifest(reg, name, ref, manifest):
    status, _, body = reg.request("PUT", "/v2/%s/manifests/%s" % (name, ref), body=manifest,
                                  headers={"Content-Type": OCI_MANIFEST})
    if status != 201:
        fail(reg, "PUT manifest %s:%s" % (name, ref), status, body)


def delete_manifest(reg, name, digest):
    status, _, body = reg.request("DELETE", "/v2/%s/manifests/%s" % (name, digest))
    if status != 202:
        fail(reg, "DELETE manifest %s@%s" % (name, digest), status, body)


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image(label, layers):
    """An OCI image of the given layer bytes: (config bytes, manifest bytes, manifest digest)."""
    descs = [{"mediaType": OCI_LAYER, "digest": sha256(d), "size": len(d)} for d in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Labels": {"bench.image": label}},
                         "rootfs": {"type": "layers", "diff_ids": [x["digest"] for x in descs]}},
                        sort_keys=True).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
                           "layers": descs}, sort_keys=True).encode()
    return config, manifest, sha256(manifest)


def push_image(reg, name, tag, config, layers, manifest):
    for data in [config] + layers:
        push_blob(reg, name, data, sha256(data))
    put_manifest(reg, name, tag, manifest)


def mixed_size(rng):
    r = rng.random()
    if r < 0.55:
        return rng.randint(1 * KiB, 16 * KiB)
    if r < 0.88:
        return rng.randint(16 * KiB, 256 * KiB)
    return rng.randint(256 * KiB, 1 * MiB)


def parallel(workers, items, fn):
    """Runs fn over items on a thread pool; stops at the first error and raises it."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(fn, it) for it in items]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def cmd_push(args):
    regs = [Registry(u) for u in args.registry]
    per_image = args.layers + 1
    plan, left = [], args.blobs
    while left > 0:
        n = min(per_image, left)
        plan.append(n - 1)  # layers of this image, besides its config
        left -= n

    def one(i):
        rng = random.Random("%d:%d" % (args.seed, i))
        layers = [rng.randbytes(mixed_size(rng)) for _ in range(plan[i])]
        config, manifest, digest = image("%d:%d" % (args.seed, i), layers)
        name, tag = "%s/app%d" % (args.prefix, i % args.repos), "i%d" % i
        for reg in regs:
            push_image(reg, name, tag, config, layers, manifest)
        return {"repository": name, "tag": tag, "digest": digest, "blobs": 1 + len(layers),
                "bytes": len(config) + sum(len(x) for x in layers)}

    t0 = time.perf_counter()
    done = parallel(args.workers, range(len(plan)), one)
    dt = time.perf_counter() - t0
    with open(args.list, "w") as f:
        for entry in done:
            f.write(json.dumps(entry) + "\n")
    blobs, size = sum(e["blobs"] for e in done), sum(e["bytes"] for e in done)
    print("pushed %d images, %d blobs, %.1f MiB to %d registr%s in %.1f s" %
          (len(done), blobs, size / MiB, len(regs), "y" if len(regs) == 1 else "ies", dt))


def cmd_delete(args):
    regs = [Registry(u) for u in args.registry]
    with open(args.list) as f:
        entries = [json.loads(line) for line in f if line.strip()]

    def one(e):
        for reg in regs:
            delete_manifest(reg, e["repository"], e["digest"])

    t0 = time.perf_counter()
    parallel(args.workers, entries, one)
    print("deleted %d manifests by digest on %d registr%s in %.1f s" %
          (len(entries), len(regs), "y" if len(regs) == 1 else "ies", time.perf_counter() - t0))


class Stop(Exception):
    pass


def cmd_churn(args):
    reg = Registry(args.registry[0])

    def stop(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    rng = random.Random(args.seed)
    lock = threading.Lock()
    done = {"images": 0, "blobs": 0, "bytes": 0, "errors": 0, "first_error": None}

    def one(n, config, layers, manifest, digest):
        name = "%s/churn%d" % (args.prefix, n % 4)
        try:
            push_image(reg, name, "c%d" % n, config, layers, manifest)
            delete_manifest(reg, name, digest)
            with lock:
                done["images"] += 1
                done["blobs"] += 1 + len(layers)
                done["bytes"] += len(config) + sum(len(x) for x in layers)
        except (RuntimeError, OSError, http.client.HTTPException) as e:
            with lock:
                done["errors"] += 1
                done["first_error"] = done["first_error"] or str(e)

    # The images are made on this thread at the rate and sent by the pool; when the pool falls behind
    # by more than a few images, this thread waits for it instead of piling work up.
    pool = concurrent.futures.ThreadPoolExecutor(args.workers)
    pending = set()
    t0 = time.monotonic()
    due = t0
    n = 0
    try:
        while time.monotonic() - t0 < args.max_seconds:
            due += 1.0 / args.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            else:
                due = time.monotonic()  # behind: go on at the rate from now, no burst to catch up
            layers = [rng.randbytes(rng.randint(1 * KiB, 32 * KiB)) for _ in range(args.layers)]
            config, manifest, digest = image("churn:%d:%d" % (args.seed, n), layers)
            pending.add(pool.submit(one, n, config, layers, manifest, digest))
            n += 1
            if len(pending) > 2 * args.workers:
                _, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            else:
                pending = {f for f in pending if not f.done()}
    except Stop:
        pass
    dt = time.monotonic() - t0
    pool.shutdown(wait=False, cancel_futures=True)
    with lock:
        d = dict(done)
    print("churn on %s: %d images pushed and deleted (%d blobs, %.1f MiB) in %.0f s, %.1f images/s (asked: %g), "
          "%d errors%s" % (reg.label, d["images"], d["blobs"], d["bytes"] / MiB, dt, d["images"] / dt if dt else 0,
                           args.rate, d["errors"], "; first: " + d["first_error"] if d["first_error"] else ""),
          flush=True)
    return 1 if d["errors"] else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("push", "delete", "churn"):
        s = sub.add_parser(name)
        s.add_argument("--registry", action="append", required=True, help="http://[USER:PASSWORD@]HOST:PORT")
        s.add_argument("--workers", type=int, default=4 if name != "churn" else 3)
        if name in ("push", "delete"):
            s.add_argument("--list", required=True, help="the images' JSON lines (written by push)")
        if name in ("push", "churn"):
            s.add_argument("--seed", type=int, default=1)
            s.add_argument("--layers", type=int, default=4 if name == "push" else 3)
            s.add_argument("--prefix", default="gcbench")
        if name == "push":
            s.add_argument("--blobs", type=int, required=True)
            s.add_argument("--repos", type=int, default=10)
        if name == "churn":
            s.add_argument("--rate", type=float, default=5.0, help="images a second")
            s.add_argument("--max-seconds", type=float, default=4 * 3600, help="stop after this long at the latest")
    args = p.parse_args()
    return {"push": cmd_push, "delete": cmd_delete, "churn": cmd_churn}[args.cmd](args) or 0


if __name__ == "__main__":
    sys.exit(main())
