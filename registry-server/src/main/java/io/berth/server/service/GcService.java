package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.gc.ConsistencyCheck;
import io.berth.gc.ConsistencyCheck.Findings;
import io.berth.gc.GarbageCollector;
import io.berth.gc.GarbageKind;
import io.berth.gc.KindReport;
import io.berth.gc.RunReport;
import io.berth.metadata.repository.GcRunRepository;
import io.berth.metadata.repository.GcRunRepository.GcRunRow;
import io.berth.server.metrics.GcMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/** Garbage collection runs: started on request or on schedule, carried out in the background, reported. */
@ApplicationScoped
public class GcService {

    private static final Logger LOG = Logger.getLogger(GcService.class);

    private final GarbageCollector collector;
    private final GcRunRepository runs;
    private final GcMetrics metrics;
    private final ConsistencyCheck consistency;
    /** One thread: runs asked for on this replica queue behind each other instead of being skipped at once. */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("berth-gc").factory());

    public GcService(GarbageCollector collector, GcRunRepository runs, GcMetrics metrics, ConsistencyCheck consistency) {
        this.consistency = consistency;
        this.collector = collector;
        this.runs = runs;
        this.metrics = metrics;
    }

    /** A run as the admin API shows it; the per-kind figures and errors appear once it has ended. */
    public record GcRun(long id, boolean dryRun, String requestedBy, String status, boolean orphanScan,
            boolean fullPass, Optional<String> replica, Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt,
            Map<GarbageKind, KindReport> kinds, List<String> errors, Optional<String> note) {
    }

    /** Records a run and starts it in the background; returns it as it stands (pending). */
    public GcRun start(boolean dryRun, boolean full, String requestedBy) {
        long id = collector.request(dryRun, requestedBy);
        LOG.infof("Garbage collection run %d (%s%s) requested by %s", id, dryRun ? "dry run" : "deleting",
                full ? ", full pass" : "", requestedBy);
        GcRun pending = find(id);
        worker.execute(() -> {
            long started = System.nanoTime();
            RunReport report = collector.run(id, dryRun, full);
            metrics.record(report, dryRun, Duration.ofNanos(System.nanoTime() - started));
        });
        return pending;
    }

    /** A scheduled run, on the caller's thread; nothing happens if another replica's collector is running. */
    public void runScheduled() {
        long started = System.nanoTime();
        collector.runIfFree("schedule").ifPresent(report ->
                metrics.record(report, false, Duration.ofNanos(System.nanoTime() - started)));
    }

    /** Compares the metadata with the blob store, on the caller's thread; reads only. */
    public Findings checkConsistency() {
        return consistency.run();
    }

    public GcRun find(long id) {
        return runs.find(id).map(this::toRun).orElseThrow(() ->
                new AccountException(AccountException.Reason.NOT_FOUND, "no garbage collection run " + id));
    }

    /** The newest runs first. */
    public List<GcRun> list(int limit) {
        return runs.list(limit).stream().map(this::toRun).toList();
    }

    private GcRun toRun(GcRunRow row) {
        Optional<RunReport> report = row.report().map(collector::read);
        return new GcRun(row.id(), row.dryRun(), row.requestedBy(), row.status(), row.orphanScan(), row.fullPass(), row.replica(),
                row.createdAt(), row.startedAt(), row.finishedAt(), report.map(RunReport::kinds).orElse(Map.of()),
                report.map(RunReport::errors).orElse(List.of()), report.map(RunReport::note));
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
