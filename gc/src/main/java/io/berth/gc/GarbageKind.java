package io.berth.gc;

/** The kinds of garbage, in the order a run removes them (see the package documentation). */
public enum GarbageKind {
    /** Tags a retention rule removes: no part of the rule keeps them, and they are not immutable. */
    TAG,
    /** Untagged manifests (not referrers, not listed by an index) older than a retention rule allows. */
    MANIFEST,
    /** Upload sessions idle longer than the upload expiry, with their staged bytes. */
    UPLOAD,
    /** Untagged referrers, older than the grace period, whose subject is not in their repository. */
    REFERRER,
    /** Platform manifests of a deleted index that no tag or other index claimed within the grace period. */
    CHILD,
    /** Repository links to blobs that no manifest of the repository references, older than the grace period. */
    LINK,
    /** Blobs no link and no manifest references, older than the grace period: the row, then the bytes. */
    BLOB,
    /** Bytes in the store that no blob row names, older than the grace period. */
    ORPHAN
}
