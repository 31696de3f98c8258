package io.berth.server.api.v2;

import io.smallrye.common.vertx.ContextLocals;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Labels API requests that no resource method matched (a 405 for a method the route does not
 * allow) with a fixed route template. Without one, the HTTP metrics fall back to the request's
 * own path, which holds repository names and digests: one time series per request.
 */
public class UnmatchedRouteLabel {

    /** The Vert.x context local the HTTP server metrics read the route template from. */
    private static final String URL_PATH_TEMPLATE = "UrlPathTemplate";

    @ServerResponseFilter
    public void labelUnmatched(ContainerRequestContext request) {
        if (ContextLocals.get(URL_PATH_TEMPLATE).isEmpty() && request.getUriInfo().getPath().startsWith("/v2/")) {
            ContextLocals.put(URL_PATH_TEMPLATE, "/v2/{unmatched}");
        }
    }
}
