package io.berth.server.mirror;

import io.berth.server.domain.RepositoryName;
import io.berth.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One blob being fetched from an upstream on this replica, and the pulls reading it as it arrives. The
 * fetch spools the bytes to a local file (unlinked at once, so nothing is left behind by a crash) while
 * it writes them to the blob store; every pull of the blob on this replica reads the spool from its
 * start, as far as the fetch has got.
 *
 * <p>A reader is never given the blob's last byte before the store has verified the digest and made the
 * blob readable: if the bytes do not match, or the upstream breaks off, every reader fails before the
 * end of its body, so no client takes a wrong or short blob for a whole one.
 */
final class BlobFetch {

    /** Where the fetch stands. */
    enum State {
        /** Deciding: this replica asks the lease, then the upstream. */
        STARTING,
        /** Another replica holds the fetch; wait for the blob to appear in the store. */
        ELSEWHERE,
        /** The upstream answered; bytes arrive. */
        STREAMING,
        /** Every byte arrived, matched the digest and is in the store. */
        COMPLETE,
        /** The fetch failed; nothing was stored. */
        FAILED
    }

    final Digest digest;
    private final Set<RepositoryName> joiners = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private FileChannel spool;
    private State state = State.STARTING;
    private RuntimeException failure;
    private OptionalLong length = OptionalLong.empty();
    private long written;
    private int users = 1; // the fetch itself, and each reader
    private volatile long lastProgress = System.nanoTime();

    BlobFetch(Digest digest) {
        this.digest = digest;
    }

    /** Notes a cache repository that pulls this blob: it is linked there too once stored. */
    void joinedBy(RepositoryName cache) {
        joiners.add(cache);
    }

    Set<RepositoryName> joiners() {
        return Set.copyOf(joiners);
    }

    /** Opens the spool in {@code directory}; the file is unlinked at once and lives as long as its users. */
    void openSpool(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = Files.createTempFile(directory, "fetch-", ".spool");
        spool = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Files.delete(file);
    }

    /** Waits until the fetch has an answer: streaming, elsewhere, complete or failed. */
    State awaitAnswer() {
        lock.lock();
        try {
            while (state == State.STARTING) {
                changed.awaitUninterruptibly();
            }
            return state;
        } finally {
            lock.unlock();
        }
    }

    RuntimeException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    OptionalLong length() {
        lock.lock();
        try {
            return length;
        } finally {
            lock.unlock();
        }
    }

    void elsewhere() {
        settle(State.ELSEWHERE, null);
    }

    void streaming(OptionalLong length) {
        lock.lock();
        try {
            this.length = length;
            state = State.STREAMING;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Appends bytes that arrived to the spool, for the readers. */
    void arrived(byte[] bytes, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, count);
        long at = written; // only the fetch thread writes
        while (buffer.hasRemaining()) {
            at += spool.write(buffer, at);
        }
        lastProgress = System.nanoTime();
        lock.lock();
        try {
            written = at;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /** Whether no byte arrived for {@code stall} while the fetch streams. */
    boolean stalledFor(Duration stall) {
        return System.nanoTime() - lastProgress > stall.toNanos();
    }

    void complete() {
        settle(State.COMPLETE, null);
    }

    void fail(RuntimeException cause) {
        settle(State.FAILED, cause);
    }

    private void settle(State end, RuntimeException cause) {
        lock.lock();
        try {
            state = end;
            failure = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The fetch is done with the spool; the last user closes it. */
    void fetchDone() {
        release();
    }

    /**
     * A reader of {@code count} bytes from {@code offset}, or null if the spool is gone (the fetch ended
     * and every reader left): the blob is then in the store, or not at all.
     */
    InputStream reader(long offset, long count) {
        lock.lock();
        try {
            if (users == 0 || spool == null) {
                return null;
            }
            users++;
        } finally {
            lock.unlock();
        }
        return new Reader(offset, offset + count);
    }

    private void release() {
        FileChannel closing = null;
        lock.lock();
        try {
            if (--users == 0) {
                closing = spool;
            }
        } finally {
            lock.unlock();
        }
        if (closing != null) {
            try {
                closing.close();
            } catch (IOException ignored) {
                // the file is unlinked already; closing frees its space
            }
        }
    }

    /** Reads the spool from {@code position} to {@code end} as the fetch fills it. */
    private final class Reader extends InputStream {
        private long position;
        private final long end;
        private boolean closed;

        Reader(long position, long end) {
            this.position = position;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int count) throws IOException {
            if (count == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            long readable = awaitReadable();
            int n = (int) Math.min(count, Math.min(readable, end) - position);
            ByteBuffer buffer = ByteBuffer.wrap(target, offset, n);
            while (buffer.hasRemaining()) {
                int read = spool.read(buffer, position + buffer.position() - offset);
                if (read < 0) {
                    throw new IOException("the spool of " + digest + " ended early");
                }
            }
            position += n;
            return n;
        }

        /** Waits until bytes past {@code position} may be read; returns how far. */
        private long awaitReadable() throws IOException {
            lock.lock();
            try {
                while (true) {
                    if (state == State.FAILED) {
                        throw new IOException("fetching " + digest + " from the upstream failed: "
                                + (failure == null ? "" : failure.getMessage()));
                    }
                    // Everything but the last byte while the fetch runs: see the class comment.
                    long readable = state == State.COMPLETE ? written : written - 1;
                    if (readable > position) {
                        return readable;
                    }
                    if (state == State.COMPLETE) {
                        throw new IOException("the fetched blob " + digest + " is shorter than the range asked");
                    }
                    try {
                        changed.await(1, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for " + digest);
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release();
            }
        }
    }
}
