package io.berth.server.service;

import io.berth.server.domain.Reference;
import io.berth.storage.Digest;
import java.util.List;
import java.util.Optional;

/** The outcome of a manifest push: its digest, the subject it refers to, and the tags now pointing at it. */
public record PushedManifest(Digest digest, Optional<Digest> subject, List<Reference.Tag> tags) {
}
