package io.berth.server.service;

import io.berth.server.domain.RepositoryName;
import java.util.UUID;

/**
 * Where an upload stands: the bytes received so far.
 *
 * @param size the number of bytes received; the next chunk must start at this offset
 */
public record UploadStatus(RepositoryName repository, UUID id, long size) {

    /** Returns the upload's URL, relative to the registry's root: its opaque id resolves through PostgreSQL. */
    public String location() {
        return "/v2/" + repository.value() + "/blobs/uploads/" + id;
    }

    /** Returns the {@code Range} header value the spec uses for progress: {@code 0-<last byte received>}. */
    public String range() {
        return "0-" + Math.max(0, size - 1);
    }
}
