package io.berth.server.api.v2;

import io.berth.server.api.auth.RegistryAccess;
import io.berth.server.error.OciErrorCode;
import io.berth.server.service.CatalogService;
import io.berth.server.service.Page;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code GET /v2/_catalog?n=&last=}: the repositories the caller may pull, in lexical order, paged with
 * {@code Link}.
 */
@Path("/v2")
public class CatalogResource {

    private final CatalogService catalog;
    private final RegistryAccess access;

    public CatalogResource(CatalogService catalog, RegistryAccess access) {
        this.catalog = catalog;
        this.access = access;
    }

    /** The _catalog body. */
    public record Catalog(List<String> repositories) {
    }

    @GET
    @Path(Routes.CATALOG)
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@RestQuery String n, @RestQuery String last) {
        Page page = catalog.list(Paging.size(n), Paging.last(last, OciErrorCode.NAME_INVALID), access.catalogVisibility());
        return Paging.linked(Response.ok(new Catalog(page.entries())), page, "/v2/_catalog").build();
    }
}
