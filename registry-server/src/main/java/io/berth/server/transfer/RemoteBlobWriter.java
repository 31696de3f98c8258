package io.berth.server.transfer;

import io.berth.server.transfer.RemoteBlobFetcher.FetchedBlob;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerHttpRequest;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Sends a blob fetched from object storage ({@link RemoteBlobFetcher}) into the client's response:
 * the buffers go from one connection to the other, and the object store's connection pauses whenever
 * the client's is full.
 */
@Provider
@Produces(MediaType.APPLICATION_OCTET_STREAM)
public class RemoteBlobWriter implements ServerMessageBodyWriter<FetchedBlob> {

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
        context.serverResponse().addCloseHandler(blob::clientGone);
        blob.sendTo(out);
    }

    /** Not used: the pipe needs the Vert.x response, which the output stream hides. */
    @Override
    public void writeTo(FetchedBlob blob, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) {
        blob.clientGone();
        throw new IllegalStateException("a blob from object storage can only be piped to the Vert.x response");
    }
}
