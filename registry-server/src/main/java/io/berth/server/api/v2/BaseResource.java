package io.berth.server.api.v2;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** {@code GET /v2/}: tells clients that this server speaks the registry API. */
@Path("/v2")
public class BaseResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> check() {
        return Map.of();
    }
}
