package io.berth.server.api.admin;

import io.berth.server.service.GcService;
import io.berth.server.service.GcService.GcRun;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** {@code /api/v1/gc}: garbage collection runs, on demand, and the reports of past runs. */
@Path(AdminAccessFilter.PATH + "/gc")
@Tag(name = "garbage collection")
public class GcResource {

    private final GcService gc;
    private final AdminCaller caller;

    public GcResource(GcService gc, AdminCaller caller) {
        this.gc = gc;
        this.caller = caller;
    }

    /**
     * A run to start: {@code dryRun} lists what would go and removes nothing; {@code full} looks at every
     * row instead of what changed since the last run, and walks the store for orphans (as a run does
     * every {@code berth.gc.orphan-scan-interval}).
     */
    public record RunRequest(boolean dryRun, boolean full) {
    }

    @POST
    @Operation(summary = "Start a garbage collection run (202: it runs in the background; poll its Location)")
    public Response start(RunRequest request) {
        GcRun run = gc.start(request != null && request.dryRun(), request != null && request.full(), caller.name());
        return Response.accepted(run).location(URI.create(AdminAccessFilter.PATH + "/gc/runs/" + run.id())).build();
    }

    @GET
    @Path("runs")
    @Operation(summary = "List garbage collection runs, newest first")
    public List<GcRun> list(@RestQuery @DefaultValue("50") int limit) {
        return gc.list(Math.max(1, Math.min(limit, 1000)));
    }

    @GET
    @Path("runs/{id}")
    @Operation(summary = "Show a run: its status and, once ended, what it found or freed per kind")
    public GcRun get(@RestPath long id) {
        return gc.find(id);
    }
}
