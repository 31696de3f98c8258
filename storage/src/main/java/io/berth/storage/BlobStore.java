package io.berth.storage;

/**
 * A content-addressed store of blobs: the composition of the role interfaces that the registry, the
 * garbage collector and the health checks use.
 */
public interface BlobStore extends BlobReader, BlobIngester, BlobDeleter, BlobWalker {

    /** Returns a short description for logs, such as {@code filesystem:/data/blobs}. */
    String describe();

    /** Throws StorageException if the store cannot currently be written to and read from. */
    void checkHealth();
}
