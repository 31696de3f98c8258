package io.berth.server.api.v2;

import io.berth.server.api.v2.RemoteBlobFetcher.FetchedBlob;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerHttpRequest;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Pipes a blob fetched from object storage into the client's response: Vert.x moves the buffers from
 * one connection to the other and pauses the object store's connection whenever the client's is full.
 */
@Provider
@Produces(MediaType.APPLICATION_OCTET_STREAM)
public class RemoteBlobWriter implements ServerMessageBodyWriter<FetchedBlob> {

    private static final Logger LOG = Logger.getLogger(RemoteBlobWriter.class);

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return FetchedBlob.class.isAssignableFrom(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return FetchedBlob.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(FetchedBlob blob, Type genericType, ServerRequestContext context) {
        HttpServerResponse out = ((ServerHttpRequest) context.serverResponse()).unwrap(HttpServerResponse.class);
        // Vert.x wants the length before the first write; the resource's headers are only copied over as
        // the head goes out, after that check.
        out.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(blob.length()));
        // The body's events come on the object store response's event loop: connect the pipe there.
        blob.context().runOnContext(ignored -> blob.pipe().to(out).onFailure(failure -> {
            // A short body behind a full Content-Length: only breaking both connections tells the client,
            // and keeps the object store's connection out of the pool.
            LOG.warnf("Sending a blob from S3 stopped after %d of %d bytes: %s", out.bytesWritten(), blob.length(),
                    failure.getMessage());
            blob.response().request().reset();
            out.reset();
        }));
    }

    /** Not used: the pipe needs the Vert.x response, which the output stream hides. */
    @Override
    public void writeTo(FetchedBlob blob, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) {
        blob.response().request().reset();
        throw new IllegalStateException("a blob from object storage can only be piped to the Vert.x response");
    }
}
