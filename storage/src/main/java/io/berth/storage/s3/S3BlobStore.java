package io.berth.storage.s3;

import io.berth.storage.BlobContent;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreType;
import io.berth.storage.CommitGuard;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.DigestMismatchException;
import io.berth.storage.StorageConfig;
import io.berth.storage.StorageException;
import io.berth.storage.UploadNotFoundException;
import io.berth.storage.UploadState;
import io.berth.storage.digest.ResumableDigest;
import io.berth.storage.layout.BlobLayout;
import io.minio.GetObjectResponse;
import io.minio.StatObjectResponse;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Stores blobs as objects of one S3 bucket, in the {@link BlobLayout} under an optional prefix, through
 * the MinIO client. Nothing of an upload lives in this process between requests: the staging
 * multipart upload, its parts and its tail are named in the {@link UploadState} the caller persists,
 * so any replica continues any upload.
 *
 * <ul>
 *   <li>{@link #put} (a whole blob with a known digest) streams into a multipart upload at the blob's
 *       own key, hashing on the way, and completes it only once the digest matches; a blob of less
 *       than a part is verified in memory and written with one PutObject. A mismatch aborts the
 *       multipart upload: nothing ever becomes visible, and nothing is copied.</li>
 *   <li>{@link #append} streams a chunk into parts of the staging multipart upload at
 *       {@code uploads/<id>/data}. A remainder under S3's 5 MiB part minimum is written as a small
 *       tail object and read back at the start of the next append (or sent as the last part at commit),
 *       so chunks of any size work and no replica keeps bytes on its disk.</li>
 *   <li>{@link #commit} verifies the digest from the saved hash state before anything becomes
 *       visible, completes the staging upload, copies it server-side to the content-addressed key
 *       (UploadPartCopy past 5 GiB) and deletes the staging objects. A mismatch aborts the multipart
 *       upload and deletes the staging objects.</li>
 * </ul>
 *
 * <p>This class decides what each operation of the {@link BlobStore} contract does, in which order;
 * {@link PartSender} sends the parts, {@link S3Staging} handles the staging objects and
 * {@link S3Calls} makes the requests.
 *
 * <p>Every failure of S3 or of the connection to it becomes a {@link StorageException} (503 with a
 * retry hint for the client); the client retries temporary errors itself, with a growing pause.
 */
@Singleton
@BlobStoreType(StorageConfig.Type.S3)
public class S3BlobStore implements BlobStore {

    /** S3's smallest part, except for the last one. */
    public static final int MIN_PART = 5 * 1024 * 1024;

    /** The largest object S3 copies in one CopyObject, and the largest part of an UploadPartCopy. */
    public static final long MAX_COPY = 5L * 1024 * 1024 * 1024;

    private final S3Settings settings;
    private final S3Calls calls;
    private final S3Staging staging;
    private final String prefix;

    @Inject
    public S3BlobStore(StorageConfig config) {
        this(S3Settings.from(config.s3()));
    }

    /** Connects to the bucket the settings name, creating it if it does not exist. */
    public S3BlobStore(S3Settings settings) {
        this.settings = settings;
        this.prefix = settings.prefix();
        this.calls = new S3Calls(settings);
        this.staging = new S3Staging(calls, settings);
    }

    @PreDestroy
    void close() {
        calls.close();
    }

    @Override
    public String describe() {
        return "s3:" + settings.effectiveEndpoint() + "/" + settings.bucket() + "/" + prefix
                + (settings.redirect() ? " (downloads redirected)" : "");
    }

    // --- reading -----------------------------------------------------------------------------------

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        return calls.stat("stat " + digest, blobKey(digest))
                .map(object -> new BlobStat(digest, object.size(), object.lastModified().toInstant()));
    }

    @Override
    public BlobContent open(Digest digest, long offset, long length) {
        if (length == 0) {
            if (stat(digest).isEmpty()) {
                throw new BlobNotFoundException(digest);
            }
            return new BlobContent.Stream(InputStream.nullInputStream(), 0);
        }
        GetObjectResponse object = calls.read("read " + digest, blobKey(digest), offset, length)
                .orElseThrow(() -> new BlobNotFoundException(digest));
        return new BlobContent.Stream(object, length);
    }

    /** Returns a presigned GET of the blob's object when {@code berth.storage.s3.redirect} is on. */
    @Override
    public Optional<URI> redirectUri(Digest digest, Duration validity) {
        if (!settings.redirect()) {
            return Optional.empty();
        }
        Duration expiry = validity.compareTo(settings.redirectExpiry()) < 0 ? validity : settings.redirectExpiry();
        return Optional.of(presignedGet(digest, expiry));
    }

    /** Returns a presigned GET of the blob's object; presigning is local (an HMAC), no request goes to S3. */
    @Override
    public Optional<URI> readUri(Digest digest, Duration validity) {
        return Optional.of(presignedGet(digest, validity));
    }

    private URI presignedGet(Digest digest, Duration validity) {
        return calls.presignedGet("presign a download of " + digest, blobKey(digest), validity);
    }

    // --- monolithic uploads ------------------------------------------------------------------------

    @Override
    public BlobStat put(UUID id, InputStream data, Digest expected, CommitGuard guard) {
        ResumableDigest digest = ResumableDigest.start(expected.algorithm());
        String key = blobKey(expected);
        PartBuffer buffer = new PartBuffer(settings.partSize());
        long size = buffer.fill(data, digest);
        if (!buffer.isFull()) {
            verify(expected, digest.finish(), () -> { });
            PartBuffer whole = buffer;
            return guard.around(whole.length(), () -> {
                calls.put(key, whole.array(), whole.length());
                return new BlobStat(expected, whole.length(), Instant.now());
            });
        }
        // Straight into a multipart upload at the blob's key: it becomes visible only when completed.
        PartSender sender = new PartSender(calls, settings.partSize(), key, StagedUpload.EMPTY);
        try {
            while (buffer.isFull()) {
                buffer = sender.send(buffer);
                size += buffer.fill(data, digest);
            }
            verify(expected, digest.finish(), sender::abort);
            if (buffer.length() > 0) {
                sender.send(buffer);
            }
            long total = size;
            return guard.around(total, () -> {
                sender.complete();
                return new BlobStat(expected, total, Instant.now());
            });
        } catch (RuntimeException e) {
            sender.abort();
            throw e;
        }
    }

    // --- resumable uploads -------------------------------------------------------------------------

    @Override
    public UploadState beginUpload(UUID id, DigestAlgorithm algorithm) {
        // The marker tells a cancelled or finished upload (gone) from one that has not staged a byte yet.
        calls.put(staging.markerKey(id), new byte[0], 0);
        return new UploadState(id, 0, algorithm, ResumableDigest.start(algorithm).exportState(), null);
    }

    @Override
    public UploadState append(UploadState state, InputStream data) {
        UUID id = state.id();
        CompletableFuture<StatObjectResponse> marker = calls.startStat(staging.markerKey(id));
        StagedUpload staged = StagedUpload.parse(state.storeState());
        ResumableDigest digest;
        Optional<ResumableDigest> resumed = ResumableDigest.resume(state.algorithm(), state.hashState());
        if (calls.missingIsEmpty("find upload " + id, marker).isEmpty()) {
            throw new UploadNotFoundException(id);
        }
        if (resumed.isPresent()) {
            digest = resumed.get();
        } else {
            S3Staging.Rehashed rehashed = staging.rehash(state, staged);
            staged = rehashed.staged();
            digest = rehashed.digest();
        }
        staged = staging.dropStale(staged);
        PartBuffer buffer = new PartBuffer(settings.partSize());
        if (staged.tail() != null) {
            staging.loadTail(id, staged, buffer);
        }
        PartSender sender = new PartSender(calls, settings.partSize(), staging.dataKey(id), staged);
        long received = 0;
        try {
            received += buffer.fill(data, digest);
            while (buffer.isFull()) {
                buffer = sender.send(buffer);
                received += buffer.fill(data, digest);
            }
            if (received == 0) {
                // Nothing new: the staged bytes stay as they were (a rebuilt hash state is kept).
                return new UploadState(id, state.size(), state.algorithm(), digest.exportState(), staged.toJson());
            }
            String tail = null;
            if (buffer.length() >= MIN_PART) {
                sender.send(buffer);
            } else if (buffer.length() > 0) {
                tail = staging.writeTail(id, buffer);
            }
            sender.awaitInFlight();
            StagedUpload next = new StagedUpload(sender.multipartId(), sender.parts(), tail,
                    tail == null ? 0 : buffer.length(), staged.tail());
            return new UploadState(id, state.size() + received, state.algorithm(), digest.exportState(), next.toJson());
        } catch (S3Calls.UploadGoneException e) {
            sender.awaitQuietly();
            throw new UploadNotFoundException(id);
        } catch (RuntimeException e) {
            // Parts sent past the recorded state are replaced or left out of the completed object later.
            sender.awaitQuietly();
            throw e;
        }
    }

    @Override
    public BlobStat commit(UploadState state, Digest expected, CommitGuard guard) {
        UUID id = state.id();
        StagedUpload staged = StagedUpload.parse(state.storeState());
        Optional<ResumableDigest> resumed = expected.algorithm() == state.algorithm()
                ? ResumableDigest.resume(state.algorithm(), state.hashState())
                : Optional.empty();
        if (calls.stat("find upload " + id, staging.markerKey(id)).isEmpty()) {
            throw new UploadNotFoundException(id);
        }
        String source;
        if (resumed.isPresent()) {
            // Verified before anything is assembled, let alone visible.
            verify(expected, resumed.get().finish(), () -> staging.discard(id, staged, true));
            source = staging.assemble(id, staged, state.size());
        } else {
            source = staging.assemble(id, staged, state.size());
            Digest actual = source == null
                    ? ResumableDigest.start(expected.algorithm()).finish()
                    : staging.hashObject(source, expected.algorithm(), state.size());
            verify(expected, actual, () -> staging.discard(id, staged, true));
        }
        String target = blobKey(expected);
        String assembled = source;
        BlobStat stat = guard.around(state.size(), () -> {
            if (calls.stat("stat " + expected, target).isEmpty()) {
                if (assembled == null) {
                    calls.put(target, new byte[0], 0);
                } else {
                    staging.copy(assembled, target, state.size());
                }
            }
            return new BlobStat(expected, state.size(), Instant.now());
        });
        staging.discard(id, staged, false);
        return stat;
    }

    @Override
    public void cancel(UUID id) {
        staging.cancel(id);
    }

    /** Parts are at least this long, so chunks of this length each become one part with no tail. */
    @Override
    public long preferredChunkLength() {
        return settings.partSize();
    }

    // --- garbage collection ------------------------------------------------------------------------

    @Override
    public boolean delete(Digest digest) {
        if (stat(digest).isEmpty()) {
            return false;
        }
        calls.delete(blobKey(digest));
        return true;
    }

    @Override
    public Map<Digest, String> deleteAll(Collection<Digest> digests) {
        Map<String, Digest> byKey = new HashMap<>();
        digests.forEach(digest -> byKey.put(blobKey(digest), digest));
        Map<Digest, String> failed = new LinkedHashMap<>();
        calls.deleteAll("delete " + digests.size() + " blobs", byKey.keySet())
                .forEach((key, reason) -> {
                    Digest digest = byKey.get(key);
                    if (digest != null) {
                        failed.put(digest, reason);
                    }
                });
        return failed;
    }

    @Override
    public void walk(Consumer<BlobStat> visitor) {
        String root = prefix + BlobLayout.blobsRoot();
        calls.forEachObject("list the blobs under " + root, root, item -> toDigest(item.objectName().substring(root.length()))
                .ifPresent(digest -> visitor.accept(new BlobStat(digest, item.size(), item.lastModified().toInstant()))));
    }

    /** Checks that the bucket exists and answers. */
    @Override
    public void checkHealth() {
        if (!calls.bucketExists()) {
            throw new StorageException("the bucket " + settings.bucket() + " does not exist at " + settings.effectiveEndpoint(), null);
        }
    }

    // --- keys --------------------------------------------------------------------------------------

    private String blobKey(Digest digest) {
        return prefix + BlobLayout.blob(digest);
    }

    private Optional<Digest> toDigest(String relative) {
        // <algorithm>/<2 hex>/<hex>
        String[] segments = relative.split("/");
        if (segments.length != 3) {
            return Optional.empty();
        }
        try {
            Optional<Digest> digest = DigestAlgorithm.fromId(segments[0]).map(algorithm -> new Digest(algorithm, segments[2]));
            return digest.filter(d -> d.hex().startsWith(segments[1]));
        } catch (RuntimeException notABlob) {
            return Optional.empty();
        }
    }

    private static void verify(Digest expected, Digest actual, Runnable onMismatch) {
        if (!actual.equals(expected)) {
            onMismatch.run();
            throw new DigestMismatchException(expected, actual);
        }
    }
}
