package io.berth.storage.s3;

import io.berth.storage.BlobContent;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreType;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.DigestMismatchException;
import io.berth.storage.StorageConfig;
import io.berth.storage.StorageException;
import io.berth.storage.UploadNotFoundException;
import io.berth.storage.UploadState;
import io.berth.storage.digest.ResumableDigest;
import io.berth.storage.layout.BlobLayout;
import io.minio.AbortMultipartUploadArgs;
import io.minio.BucketExistsArgs;
import io.minio.CompleteMultipartUploadArgs;
import io.minio.ComposeObjectArgs;
import io.minio.CopyObjectArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListMultipartUploadsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadPartArgs;
import io.minio.UploadPartCopyArgs;
import io.minio.UploadPartCopyResponse;
import io.minio.UploadPartResponse;
import io.minio.credentials.AwsEnvironmentProvider;
import io.minio.credentials.ChainedProvider;
import io.minio.credentials.IamAwsProvider;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import io.minio.messages.ListMultipartUploadsResult;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jboss.logging.Logger;

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

    private static final int MAX_PARTS = 10_000;
    private static final long COPY_PART = 1L << 30;
    private static final int COPY_CONCURRENCY = 4;
    private static final long RETRY_DELAY_MS = 200;
    private static final String MARKER = "startedat";

    private static final Logger LOG = Logger.getLogger(S3BlobStore.class);

    private final S3Settings settings;
    private final MinioAsyncClient client;
    private final String bucket;
    private final String prefix;

    @Inject
    public S3BlobStore(StorageConfig config) {
        this(S3Settings.from(config.s3()));
    }

    /** Connects to the bucket the settings name, creating it if it does not exist. */
    public S3BlobStore(S3Settings settings) {
        this.settings = settings;
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.client = newClient(settings);
        ensureBucket();
    }

    private static MinioAsyncClient newClient(S3Settings settings) {
        // The async client queues calls in OkHttp's dispatcher, whose default of 5 calls per host would
        // make concurrent downloads wait for each other.
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(512);
        dispatcher.setMaxRequestsPerHost(512);
        OkHttpClient http = Http.newDefaultClient().newBuilder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
                .build();
        MinioAsyncClient.Builder builder = MinioAsyncClient.builder()
                .endpoint(settings.effectiveEndpoint())
                .region(settings.region())
                .httpClient(http, true);
        if (settings.accessKey() != null) {
            builder.credentials(settings.accessKey(), settings.secretKey());
        } else {
            builder.credentialsProvider(new ChainedProvider(new AwsEnvironmentProvider(), new IamAwsProvider(null, null)));
        }
        MinioAsyncClient client = builder.build();
        client.setTimeout(settings.connectTimeout().toMillis(), settings.timeout().toMillis(), settings.timeout().toMillis());
        client.setRetry(Http.RETRIABLE_STATUS_CODES, RETRY_DELAY_MS, settings.maxRetries());
        if (Boolean.TRUE.equals(settings.pathStyle())) {
            client.disableVirtualStyleEndpoint();
        } else if (Boolean.FALSE.equals(settings.pathStyle())) {
            client.enableVirtualStyleEndpoint();
        }
        client.setAppInfo("berth", "0.1");
        return client;
    }

    private void ensureBucket() {
        if (await("check the bucket " + bucket, client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))) {
            return;
        }
        try {
            await("create the bucket " + bucket, client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build()));
            LOG.infof("Created the bucket %s at %s", bucket, settings.effectiveEndpoint());
        } catch (StorageException e) {
            // Another replica may have created it meanwhile.
            if (!errorCode(e).map(code -> code.startsWith("BucketAlreadyOwnedByYou") || code.startsWith("BucketAlreadyExists"))
                    .orElse(false)) {
                throw e;
            }
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }

    @Override
    public String describe() {
        return "s3:" + settings.effectiveEndpoint() + "/" + bucket + "/" + prefix
                + (settings.redirect() ? " (downloads redirected)" : "");
    }

    // --- reading -----------------------------------------------------------------------------------

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        return statObject("stat " + digest, blobKey(digest))
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
        GetObjectResponse object = missingIsEmpty("read " + digest, client.getObject(GetObjectArgs.builder()
                .bucket(bucket).object(blobKey(digest)).offset(offset).length(length).build()))
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
        try {
            return URI.create(client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                    .method(Http.Method.GET).bucket(bucket).object(blobKey(digest))
                    .expiry((int) Math.max(1, validity.toSeconds())).build()));
        } catch (MinioException | RuntimeException e) {
            throw failure("presign a download of " + digest, e);
        }
    }

    // --- monolithic uploads ------------------------------------------------------------------------

    @Override
    public BlobStat put(UUID id, InputStream data, Digest expected) {
        ResumableDigest digest = ResumableDigest.start(expected.algorithm());
        String key = blobKey(expected);
        PartBuffer buffer = new PartBuffer(settings.partSize());
        long size = buffer.fill(data, digest);
        if (!buffer.isFull()) {
            verify(expected, digest.finish(), () -> { });
            putBytes(key, buffer.array(), buffer.length());
            return new BlobStat(expected, size, Instant.now());
        }
        // Straight into a multipart upload at the blob's key: it becomes visible only when completed.
        PartSender sender = new PartSender(key, StagedUpload.EMPTY);
        try {
            while (buffer.isFull()) {
                buffer = sender.send(buffer);
                size += buffer.fill(data, digest);
            }
            verify(expected, digest.finish(), sender::abort);
            if (buffer.length() > 0) {
                sender.send(buffer);
            }
            sender.complete();
            return new BlobStat(expected, size, Instant.now());
        } catch (RuntimeException e) {
            sender.abort();
            throw e;
        }
    }

    // --- resumable uploads -------------------------------------------------------------------------

    @Override
    public UploadState beginUpload(UUID id, DigestAlgorithm algorithm) {
        // The marker tells a cancelled or finished upload (gone) from one that has not staged a byte yet.
        putBytes(markerKey(id), new byte[0], 0);
        return new UploadState(id, 0, algorithm, ResumableDigest.start(algorithm).exportState(), null);
    }

    @Override
    public UploadState append(UploadState state, InputStream data) {
        UUID id = state.id();
        CompletableFuture<StatObjectResponse> marker = client.statObject(statArgs(markerKey(id)));
        StagedUpload staged = StagedUpload.parse(state.storeState());
        ResumableDigest digest;
        Optional<ResumableDigest> resumed = ResumableDigest.resume(state.algorithm(), state.hashState());
        if (missingIsEmpty("find upload " + id, marker).isEmpty()) {
            throw new UploadNotFoundException(id);
        }
        if (resumed.isPresent()) {
            digest = resumed.get();
        } else {
            Rehashed rehashed = rehash(state, staged);
            staged = rehashed.staged();
            digest = rehashed.digest();
        }
        if (staged.stale() != null) {
            // The append that consumed this tail was recorded (its state is ours): the tail can go.
            deleteQuietly(staged.stale());
            staged = new StagedUpload(staged.multipartId(), staged.parts(), staged.tail(), staged.tailSize(), null);
        }
        PartBuffer buffer = new PartBuffer(settings.partSize());
        if (staged.tail() != null) {
            loadTail(id, staged, buffer);
        }
        PartSender sender = new PartSender(dataKey(id), staged);
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
                tail = tailKey(id);
                putBytes(tail, buffer.array(), buffer.length());
            }
            sender.awaitInFlight();
            StagedUpload next = new StagedUpload(sender.multipartId(), sender.parts(), tail,
                    tail == null ? 0 : buffer.length(), staged.tail());
            return new UploadState(id, state.size() + received, state.algorithm(), digest.exportState(), next.toJson());
        } catch (S3UploadGoneException e) {
            sender.awaitQuietly();
            throw new UploadNotFoundException(id);
        } catch (RuntimeException e) {
            // Parts sent past the recorded state are replaced or left out of the completed object later.
            sender.awaitQuietly();
            throw e;
        }
    }

    @Override
    public BlobStat commit(UploadState state, Digest expected) {
        UUID id = state.id();
        StagedUpload staged = StagedUpload.parse(state.storeState());
        Optional<ResumableDigest> resumed = expected.algorithm() == state.algorithm()
                ? ResumableDigest.resume(state.algorithm(), state.hashState())
                : Optional.empty();
        if (missingIsEmpty("find upload " + id, client.statObject(statArgs(markerKey(id)))).isEmpty()) {
            throw new UploadNotFoundException(id);
        }
        String source;
        if (resumed.isPresent()) {
            // Verified before anything is assembled, let alone visible.
            verify(expected, resumed.get().finish(), () -> discard(id, staged, true));
            source = assemble(id, staged, state.size());
        } else {
            source = assemble(id, staged, state.size());
            Digest actual = source == null
                    ? ResumableDigest.start(expected.algorithm()).finish()
                    : hashObject(source, expected.algorithm(), state.size());
            verify(expected, actual, () -> discard(id, staged, true));
        }
        String target = blobKey(expected);
        if (statObject("stat " + expected, target).isEmpty()) {
            if (source == null) {
                putBytes(target, new byte[0], 0);
            } else {
                copy(source, target, state.size());
            }
        }
        discard(id, staged, false);
        return new BlobStat(expected, state.size(), Instant.now());
    }

    @Override
    public void cancel(UUID id) {
        // The marker goes first, so a concurrent append on another replica fails rather than stages more.
        deleteObject(markerKey(id));
        String directory = prefix + BlobLayout.uploadDirectory(id) + "/";
        for (String key : listKeys(directory)) {
            deleteObject(key);
        }
        abortMultipartUploads(dataKey(id));
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
        deleteObject(blobKey(digest));
        return true;
    }

    @Override
    public void walk(Consumer<BlobStat> visitor) {
        String root = prefix + BlobLayout.blobsRoot();
        try {
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                    .prefix(root).recursive(true).build())) {
                Item item = result.get();
                toDigest(item.objectName().substring(root.length()))
                        .ifPresent(digest -> visitor.accept(new BlobStat(digest, item.size(), item.lastModified().toInstant())));
            }
        } catch (MinioException | RuntimeException e) {
            throw failure("list the blobs under " + root, e);
        }
    }

    /** Checks that the bucket exists and answers. */
    @Override
    public void checkHealth() {
        if (!await("check the bucket " + bucket, client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))) {
            throw new StorageException("the bucket " + bucket + " does not exist at " + settings.effectiveEndpoint(), null);
        }
    }

    // --- staging -------------------------------------------------------------------------------------

    /**
     * Makes the staged bytes one object and returns its key: the tail itself when there are no parts,
     * otherwise the completed staging multipart upload (with the tail as its last part); null for an
     * empty upload.
     */
    private String assemble(UUID id, StagedUpload staged, long size) {
        if (staged.multipartId() == null) {
            return staged.tail();
        }
        PartSender sender = new PartSender(dataKey(id), staged);
        if (staged.tail() != null) {
            PartBuffer buffer = new PartBuffer(MIN_PART);
            loadTail(id, staged, buffer);
            sender.send(buffer);
        }
        try {
            sender.complete();
        } catch (S3UploadGoneException e) {
            // An earlier commit of this upload completed it and failed later on: use what it assembled.
            Optional<StatObjectResponse> assembled = statObject("stat the staged upload " + id, dataKey(id));
            if (assembled.isEmpty() || assembled.get().size() != size) {
                throw new UploadNotFoundException(id);
            }
        }
        return dataKey(id);
    }

    /** Reads an object and returns its digest. */
    private Digest hashObject(String key, DigestAlgorithm algorithm, long size) {
        ResumableDigest digest = ResumableDigest.start(algorithm);
        hashInto(digest, key, size);
        return digest.finish();
    }

    private record Rehashed(StagedUpload staged, ResumableDigest digest) {
    }

    /**
     * Rebuilds a hash state this JVM cannot read (another implementation wrote it) from the staged
     * bytes. Parts of a multipart upload cannot be read before it is completed, so the upload is
     * completed, read, and continued as a new multipart upload whose parts are server-side copies of it.
     */
    private Rehashed rehash(UploadState state, StagedUpload staged) {
        UUID id = state.id();
        LOG.infof("Rebuilding the hash state of upload %s from its %d staged bytes", id, state.size());
        ResumableDigest digest = ResumableDigest.start(state.algorithm());
        StagedUpload continued = staged;
        if (staged.multipartId() != null) {
            String data = dataKey(id);
            long partsSize = staged.partsSize();
            new PartSender(data, staged).complete();
            hashInto(digest, data, partsSize);
            PartSender copies = new PartSender(data, StagedUpload.EMPTY);
            int count = (int) ((partsSize + MAX_COPY - 1) / MAX_COPY);
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
        GetObjectResponse object = missingIsEmpty("read " + key, client.getObject(GetObjectArgs.builder()
                .bucket(bucket).object(key).build())).orElseThrow(() -> new StorageException("the staged object " + key
                        + " is missing", null));
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

    private void loadTail(UUID id, StagedUpload staged, PartBuffer buffer) {
        GetObjectResponse tail = missingIsEmpty("read the tail of upload " + id, client.getObject(GetObjectArgs.builder()
                .bucket(bucket).object(staged.tail()).build())).orElseThrow(() -> new UploadNotFoundException(id));
        buffer.load(tail, staged.tailSize(), staged.tail());
    }

    /** Removes an upload's staging objects (and aborts its multipart upload, unless it was completed). */
    private void discard(UUID id, StagedUpload staged, boolean abort) {
        if (abort && staged.multipartId() != null) {
            abortQuietly(dataKey(id), staged.multipartId());
        }
        List<CompletableFuture<Void>> deletions = new ArrayList<>();
        for (String key : new String[] {markerKey(id), staged.tail(), staged.stale(), dataKey(id)}) {
            if (key != null) {
                deletions.add(client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
            }
        }
        for (CompletableFuture<Void> deletion : deletions) {
            try {
                await("delete a staging object of upload " + id, deletion);
            } catch (StorageException e) {
                LOG.warnf("Could not delete a staging object of upload %s: %s", id, e.getMessage());
            }
        }
    }

    /** Copies an object server-side: one CopyObject up to the threshold, UploadPartCopy beyond it. */
    private void copy(String source, String target, long size) {
        if (size <= settings.multipartCopyThreshold()) {
            await("copy " + source + " to " + target, client.copyObject(CopyObjectArgs.builder().bucket(bucket).object(target)
                    .source(SourceObject.builder().bucket(bucket).object(source).build()).build()));
            return;
        }
        long partSize = Math.max(Math.min(COPY_PART, Math.max(MIN_PART, settings.multipartCopyThreshold() / 2)),
                (size + MAX_PARTS - 1) / MAX_PARTS);
        PartSender sender = new PartSender(target, StagedUpload.EMPTY);
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

    private void abortMultipartUploads(String key) {
        try {
            ListMultipartUploadsResult uploads = await("list the multipart uploads of " + key,
                    client.listMultipartUploads(ListMultipartUploadsArgs.builder().bucket(bucket).prefix(key).build())).result();
            for (ListMultipartUploadsResult.Upload upload : uploads.uploads()) {
                if (key.equals(upload.objectName())) {
                    abortQuietly(key, upload.uploadId());
                }
            }
        } catch (StorageException e) {
            // Servers without ListMultipartUploads: an unfinished part upload is left to the bucket's
            // lifecycle rule (AbortIncompleteMultipartUpload), as the README advises.
            LOG.debugf("Could not list the multipart uploads of %s: %s", key, e.getMessage());
        }
    }

    private void abortQuietly(String key, String multipartId) {
        try {
            await("abort the multipart upload of " + key, client.abortMultipartUpload(AbortMultipartUploadArgs.builder()
                    .bucket(bucket).object(key).uploadId(multipartId).build()));
        } catch (S3UploadGoneException gone) {
            // already aborted or completed
        } catch (StorageException e) {
            LOG.warnf("Could not abort the multipart upload of %s: %s", key, e.getMessage());
        }
    }

    /**
     * Sends the parts of one multipart upload, created at the first part: one part in flight while the
     * caller fills the next, so reading, hashing and sending overlap with at most two parts in memory.
     */
    private final class PartSender {
        private final String key;
        private String multipartId;
        private final List<StagedUpload.Part> parts;
        private final List<CompletableFuture<StagedUpload.Part>> inFlight = new ArrayList<>();
        private PartBuffer spare;

        PartSender(String key, StagedUpload staged) {
            this.key = key;
            this.multipartId = staged.multipartId();
            this.parts = new ArrayList<>(staged.parts());
        }

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
            long size = full.length();
            String id = multipartId;
            CompletableFuture<UploadPartResponse> upload = client.uploadPart(UploadPartArgs.builder().bucket(bucket)
                    .object(key).uploadId(id).partNumber(number).data(full.array(), full.length()).build());
            inFlight.add(upload.thenApply(response -> new StagedUpload.Part(number, response.part().etag(), size)));
            PartBuffer next = spare == null ? new PartBuffer(settings.partSize()) : spare.clear();
            spare = full;
            return next;
        }

        /** Starts a server-side copy of {@code length} bytes of {@code source} as the next part. */
        void copyPart(String source, long offset, long length) {
            if (inFlight.size() >= COPY_CONCURRENCY) {
                awaitInFlight();
            }
            int number = nextNumber() + inFlight.size();
            // Without the source's ETag: s3proxy refuses the client's unquoted x-amz-copy-source-if-match.
            Http.Headers headers = new Http.Headers();
            headers.put("x-amz-copy-source", copySource(source));
            headers.put(Http.Headers.X_AMZ_COPY_SOURCE_RANGE, "bytes=" + offset + "-" + (offset + length - 1));
            // The client's builder for UploadPartCopyArgs cannot instantiate it (a private constructor);
            // the public constructor takes the target from a ComposeObjectArgs.
            ComposeObjectArgs target = new ComposeObjectArgs(CopyObjectArgs.builder().bucket(bucket).object(key)
                    .source(SourceObject.builder().bucket(bucket).object(source).build()).build());
            CompletableFuture<UploadPartCopyResponse> copy =
                    client.uploadPartCopy(new UploadPartCopyArgs(target, multipartId, number, headers));
            inFlight.add(copy.thenApply(response -> new StagedUpload.Part(number, response.part().etag(), length)));
        }

        private int nextNumber() {
            if (multipartId == null) {
                multipartId = await("start a multipart upload of " + key, client.createMultipartUpload(
                        CreateMultipartUploadArgs.builder().bucket(bucket).object(key).build())).result().uploadId();
            }
            int number = parts.size() + 1;
            if (number > MAX_PARTS) {
                throw new StorageException("the upload needs more than S3's " + MAX_PARTS + " parts; send larger chunks", null);
            }
            return number;
        }

        void awaitInFlight() {
            try {
                for (CompletableFuture<StagedUpload.Part> part : inFlight) {
                    parts.add(await("send a part of " + key, part));
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

        void complete() {
            awaitInFlight();
            io.minio.messages.Part[] list = parts.stream()
                    .map(part -> new io.minio.messages.Part(part.number(), part.etag()))
                    .toArray(io.minio.messages.Part[]::new);
            await("complete the multipart upload of " + key, client.completeMultipartUpload(CompleteMultipartUploadArgs
                    .builder().bucket(bucket).object(key).uploadId(multipartId).parts(list).build()));
        }

        void abort() {
            awaitQuietly();
            if (multipartId != null) {
                abortQuietly(key, multipartId);
            }
        }
    }

    // --- keys and calls ----------------------------------------------------------------------------

    private String blobKey(Digest digest) {
        return prefix + BlobLayout.blob(digest);
    }

    private String dataKey(UUID id) {
        return prefix + BlobLayout.uploadData(id);
    }

    private String markerKey(UUID id) {
        return prefix + BlobLayout.uploadDirectory(id) + "/" + MARKER;
    }

    private String tailKey(UUID id) {
        return prefix + BlobLayout.uploadDirectory(id) + "/tail-" + UUID.randomUUID();
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

    /** Returns the value of {@code x-amz-copy-source} for an object of the bucket. */
    private String copySource(String key) {
        StringBuilder source = new StringBuilder("/").append(URLEncoder.encode(bucket, StandardCharsets.UTF_8));
        for (String segment : key.split("/", -1)) {
            source.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return source.toString();
    }

    private StatObjectArgs statArgs(String key) {
        return StatObjectArgs.builder().bucket(bucket).object(key).build();
    }

    private Optional<StatObjectResponse> statObject(String action, String key) {
        return missingIsEmpty(action, client.statObject(statArgs(key)));
    }

    private void putBytes(String key, byte[] bytes, int length) {
        await("write " + key, client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .data(bytes, length).contentType("application/octet-stream").build()));
    }

    private void deleteObject(String key) {
        await("delete " + key, client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    private void deleteQuietly(String key) {
        client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build())
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        LOG.debugf("Could not delete %s (left for a later cleanup): %s", key, failure.getMessage());
                    }
                });
    }

    private List<String> listKeys(String directory) {
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(directory)
                    .recursive(true).build())) {
                keys.add(result.get().objectName());
            }
        } catch (MinioException | RuntimeException e) {
            throw failure("list " + directory, e);
        }
        return keys;
    }

    private static void verify(Digest expected, Digest actual, Runnable onMismatch) {
        if (!actual.equals(expected)) {
            onMismatch.run();
            throw new DigestMismatchException(expected, actual);
        }
    }

    /** Waits for a call and translates its failure; NoSuchUpload becomes UploadNotFoundException. */
    private <T> T await(String action, CompletableFuture<T> call) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new StorageException("interrupted while waiting for S3 to " + action, e);
        } catch (ExecutionException e) {
            throw failure(action, e.getCause());
        }
    }

    /** Like {@link #await}, but a missing object or upload is an empty result. */
    private <T> Optional<T> missingIsEmpty(String action, CompletableFuture<T> call) {
        try {
            return Optional.of(await(action, call));
        } catch (StorageException e) {
            if (errorCode(e).filter(MISSING::contains).isPresent()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static final Set<String> MISSING = Set.of("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchUpload");

    private StorageException failure(String action, Throwable cause) {
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StorageException storage) {
            return storage;
        }
        if (cause instanceof ErrorResponseException error) {
            String code = error.errorResponse().code();
            String message = "S3 could not " + action + ": " + code + " (" + error.errorResponse().message() + ")";
            return "NoSuchUpload".equals(code) ? new S3UploadGoneException(message, error) : new S3Exception(message, code, error);
        }
        return new StorageException("S3 could not " + action + ": " + cause, cause);
    }

    private static Optional<String> errorCode(Throwable e) {
        if (e instanceof S3Exception s3) {
            return Optional.ofNullable(s3.code);
        }
        if (e instanceof S3UploadGoneException) {
            return Optional.of("NoSuchUpload");
        }
        return Optional.empty();
    }

    /** An error answer of S3, with its code. */
    private static final class S3Exception extends StorageException {
        private final String code;

        S3Exception(String message, String code, Throwable cause) {
            super(message, cause);
            this.code = code;
        }
    }

    /** S3 no longer knows the multipart upload: it was aborted, completed, or expired. */
    private static final class S3UploadGoneException extends StorageException {
        S3UploadGoneException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
