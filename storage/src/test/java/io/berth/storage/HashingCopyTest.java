package io.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.storage.digest.ResumableDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HashingCopyTest {

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    @Test
    void theSinkGetsEveryBatchOnceAndInOrderWhileTheHashCoversTheWholeStream() {
        byte[] bytes = randomBytes(3 * HashingCopy.BATCH + HashingCopy.BATCH / 2);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        AtomicInteger concurrentWrites = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        ResumableDigest digest = ResumableDigest.start(DigestAlgorithm.SHA256);

        long copied = HashingCopy.copy(new ByteArrayInputStream(bytes), digest, (batch, length) -> {
            if (concurrentWrites.incrementAndGet() > 1) {
                overlapped.set(true);
            }
            pause(20);
            written.write(batch, 0, length);
            concurrentWrites.decrementAndGet();
        });

        assertEquals(bytes.length, copied);
        assertArrayEquals(bytes, written.toByteArray());
        assertEquals(Digest.of(DigestAlgorithm.SHA256, bytes), digest.finish());
        assertFalse(overlapped.get(), "two writes ran at once");
    }

    @Test
    void aFailingSinkFailsTheCopyAsAStorageError() {
        byte[] bytes = randomBytes(2 * HashingCopy.BATCH + 1);
        AtomicInteger writes = new AtomicInteger();

        StorageException e = assertThrows(StorageException.class, () -> HashingCopy.copy(new ByteArrayInputStream(bytes),
                ResumableDigest.start(DigestAlgorithm.SHA256), (batch, length) -> {
                    if (writes.incrementAndGet() == 2) {
                        throw new IOException("disk full");
                    }
                }));

        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertEquals(2, writes.get(), "the copy stops at the failed write");
    }

    @Test
    void aBrokenClientStreamReturnsOnlyAfterTheWriteInFlightEnded() {
        InputStream breaksAfterABatch = new SequenceInputStream(new ByteArrayInputStream(randomBytes(HashingCopy.BATCH)),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("connection reset");
                    }
                });
        AtomicBoolean writeEnded = new AtomicBoolean();

        assertThrows(UploadInterruptedException.class, () -> HashingCopy.copy(breaksAfterABatch,
                ResumableDigest.start(DigestAlgorithm.SHA256), (batch, length) -> {
                    pause(300);
                    writeEnded.set(true);
                }));

        // The caller closes the file right after the copy fails: no write may still be running.
        assertTrue(writeEnded.get(), "the copy returned while its last write was still running");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
