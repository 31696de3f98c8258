package io.berth.server.api.admin;

import io.berth.server.service.RepositoryService;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code /api/v1/repositories/{name}}: whole repositories. The class path is the admin API's root, as
 * {@link VisibilityResource}'s is, so that both are matched on their method paths.
 */
@Path(AdminAccessFilter.PATH)
@Tag(name = "repositories")
public class RepositoryResource {

    private final RepositoryService repositories;
    private final AdminCaller caller;

    public RepositoryResource(RepositoryService repositories, AdminCaller caller) {
        this.repositories = repositories;
        this.caller = caller;
    }

    @DELETE
    @Path("repositories/{name: .+}")
    @Operation(summary = "Delete a repository with its manifests, tags and uploads; the garbage collector frees its blobs")
    public Response delete(@RestPath String name) {
        repositories.delete(name, caller.name());
        return Response.noContent().build();
    }
}
