package io.berth.storage;

/** Thrown when a blob is asked for that the store does not hold. */
public class BlobNotFoundException extends StorageException {
    private final Digest digest;

    public BlobNotFoundException(Digest digest) {
        super("blob " + digest + " is not in the store", null);
        this.digest = digest;
    }

    public Digest digest() {
        return digest;
    }
}
