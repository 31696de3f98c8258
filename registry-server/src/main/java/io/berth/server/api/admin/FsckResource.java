package io.berth.server.api.admin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.berth.gc.ConsistencyCheck.Findings;
import io.berth.server.service.GcService;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code /api/v1/fsck}: the consistency check of metadata against the blob store. It only reads,
 * unless asked to repair orphans ({@code ?repairOrphans=true}): then, if it found any, it starts a full garbage collection run, which
 * deletes the orphans older than the grace period (a younger one may be a push that has not recorded
 * its blob yet).
 */
@Path(AdminAccessFilter.PATH + "/fsck")
@Tag(name = "garbage collection")
public class FsckResource {

    private final GcService gc;
    private final AdminCaller caller;

    public FsckResource(GcService gc, AdminCaller caller) {
        this.gc = gc;
        this.caller = caller;
    }

    /** The findings, and the collector run that repairs the orphans if one was asked for and started. */
    public record FsckAnswer(@JsonUnwrapped Findings findings, Optional<Long> repairRun) {
    }

    @POST
    @Operation(summary = "Compare the metadata with the blob store: rows without bytes, bytes without rows, size "
            + "mismatches (walks the whole store; the answer comes when it is done). With repairOrphans, also start "
            + "a full garbage collection run that deletes orphans older than the grace period; poll /gc/runs/{repairRun}")
    public FsckAnswer run(@RestQuery boolean repairOrphans) {
        Findings findings = gc.checkConsistency();
        boolean repair = repairOrphans && findings.bytesWithoutRows() > 0;
        return new FsckAnswer(findings, repair ? Optional.of(gc.start(false, true, caller.name()).id()) : Optional.empty());
    }
}
