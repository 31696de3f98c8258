package io.berth.server.service;

import io.berth.storage.Digest;

/** A blob a repository may serve. */
public record BlobDescriptor(Digest digest, long size) {
}
