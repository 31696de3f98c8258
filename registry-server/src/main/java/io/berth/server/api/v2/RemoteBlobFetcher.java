package io.berth.server.api.v2;

import io.berth.server.service.RemoteBlob;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.StorageConfig;
import io.berth.storage.StorageException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.Pipe;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fetches blobs from object storage with Vert.x's HTTP client, so that a download from S3 flows from
 * one socket to the other on the event loop in Netty's direct buffers: no thread waits on it and no
 * byte is copied onto the heap. Presigned URLs carry the credentials; the MinIO client makes them.
 */
@ApplicationScoped
public class RemoteBlobFetcher {

    /** Connections kept to the object store: enough for as many downloads as the event loops serve at once. */
    private static final int MAX_CONNECTIONS = 256;

    /** Larger than any socket read, so each read is passed on as one buffer. */
    private static final int MAX_CHUNK = 1024 * 1024;

    private final HttpClient http;
    private final long idleTimeoutMillis;

    RemoteBlobFetcher(Vertx vertx, StorageConfig config) {
        StorageConfig.S3 s3 = config.s3();
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) s3.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setTryUseCompression(false)
                // Hand on what each socket read brought in one piece, not in 8 KiB slices.
                .setMaxChunkSize(MAX_CHUNK)
                .setVerifyHost(true);
        http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
        this.idleTimeoutMillis = s3.timeout().toMillis();
    }

    /**
     * Starts the GET and completes once the object store has answered with the bytes, held until
     * {@link RemoteBlobWriter} pipes them on. Fails with BlobNotFoundException when the store
     * no longer holds the blob and StorageException when it cannot be reached or answers otherwise.
     */
    public Uni<FetchedBlob> fetch(RemoteBlob blob) {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(blob.uri().toString())
                .setIdleTimeout(idleTimeoutMillis)
                .putHeader("Range", blob.rangeHeader());
        Future<FetchedBlob> fetched = http.request(request)
                .compose(outgoing -> {
                    // A handler on the request, not a composed future: it runs as the head arrives, on the
                    // event loop, before the body; a future's listener may run a turn later, when a small
                    // body has already gone by.
                    Promise<FetchedBlob> accepted = Promise.promise();
                    outgoing.response(answer -> {
                        if (answer.failed()) {
                            accepted.fail(answer.cause());
                        } else {
                            accept(blob, answer.result()).onComplete(accepted);
                        }
                    });
                    outgoing.end();
                    return accepted.future();
                })
                .recover(failure -> Future.failedFuture(failure instanceof StorageException
                        ? failure
                        : new StorageException("cannot read blob " + blob.digest() + " from S3: " + failure, failure)));
        return Uni.createFrom().completionStage(fetched.toCompletionStage());
    }

    private static Future<FetchedBlob> accept(RemoteBlob blob, HttpClientResponse response) {
        int status = response.statusCode();
        String contentLength = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if ((status == 200 || status == 206) && Long.toString(blob.length()).equals(contentLength)) {
            // Still on the event loop that delivers the body, before any of it: the pipe pauses the
            // response and holds the body (and its end) until the writer connects it to the client.
            Pipe<Buffer> pipe = response.pipe();
            // On a failure the writer breaks the client's connection; ending it would pass off a short body.
            pipe.endOnFailure(false);
            return Future.succeededFuture(new FetchedBlob(pipe, response, Vertx.currentContext(), blob.length()));
        }
        // An answer to discard: read it (it is small) so the connection can be reused.
        return response.body().transform(ignored -> Future.failedFuture(status == 404
                ? new BlobNotFoundException(blob.digest())
                : new StorageException("S3 answered " + status + " with " + contentLength + " bytes to a read of "
                        + blob.length() + " bytes of blob " + blob.digest(), null)));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /**
     * A response from the object store whose body is the bytes to send, held in {@code pipe} until it is
     * connected to the client's response on {@code context}, the event loop of the object store's
     * response.
     */
    public record FetchedBlob(Pipe<Buffer> pipe, HttpClientResponse response, Context context, long length) {
    }
}
