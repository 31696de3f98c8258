package io.berth.server.transfer;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerHttpRequest;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Sends a {@link GrowingBody}: a virtual thread reads it as its bytes arrive and writes them to the
 * Vert.x response, waiting while the client's connection is full. If reading fails part way (the
 * upstream broke off, or its bytes did not match their digest), the connection is reset: a client
 * never takes the bytes it got for the whole body.
 */
@Provider
@Produces(MediaType.APPLICATION_OCTET_STREAM)
public class GrowingBodyWriter implements ServerMessageBodyWriter<GrowingBody> {

    private static final Logger LOG = Logger.getLogger(GrowingBodyWriter.class);
    private static final int CHUNK = 128 * 1024;

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return GrowingBody.class.isAssignableFrom(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return GrowingBody.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(GrowingBody body, Type genericType, ServerRequestContext context) {
        HttpServerResponse out = ((ServerHttpRequest) context.serverResponse()).unwrap(HttpServerResponse.class);
        if (body.length().isPresent()) {
            out.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(body.length().getAsLong()));
        } else {
            out.setChunked(true);
        }
        AtomicBoolean gone = new AtomicBoolean();
        context.serverResponse().addCloseHandler(() -> gone.set(true));
        Thread.ofVirtual().name("berth-growing-body").start(() -> send(body, out, gone));
    }

    private static void send(GrowingBody body, HttpServerResponse out, AtomicBoolean gone) {
        Semaphore drained = new Semaphore(0);
        long sent = 0;
        try (InputStream input = body.input()) {
            byte[] chunk = new byte[CHUNK];
            for (int read; (read = input.read(chunk)) >= 0 && !gone.get(); ) {
                if (read == 0) {
                    continue;
                }
                if (out.writeQueueFull()) {
                    out.drainHandler(ignored -> drained.release());
                    while (out.writeQueueFull() && !gone.get()) {
                        drained.tryAcquire(1, TimeUnit.SECONDS);
                    }
                    out.drainHandler(null);
                }
                out.write(Buffer.buffer(Arrays.copyOf(chunk, read)));
                sent += read;
            }
            if (!gone.get()) {
                out.end();
            }
        } catch (IOException | IllegalStateException e) {
            if (!gone.get()) {
                LOG.warnf("Sending a blob as it arrived stopped after %d bytes: %s; resetting the connection", sent,
                        e.getMessage());
                out.reset();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.reset();
        }
    }

    /** Not used: the body is written to the Vert.x response, which the output stream hides. */
    @Override
    public void writeTo(GrowingBody body, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) {
        throw new IllegalStateException("a growing body can only be sent to the Vert.x response");
    }
}
