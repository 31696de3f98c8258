package io.berth.server.api.admin;

import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.mirror.MirrorPrefetch;
import io.berth.server.mirror.MirrorRoutes;
import io.berth.server.mirror.Upstream;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code /api/v1/mirror}: the upstreams the pull-through cache mirrors, as configured
 * ({@code berth.mirror.*}), and prefetching an image into the cache.
 */
@Path(AdminAccessFilter.PATH + "/mirror")
@Tag(name = "mirror")
public class MirrorResource {

    private final MirrorRoutes routes;
    private final MirrorPrefetch prefetch;

    public MirrorResource(MirrorRoutes routes, MirrorPrefetch prefetch) {
        this.routes = routes;
        this.prefetch = prefetch;
    }

    /**
     * An image to cache ahead of need: {@code image} is the upstream's name with a tag or digest
     * ({@code library/busybox:1.36}); {@code platforms} ({@code linux/amd64}) pick an index's platforms,
     * all of them when empty.
     */
    public record PrefetchRequest(String image, List<String> platforms) {
    }

    @POST
    @Path("{upstream}/prefetch")
    @Operation(summary = "Cache an image of an upstream ahead of need: its manifests, configs and layers")
    public MirrorPrefetch.Prefetched prefetch(@RestPath String upstream, PrefetchRequest request) {
        if (request == null) {
            throw new RegistryException(OciErrorCode.NAME_INVALID, "send {\"image\": \"library/busybox:1.36\"}");
        }
        return prefetch.prefetch(upstream, request.image(), request.platforms() == null ? List.of() : request.platforms());
    }

    /**
     * An upstream as the API shows it: never its credentials, only whether Berth signs in. The durations
     * are ISO-8601 ({@code PT5M}, {@code P7D}).
     */
    public record UpstreamView(String id, String url, String namespace, boolean isDefault, boolean signsIn,
            String tagFreshness, String keep, boolean anonymousPull, boolean libraryPrefix) {

        static UpstreamView of(Upstream upstream) {
            return new UpstreamView(upstream.id(), upstream.url().toString(), upstream.namespace(), upstream.isDefault(),
                    upstream.credentials().isPresent(), upstream.tagFreshness().toString(), upstream.keep().toString(),
                    upstream.anonymousPull(), upstream.libraryPrefix());
        }
    }

    @GET
    @Path("upstreams")
    @Operation(summary = "List the mirrored upstream registries and their namespaces")
    public List<UpstreamView> list() {
        return routes.upstreams().stream().map(UpstreamView::of).toList();
    }
}
