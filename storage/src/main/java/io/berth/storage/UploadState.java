package io.berth.storage;

import java.util.UUID;

/**
 * Everything needed to continue an upload on any replica: the caller persists it after each chunk
 * and hands it back with the next one, so no upload state lives in a process's memory.
 *
 * @param id the upload's identifier, which also names its staging place
 * @param size the number of bytes received and staged so far
 * @param algorithm the algorithm the bytes are being hashed with as they arrive
 * @param hashState the running hash after {@code size} bytes (see {@link io.berth.storage.digest.ResumableDigest})
 * @param storeState what the store itself must remember between chunks (multipart ids, part tags),
 *     or null if it needs nothing
 */
public record UploadState(UUID id, long size, DigestAlgorithm algorithm, byte[] hashState, String storeState) {
}
