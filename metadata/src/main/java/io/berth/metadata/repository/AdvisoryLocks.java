package io.berth.metadata.repository;

/**
 * The keys of Berth's PostgreSQL advisory locks, in one place so that no two uses collide. Each lock is
 * named by two 32-bit integers: a class (one per use) and an object within it.
 */
final class AdvisoryLocks {

    /** The garbage collector's run: one at a time across all replicas. Object: {@link #COLLECTOR_RUN}. */
    static final int COLLECTOR = 0x42455254;
    static final int COLLECTOR_RUN = 1;

    /**
     * One blob digest, object {@code hashtext(digest)}: a commit holds it shared from the moment it
     * makes bytes readable (or finds them stored) until its metadata commits; the collector holds it
     * exclusively from deleting the blob's row until its bytes are gone. Two digests that share a hash
     * only wait for each other.
     */
    static final int BLOB = 0x42455255;

    /** One namespace's quota decisions, object {@code hashtext(namespace)}: held by commits that check its quota. */
    static final int QUOTA = 0x42455256;

    private AdvisoryLocks() {
    }
}
