package io.berth.metadata.repository;

import java.util.Set;

/**
 * A validated manifest about to be stored, with the references that were checked.
 *
 * @param blobDigests the config and layer blobs it references, each linked to the repository
 * @param childDigests the manifests an index references, each stored in the repository
 */
public record NewManifest(
        long repositoryId,
        String digest,
        String mediaType,
        String artifactType,
        byte[] content,
        String configDigest,
        String subjectDigest,
        String annotations,
        Set<String> blobDigests,
        Set<String> childDigests) {
}
