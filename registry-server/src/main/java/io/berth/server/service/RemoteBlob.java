package io.berth.server.service;

import io.berth.storage.Digest;
import java.net.URI;

/**
 * Bytes of a blob that Berth fetches from object storage over HTTP to send on to a client.
 *
 * @param digest the blob
 * @param uri a presigned GET of the blob's object
 * @param offset the first byte to send
 * @param length how many bytes to send
 */
public record RemoteBlob(Digest digest, URI uri, long offset, long length) {

    /** Returns the {@code Range} header that asks the object store for exactly these bytes. */
    public String rangeHeader() {
        return "bytes=" + offset + "-" + (offset + length - 1);
    }
}
