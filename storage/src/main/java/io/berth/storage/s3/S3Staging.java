package io.berth.storage.s3;

import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.StorageException;
import io.berth.storage.UploadNotFoundException;
import io.berth.storage.UploadState;
import io.berth.storage.digest.ResumableDigest;
import io.berth.storage.layout.BlobLayout;
import io.minio.GetObjectResponse;
import io.minio.StatObjectResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * The staging of resumable uploads in S3: where an upload's objects live under
 * {@code uploads/<id>/}, and what is done with them between and after appends. The staged bytes are
 * the parts of the multipart upload at {@link #dataKey}, then a tail object under S3's part minimum
 * (see {@link StagedUpload}); the marker object at {@link #markerKey} says the upload exists.
 *
 * <p>It writes, reads and retires tails; assembles the staged bytes into one object; rebuilds a hash
 * state from them; copies the assembled object server-side to the blob's key; and discards or cancels
 * an upload's staging objects. It keeps nothing between calls: everything it needs comes in the
 * {@link StagedUpload} and {@link UploadState} the caller persisted. Failures are
 * {@link StorageException}s; a staged upload S3 or the bucket no longer holds is an
 * {@link UploadNotFoundException}.
 */
final class S3Staging {

    private static final long COPY_PART = 1L << 30;
    private static final String MARKER = "startedat";

    private static final Logger LOG = Logger.getLogger(S3Staging.class);

    private final S3Calls calls;
    private final S3Settings settings;

    S3Staging(S3Calls calls, S3Settings settings) {
        this.calls = calls;
        this.settings = settings;
    }

    // --- keys ----------------------------------------------------------------------------------------

    /** The key of the staging multipart upload, and of the object it completes into. */
    String dataKey(UUID id) {
        return settings.prefix() + BlobLayout.uploadData(id);
    }

    /** The key of the empty object that marks an upload as begun and not yet finished or cancelled. */
    String markerKey(UUID id) {
        return directory(id) + MARKER;
    }

    private String directory(UUID id) {
        return settings.prefix() + BlobLayout.uploadDirectory(id) + "/";
    }

    // --- tails ---------------------------------------------------------------------------------------

    /** Writes the buffer as a new tail object of the upload and returns its key. */
    String writeTail(UUID id, PartBuffer buffer) {
        // A fresh key each time: the tail the recorded state names stays readable until the new state is saved.
        String tail = directory(id) + "tail-" + UUID.randomUUID();
        calls.put(tail, buffer.array(), buffer.length());
        return tail;
    }

    /** Appends the upload's tail to the buffer. */
    void loadTail(UUID id, StagedUpload staged, PartBuffer buffer) {
        GetObjectResponse tail = calls.read("read the tail of upload " + id, staged.tail())
                .orElseThrow(() -> new UploadNotFoundException(id));
        buffer.load(tail, staged.tailSize(), staged.tail());
    }

    /** Starts deleting the tail an earlier append consumed, if any, and returns the state without it. */
    StagedUpload dropStale(StagedUpload staged) {
        if (staged.stale() == null) {
            return staged;
        }
        // The append that consumed this tail was recorded (its state is ours): the tail can go.
        calls.deleteQuietly(staged.stale());
        return new StagedUpload(staged.multipartId(), staged.parts(), staged.tail(), staged.tailSize(), null);
    }

    // --- assembling and hashing ----------------------------------------------------------------------

    /**
     * Makes the staged bytes one object and returns its key: the tail itself when there are no parts,
     * otherwise the completed staging multipart upload (with the tail as its last part); null for an
     * empty upload.
     */
    String assemble(UUID id, StagedUpload staged, long size) {
        if (staged.multipartId() == null) {
            return staged.tail();
        }
        PartSender sender = new PartSender(calls, settings.partSize(), dataKey(id), staged);
        if (staged.tail() != null) {
            PartBuffer buffer = new PartBuffer(S3BlobStore.MIN_PART);
            loadTail(id, staged, buffer);
            sender.send(buffer);
        }
        try {
            sender.complete();
        } catch (S3Calls.UploadGoneException e) {
            // An earlier commit of this upload completed it and failed later on: use what it assembled.
            Optional<StatObjectResponse> assembled = calls.stat("stat the staged upload " + id, dataKey(id));
            if (assembled.isEmpty() || assembled.get().size() != size) {
                throw new UploadNotFoundException(id);
            }
        }
        return dataKey(id);
    }

    /** Reads an object and returns its digest. */
    Digest hashObject(String key, DigestAlgorithm algorithm, long size) {
        ResumableDigest digest = ResumableDigest.start(algorithm);
        hashInto(digest, key, size);
        return digest.finish();
    }

    /** A staged upload continued after {@link #rehash}, and the hash state of its bytes. */
    record Rehashed(StagedUpload staged, ResumableDigest digest) {
    }

    /**
     * Rebuilds a hash state this JVM cannot read (another implementation wrote it) from the staged
     * bytes. Parts of a multipart upload cannot be read before it is completed, so the upload is
     * completed, read, and continued as a new multipart upload whose parts are server-side copies of it.
     */
    Rehashed rehash(UploadState state, StagedUpload staged) {
        UUID id = state.id();
        LOG.infof("Rebuilding the hash state of upload %s from its %d staged bytes", id, state.size());
        ResumableDigest digest = ResumableDigest.start(state.algorithm());
        StagedUpload continued = staged;
        if (staged.multipartId() != null) {
            String data = dataKey(id);
            long partsSize = staged.partsSize();
            new PartSender(calls, settings.partSize(), data, staged).complete();
            hashInto(digest, data, partsSize);
            PartSender copies = new PartSender(calls, settings.partSize(), data, StagedUpload.EMPTY);
            int count = (int) ((partsSize + S3BlobStore.MAX_COPY - 1) / S3BlobStore.MAX_COPY);
            long each = (partsSize + count - 1) / count;
            for (long offset = 0; offset < partsSize; offset += each) {
                copies.copyPart(data, offset, Math.min(each, partsSize - offset));
            }
            copies.awaitInFlight();
            continued = new StagedUpload(copies.multipartId(), copies.parts(), staged.tail(), staged.tailSize(), staged.stale());
        }
        if (staged.tail() != null) {
            hashInto(digest, staged.tail(), staged.tailSize());
        }
        return new Rehashed(continued, digest);
    }

    private void hashInto(ResumableDigest digest, String key, long size) {
        GetObjectResponse object = calls.read("read " + key, key)
                .orElseThrow(() -> new StorageException("the staged object " + key + " is missing", null));
        long read = 0;
        try (object) {
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = object.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                read += n;
            }
        } catch (IOException e) {
            throw new StorageException("cannot read the staged object " + key + ": " + e.getMessage(), e);
        }
        if (read != size) {
            throw new StorageException("the staged object " + key + " holds " + read + " bytes, not " + size, null);
        }
    }

    // --- finishing -----------------------------------------------------------------------------------

    /** Copies an object server-side: one CopyObject up to the threshold, UploadPartCopy beyond it. */
    void copy(String source, String target, long size) {
        if (size <= settings.multipartCopyThreshold()) {
            calls.copy(source, target);
            return;
        }
        long partSize = Math.max(Math.min(COPY_PART, Math.max(S3BlobStore.MIN_PART, settings.multipartCopyThreshold() / 2)),
                (size + PartSender.MAX_PARTS - 1) / PartSender.MAX_PARTS);
        PartSender sender = new PartSender(calls, settings.partSize(), target, StagedUpload.EMPTY);
        try {
            for (long offset = 0; offset < size; offset += partSize) {
                sender.copyPart(source, offset, Math.min(partSize, size - offset));
            }
            sender.complete();
        } catch (RuntimeException e) {
            sender.abort();
            throw e;
        }
    }

    /** Removes an upload's staging objects (and aborts its multipart upload, unless it was completed). */
    void discard(UUID id, StagedUpload staged, boolean abort) {
        if (abort && staged.multipartId() != null) {
            calls.abortQuietly(dataKey(id), staged.multipartId());
        }
        List<CompletableFuture<Void>> deletions = new ArrayList<>();
        for (String key : new String[] {markerKey(id), staged.tail(), staged.stale(), dataKey(id)}) {
            if (key != null) {
                deletions.add(calls.startDelete(key));
            }
        }
        for (CompletableFuture<Void> deletion : deletions) {
            try {
                calls.await("delete a staging object of upload " + id, deletion);
            } catch (StorageException e) {
                LOG.warnf("Could not delete a staging object of upload %s: %s", id, e.getMessage());
            }
        }
    }

    /**
     * Removes everything of an upload whose state the caller may not have: every object under its
     * directory and any multipart upload at its data key.
     */
    void cancel(UUID id) {
        // The marker goes first, so a concurrent append on another replica fails rather than stages more.
        calls.delete(markerKey(id));
        List<String> keys = new ArrayList<>();
        String directory = directory(id);
        calls.forEachObject("list " + directory, directory, item -> keys.add(item.objectName()));
        for (String key : keys) {
            calls.delete(key);
        }
        calls.abortMultipartUploads(dataKey(id));
    }
}
