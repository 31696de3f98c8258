package io.berth.storage;

/** Removes stored blobs; only the garbage collector calls it, once no metadata refers to them. */
public interface BlobDeleter {

    /** Deletes the blob; returns false if the store did not hold it. */
    boolean delete(Digest digest);
}
