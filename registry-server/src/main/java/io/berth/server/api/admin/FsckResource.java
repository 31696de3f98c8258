package io.berth.server.api.admin;

import io.berth.gc.ConsistencyCheck.Findings;
import io.berth.server.service.GcService;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/fsck}: the consistency check of metadata against the blob store (read-only). */
@Path(AdminAccessFilter.PATH + "/fsck")
@Tag(name = "garbage collection")
public class FsckResource {

    private final GcService gc;

    public FsckResource(GcService gc) {
        this.gc = gc;
    }

    @POST
    @Operation(summary = "Compare the metadata with the blob store: rows without bytes, bytes without rows, size "
            + "mismatches (walks the whole store; the answer comes when it is done)")
    public Findings run() {
        return gc.checkConsistency();
    }
}
