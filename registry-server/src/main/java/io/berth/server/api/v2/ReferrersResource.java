package io.berth.server.api.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.berth.server.domain.MediaTypes;
import io.berth.server.domain.RepositoryName;
import io.berth.server.domain.TextInput;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.service.ReferrerService;
import io.berth.server.service.ReferrerService.Referrer;
import io.berth.storage.Digest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code GET /v2/<name>/referrers/<digest>?artifactType=}: an OCI index of the manifests whose subject
 * is the given manifest, filtered by artifact type when asked (then {@code OCI-Filters-Applied} says so).
 */
@Path("/v2")
public class ReferrersResource {

    private final ReferrerService referrers;

    public ReferrersResource(ReferrerService referrers) {
        this.referrers = referrers;
    }

    /** The referrers index. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReferrersIndex(int schemaVersion, String mediaType, List<Referrer> manifests) {
    }

    @GET
    @Path(Routes.REFERRERS)
    public Response list(@RestPath String name, @RestPath String digest, @RestQuery String artifactType) {
        Optional<String> filter = Optional.ofNullable(artifactType).filter(type -> !type.isEmpty());
        // No stored artifact type can match text the artifact_type column cannot hold; say so rather than query.
        filter.flatMap(type -> TextInput.problem(type, TextInput.COLUMN_LENGTH)).ifPresent(problem -> {
            throw new RegistryException(OciErrorCode.MANIFEST_INVALID, "the artifactType filter " + problem)
                    .withDetail("artifactType", artifactType);
        });
        List<Referrer> found = referrers.list(new RepositoryName(name), Digest.parse(digest), filter);
        Response.ResponseBuilder response = Response.ok(new ReferrersIndex(2, MediaTypes.OCI_INDEX, found))
                .type(MediaTypes.OCI_INDEX);
        filter.ifPresent(type -> response.header(Routes.OCI_FILTERS_APPLIED, "artifactType"));
        return response.build();
    }
}
