package io.berth.server.api.v2;

import io.berth.server.api.auth.RegistryAccess;
import io.berth.server.api.auth.RegistryAccessFilter;
import io.berth.server.domain.MediaTypes;
import io.berth.server.domain.Reference;
import io.berth.server.domain.RepositoryName;
import io.berth.server.service.ManifestContent;
import io.berth.server.service.ManifestService;
import io.berth.server.service.PushedManifest;
import io.berth.server.transfer.RequestBodies;
import io.berth.server.transfer.RequestBodyStream;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code /v2/<name>/manifests/<reference>}: manifests by tag or digest, negotiated by {@code Accept};
 * push with {@code ?tag=} for extra tags; delete a manifest by digest or a tag by name.
 */
@Path("/v2")
public class ManifestResource {

    private final ManifestService manifests;
    private final RegistryAccess access;
    private final RequestBodies bodies;

    public ManifestResource(ManifestService manifests, RegistryAccess access, RequestBodies bodies) {
        this.manifests = manifests;
        this.access = access;
        this.bodies = bodies;
    }

    @HEAD
    @Path(Routes.MANIFEST)
    public Response exists(@RestPath String name, @RestPath String reference, @Context HttpHeaders headers) {
        ManifestContent manifest = manifests.find(new RepositoryName(name), Reference.parse(reference),
                accepted(headers), false);
        return described(Response.ok(), manifest).header(HttpHeaders.CONTENT_LENGTH, manifest.size()).build();
    }

    @GET
    @Path(Routes.MANIFEST)
    public Response download(@RestPath String name, @RestPath String reference, @Context HttpHeaders headers) {
        ManifestContent manifest = manifests.find(new RepositoryName(name), Reference.parse(reference),
                accepted(headers), true);
        if (Routes.matches(headers.getHeaderString(HttpHeaders.IF_NONE_MATCH), Routes.etag(manifest.digest()))) {
            return described(Response.notModified(), manifest).build();
        }
        return described(Response.ok(manifest.content()), manifest).build();
    }

    @PUT
    @Path(Routes.MANIFEST)
    @Consumes(MediaType.WILDCARD)
    public Response push(@RestPath String name, @RestPath String reference, @RestQuery("tag") List<String> tags,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength, @Context HttpServerRequest request) {
        RepositoryName repository = new RepositoryName(name);
        List<Reference.Tag> extraTags = tags == null ? List.of() : tags.stream().map(Reference::tag).toList();
        PushedManifest pushed;
        // Read like a blob's body: a manifest trickled in byte by byte must not hold its thread either.
        try (RequestBodyStream body = bodies.open(request, access.callerName(), RegistryAccessFilter.sourceOf(request))) {
            pushed = manifests.push(repository, Reference.parse(reference), extraTags, contentType,
                    Routes.contentLength(contentLength), body, access.callerName().orElse("anonymous"));
        }
        Response.ResponseBuilder response = Response.status(Response.Status.CREATED)
                .header(HttpHeaders.LOCATION, "/v2/" + repository.value() + "/manifests/" + pushed.digest())
                .header(Routes.DOCKER_CONTENT_DIGEST, pushed.digest().toString())
                .header(HttpHeaders.CONTENT_LENGTH, 0);
        pushed.subject().ifPresent(subject -> response.header(Routes.OCI_SUBJECT, subject.toString()));
        pushed.tags().forEach(tag -> response.header(Routes.OCI_TAG, tag.name()));
        return response.build();
    }

    @DELETE
    @Path(Routes.MANIFEST)
    public Response delete(@RestPath String name, @RestPath String reference) {
        manifests.delete(new RepositoryName(name), Reference.parse(reference), access.callerName().orElse("anonymous"));
        return Response.accepted().build();
    }

    private static Response.ResponseBuilder described(Response.ResponseBuilder response, ManifestContent manifest) {
        return response
                .type(manifest.mediaType())
                .header(Routes.DOCKER_CONTENT_DIGEST, manifest.digest().toString())
                .header(HttpHeaders.ETAG, Routes.etag(manifest.digest()));
    }

    /** The media types the client accepts, from every Accept header, without parameters. */
    private static List<String> accepted(HttpHeaders headers) {
        List<String> accepted = new ArrayList<>();
        List<String> values = headers.getRequestHeader(HttpHeaders.ACCEPT);
        if (values != null) {
            for (String value : values) {
                for (String type : value.split(",")) {
                    String essence = MediaTypes.essence(type);
                    if (!essence.isEmpty()) {
                        accepted.add(essence);
                    }
                }
            }
        }
        return accepted;
    }
}
