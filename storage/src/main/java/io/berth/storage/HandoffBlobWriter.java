package io.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BlobWriter} over any store's {@link BlobIngester#append}: the written bytes are handed to a
 * virtual thread that appends them as a stream, through a queue of a few chunks, so a writer that
 * outpaces the store waits for it instead of piling bytes up in memory.
 */
final class HandoffBlobWriter implements BlobWriter {

    /** Chunks the writer may be ahead of the store. */
    private static final int QUEUED_CHUNKS = 8;

    private static final byte[] END = new byte[0];
    private static final byte[] CANCELLED = new byte[0];

    private final BlobIngester store;
    private final UUID id;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
    private final CompletableFuture<UploadState> appended = new CompletableFuture<>();
    private long size;
    private boolean ended;

    HandoffBlobWriter(BlobIngester store, UUID id, DigestAlgorithm algorithm) {
        this.store = store;
        this.id = id;
        UploadState begun = store.beginUpload(id, algorithm);
        Thread.ofVirtual().name("berth-blob-writer-" + id).start(() -> {
            try {
                appended.complete(store.append(begun, new QueueStream()));
            } catch (Throwable e) {
                appended.completeExceptionally(e);
                chunks.clear(); // a writer blocked on a full queue gets on, and learns of the failure next
            }
        });
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        requireOpen();
        if (length == 0) {
            return;
        }
        if (appended.isDone()) {
            awaitAppend(); // the store failed: say why instead of queueing into nothing
        }
        hand(Arrays.copyOfRange(bytes, offset, offset + length));
        size += length;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public BlobStat commit(Digest expected, CommitGuard guard) {
        requireOpen();
        ended = true;
        try {
            hand(END);
            return store.commit(awaitAppend(), expected, guard);
        } catch (RuntimeException e) {
            store.cancel(id);
            throw e;
        }
    }

    @Override
    public void cancel() {
        if (ended) {
            return;
        }
        ended = true;
        chunks.clear();
        chunks.offer(CANCELLED);
        try {
            awaitAppend();
        } catch (RuntimeException expected) {
            // the append stops with the cancellation; the staged bytes go below
        } finally {
            store.cancel(id);
        }
    }

    private void requireOpen() {
        if (ended) {
            throw new IllegalStateException("blob writer " + id + " has ended");
        }
    }

    private void hand(byte[] chunk) {
        try {
            while (!chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (appended.isDone()) {
                    awaitAppend();
                    throw new StorageException("the blob store stopped reading upload " + id, null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UploadInterruptedException(new InterruptedIOException("interrupted while handing bytes to the store"));
        }
    }

    private UploadState awaitAppend() {
        try {
            return appended.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StorageException("writing upload " + id + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UploadInterruptedException(new InterruptedIOException("interrupted while the store wrote"));
        }
    }

    /** The stream the store's append reads: the queued chunks, in order, up to END. */
    private final class QueueStream extends InputStream {
        private byte[] current = new byte[0];
        private int position;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position == current.length) {
                if (current == END) {
                    return -1;
                }
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for bytes");
                }
                position = 0;
                if (current == CANCELLED) {
                    throw new IOException("the writer of upload " + id + " was cancelled");
                }
                if (current == END) {
                    return -1;
                }
            }
            int count = Math.min(length, current.length - position);
            System.arraycopy(current, position, target, offset, count);
            position += count;
            return count;
        }
    }
}
