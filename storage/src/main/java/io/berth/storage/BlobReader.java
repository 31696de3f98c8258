package io.berth.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Serves the bytes of stored blobs. */
public interface BlobReader {

    /** Returns what the store knows of the blob, or empty if it does not hold it. */
    Optional<BlobStat> stat(Digest digest);

    /**
     * Opens {@code length} bytes of the blob starting at {@code offset}; throws BlobNotFoundException
     * if the store does not hold the blob. The caller has checked the range against the blob's size.
     */
    BlobContent open(Digest digest, long offset, long length);

    /**
     * Returns a URL the client may fetch the blob from directly, valid for about {@code validity}, or
     * empty when the store serves the bytes itself (the default).
     */
    default Optional<URI> redirectUri(Digest digest, Duration validity) {
        return Optional.empty();
    }
}
