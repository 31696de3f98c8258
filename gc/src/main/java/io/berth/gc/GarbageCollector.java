package io.berth.gc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.metadata.repository.CollectorLock;
import io.berth.metadata.repository.GarbageRepository;
import io.berth.metadata.repository.GarbageRepository.BlobRow;
import io.berth.metadata.repository.GarbageRepository.RepositoryItem;
import io.berth.metadata.repository.GarbageRepository.Window;
import io.berth.metadata.repository.GcRunRepository;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.berth.storage.Digest;
import io.berth.storage.StorageException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs the collector: takes the one lock that lets a single collector run across all replicas, then
 * removes each kind of garbage in batches, each batch decided and removed from the metadata in a
 * transaction of its own, its bytes deleted from the store after that commit. See the package
 * documentation for what is garbage, when, and why a push in flight never loses its bytes.
 */
@ApplicationScoped
public class GarbageCollector {

    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);

    /** How many items a dry-run report names per kind; the counts are complete up to {@link #DRY_RUN_LIMIT}. */
    private static final int LISTED = 100;
    private static final int DRY_RUN_LIMIT = 100_000;
    private static final List<Duration> STORAGE_RETRIES = List.of(Duration.ofMillis(200), Duration.ofSeconds(1),
            Duration.ofSeconds(5));
    /**
     * How far a run's window reaches back before the last run's cutoff. A reference time is the start of
     * the transaction that wrote it, so a row can become visible some time after the time it carries
     * (a large blob's commit); the overlap looks at such rows again. One that took longer still is found
     * by the next full pass.
     */
    private static final Duration WINDOW_OVERLAP = Duration.ofMinutes(10);

    private final GcConfig config;
    private final GarbageRepository garbage;
    private final GcRunRepository runs;
    private final BlobStore store;
    private final DataSource dataSource;
    private final ObjectMapper json;
    private final CollectorHooks hooks;
    private final Retention retention;
    private final String replica = replicaName();

    public GarbageCollector(GcConfig config, GarbageRepository garbage, GcRunRepository runs, BlobStore store,
            DataSource dataSource, ObjectMapper json, CollectorHooks hooks, Retention retention) {
        this.retention = retention;
        this.config = config;
        this.garbage = garbage;
        this.runs = runs;
        this.store = store;
        this.dataSource = dataSource;
        this.json = json;
        this.hooks = hooks;
    }

    /** Records a run that is asked for and returns its id; {@link #run} then carries it out. */
    public long request(boolean dryRun, String requestedBy) {
        return QuarkusTransaction.requiringNew().call(() -> runs.create(dryRun, requestedBy));
    }

    /**
     * Carries out a requested run, on the calling thread; {@code full} makes it look at every row rather
     * than at what changed since the last run, and walk the store for orphans. If another collector
     * holds the lock, the run is recorded as skipped and nothing is done.
     */
    public RunReport run(long id, boolean dryRun, boolean full) {
        Optional<CollectorLock> acquired = CollectorLock.tryAcquire(dataSource);
        if (acquired.isEmpty()) {
            RunReport skipped = new RunReport("skipped", Map.of(), List.of(), false, false,
                    "another collector was running; nothing was done");
            QuarkusTransaction.requiringNew().run(() -> runs.finish(id, skipped.outcome(), write(skipped)));
            LOG.infof("Garbage collection run %d skipped: another collector is running", id);
            return skipped;
        }
        try (CollectorLock lock = acquired.get()) {
            return runHolding(lock, id, dryRun, full);
        }
    }

    /**
     * A scheduled run: if no other collector is running, records a run and carries it out on the calling
     * thread; otherwise does nothing and records nothing (every replica's schedule ticks).
     */
    public Optional<RunReport> runIfFree(String requestedBy) {
        Optional<CollectorLock> acquired = CollectorLock.tryAcquire(dataSource);
        if (acquired.isEmpty()) {
            return Optional.empty();
        }
        try (CollectorLock lock = acquired.get()) {
            return Optional.of(runHolding(lock, request(false, requestedBy), false, false));
        }
    }

    /** What a run looks at, decided when it starts. */
    private record Plan(boolean orphanScan, Window window, long lastSuspect) {
        boolean fullPass() {
            return window.since().isEmpty();
        }
    }

    private RunReport runHolding(CollectorLock lock, long id, boolean dryRun, boolean fullRequested) {
        long started = System.nanoTime();
        Instant now = Instant.now();
        Instant graceCutoff = now.minus(config.grace());
        Plan plan = QuarkusTransaction.requiringNew().call(() -> {
            int abandoned = runs.abandonRunning();
            if (abandoned > 0) {
                LOG.warnf("Marked %d garbage collection run(s) left running by a replica that stopped as abandoned", abandoned);
            }
            boolean scan = fullRequested
                    || runs.lastOrphanScan().map(last -> last.isBefore(now.minus(config.orphanScanInterval()))).orElse(true);
            // The run that walks the store also looks at every row: what any incremental window missed is
            // found at the latest then.
            Optional<Instant> since = scan ? Optional.empty() : runs.lastReferenceCutoff().map(last -> last.minus(WINDOW_OVERLAP));
            Plan decided = new Plan(scan, new Window(graceCutoff, since), garbage.lastSuspect());
            runs.start(id, replica, scan, decided.fullPass());
            return decided;
        });
        LOG.infof("Garbage collection run %d started on %s (%s, grace %s, %s%s)", id, replica, dryRun ? "dry run" : "deleting",
                config.grace(), plan.fullPass() ? "every row" : "rows changed since " + plan.window().since().get(),
                plan.orphanScan() ? ", with an orphan scan" : "");
        Progress progress = new Progress(dryRun);
        Window window = plan.window();
        try {
            Retention.Outcome retained = retention.apply(now, dryRun, config.batchSize());
            retained.tags().forEach(tag -> progress.add(GarbageKind.TAG, tag, 0));
            retained.manifests().forEach(manifest -> progress.add(GarbageKind.MANIFEST, manifest, 0));
            if (dryRun) {
                survey(progress, now, window);
            } else {
                collectUploads(progress, now.minus(config.uploadExpiry()));
                collectRows(progress, GarbageKind.REFERRER, () -> garbage.removeOrphanedReferrers(window, config.batchSize()));
                QuarkusTransaction.requiringNew().run(garbage::clearReturnedSubjects);
                collectRows(progress, GarbageKind.CHILD, () -> garbage.removeOrphanedChildren(graceCutoff, config.batchSize()));
                collectRows(progress, GarbageKind.LINK, () -> garbage.removeUnneededLinks(window, config.batchSize()));
                collectBlobs(progress, lock, window);
                QuarkusTransaction.requiringNew().run(() -> garbage.clearSuspects(plan.lastSuspect()));
            }
            if (plan.orphanScan()) {
                collectOrphans(progress, lock, graceCutoff, dryRun);
            }
        } catch (RuntimeException e) {
            progress.error("the run stopped: " + e.getMessage());
            RunReport failed = progress.report("failed", plan, "failed after " + seconds(started));
            QuarkusTransaction.requiringNew().run(() -> runs.finish(id, failed.outcome(), write(failed)));
            LOG.errorf(e, "Garbage collection run %d failed after %s", id, seconds(started));
            return failed;
        }
        RunReport report = progress.report("finished", plan, (dryRun ? "found" : "freed") + " in " + seconds(started));
        // Only a deleting run moves the next run's window on: a dry run removed nothing.
        QuarkusTransaction.requiringNew().run(() -> runs.finish(id, report.outcome(), write(report), dryRun ? null : graceCutoff));
        LOG.infof("Garbage collection run %d %s in %s: %s", id, dryRun ? "surveyed" : "finished", seconds(started),
                progress.summary());
        return report;
    }

    /** A dry run: every kind's candidates as the collector would see them now, nothing removed. */
    private void survey(Progress progress, Instant now, Window window) {
        QuarkusTransaction.requiringNew().run(() -> {
            garbage.findAbandonedUploads(now.minus(config.uploadExpiry()), DRY_RUN_LIMIT)
                    .forEach(upload -> progress.add(GarbageKind.UPLOAD, upload.toString(), 0));
            garbage.findOrphanedReferrers(window, DRY_RUN_LIMIT)
                    .forEach(item -> progress.add(GarbageKind.REFERRER, item.repository() + "@" + item.digest(), 0));
            garbage.findOrphanedChildren(window.before(), DRY_RUN_LIMIT)
                    .forEach(item -> progress.add(GarbageKind.CHILD, item.repository() + "@" + item.digest(), 0));
            garbage.findUnneededLinks(window, DRY_RUN_LIMIT)
                    .forEach(item -> progress.add(GarbageKind.LINK, item.repository() + "@" + item.digest(), 0));
            garbage.findUnreferencedBlobs(window, DRY_RUN_LIMIT)
                    .forEach(blob -> progress.add(GarbageKind.BLOB, blob.digest(), blob.size()));
        });
    }

    private void collectUploads(Progress progress, Instant idleBefore) {
        while (true) {
            List<UUID> removed = QuarkusTransaction.requiringNew().call(() -> garbage.removeAbandonedUploads(idleBefore,
                    config.batchSize()));
            for (UUID upload : removed) {
                // The row is gone, so no request can reach the session again; its bytes follow.
                try {
                    retried("drop the staged bytes of upload " + upload, () -> {
                        store.cancel(upload);
                        return null;
                    });
                } catch (StorageException e) {
                    progress.error("upload " + upload + ": " + e.getMessage());
                }
                progress.add(GarbageKind.UPLOAD, upload.toString(), 0);
            }
            if (removed.size() < config.batchSize()) {
                return;
            }
        }
    }

    private void collectRows(Progress progress, GarbageKind kind, Supplier<List<RepositoryItem>> removeBatch) {
        while (true) {
            List<RepositoryItem> removed = QuarkusTransaction.requiringNew().call(removeBatch::get);
            removed.forEach(item -> progress.add(kind, item.repository() + "@" + item.digest(), 0));
            if (removed.size() < config.batchSize()) {
                return;
            }
        }
    }

    /**
     * Blobs: candidates found without locks; their blob locks taken (a digest a commit holds is being
     * pushed, and skipped); their rows deleted, with the check repeated, and committed; their bytes
     * deleted; the locks released. A commit of the same digest waits for the locks, then finds the
     * bytes gone and stores its own. Skipped digests are recorded to be looked at again by the next run.
     */
    private void collectBlobs(Progress progress, CollectorLock lock, Window window) {
        Set<String> skipped = new HashSet<>();
        while (true) {
            // Skipped digests are still candidates next time, so ask for that many more.
            int asked = config.batchSize() + skipped.size();
            List<BlobRow> candidates = QuarkusTransaction.requiringNew().call(() ->
                    garbage.findUnreferencedBlobs(window, asked));
            List<String> digests = candidates.stream().map(BlobRow::digest).filter(d -> !skipped.contains(d)).toList();
            if (digests.isEmpty()) {
                break;
            }
            Set<String> locked = lock.tryLockBlobs(digests);
            try {
                List<BlobRow> removed = QuarkusTransaction.requiringNew().call(() ->
                        garbage.removeUnreferencedBlobs(window.before(), locked));
                Set<String> gone = new HashSet<>();
                removed.forEach(blob -> gone.add(blob.digest()));
                digests.stream().filter(d -> !gone.contains(d)).forEach(skipped::add);
                if (!removed.isEmpty()) {
                    hooks.bytesAboutToBeDeleted(removed.stream().map(BlobRow::digest).toList());
                    deleteBytes(progress, GarbageKind.BLOB, removed);
                }
            } finally {
                lock.unlockBlobs(locked);
            }
            if (candidates.size() < asked) {
                break;
            }
        }
        QuarkusTransaction.requiringNew().run(() -> garbage.suspect(skipped));
    }

    /**
     * Orphans: the store is walked page by page; bytes older than the grace period whose digest has no
     * row are locked, checked again under the lock, and deleted. A commit that put them there and has
     * not recorded them yet holds their lock, so they are skipped.
     */
    private void collectOrphans(Progress progress, CollectorLock lock, Instant graceCutoff, boolean dryRun) {
        List<BlobStat> page = new ArrayList<>();
        store.walk(stat -> {
            if (stat.lastModified().isBefore(graceCutoff)) {
                page.add(stat);
            }
            if (page.size() >= config.batchSize()) {
                collectOrphanPage(progress, lock, page, dryRun);
                page.clear();
            }
        });
        collectOrphanPage(progress, lock, page, dryRun);
    }

    private void collectOrphanPage(Progress progress, CollectorLock lock, List<BlobStat> page, boolean dryRun) {
        if (page.isEmpty()) {
            return;
        }
        List<String> digests = page.stream().map(stat -> stat.digest().toString()).toList();
        Set<String> recorded = QuarkusTransaction.requiringNew().call(() -> garbage.findRecorded(digests));
        List<BlobStat> unrecorded = page.stream().filter(stat -> !recorded.contains(stat.digest().toString())).toList();
        if (unrecorded.isEmpty()) {
            return;
        }
        if (dryRun) {
            unrecorded.forEach(stat -> progress.add(GarbageKind.ORPHAN, stat.digest().toString(), stat.size()));
            return;
        }
        Set<String> locked = lock.tryLockBlobs(unrecorded.stream().map(stat -> stat.digest().toString()).toList());
        try {
            Set<String> recordedMeanwhile = QuarkusTransaction.requiringNew().call(() -> garbage.findRecorded(locked));
            List<BlobRow> orphans = unrecorded.stream()
                    .filter(stat -> locked.contains(stat.digest().toString()) && !recordedMeanwhile.contains(stat.digest().toString()))
                    .map(stat -> new BlobRow(stat.digest().toString(), stat.size())).toList();
            deleteBytes(progress, GarbageKind.ORPHAN, orphans);
        } finally {
            lock.unlockBlobs(locked);
        }
    }

    /** Deletes the bytes, retrying failures with back-off; what still fails is reported and left as an orphan. */
    private void deleteBytes(Progress progress, GarbageKind kind, List<BlobRow> blobs) {
        Collection<Digest> pending = blobs.stream().map(blob -> Digest.parse(blob.digest())).toList();
        Map<Digest, String> failed = store.deleteAll(pending);
        for (int attempt = 0; !failed.isEmpty() && attempt < STORAGE_RETRIES.size(); attempt++) {
            sleep(STORAGE_RETRIES.get(attempt));
            failed = store.deleteAll(failed.keySet());
        }
        Set<String> notDeleted = new HashSet<>();
        failed.forEach((digest, reason) -> {
            notDeleted.add(digest.toString());
            progress.error("could not delete the bytes of " + digest + " (left for the orphan scan): " + reason);
        });
        blobs.stream().filter(blob -> !notDeleted.contains(blob.digest()))
                .forEach(blob -> progress.add(kind, blob.digest(), blob.size()));
    }

    private static <T> T retried(String action, Supplier<T> work) {
        for (int attempt = 0; ; attempt++) {
            try {
                return work.get();
            } catch (StorageException e) {
                if (attempt == STORAGE_RETRIES.size()) {
                    throw e;
                }
                LOG.debugf("Could not %s (attempt %d): %s", action, attempt + 1, e.getMessage());
                sleep(STORAGE_RETRIES.get(attempt));
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting to retry a delete", e);
        }
    }

    /** Reads a stored report. */
    public RunReport read(String report) {
        try {
            return json.readValue(report, RunReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable garbage collection report: " + e.getMessage(), e);
        }
    }

    private String write(RunReport report) {
        try {
            return json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the garbage collection report: " + e.getMessage(), e);
        }
    }

    private static String seconds(long startedNanos) {
        return String.format("%.1f s", (System.nanoTime() - startedNanos) / 1e9);
    }

    private static String replicaName() {
        String pid = Long.toString(ManagementFactory.getRuntimeMXBean().getPid());
        try {
            return InetAddress.getLocalHost().getHostName() + "/" + pid;
        } catch (UnknownHostException e) {
            return "unknown-host/" + pid;
        }
    }

    /** What a run has found or removed so far, per kind, and the errors it met. */
    private static final class Progress {
        private final boolean dryRun;
        private final Map<GarbageKind, long[]> totals = new EnumMap<>(GarbageKind.class);
        private final Map<GarbageKind, List<String>> listed = new EnumMap<>(GarbageKind.class);
        private final List<String> errors = new ArrayList<>();

        Progress(boolean dryRun) {
            this.dryRun = dryRun;
        }

        void add(GarbageKind kind, String item, long bytes) {
            long[] total = totals.computeIfAbsent(kind, k -> new long[2]);
            total[0]++;
            total[1] += bytes;
            List<String> names = listed.computeIfAbsent(kind, k -> new ArrayList<>());
            if (dryRun && names.size() < LISTED) {
                names.add(item);
            }
            if (!dryRun && total[0] % 10_000 == 0) {
                LOG.infof("Garbage collection: %d %s items removed so far", total[0], kind.name().toLowerCase());
            }
        }

        void error(String error) {
            if (errors.size() < 100) {
                errors.add(error);
            }
            LOG.warn("Garbage collection: " + error);
        }

        RunReport report(String outcome, Plan plan, String note) {
            Map<GarbageKind, KindReport> kinds = new EnumMap<>(GarbageKind.class);
            for (GarbageKind kind : GarbageKind.values()) {
                long[] total = totals.getOrDefault(kind, new long[2]);
                List<String> names = listed.getOrDefault(kind, List.of());
                kinds.put(kind, new KindReport(total[0], total[1], List.copyOf(names), dryRun && total[0] > names.size()));
            }
            return new RunReport(outcome, kinds, List.copyOf(errors), plan.orphanScan(), plan.fullPass(), note);
        }

        String summary() {
            StringBuilder summary = new StringBuilder();
            for (GarbageKind kind : GarbageKind.values()) {
                long[] total = totals.getOrDefault(kind, new long[2]);
                summary.append(summary.isEmpty() ? "" : ", ").append(total[0]).append(' ').append(kind.name().toLowerCase());
                if (total[1] > 0) {
                    summary.append(" (").append(total[1]).append(" bytes)");
                }
            }
            return summary + (errors.isEmpty() ? "" : "; " + errors.size() + " error(s)");
        }
    }
}
