package io.berth.metadata.repository;

/**
 * A manifest as stored: its digest, media type and size, and its bytes when they were asked for.
 *
 * @param content the exact bytes pushed, or null when only the description was read
 */
public record StoredManifest(String digest, String mediaType, long size, byte[] content, String subjectDigest) {
}
