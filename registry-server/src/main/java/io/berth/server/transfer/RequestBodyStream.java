package io.berth.server.transfer;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as an InputStream for a worker thread, fed by the event loop through a bounded
 * queue. The event loop keeps reading from the socket until the high-water mark of bytes wait, and
 * resumes once the reader has drained them below the low-water mark; the reader wakes only when the
 * queue runs dry. (Quarkus REST's own body stream asks for one buffer at a time, which wakes a
 * thread per network read and caps an upload at a fraction of what one core can hash.)
 *
 * <p>The body starts flowing at once, so that it arrives while the upload's lease is taken. {@link
 * #close} discards what the request still holds, so a request refused before its body was read (an
 * unknown upload, say) leaves its connection usable for the next one rather than stalled at the
 * high-water mark.
 *
 * <p>While the reader waits for the client, the client must keep up a minimum rate, judged over fixed
 * windows: a trickle of bytes that would hold the reader's thread as long as the client likes is cut
 * off ({@link BodyTooSlowException}) and its connection closed after the answer.
 */
public final class RequestBodyStream extends InputStream {

    private final long highWater;
    private final long lowWater;
    /** The fewest bytes the client must send in each {@link #rateWindow} while the reader waits for it. */
    private final long minBytesPerWindow;
    private final Duration rateWindow;

    private final HttpServerRequest request;
    /** This body's place among those its account and address send at once, given back on close. */
    private final BodyAdmission.Admitted admission;
    /** Closes the connection once the answer to a cut-off body is out. */
    private final Runnable closeAfterAnswer;
    private final Context context;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private Buffer current;
    private int currentPosition;
    private long queuedBytes;
    private boolean paused;
    private boolean discarding;
    private boolean ended;
    private boolean cutOff;
    private Throwable failure;
    /** Bytes received from the client so far, and how many of them had arrived when the window began. */
    private long received;
    private long receivedAtWindowStart;
    private long windowStart = System.nanoTime();

    /** Use {@link RequestBodies#open}, which passes the configured limits. */
    RequestBodyStream(HttpServerRequest request, long highWater, long lowWater, long minBytesPerSecond,
            Duration rateWindow, BodyAdmission.Admitted admission, Runnable closeAfterAnswer) {
        this.request = request;
        this.admission = admission;
        this.closeAfterAnswer = closeAfterAnswer;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.minBytesPerWindow = Math.max(1, minBytesPerSecond * rateWindow.toMillis() / 1000);
        this.rateWindow = rateWindow;
        this.context = Vertx.currentContext() != null ? Vertx.currentContext() : null;
        request.handler(this::onData);
        request.endHandler(ignored -> onEnd());
        request.exceptionHandler(this::onFailure);
        request.resume();
    }

    private void onData(Buffer buffer) {
        lock.lock();
        try {
            if (discarding) {
                return;
            }
            queue.add(buffer);
            queuedBytes += buffer.length();
            received += buffer.length();
            if (queuedBytes > highWater && !paused) {
                paused = true;
                request.pause();
            }
            readable.signal();
        } finally {
            lock.unlock();
        }
    }

    private void onEnd() {
        lock.lock();
        try {
            ended = true;
            readable.signal();
        } finally {
            lock.unlock();
        }
    }

    private void onFailure(Throwable cause) {
        lock.lock();
        try {
            failure = cause;
            readable.signal();
        } finally {
            lock.unlock();
        }
    }

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
        if (current == null || currentPosition == current.length()) {
            current = next();
            currentPosition = 0;
            if (current == null) {
                return -1;
            }
        }
        int count = Math.min(length, current.length() - currentPosition);
        current.getBytes(currentPosition, currentPosition + count, target, offset);
        currentPosition += count;
        return count;
    }

    /** Takes the next buffer, waiting for the event loop if none is queued; null at the end of the body. */
    private Buffer next() throws IOException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (failure != null) {
                    throw new IOException("the request body broke off: " + failure.getMessage(), failure);
                }
                if (ended) {
                    return null;
                }
                long waited = System.nanoTime() - windowStart;
                if (waited >= rateWindow.toNanos()) {
                    judgeWindow();
                } else {
                    readable.await(rateWindow.toNanos() - waited, TimeUnit.NANOSECONDS);
                }
            }
            Buffer buffer = queue.poll();
            queuedBytes -= buffer.length();
            if (paused && queuedBytes < lowWater) {
                paused = false;
                resume();
                // The socket was paused for the reader's sake: the client starts a fresh window.
                startWindow();
            }
            return buffer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the request body");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends a window in which the reader waited for the client: a client that sent too little in it is
     * cut off, one that kept up starts the next window.
     */
    private void judgeWindow() throws BodyTooSlowException {
        long arrived = received - receivedAtWindowStart;
        if (arrived < minBytesPerWindow) {
            cutOff = true;
            throw new BodyTooSlowException(arrived, rateWindow, minBytesPerWindow);
        }
        startWindow();
    }

    private void startWindow() {
        windowStart = System.nanoTime();
        receivedAtWindowStart = received;
    }

    /** Drops what is queued and whatever the client still sends of this body, which nobody will read. */
    @Override
    public void close() {
        admission.close();
        lock.lock();
        try {
            if (cutOff) {
                // Reading the rest of a trickling body would hold the connection as long as the client
                // likes; closing it once the answer is out frees it.
                closeAfterAnswer.run();
            }
            if (discarding || ended) {
                return;
            }
            discarding = true;
            queue.clear();
            queuedBytes = 0;
            current = null;
            paused = false;
        } finally {
            lock.unlock();
        }
        resume();
    }

    private void resume() {
        if (context != null) {
            context.runOnContext(ignored -> request.resume());
        } else {
            request.resume();
        }
    }
}
