package io.berth.storage.s3;

import io.berth.storage.StorageException;
import io.berth.storage.UploadInterruptedException;
import io.berth.storage.digest.ResumableDigest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Memory for one S3 part: filled from the request body (hashing the bytes as they arrive) until it
 * holds a part, then sent. It grows as bytes come, so a small blob never costs a whole part of heap.
 */
final class PartBuffer {

    private static final int INITIAL = 256 * 1024;

    private final int capacity;
    private byte[] bytes;
    private int length;

    PartBuffer(int capacity) {
        this.capacity = capacity;
        this.bytes = new byte[0];
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    boolean isFull() {
        return length == capacity;
    }

    /** Empties the buffer, keeping its memory for the next part. */
    PartBuffer clear() {
        length = 0;
        return this;
    }

    /**
     * Reads from {@code input} until the buffer holds a whole part or the input ends, feeding every byte
     * read to {@code digest}; returns how many bytes were read. Read failures are the client's.
     */
    long fill(InputStream input, ResumableDigest digest) {
        long read = 0;
        while (length < capacity) {
            grow();
            int n;
            try {
                n = input.read(bytes, length, bytes.length - length);
            } catch (IOException e) {
                throw new UploadInterruptedException(e);
            }
            if (n < 0) {
                break;
            }
            digest.update(bytes, length, n);
            length += n;
            read += n;
        }
        return read;
    }

    /** Appends exactly {@code expected} bytes from an object the store wrote earlier (not hashed again). */
    void load(InputStream input, long expected, String key) {
        if (length + expected > capacity) {
            throw new IllegalStateException("a tail of " + expected + " bytes does not fit a part of " + capacity);
        }
        try (input) {
            long loaded = 0;
            while (true) {
                grow();
                int n = input.read(bytes, length, (int) Math.min(bytes.length - length, expected - loaded + 1));
                if (n < 0) {
                    break;
                }
                length += n;
                loaded += n;
                if (loaded > expected) {
                    break;
                }
            }
            if (loaded != expected) {
                throw new StorageException("the staged object " + key + " holds " + (loaded > expected ? "more" : loaded)
                        + " bytes where the upload recorded " + expected, null);
            }
        } catch (IOException e) {
            throw new StorageException("cannot read the staged object " + key + ": " + e.getMessage(), e);
        }
    }

    private void grow() {
        if (length < bytes.length) {
            return;
        }
        int next = (int) Math.min(capacity, Math.max(INITIAL, (long) bytes.length * 2));
        byte[] larger = new byte[next];
        System.arraycopy(bytes, 0, larger, 0, length);
        bytes = larger;
    }
}
