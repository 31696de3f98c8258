package io.berth.storage;

import java.time.Instant;

/**
 * What the store knows about a blob it holds.
 *
 * @param digest the blob's address
 * @param size its length in bytes
 * @param lastModified when it was written, which the garbage collector compares with its grace period
 */
public record BlobStat(Digest digest, long size, Instant lastModified) {
}
