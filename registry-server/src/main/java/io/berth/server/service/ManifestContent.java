package io.berth.server.service;

import io.berth.storage.Digest;

/**
 * A manifest as served: its digest, media type and size, and its exact bytes unless only its
 * description was asked for (HEAD).
 */
public record ManifestContent(Digest digest, String mediaType, long size, byte[] content) {
}
