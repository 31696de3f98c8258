package io.berth.server.transfer;

import io.berth.server.service.RemoteBlob;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.StorageConfig;
import io.berth.storage.StorageException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
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
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.streams.Pipe;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Fetches blobs from object storage for sending on, on the event loops: no thread waits on a download.
 * Presigned URLs carry the credentials; the MinIO client makes them.
 *
 * <p>Blobs of {@code berth.transfer.s3-download.direct-from} bytes and more get a connection of their own ({@link DirectBlobFetch})
 * whose direct buffers are written to the client as they are; smaller ones reuse pooled connections of
 * Vert.x's HTTP client, where a new connection (and TLS handshake) would cost more than the copy of a
 * few buffers to the heap that this client makes.
 */
@ApplicationScoped
public class RemoteBlobFetcher {

    private static final Logger LOG = Logger.getLogger(RemoteBlobFetcher.class);


    /** Larger than any socket read, so each read is passed on as one buffer. */
    private static final int MAX_CHUNK = 1024 * 1024;

    private final Vertx vertx;
    private final HttpClient http;
    private final SslContext tls;
    private final long connectTimeoutMillis;
    private final long idleTimeoutMillis;
    /** The size from which a blob is fetched over a connection of its own. */
    private final long directFrom;

    RemoteBlobFetcher(Vertx vertx, StorageConfig config, TransferConfig transfer) throws SSLException {
        this.vertx = vertx;
        this.directFrom = transfer.s3Download().directFrom().asLongValue();
        StorageConfig.S3 s3 = config.s3();
        // The JVM's trust store, as for the MinIO client's own requests.
        this.tls = SslContextBuilder.forClient().build();
        this.connectTimeoutMillis = s3.connectTimeout().toMillis();
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) s3.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setTryUseCompression(false)
                // Hand on what each socket read brought in one piece, not in 8 KiB slices.
                .setMaxChunkSize(MAX_CHUNK)
                .setVerifyHost(true);
        http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(transfer.s3Download().maxConnections()));
        this.idleTimeoutMillis = s3.timeout().toMillis();
    }

    /**
     * Starts the GET and completes once the object store has answered with the bytes, held until
     * {@link RemoteBlobWriter} pipes them on. Fails with BlobNotFoundException when the store
     * no longer holds the blob and StorageException when it cannot be reached or answers otherwise.
     */
    public Uni<FetchedBlob> fetch(RemoteBlob blob) {
        Future<FetchedBlob> fetched = blob.length() >= directFrom ? fetchDirect(blob) : fetchPooled(blob);
        return Uni.createFrom().completionStage(fetched.toCompletionStage());
    }

    private Future<FetchedBlob> fetchDirect(RemoteBlob blob) {
        // Called on a worker thread that carries the request's context: its event loop is the client's.
        ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
        Promise<DirectBlobFetch> answered = context.promise();
        DirectBlobFetch.connectTo(context, blob, tls, connectTimeoutMillis, idleTimeoutMillis, answered);
        return answered.future().map(FetchedBlob.class::cast);
    }

    private Future<FetchedBlob> fetchPooled(RemoteBlob blob) {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(blob.uri().toString())
                .setIdleTimeout(idleTimeoutMillis)
                .putHeader("Range", blob.rangeHeader());
        return http.request(request)
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
            return Future.succeededFuture(new PipedBlob(pipe, response, Vertx.currentContext(), blob.length()));
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

    /** Bytes of a blob from the object store, held until the client's response is ready for them. */
    public interface FetchedBlob {

        /** How many bytes will be sent. */
        long length();

        /** Sends the bytes and ends the response; breaks the client's connection if the store fails midway. */
        void sendTo(HttpServerResponse response);

        /** Stops fetching: the client has gone. */
        void clientGone();
    }

    /** A small blob over a pooled connection of Vert.x's HTTP client, piped on the response's event loop. */
    private record PipedBlob(Pipe<Buffer> pipe, HttpClientResponse response, Context context, long length)
            implements FetchedBlob {

        @Override
        public void sendTo(HttpServerResponse out) {
            // The body's events come on the object store response's event loop: connect the pipe there.
            context.runOnContext(ignored -> pipe.to(out).onFailure(failure -> {
                // A short body behind a full Content-Length: only breaking both connections tells the client,
                // and keeps the object store's connection out of the pool.
                LOG.warnf("Sending a blob from S3 stopped after %d of %d bytes: %s", out.bytesWritten(), length,
                        failure.getMessage());
                response.request().reset();
                out.reset();
            }));
        }

        @Override
        public void clientGone() {
            // The pipe fails on the closed response and resets the object store's request.
        }
    }
}
