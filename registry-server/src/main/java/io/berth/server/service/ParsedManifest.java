package io.berth.server.service;

import io.berth.metadata.repository.NewManifest;
import io.berth.storage.Digest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the registry needs to know of a pushed manifest: its type, what it references, its subject,
 * and what the referrers API lists for it.
 *
 * @param blobs the config and layers of an image manifest, without the foreign layers that live
 *     elsewhere (those with {@code urls}); empty for an index
 * @param children the manifests an index lists; empty for an image manifest
 * @param artifactType the manifest's {@code artifactType}, or for an image manifest without one its
 *     config's media type, as the referrers API reports it
 * @param annotations the {@code annotations} object as compact JSON
 */
public record ParsedManifest(
        String mediaType,
        Optional<Descriptor> config,
        List<Descriptor> blobs,
        List<Descriptor> children,
        Optional<Descriptor> subject,
        Optional<String> artifactType,
        Optional<String> annotations) {

    /** A content descriptor: what a manifest says of a blob or a manifest it references. */
    public record Descriptor(String mediaType, Digest digest, long size) {
    }

    /** The row to store for these bytes, parsed as this, under {@code digest} in the repository. */
    public NewManifest toStore(long repositoryId, Digest digest, byte[] content) {
        return new NewManifest(repositoryId, digest.toString(), mediaType, artifactType.orElse(null), content,
                config.map(c -> c.digest().toString()).orElse(null), subjectDigest().orElse(null),
                annotations.orElse(null), digests(blobs), digests(children));
    }

    /** The digest of the subject, if the manifest has one. */
    public Optional<String> subjectDigest() {
        return subject.map(s -> s.digest().toString());
    }

    /** The digests of descriptors, in their order, each once. */
    public static Set<String> digests(List<Descriptor> descriptors) {
        return descriptors.stream().map(d -> d.digest().toString()).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
