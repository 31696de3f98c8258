package io.berth.server.transfer;

import io.vertx.ext.web.RoutingContext;

/**
 * Closes a request's connection once its answer is written: for a body Berth refused or cut off,
 * whose remaining bytes would otherwise have to be read, at the client's pace, before the
 * connection could carry the next request.
 */
final class ClosingConnection {

    private ClosingConnection() {
    }

    /**
     * Call before the answer is written. The end handler runs once the answer is handed to the
     * connection, which writes it out before it closes.
     */
    static void afterAnswer(RoutingContext routing) {
        routing.response().headers().set("Connection", "close");
        routing.addEndHandler(ignored -> routing.request().connection().close());
    }
}
