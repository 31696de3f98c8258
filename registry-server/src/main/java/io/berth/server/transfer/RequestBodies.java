package io.berth.server.transfer;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

/** Opens request bodies as streams for the worker threads that store them, with the configured limits. */
@ApplicationScoped
public class RequestBodies {

    private final TransferConfig.Upload config;

    RequestBodies(TransferConfig config) {
        this.config = config.upload();
    }

    /** Starts reading {@code request}'s body into a bounded queue; the caller reads and closes the stream. */
    public RequestBodyStream open(HttpServerRequest request) {
        return new RequestBodyStream(request, config.bufferHigh().asLongValue(), config.bufferLow().asLongValue(),
                config.idleTimeout());
    }
}
