package io.berth.server.api.v2;

import io.berth.storage.BlobContent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerHttpRequest;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Sends a blob the store reads block by block ({@link BlobContent.Blocks}): each block is read on a
 * worker thread, copied into a pooled direct buffer and written on the response's event loop, and the
 * next read waits while the client's connection is full. No thread waits for the client.
 */
@Provider
@Produces(MediaType.APPLICATION_OCTET_STREAM)
public class BlobBlocksWriter implements ServerMessageBodyWriter<BlobContent.Blocks> {

    private static final Logger LOG = Logger.getLogger(BlobBlocksWriter.class);

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return BlobContent.Blocks.class.isAssignableFrom(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return BlobContent.Blocks.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(BlobContent.Blocks blocks, Type genericType, ServerRequestContext context) {
        HttpServerResponse out = ((ServerHttpRequest) context.serverResponse()).unwrap(HttpServerResponse.class);
        // Vert.x wants the length before the first write; the resource's headers are only copied over as
        // the head goes out, after that check.
        out.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(blocks.length()));
        Context requestContext = Vertx.currentContext();
        if (requestContext == null) {
            blocks.close();
            throw new IllegalStateException("a blob read in blocks is sent from a request's Vert.x context");
        }
        Transfer transfer = new Transfer(blocks, out, requestContext);
        context.serverResponse().addCloseHandler(() -> requestContext.runOnContext(ignored -> transfer.clientGone()));
        requestContext.runOnContext(ignored -> transfer.readNext());
    }

    /** Not used: the transfer needs the Vert.x response, which the output stream hides. */
    @Override
    public void writeTo(BlobContent.Blocks blocks, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) {
        blocks.close();
        throw new IllegalStateException("a blob read in blocks can only be sent to the Vert.x response");
    }

    /** One response's blocks. Its state is only touched on the request's event loop. */
    private static final class Transfer {

        private final BlobContent.Blocks blocks;
        private final HttpServerResponse out;
        private final Context context;
        private long sent;
        private boolean reading;
        private boolean done;

        Transfer(BlobContent.Blocks blocks, HttpServerResponse out, Context context) {
            this.blocks = blocks;
            this.out = out;
            this.context = context;
        }

        void readNext() {
            if (done) {
                return;
            }
            reading = true;
            context.executeBlocking(this::copyNextBlock, false).onComplete(this::send);
        }

        /** On a worker thread: the next block, in a buffer the write gives back to the pool, or null at the end. */
        private ByteBuf copyNextBlock() throws Exception {
            ByteBuffer block = blocks.next();
            if (block == null) {
                return null;
            }
            ByteBuf bytes = PooledByteBufAllocator.DEFAULT.directBuffer(block.remaining());
            bytes.writeBytes(block);
            return bytes;
        }

        private void send(AsyncResult<ByteBuf> read) {
            reading = false;
            if (read.failed()) {
                fail(read.cause().getMessage());
                return;
            }
            ByteBuf bytes = read.result();
            if (done) {
                if (bytes != null) {
                    bytes.release();
                }
                blocks.close();
                return;
            }
            if (bytes != null) {
                sent += bytes.readableBytes();
                // Vert.x writes the direct buffer as it is; the write's completion gives it back to the pool.
                out.write(Buffer.buffer(bytes), written -> bytes.release());
            }
            if (sent >= blocks.length()) {
                done = true;
                blocks.close();
                out.end();
            } else if (bytes == null) {
                fail("the store had no more bytes");
            } else if (out.writeQueueFull()) {
                out.drainHandler(ignored -> {
                    out.drainHandler(null);
                    readNext();
                });
            } else {
                readNext();
            }
        }

        void clientGone() {
            if (!done) {
                done = true;
                if (!reading) {
                    blocks.close();
                }
            }
        }

        private void fail(String reason) {
            // A short body behind a full Content-Length: only breaking the connection tells the client.
            LOG.warnf("Sending a blob stopped after %d of %d bytes: %s", sent, blocks.length(), reason);
            done = true;
            blocks.close();
            out.reset();
        }
    }
}
