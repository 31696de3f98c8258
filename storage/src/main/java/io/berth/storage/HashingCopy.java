package io.berth.storage;

import io.berth.storage.digest.ResumableDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop every store that writes a stream runs while receiving: read a batch from the client, hash
 * it, hand it to the store's sink. Read failures are the client's ({@link UploadInterruptedException}),
 * sink failures the store's ({@link StorageException}).
 *
 * <p>The sink writes a batch on a writer thread while the caller hashes the same batch and reads the
 * next one: hashing (about 1.6 GB/s for SHA-256 on one core) and writing (a kernel copy into fresh
 * page-cache pages, or a direct write waiting for the device) then overlap instead of taking turns, and
 * an upload runs at the pace of the slower of the two. Two batches alternate, so at most one write is
 * in flight and the sink still sees its batches one at a time and in order.
 */
public final class HashingCopy {

    /** Batch size: large enough that hashing and writing run in long stretches. */
    public static final int BATCH = 512 * 1024;

    /** Receives the hashed batches, one call at a time, in order. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] bytes, int length) throws IOException;
    }

    /** Writer threads, created as uploads need them and ended after a minute idle. */
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "berth-blob-writer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });

    private HashingCopy() {
    }

    /**
     * Copies everything {@code input} yields into {@code sink}, hashing it; returns the byte count.
     * When it returns or throws, no write is in flight any more, so the caller may close the sink.
     */
    public static long copy(InputStream input, ResumableDigest digest, Sink sink) {
        byte[][] batches = {new byte[BATCH], new byte[BATCH]};
        Future<?> writing = null;
        long total = 0;
        try {
            for (int turn = 0; ; turn ^= 1) {
                // This batch's previous write was awaited before the other batch's write began.
                byte[] batch = batches[turn];
                int filled = fill(input, batch);
                if (filled == 0) {
                    break;
                }
                awaitWrite(writing);
                writing = WRITERS.submit(() -> {
                    sink.write(batch, filled);
                    return null;
                });
                digest.update(batch, 0, filled);
                total += filled;
                if (filled < batch.length) {
                    break;
                }
            }
            Future<?> last = writing;
            writing = null;
            awaitWrite(last);
            return total;
        } finally {
            if (writing != null) {
                finishQuietly(writing);
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

    private static void awaitWrite(Future<?> writing) {
        if (writing == null) {
            return;
        }
        try {
            writing.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StorageException("writing to the blob store failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            finishQuietly(writing);
            Thread.currentThread().interrupt();
            throw new UploadInterruptedException(new InterruptedIOException("interrupted while the blob store wrote"));
        }
    }

    /**
     * Waits for a write whose outcome no longer matters because the copy already fails, so that the
     * caller never closes a file under a running write.
     */
    private static void finishQuietly(Future<?> writing) {
        boolean interrupted = false;
        while (true) {
            try {
                writing.get();
                break;
            } catch (ExecutionException ignored) {
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
