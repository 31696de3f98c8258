package io.berth.storage.s3;

import io.berth.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Sends the parts of one multipart upload, created at the first part: one part in flight while the
 * caller fills the next, so reading, hashing and sending overlap with at most two parts in memory.
 * Server-side copies of ranges of another object can be sent as parts too, several at a time.
 *
 * <p>A sender continues the multipart upload and the parts of the {@link StagedUpload} it starts from,
 * and numbers new parts after them. The parts it reports are those S3 has confirmed; a part still in
 * flight counts only once {@link #awaitInFlight} (or {@link #complete}) has waited for it. One sender
 * serves one request on one thread. When the caller fails, it calls {@link #abort} (nothing of the
 * upload is kept) or {@link #awaitQuietly} (the upload is kept for the state the caller recorded).
 */
final class PartSender {

    /** The most parts S3 accepts in one multipart upload. */
    static final int MAX_PARTS = 10_000;

    private static final int COPY_CONCURRENCY = 4;

    private final S3Calls calls;
    private final int partSize;
    private final String key;
    private String multipartId;
    private final List<StagedUpload.Part> parts;
    private final List<CompletableFuture<StagedUpload.Part>> inFlight = new ArrayList<>();
    private PartBuffer spare;

    /** Continues {@code staged} at {@code key}; buffers it hands back hold parts of {@code partSize}. */
    PartSender(S3Calls calls, int partSize, String key, StagedUpload staged) {
        this.calls = calls;
        this.partSize = partSize;
        this.key = key;
        this.multipartId = staged.multipartId();
        this.parts = new ArrayList<>(staged.parts());
    }

    /** Returns the id of the multipart upload, or null if no part has been sent yet. */
    String multipartId() {
        return multipartId;
    }

    List<StagedUpload.Part> parts() {
        return parts;
    }

    /** Starts sending a full buffer as the next part and returns an empty buffer to fill meanwhile. */
    PartBuffer send(PartBuffer full) {
        awaitInFlight();
        int number = nextNumber();
        inFlight.add(calls.startUploadPart(key, multipartId, number, full.array(), full.length()));
        PartBuffer next = spare == null ? new PartBuffer(partSize) : spare.clear();
        spare = full;
        return next;
    }

    /** Starts a server-side copy of {@code length} bytes of {@code source} as the next part. */
    void copyPart(String source, long offset, long length) {
        if (inFlight.size() >= COPY_CONCURRENCY) {
            awaitInFlight();
        }
        int number = nextNumber() + inFlight.size();
        inFlight.add(calls.startUploadPartCopy(key, multipartId, number, source, offset, length));
    }

    private int nextNumber() {
        if (multipartId == null) {
            multipartId = calls.createMultipartUpload(key);
        }
        int number = parts.size() + 1;
        if (number > MAX_PARTS) {
            throw new StorageException("the upload needs more than S3's " + MAX_PARTS + " parts; send larger chunks", null);
        }
        return number;
    }

    /** Waits for the parts in flight and adds them to {@link #parts}; the first failure is thrown. */
    void awaitInFlight() {
        try {
            for (CompletableFuture<StagedUpload.Part> part : inFlight) {
                parts.add(calls.await("send a part of " + key, part));
            }
        } finally {
            inFlight.clear();
        }
    }

    /** Waits for parts still being sent, ignoring their outcome (the caller is failing anyway). */
    void awaitQuietly() {
        for (CompletableFuture<StagedUpload.Part> part : inFlight) {
            try {
                part.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException ignored) {
                // reported by the failure that brought us here
            }
        }
        inFlight.clear();
    }

    /** Waits for the parts in flight and completes the multipart upload, which makes its object visible. */
    void complete() {
        awaitInFlight();
        calls.completeMultipartUpload(key, multipartId, parts);
    }

    /** Waits for the parts in flight and aborts the multipart upload, if one was created. */
    void abort() {
        awaitQuietly();
        if (multipartId != null) {
            calls.abortQuietly(key, multipartId);
        }
    }
}
