package io.berth.server.transfer;

import io.berth.storage.BlobContent;
import io.netty.buffer.Unpooled;
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
 * worker thread and written as it is (the store's direct buffer, no copy) on the response's event
 * loop, which gives the buffer back once it is written. The next block is read while the socket
 * sends the last one, and waits in memory while the client's connection is full, so a download
 * holds a few blocks at most. No thread waits for the client.
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
        /** A block read while the client's connection was full, written once it drains. */
        private ByteBuffer waiting;

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
            context.executeBlocking(blocks::next, false).onComplete(this::arrived);
        }

        private void arrived(AsyncResult<ByteBuffer> read) {
            reading = false;
            if (read.failed()) {
                fail(read.cause().getMessage());
                return;
            }
            ByteBuffer block = read.result();
            if (done) {
                if (block != null) {
                    blocks.recycle(block);
                }
                blocks.close();
            } else if (block == null) {
                if (sent >= blocks.length()) {
                    finish(); // an empty range: nothing to send
                } else {
                    fail("the store had no more bytes");
                }
            } else if (out.writeQueueFull()) {
                // The block waits in memory until the client has taken the one before; if the client
                // goes first, clientGone gives it back.
                waiting = block;
                out.drainHandler(ignored -> {
                    out.drainHandler(null);
                    ByteBuffer held = waiting;
                    waiting = null;
                    if (held != null) {
                        send(held);
                    }
                });
            } else {
                send(block);
            }
        }

        /** Writes a block and, while the socket sends it, reads the next. */
        private void send(ByteBuffer block) {
            sent += block.remaining();
            try {
                // Vert.x writes the wrapped buffer as it is; once written it goes back to the store.
                out.write(Buffer.buffer(Unpooled.wrappedBuffer(block)), written -> blocks.recycle(block));
            } catch (IllegalStateException closed) {
                // The client went away; its close handler has not run yet.
                blocks.recycle(block);
                clientGone();
                return;
            }
            if (sent >= blocks.length()) {
                finish();
            } else {
                readNext();
            }
        }

        private void finish() {
            done = true;
            blocks.close();
            out.end();
        }

        void clientGone() {
            if (done) {
                return;
            }
            done = true;
            if (waiting != null) {
                blocks.recycle(waiting);
                waiting = null;
            }
            if (!reading) {
                blocks.close();
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
