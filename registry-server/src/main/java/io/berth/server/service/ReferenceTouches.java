package io.berth.server.service;

import io.berth.gc.GcConfig;
import io.berth.metadata.repository.BlobRepository;
import io.berth.metadata.repository.ManifestRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Records what clients read, for the lifecycle: the reference time of the blobs and links they HEAD or
 * GET (a client that saw a blob exist may reference it in a manifest for the garbage collector's whole
 * grace period), and the pull time of the manifests they GET (for retention's "not pulled for"). A
 * pull must not wait for a database write, so both are gathered here and written in one statement each
 * a second; a row written very recently is not written again.
 */
@ApplicationScoped
public class ReferenceTouches {

    private static final Logger LOG = Logger.getLogger(ReferenceTouches.class);

    /** A blob as one repository serves it. */
    private record Touch(String repository, String digest) {
    }

    /** Beyond this many distinct items a second, more are dropped: the times are best effort. */
    private static final int BOUND = 100_000;

    private final BlobRepository blobs;
    private final ManifestRepository manifests;
    private final Set<Touch> seenBlobs = ConcurrentHashMap.newKeySet();
    private final Set<Touch> pulledManifests = ConcurrentHashMap.newKeySet();

    /**
     * A blob refreshed this recently is not written again: a minute, or a tenth of the grace period when
     * that is shorter, so a refresh always lands well within the grace period.
     */
    private final Duration fresh;

    public ReferenceTouches(BlobRepository blobs, ManifestRepository manifests, GcConfig gc) {
        this.blobs = blobs;
        this.manifests = manifests;
        this.fresh = gc.grace().dividedBy(10).compareTo(Duration.ofMinutes(1)) < 0 ? gc.grace().dividedBy(10)
                : Duration.ofMinutes(1);
    }

    /** Notes that a client saw the blob in the repository. */
    public void touch(String repository, String digest) {
        if (seenBlobs.size() < BOUND) {
            seenBlobs.add(new Touch(repository, digest));
        }
    }

    /** Notes that a client pulled the manifest from the repository. */
    public void pulled(String repository, String digest) {
        if (pulledManifests.size() < BOUND) {
            pulledManifests.add(new Touch(repository, digest));
        }
    }

    @Scheduled(identity = "berth-reference-touches", every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flush() {
        write(seenBlobs, "reference times of blobs", (repositories, digests) ->
                blobs.refreshReferences(repositories, digests, fresh));
        write(pulledManifests, "pull times of manifests", manifests::recordPulls);
    }

    private static void write(Set<Touch> pending, String what, BiConsumer<List<String>, List<String>> statement) {
        if (pending.isEmpty()) {
            return;
        }
        List<Touch> batch = new ArrayList<>(pending);
        batch.forEach(pending::remove);
        try {
            QuarkusTransaction.requiringNew().run(() -> statement.accept(batch.stream().map(Touch::repository).toList(),
                    batch.stream().map(Touch::digest).toList()));
        } catch (RuntimeException e) {
            // Best effort: a missed second matters to neither the grace period nor retention.
            LOG.debugf("Could not write the %s (%d): %s", what, batch.size(), e.getMessage());
        }
    }

    @PreDestroy
    void flushOnStop() {
        flush();
    }
}
