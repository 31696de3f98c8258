package io.berth.server.api.v2;

import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Adds {@code Docker-Distribution-API-Version: registry/2.0} to every answer, as clients expect of a v2 registry. */
public class ApiVersionHeaderFilter {

    @ServerResponseFilter
    public void addApiVersion(ContainerResponseContext response) {
        response.getHeaders().putSingle("Docker-Distribution-API-Version", "registry/2.0");
    }
}
