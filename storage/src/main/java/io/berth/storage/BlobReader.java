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

    /**
     * Returns a URL from which the blob can be read with a plain HTTP GET (with {@code Range} for part of
     * it), valid for about {@code validity}, or empty when the store has no such URL (the default).
     * Unlike {@link #redirectUri} it is given whenever the store can make one: the registry fetches it
     * itself, which streams object storage to clients without tying up a thread per download.
     */
    default Optional<URI> readUri(Digest digest, Duration validity) {
        return Optional.empty();
    }
}
