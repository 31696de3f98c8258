package io.berth.server.mirror;

import io.berth.metadata.repository.MirrorFetchRepository;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The claims this replica holds on fetches from upstreams, recorded in PostgreSQL so that a blob or
 * manifest is fetched once whatever replica a pull reaches. Every third of a lease one statement renews
 * them all; a replica that dies stops renewing, and another takes the fetch over when the lease ends.
 */
@ApplicationScoped
public class FetchLeases {

    private static final Logger LOG = Logger.getLogger(FetchLeases.class);

    private final MirrorFetchRepository leases;
    private final Duration lease;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("berth-mirror-lease-renewer").factory());

    FetchLeases(MirrorFetchRepository leases, MirrorConfig config) {
        this.leases = leases;
        this.lease = config.fetchLease();
        long every = Math.max(100, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** A claim on one fetch; closing it gives the fetch up. */
    public final class Claim implements AutoCloseable {
        private final String key;
        private final UUID token;

        private Claim(String key, UUID token) {
            this.key = key;
            this.token = token;
        }

        @Override
        public void close() {
            held.remove(token);
            try {
                leases.release(key, token);
            } catch (RuntimeException e) {
                LOG.warnf("Could not release the mirror fetch lease of %s (it expires by itself): %s", key, e.getMessage());
            }
        }
    }

    /** Claims the fetch of {@code key} for this replica; empty if another replica holds it. */
    public Optional<Claim> claim(String key) {
        UUID token = UUID.randomUUID();
        if (!leases.acquire(key, token, lease)) {
            return Optional.empty();
        }
        held.add(token);
        return Optional.of(new Claim(key, token));
    }

    /** How long a claim lasts unrenewed: a waiting replica looks again after a fraction of it. */
    public Duration lease() {
        return lease;
    }

    private void renewAll() {
        try {
            leases.renew(Set.copyOf(held), lease);
        } catch (RuntimeException e) {
            LOG.warnf("Could not renew %d mirror fetch leases: %s", held.size(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        renewer.shutdownNow();
    }
}
