package io.berth.metadata.repository;

/**
 * A manifest whose {@code subject} names another manifest, described for the referrers index.
 *
 * @param annotations the manifest's annotations as a JSON object, or null
 */
public record ReferrerRow(String digest, String mediaType, long size, String artifactType, String annotations) {
}
