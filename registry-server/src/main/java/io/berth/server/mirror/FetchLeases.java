package io.berth.server.mirror;

import io.berth.metadata.repository.MirrorFetchRepository;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RetryLaterException;
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
import java.util.function.Supplier;
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
    private final Duration fetchWait;
    private final Duration retryAfter;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("berth-mirror-lease-renewer").factory());

    FetchLeases(MirrorFetchRepository leases, MirrorConfig config) {
        this.leases = leases;
        this.lease = config.fetchLease();
        this.fetchWait = config.fetchWait();
        this.retryAfter = config.retryAfter();
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

    /** The {@link System#nanoTime} past which a pull that began now stops waiting for another replica. */
    public long waitDeadline() {
        return System.nanoTime() + fetchWait.toNanos();
    }

    /**
     * Waits while another replica holds the claim on a fetch, looking every {@code every} for what it
     * stores: returns that once it appears, or empty after half a lease, when that replica's claim may
     * have lapsed (the caller tries to claim the fetch itself). Past {@code deadline} (from
     * {@link #waitDeadline}) the pull is answered 503.
     */
    public <T> Optional<T> awaitOtherReplica(long deadline, Duration every, Supplier<Optional<T>> stored, String what) {
        long retakeAt = System.nanoTime() + lease.toNanos() / 2;
        while (System.nanoTime() < retakeAt) {
            if (System.nanoTime() > deadline) {
                throw new RetryLaterException(OciErrorCode.UNAVAILABLE, "another replica has been fetching " + what
                        + " for longer than " + fetchWait + " (berth.mirror.fetch-wait)", retryAfter);
            }
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryLaterException(OciErrorCode.UNAVAILABLE, "interrupted while waiting for " + what, retryAfter);
            }
            Optional<T> found = stored.get();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
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
