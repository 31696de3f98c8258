package io.berth.storage.s3;

import io.berth.storage.StorageException;
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
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadPartArgs;
import io.minio.UploadPartCopyArgs;
import io.minio.credentials.AwsEnvironmentProvider;
import io.minio.credentials.ChainedProvider;
import io.minio.credentials.IamAwsProvider;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.DeleteRequest;
import io.minio.messages.DeleteResult;
import io.minio.messages.Item;
import io.minio.messages.ListMultipartUploadsResult;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jboss.logging.Logger;

/**
 * The S3 calls of the store, on the objects of one bucket: it builds the MinIO client from the
 * settings, creates the bucket if it is missing, and wraps each request the store makes, so that no
 * other class of the package builds MinIO arguments or sees a MinIO exception.
 *
 * <p>Its contract: keys are full object keys (the prefix already applied); a method that returns a
 * value waits for its call, one whose name starts with {@code start} returns the call's future for
 * {@link #await} or {@link #missingIsEmpty}. Every failure of S3 or of the connection to it comes out
 * as a {@link StorageException} whose message says what could not be done; S3's NoSuchUpload comes out
 * as an {@link UploadGoneException}. The client itself retries temporary errors, with a growing pause.
 */
final class S3Calls {

    private static final long RETRY_DELAY_MS = 200;
    private static final Set<String> MISSING = Set.of("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchUpload");

    private static final Logger LOG = Logger.getLogger(S3Calls.class);

    private final MinioAsyncClient client;
    private final String bucket;

    /** Connects to the bucket the settings name, creating it if it does not exist. */
    S3Calls(S3Settings settings) {
        this.bucket = settings.bucket();
        this.client = newClient(settings);
        ensureBucket(settings.effectiveEndpoint());
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

    private void ensureBucket(String endpoint) {
        if (bucketExists()) {
            return;
        }
        try {
            await("create the bucket " + bucket, client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build()));
            LOG.infof("Created the bucket %s at %s", bucket, endpoint);
        } catch (StorageException e) {
            // Another replica may have created it meanwhile.
            if (!errorCode(e).map(code -> code.startsWith("BucketAlreadyOwnedByYou") || code.startsWith("BucketAlreadyExists"))
                    .orElse(false)) {
                throw e;
            }
        }
    }

    /** Closes the client and its connections. */
    void close() {
        client.close();
    }

    boolean bucketExists() {
        return await("check the bucket " + bucket, client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    // --- objects -------------------------------------------------------------------------------------

    CompletableFuture<StatObjectResponse> startStat(String key) {
        return client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
    }

    /** Returns the object's metadata, or empty if there is no such object. */
    Optional<StatObjectResponse> stat(String action, String key) {
        return missingIsEmpty(action, startStat(key));
    }

    /** Opens the whole object, or returns empty if there is no such object. */
    Optional<GetObjectResponse> read(String action, String key) {
        return read(action, GetObjectArgs.builder().bucket(bucket).object(key).build());
    }

    /** Opens {@code length} bytes of the object from {@code offset}, or returns empty if there is no such object. */
    Optional<GetObjectResponse> read(String action, String key, long offset, long length) {
        return read(action, GetObjectArgs.builder().bucket(bucket).object(key).offset(offset).length(length).build());
    }

    private Optional<GetObjectResponse> read(String action, GetObjectArgs args) {
        return missingIsEmpty(action, client.getObject(args));
    }

    /** Returns a presigned GET of the object; presigning is local (an HMAC), no request goes to S3. */
    URI presignedGet(String action, String key, Duration validity) {
        try {
            return URI.create(client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                    .method(Http.Method.GET).bucket(bucket).object(key)
                    .expiry((int) Math.max(1, validity.toSeconds())).build()));
        } catch (MinioException | RuntimeException e) {
            throw failure(action, e);
        }
    }

    void put(String key, byte[] bytes, int length) {
        await("write " + key, client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .data(bytes, length).contentType("application/octet-stream").build()));
    }

    /** Copies an object server-side in one CopyObject, which S3 allows up to {@link S3BlobStore#MAX_COPY}. */
    void copy(String source, String target) {
        await("copy " + source + " to " + target, client.copyObject(CopyObjectArgs.builder().bucket(bucket).object(target)
                .source(SourceObject.builder().bucket(bucket).object(source).build()).build()));
    }

    CompletableFuture<Void> startDelete(String key) {
        return client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
    }

    void delete(String key) {
        await("delete " + key, startDelete(key));
    }

    /** Keys per multi-object delete request; a large delete sends several such requests at once. */
    static final int DELETE_REQUEST_KEYS = 100;

    /**
     * Deletes the objects with S3's multi-object delete, {@value #DELETE_REQUEST_KEYS} keys a request and
     * the requests at once (each one waits a round trip and S3's per-key work, not the CPU), and returns
     * the keys it could not delete, each with S3's reason. A key that does not exist counts as deleted,
     * as S3 reports it.
     */
    Map<String, String> deleteAll(String action, Collection<String> keys) {
        List<String> all = List.copyOf(keys);
        List<List<String>> requests = new ArrayList<>();
        for (int from = 0; from < all.size(); from += DELETE_REQUEST_KEYS) {
            requests.add(all.subList(from, Math.min(all.size(), from + DELETE_REQUEST_KEYS)));
        }
        Map<String, String> failed = new LinkedHashMap<>();
        if (requests.size() <= 1) {
            requests.forEach(request -> failed.putAll(deleteEach(action, request)));
            return failed;
        }
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Map<String, String>>> sent = requests.stream()
                    .map(request -> senders.submit(() -> deleteEach(action, request))).toList();
            for (Future<Map<String, String>> request : sent) {
                failed.putAll(request.get());
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StorageException storage ? storage : failure(action, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while trying to " + action, e);
        }
        return failed;
    }

    /** One multi-object delete request. */
    private Map<String, String> deleteEach(String action, List<String> keys) {
        Map<String, String> failed = new LinkedHashMap<>();
        List<DeleteRequest.Object> objects = keys.stream().map(DeleteRequest.Object::new).toList();
        try {
            // Lazy: the request goes out as the results are read.
            for (Result<DeleteResult.Error> result : client.removeObjects(
                    RemoveObjectsArgs.builder().bucket(bucket).objects(objects).build())) {
                DeleteResult.Error error = result.get();
                failed.put(error.objectName(), error.code() + ": " + error.message());
            }
        } catch (MinioException | RuntimeException e) {
            throw failure(action, e);
        }
        return failed;
    }

    /** Starts deleting an object without waiting; a failure only leaves it for a later cleanup. */
    void deleteQuietly(String key) {
        startDelete(key).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.debugf("Could not delete %s (left for a later cleanup): %s", key, failure.getMessage());
            }
        });
    }

    /**
     * Hands every object under {@code prefix} to the visitor, page by page as S3 lists them. A failure
     * of the listing, or a runtime exception of the visitor, stops it as a {@link StorageException}.
     */
    void forEachObject(String action, String prefix, Consumer<Item> visitor) {
        try {
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                visitor.accept(result.get());
            }
        } catch (MinioException | RuntimeException e) {
            throw failure(action, e);
        }
    }

    // --- multipart uploads ---------------------------------------------------------------------------

    /** Creates a multipart upload at the key and returns its id. */
    String createMultipartUpload(String key) {
        return await("start a multipart upload of " + key, client.createMultipartUpload(
                CreateMultipartUploadArgs.builder().bucket(bucket).object(key).build())).result().uploadId();
    }

    /** Starts sending the first {@code length} bytes as a part; the future yields the part as recorded. */
    CompletableFuture<StagedUpload.Part> startUploadPart(String key, String multipartId, int number, byte[] bytes,
            int length) {
        return client.uploadPart(UploadPartArgs.builder().bucket(bucket)
                        .object(key).uploadId(multipartId).partNumber(number).data(bytes, length).build())
                .thenApply(response -> new StagedUpload.Part(number, response.part().etag(), length));
    }

    /** Starts a server-side copy of {@code length} bytes of {@code source} as a part of the multipart upload at the key. */
    CompletableFuture<StagedUpload.Part> startUploadPartCopy(String key, String multipartId, int number, String source,
            long offset, long length) {
        // Without the source's ETag: s3proxy refuses the client's unquoted x-amz-copy-source-if-match.
        Http.Headers headers = new Http.Headers();
        headers.put("x-amz-copy-source", copySource(source));
        headers.put(Http.Headers.X_AMZ_COPY_SOURCE_RANGE, "bytes=" + offset + "-" + (offset + length - 1));
        // The client's builder for UploadPartCopyArgs cannot instantiate it (a private constructor);
        // the public constructor takes the target from a ComposeObjectArgs.
        ComposeObjectArgs target = new ComposeObjectArgs(CopyObjectArgs.builder().bucket(bucket).object(key)
                .source(SourceObject.builder().bucket(bucket).object(source).build()).build());
        return client.uploadPartCopy(new UploadPartCopyArgs(target, multipartId, number, headers))
                .thenApply(response -> new StagedUpload.Part(number, response.part().etag(), length));
    }

    /** Returns the value of {@code x-amz-copy-source} for an object of the bucket. */
    private String copySource(String key) {
        StringBuilder source = new StringBuilder("/").append(URLEncoder.encode(bucket, StandardCharsets.UTF_8));
        for (String segment : key.split("/", -1)) {
            source.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return source.toString();
    }

    /** Completes the multipart upload at the key from the parts, which makes its object visible. */
    void completeMultipartUpload(String key, String multipartId, List<StagedUpload.Part> parts) {
        io.minio.messages.Part[] list = parts.stream()
                .map(part -> new io.minio.messages.Part(part.number(), part.etag()))
                .toArray(io.minio.messages.Part[]::new);
        await("complete the multipart upload of " + key, client.completeMultipartUpload(CompleteMultipartUploadArgs
                .builder().bucket(bucket).object(key).uploadId(multipartId).parts(list).build()));
    }

    /** Aborts every multipart upload at exactly this key, as far as the server can list them. */
    void abortMultipartUploads(String key) {
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

    /** Aborts a multipart upload; a failure is only logged, as the caller is cleaning up. */
    void abortQuietly(String key, String multipartId) {
        try {
            await("abort the multipart upload of " + key, client.abortMultipartUpload(AbortMultipartUploadArgs.builder()
                    .bucket(bucket).object(key).uploadId(multipartId).build()));
        } catch (UploadGoneException gone) {
            // already aborted or completed
        } catch (StorageException e) {
            LOG.warnf("Could not abort the multipart upload of %s: %s", key, e.getMessage());
        }
    }

    // --- waiting and failures ------------------------------------------------------------------------

    /** Waits for a call and translates its failure; NoSuchUpload becomes {@link UploadGoneException}. */
    <T> T await(String action, CompletableFuture<T> call) {
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
    <T> Optional<T> missingIsEmpty(String action, CompletableFuture<T> call) {
        try {
            return Optional.of(await(action, call));
        } catch (StorageException e) {
            if (errorCode(e).filter(MISSING::contains).isPresent()) {
                return Optional.empty();
            }
            throw e;
        }
    }

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
            return "NoSuchUpload".equals(code) ? new UploadGoneException(message, error) : new S3Exception(message, code, error);
        }
        return new StorageException("S3 could not " + action + ": " + cause, cause);
    }

    private static Optional<String> errorCode(Throwable e) {
        if (e instanceof S3Exception s3) {
            return Optional.ofNullable(s3.code);
        }
        if (e instanceof UploadGoneException) {
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
    static final class UploadGoneException extends StorageException {
        UploadGoneException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
