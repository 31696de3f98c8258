package io.berth.storage;

import io.berth.storage.digest.ResumableDigest;
import java.io.IOException;
import java.io.InputStream;

/**
 * The loop every store runs while receiving: read a batch from the client, hash it, hand it to the
 * store's sink. Read failures are the client's ({@link UploadInterruptedException}), sink failures
 * the store's ({@link StorageException}).
 */
public final class HashingCopy {

    /** Batch size: large enough that hashing and writing run in long stretches. */
    public static final int BATCH = 512 * 1024;

    /** Receives the hashed batches. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] bytes, int length) throws IOException;
    }

    private HashingCopy() {
    }

    /** Copies everything {@code input} yields into {@code sink}, hashing it; returns the byte count. */
    public static long copy(InputStream input, ResumableDigest digest, Sink sink) {
        byte[] batch = new byte[BATCH];
        long total = 0;
        while (true) {
            int filled = fill(input, batch);
            if (filled == 0) {
                return total;
            }
            digest.update(batch, 0, filled);
            try {
                sink.write(batch, filled);
            } catch (IOException e) {
                throw new StorageException("writing to the blob store failed: " + e.getMessage(), e);
            }
            total += filled;
            if (filled < batch.length) {
                return total;
            }
        }
    }

    private static int fill(InputStream input, byte[] batch) {
        int filled = 0;
        try {
            while (filled < batch.length) {
                int read = input.read(batch, filled, batch.length - filled);
                if (read < 0) {
                    break;
                }
                filled += read;
            }
        } catch (IOException e) {
            throw new UploadInterruptedException(e);
        }
        return filled;
    }
}
