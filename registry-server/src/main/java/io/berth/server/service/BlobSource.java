package io.berth.server.service;

import io.berth.server.domain.ByteRange;
import io.berth.storage.BlobContent;
import io.berth.storage.Digest;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where the bytes of a blob download come from: the one decision {@link BlobService#locate} makes for
 * every GET of a blob.
 */
public sealed interface BlobSource {

    /** The blob's digest. */
    Digest digest();

    /** The client already holds the blob (its {@code If-None-Match} names it). */
    record Unchanged(BlobDescriptor blob) implements BlobSource {
        public Digest digest() {
            return blob.digest();
        }
    }

    /** The client fetches the bytes from object storage itself. */
    record Redirect(BlobDescriptor blob, URI uri) implements BlobSource {
        public Digest digest() {
            return blob.digest();
        }
    }

    /** Berth fetches the bytes from object storage over HTTP and passes them on. */
    record Remote(BlobDescriptor blob, Optional<ByteRange> range, RemoteBlob remote) implements BlobSource {
        public Digest digest() {
            return blob.digest();
        }
    }

    /** The store hands the bytes over (a file region, blocks or a stream). */
    record Local(BlobDescriptor blob, Optional<ByteRange> range, BlobContent content) implements BlobSource {
        public Digest digest() {
            return blob.digest();
        }
    }

    /**
     * The bytes stream from an upstream registry as they arrive (a pull-through cache miss).
     *
     * @param size the blob's size if the upstream said; without it the range is not served
     * @param range the bytes asked for
     * @param body the bytes; it fails before its end if the fetch fails
     */
    record Upstream(Digest digest, OptionalLong size, Optional<ByteRange> range, InputStream body) implements BlobSource {
    }
}
