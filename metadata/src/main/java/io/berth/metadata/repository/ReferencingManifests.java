package io.berth.metadata.repository;

/**
 * The manifests of one repository that still reference a blob or a manifest, and so keep it from
 * being deleted there: the first of them in digest order, how that one uses it, and how many there are.
 */
public record ReferencingManifests(String first, Use firstUses, long count) {

    /** How a manifest references what it keeps. */
    public enum Use {
        /** The blob is the manifest's config. */
        CONFIG,
        /** The blob is one of the manifest's layers. */
        LAYER,
        /** The manifest is one an index lists. */
        CHILD
    }
}
