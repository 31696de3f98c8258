package io.berth.storage;

/**
 * A blob written as its bytes arrive from a source that pushes them (an upstream registry's response
 * read by a fetch loop), rather than pulled from an {@code InputStream} by the store. Bytes are staged
 * and hashed as written; nothing is readable until {@link #commit} has verified the digest.
 * Exactly one of {@code commit} and {@link #cancel} ends a writer, and after it fails or is
 * cancelled nothing of it remains.
 */
public interface BlobWriter {

    /** Stages {@code length} bytes of {@code bytes} from {@code offset}; the array may be reused on return. */
    void write(byte[] bytes, int offset, int length);

    /** Bytes written so far. */
    long size();

    /**
     * Verifies everything written against {@code expected} and makes it readable under it, running that
     * step inside {@code guard}. Throws DigestMismatchException, keeping nothing, if the bytes differ.
     */
    BlobStat commit(Digest expected, CommitGuard guard);

    /** Drops what was written; does nothing once the writer has ended. */
    void cancel();
}
