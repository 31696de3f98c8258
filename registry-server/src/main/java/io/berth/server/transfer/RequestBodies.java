package io.berth.server.transfer;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Opens request bodies as streams for the worker threads that store them, with the configured limits:
 * how many bodies one account and one address may send at once, how much of each may wait in memory,
 * and how slowly a client may send it.
 */
@ApplicationScoped
public class RequestBodies {

    private final TransferConfig.Upload config;
    private final BodyAdmission admission;
    /** The request being served; its routing context can close the connection after the answer. */
    private final CurrentVertxRequest current;

    RequestBodies(TransferConfig config, CurrentVertxRequest current) {
        this.config = config.upload();
        this.current = current;
        this.admission = new BodyAdmission(this.config.maxPerAccount(), this.config.maxPerAddress());
    }

    /**
     * Starts reading {@code request}'s body, sent by {@code account} (empty when anonymous) from
     * {@code address}, into a bounded queue; the caller reads and closes the stream. Throws a 429
     * refusal, and closes the connection after it, when the caller already sends as many bodies as it may.
     */
    public RequestBodyStream open(HttpServerRequest request, Optional<String> account, String address) {
        RoutingContext routing = current.getCurrent();
        BodyAdmission.Admitted admitted;
        try {
            admitted = admission.admit(account, address);
        } catch (RuntimeException refused) {
            ClosingConnection.afterAnswer(routing);
            throw refused;
        }
        return new RequestBodyStream(request, config.bufferHigh().asLongValue(), config.bufferLow().asLongValue(),
                config.minRate().asLongValue(), config.rateWindow(), admitted,
                () -> ClosingConnection.afterAnswer(routing));
    }
}
