package io.berth.server.service;

import io.berth.server.domain.RepositoryName;
import java.util.UUID;

/**
 * Where an upload stands: the bytes received so far.
 *
 * @param size the number of bytes received; the next chunk must start at this offset
 */
public record UploadStatus(RepositoryName repository, UUID id, long size) {
}
