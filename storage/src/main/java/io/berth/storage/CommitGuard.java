package io.berth.storage;

import java.util.function.Supplier;

/**
 * Runs the step of a commit that makes verified bytes readable under their digest, or finds the same
 * bytes already there and keeps them. A store hands that step to its caller instead of running it
 * alone, so that the caller can hold a lock across it and across its own record of the blob: the
 * garbage collector deletes bytes under the same lock, and so never deletes bytes that a commit has
 * just found in place and is about to record. Staging and verifying happen before, cleaning up after,
 * and neither is inside the guard.
 */
@FunctionalInterface
public interface CommitGuard {

    /** No lock and no record: the step runs by itself. */
    CommitGuard NONE = (size, makeReadable) -> makeReadable.get();

    /**
     * Runs {@code makeReadable}, for a verified blob of {@code size} bytes, and whatever must happen with
     * it (the caller may also refuse it before, by throwing: nothing becomes readable then); returns what
     * {@code makeReadable} returned.
     */
    BlobStat around(long size, Supplier<BlobStat> makeReadable);
}
