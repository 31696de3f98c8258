package io.berth.server.transfer;

import io.berth.server.service.RemoteBlob;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.StorageException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.ContextInternal;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jboss.logging.Logger;

/**
 * One download of a large blob from object storage over a connection of its own, opened on the event
 * loop of the client's connection. The object store's bytes arrive in Netty's pooled direct buffers and
 * are written to the client as they are, without the copy to the heap that Vert.x's HTTP client makes
 * of every buffer, and without crossing threads. The object store's connection stops reading whenever
 * the client's is full.
 *
 * <p>Everything but {@link #connectTo} runs on that one event loop.
 */
final class DirectBlobFetch extends ChannelInboundHandlerAdapter implements RemoteBlobFetcher.FetchedBlob {

    private static final Logger LOG = Logger.getLogger(DirectBlobFetch.class);

    private enum State { AWAITING_HEAD, STREAMING, REFUSED, DONE }

    private final RemoteBlob blob;
    private final Promise<DirectBlobFetch> answered;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private State state = State.AWAITING_HEAD;
    private int refusedStatus;
    private Channel channel;
    private HttpServerResponse client;
    private boolean lastReceived;

    private DirectBlobFetch(RemoteBlob blob, Promise<DirectBlobFetch> answered) {
        this.blob = blob;
        this.answered = answered;
    }

    /**
     * Connects to the object store on {@code context}'s event loop and asks for the blob's bytes; the
     * promise completes once the store has answered with them (their head), or fails with
     * BlobNotFoundException or StorageException.
     */
    static void connectTo(ContextInternal context, RemoteBlob blob, SslContext tls, long connectTimeoutMillis,
            long idleTimeoutMillis, Promise<DirectBlobFetch> answered) {
        URI uri = blob.uri();
        boolean secure = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        DirectBlobFetch fetch = new DirectBlobFetch(blob, answered);
        new Bootstrap()
                .group(context.nettyEventLoop())
                .channelFactory(context.owner().transport().channelFactory(false))
                // Vert.x's resolver: the JDK's would block the event loop on DNS.
                .resolver(context.owner().nettyAddressResolverGroup())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                // Read what the socket holds, up to 1 MiB at a time: fewer reads, and fewer, larger writes.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64 * 1024, 256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (secure) {
                            SSLEngine engine = tls.newEngine(channel.alloc(), uri.getHost(), port);
                            SSLParameters parameters = engine.getSSLParameters();
                            parameters.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(parameters);
                            channel.pipeline().addLast(new SslHandler(engine));
                        }
                        channel.pipeline()
                                .addLast(new IdleStateHandler(idleTimeoutMillis, 0, 0, TimeUnit.MILLISECONDS))
                                // Chunks as large as any read, so each read is passed on in one piece.
                                .addLast(new HttpClientCodec(4096, 8192, Integer.MAX_VALUE))
                                .addLast(fetch);
                    }
                })
                .connect(uri.getHost(), port)
                .addListener(connected -> {
                    if (!connected.isSuccess()) {
                        answered.tryFail(fetch.failure("cannot connect", connected.cause()));
                    }
                });
    }

    @Override
    public long length() {
        return blob.length();
    }

    @Override
    public void sendTo(HttpServerResponse response) {
        channel.eventLoop().execute(() -> {
            client = response;
            while (!early.isEmpty()) {
                forward(early.poll());
            }
            if (lastReceived) {
                finish();
            } else if (state != State.STREAMING) {
                // The store's connection broke before the client's response was ready.
                client.reset();
            } else if (!client.writeQueueFull()) {
                channel.config().setAutoRead(true);
            }
        });
    }

    @Override
    public void clientGone() {
        channel.eventLoop().execute(() -> abort("the client closed the connection"));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        URI uri = blob.uri();
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
        // The Host the URL was signed for: with the port unless it is the scheme's default.
        request.headers()
                .set(HttpHeaderNames.HOST, uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost())
                .set(HttpHeaderNames.RANGE, blob.rangeHeader())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(request);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (message instanceof HttpResponse head) {
            accept(head);
        }
        if (message instanceof HttpContent content) {
            ByteBuf bytes = content.content();
            if (state == State.STREAMING && bytes.isReadable()) {
                if (client == null) {
                    early.add(bytes);
                } else {
                    forward(bytes);
                }
            } else {
                bytes.release();
            }
            if (content instanceof LastHttpContent) {
                lastReceived = true;
                if (state == State.REFUSED) {
                    state = State.DONE;
                    answered.tryFail(refusal());
                    ctx.close();
                } else if (client != null) {
                    finish();
                }
            }
        }
    }

    private void accept(HttpResponse head) {
        int status = head.status().code();
        long length = HttpUtil.getContentLength(head, -1L);
        if ((status == 200 || status == 206) && length == blob.length()) {
            state = State.STREAMING;
            // Hold the bytes in the socket until the client's response is ready for them.
            channel.config().setAutoRead(false);
            answered.tryComplete(this);
        } else {
            state = State.REFUSED;
            refusedStatus = status;
            if (status == 200 || status == 206) {
                // The store offers other bytes than asked for: do not read them.
                state = State.DONE;
                answered.tryFail(failure("S3 sent " + length + " bytes for a read of " + blob.length(), null));
                channel.close();
            }
        }
    }

    private RuntimeException refusal() {
        return refusedStatus == 404
                ? new BlobNotFoundException(blob.digest())
                : failure("S3 answered " + refusedStatus, null);
    }

    private void forward(ByteBuf bytes) {
        if (state != State.STREAMING) {
            bytes.release();
            return;
        }
        try {
            // Vert.x writes the direct buffer as it is; the write's completion gives it back to the pool.
            client.write(Buffer.buffer(bytes), written -> bytes.release());
        } catch (IllegalStateException closed) {
            // The client went away; its close handler has not run yet.
            bytes.release();
            abort("the client's response is closed");
            return;
        }
        if (client.writeQueueFull()) {
            channel.config().setAutoRead(false);
            client.drainHandler(ignored -> {
                if (state == State.STREAMING) {
                    channel.config().setAutoRead(true);
                }
            });
        }
    }

    private void finish() {
        state = State.DONE;
        client.end();
        channel.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && state != State.DONE && !lastReceived) {
            // Reads are off while the client is slow: only a stall with reads on is the store's.
            if (ctx.channel().config().isAutoRead() || state == State.AWAITING_HEAD) {
                fail(failure("S3 sent nothing for too long", null));
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(failure("the connection failed", cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The store closes the connection after the last byte (Connection: close): only an earlier close is a failure.
        if (state != State.DONE && !lastReceived) {
            fail(failure("S3 closed the connection " + (state == State.AWAITING_HEAD ? "before answering" : "mid-body"),
                    null));
        }
    }

    private void fail(StorageException failure) {
        State was = state;
        state = State.DONE;
        releaseEarly();
        channel.close();
        if (was == State.AWAITING_HEAD || was == State.REFUSED) {
            answered.tryFail(failure);
        } else if (client != null) {
            // The status line and the length are out: breaking the connection is all that tells the client.
            LOG.warnf("Sending blob %s from S3 stopped: %s", blob.digest(), failure.getMessage());
            client.reset();
        }
    }

    private void abort(String reason) {
        if (state != State.DONE) {
            LOG.debugf("Stopped sending blob %s: %s", blob.digest(), reason);
            state = State.DONE;
            releaseEarly();
            channel.close();
        }
    }

    private void releaseEarly() {
        while (!early.isEmpty()) {
            early.poll().release();
        }
    }

    private StorageException failure(String what, Throwable cause) {
        return new StorageException("cannot read blob " + blob.digest() + " from S3: " + what
                + (cause == null ? "" : ": " + cause), cause);
    }
}
