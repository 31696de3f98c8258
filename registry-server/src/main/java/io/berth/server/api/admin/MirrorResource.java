package io.berth.server.api.admin;

import io.berth.server.mirror.MirrorRoutes;
import io.berth.server.mirror.Upstream;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/mirror}: the upstreams the pull-through cache mirrors, as configured ({@code berth.mirror.*}). */
@Path(AdminAccessFilter.PATH + "/mirror")
@Tag(name = "mirror")
public class MirrorResource {

    private final MirrorRoutes routes;

    public MirrorResource(MirrorRoutes routes) {
        this.routes = routes;
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
