package io.berth.server.api;

import io.berth.server.api.error.ErrorResponse;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.tls.TlsConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jboss.logging.Logger;

/**
 * With HTTPS on and {@code berth.tls.plain-http=loopback}, answers plain-HTTP requests from any address but
 * loopback with 403 DENIED, before any route or authentication sees them. Quarkus has no setting for this:
 * {@code quarkus.http.insecure-requests} can only serve, redirect or close plain HTTP for every client, and
 * the HTTP and HTTPS servers share {@code quarkus.http.host}, so the HTTP port cannot bind loopback alone.
 */
@Singleton
public class PlainHttpLoopbackFilter {

    private static final Logger LOG = Logger.getLogger(PlainHttpLoopbackFilter.class);

    /** Quarkus runs filters with a higher priority first; its own and Berth's use far lower numbers. */
    private static final int PRIORITY = 100_000;

    void register(@Observes Filters filters, TlsConfig config) {
        if (!config.enabled()) {
            return;
        }
        if (config.plainHttp() == TlsConfig.PlainHttp.DISABLED) {
            LOG.infof("HTTPS on port %d from %s; plain HTTP is off (%s=disabled)", config.port(),
                    config.certificateFile().orElseThrow(), TlsConfig.PLAIN_HTTP);
            return;
        }
        LOG.infof("HTTPS on port %d from %s; plain HTTP answers loopback clients only (%s=loopback)",
                config.port(), config.certificateFile().orElseThrow(), TlsConfig.PLAIN_HTTP);
        String refusal = ErrorResponse.json(new RegistryException(OciErrorCode.DENIED, "plain HTTP is only served to "
                + "clients on the registry's own machine (loopback); use HTTPS on port " + config.port())
                .withDetail("httpsPort", config.port()));
        filters.register(context -> refuseUnlessLoopback(context, refusal), PRIORITY);
    }

    private static void refuseUnlessLoopback(RoutingContext context, String refusal) {
        HttpServerRequest request = context.request();
        // The TCP peer, not request.remoteAddress(): that one follows X-Forwarded-For when forwarding is on.
        if (request.isSSL() || isLoopback(request.connection().remoteAddress())) {
            context.next();
            return;
        }
        context.response()
                .setStatusCode(403)
                .putHeader("Content-Type", "application/json")
                .putHeader("Docker-Distribution-API-Version", "registry/2.0")
                .end(refusal);
    }

    /** A Unix domain socket is local by nature; an IP peer must be 127.0.0.0/8, ::1 or ::ffff:127.x. */
    static boolean isLoopback(SocketAddress peer) {
        if (peer == null) {
            return false;
        }
        if (!peer.isInetSocket()) {
            return peer.isDomainSocket();
        }
        try {
            // An IP literal is parsed, never looked up.
            return InetAddress.getByName(peer.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}
