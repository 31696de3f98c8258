package io.berth.server.api.admin;

import io.berth.auth.VisibilityService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

/**
 * Public and private: a public namespace (a user's or an organization's) or repository can be pulled by
 * anyone, anonymous included; everything else is private.
 */
@Path(AdminAccessFilter.PATH)
@Tag(name = "visibility")
public class VisibilityResource {

    private final VisibilityService visibilityService;

    public VisibilityResource(VisibilityService visibilityService) {
        this.visibilityService = visibilityService;
    }

    public record Visibility(@com.fasterxml.jackson.annotation.JsonProperty("public") boolean isPublic) {
    }

    @PUT
    @Path("namespaces/{name}/visibility")
    @Operation(summary = "Make every repository of a namespace public, or not")
    public Visibility namespace(@RestPath String name, Visibility visibility) {
        Requests.require(visibility, "a JSON body with public");
        visibilityService.setNamespacePublic(name, visibility.isPublic());
        return visibility;
    }

    @GET
    @Path("repositories/{name: .+}/visibility")
    @Operation(summary = "Tell whether a repository is public (by itself or through its namespace)")
    public Visibility repository(@RestPath String name) {
        return new Visibility(visibilityService.isRepositoryPublic(name));
    }

    @PUT
    @Path("repositories/{name: .+}/visibility")
    @Operation(summary = "Make one repository public, or not")
    public Visibility setRepository(@RestPath String name, Visibility visibility) {
        Requests.require(visibility, "a JSON body with public");
        visibilityService.setRepositoryPublic(name, visibility.isPublic());
        return visibility;
    }
}
