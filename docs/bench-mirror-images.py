#!/usr/bin/env python3
"""Writes OCI layouts for docs/bench-mirror.sh: COUNT images, each with its own random layers of the
harness's skopeo-copy sizes (1, 5, 10, 20 and 50 MiB) and a config, as DIR/image-<n> (tag "1").

    docs/bench-mirror-images.py DIR COUNT
"""
import hashlib
import json
import os
import sys

SIZES_MIB = [1, 5, 10, 20, 50]


def put_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as out:
        out.write(data)
    return "sha256:" + digest


def write_image(layout):
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    layers = []
    for size in SIZES_MIB:
        data = os.urandom(size * 1024 * 1024)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": put_blob(layout, data),
                       "size": len(data)})
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": put_blob(layout, config), "size": len(config)},
                           "layers": layers}).encode()
    index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                "digest": put_blob(layout, manifest), "size": len(manifest),
                                                "annotations": {"org.opencontainers.image.ref.name": "1"}}]}
    with open(os.path.join(layout, "index.json"), "w") as out:
        json.dump(index, out)
    with open(os.path.join(layout, "oci-layout"), "w") as out:
        json.dump({"imageLayoutVersion": "1.0.0"}, out)


def main():
    directory, count = sys.argv[1], int(sys.argv[2])
    for n in range(count):
        write_image(os.path.join(directory, "image-%d" % n))


if __name__ == "__main__":
    main()
