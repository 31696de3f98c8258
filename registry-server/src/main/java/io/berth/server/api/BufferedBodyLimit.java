package io.berth.server.api;

import io.berth.server.api.error.ErrorResponse;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.transfer.TransferConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Bounds the bodies Quarkus REST reads whole into memory before a resource runs: the token endpoint's
 * form, the admin API's JSON, anything sent to an endpoint that takes no body. Only blob uploads and
 * manifest pushes stream their bodies (through {@code RequestBodies}, with limits of their own), so
 * every other body larger than {@code berth.transfer.max-buffered-body} is refused from its
 * Content-Length before a byte of it is read; without this, {@code quarkus.http.limits.max-body-size}
 * (set high for blobs) would let an anonymous client fill the heap.
 */
@Singleton
public class BufferedBodyLimit {

    /** Before Quarkus's own handlers, after the plain-HTTP refusal. */
    private static final int PRIORITY = 90_000;

    void register(@Observes Filters filters, TransferConfig config) {
        long limit = config.maxBufferedBody().asLongValue();
        String tooLarge = ErrorResponse.json(new RegistryException(OciErrorCode.SIZE_INVALID,
                "the request body is larger than the " + limit + " bytes this endpoint takes"
                        + " (berth.transfer.max-buffered-body)"));
        String unsized = ErrorResponse.json(new RegistryException(OciErrorCode.SIZE_INVALID,
                "this endpoint takes a body only with a Content-Length"));
        filters.register(context -> check(context, limit, tooLarge, unsized), PRIORITY);
    }

    private static void check(RoutingContext context, long limit, String tooLarge, String unsized) {
        HttpServerRequest request = context.request();
        if (streamed(request)) {
            context.next();
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                refuse(context, 411, unsized);
                return;
            }
        } else if (declaredOver(length, limit)) {
            refuse(context, 413, tooLarge);
            return;
        }
        context.next();
    }

    /** The requests whose bodies go to the blob store or the manifest reader as a bounded stream. */
    private static boolean streamed(HttpServerRequest request) {
        String path = request.path();
        if (path == null || !path.startsWith("/v2/")) {
            return false;
        }
        HttpMethod method = request.method();
        if (path.contains("/blobs/uploads/")) {
            return method == HttpMethod.POST || method == HttpMethod.PATCH || method == HttpMethod.PUT;
        }
        return method == HttpMethod.PUT && path.contains("/manifests/");
    }

    private static boolean declaredOver(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException malformed) {
            // Vert.x itself refuses a Content-Length that is not a number.
            return false;
        }
    }

    /** The body is never read, so the connection cannot carry another request: closed after the answer. */
    private static void refuse(RoutingContext context, int status, String body) {
        context.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(body)
                .onComplete(ignored -> context.request().connection().close());
    }
}
