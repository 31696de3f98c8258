package io.berth.metadata.repository;

/**
 * What came of deleting a blob's link or a manifest that other manifests of the repository may still
 * reference.
 */
public sealed interface Removal {

    /** It was there and is gone. */
    record Removed() implements Removal {
    }

    /** It was not there. */
    record Absent() implements Removal {
    }

    /** It is still there, because these manifests reference it. */
    record Refused(ReferencingManifests by) implements Removal {
    }
}
