package io.berth.storage;

import java.io.InputStream;
import java.util.UUID;

/**
 * Receives blobs: bytes are staged and hashed as they arrive, and a blob becomes readable only when
 * {@link #commit} has verified its digest and moved it into place atomically.
 */
public interface BlobIngester {

    /** Creates the staging place for a new upload and returns its initial state. */
    UploadState beginUpload(UUID id, DigestAlgorithm algorithm);

    /**
     * Appends everything {@code data} yields to the staged upload, hashing it on the way, and returns
     * the new state. Bytes staged past {@code state.size()} by an earlier, interrupted append are
     * overwritten. If reading {@code data} fails, the staged upload is left as {@code state} describes.
     */
    UploadState append(UploadState state, InputStream data);

    /**
     * Verifies the staged bytes against {@code expected} and makes them readable under it, then
     * removes the staging place. Throws DigestMismatchException, and keeps nothing, if they differ.
     * The step that makes them readable (or finds them already stored) runs inside {@code guard}.
     */
    BlobStat commit(UploadState state, Digest expected, CommitGuard guard);

    /** {@link #commit(UploadState, Digest, CommitGuard)} with no guard. */
    default BlobStat commit(UploadState state, Digest expected) {
        return commit(state, expected, CommitGuard.NONE);
    }

    /** Removes the staging place of an upload; does nothing if it is already gone. */
    void cancel(UUID id);

    /**
     * Returns the chunk size this store handles best; it is advertised to clients as the minimum
     * chunk length, though smaller chunks are accepted.
     */
    long preferredChunkLength();

    /**
     * Stores a whole blob in one call: stage, verify, move into place (inside {@code guard}); nothing
     * remains on failure.
     */
    default BlobStat put(UUID id, InputStream data, Digest expected, CommitGuard guard) {
        UploadState state = beginUpload(id, expected.algorithm());
        try {
            return commit(append(state, data), expected, guard);
        } catch (RuntimeException e) {
            cancel(id);
            throw e;
        }
    }

    /**
     * Opens a writer for a new blob whose bytes the caller pushes as they arrive: staged under {@code id}
     * and hashed with {@code algorithm} as written, readable once committed.
     */
    default BlobWriter openWriter(UUID id, DigestAlgorithm algorithm) {
        return new HandoffBlobWriter(this, id, algorithm);
    }

    /** {@link #put(UUID, InputStream, Digest, CommitGuard)} with no guard. */
    default BlobStat put(UUID id, InputStream data, Digest expected) {
        return put(id, data, expected, CommitGuard.NONE);
    }
}
