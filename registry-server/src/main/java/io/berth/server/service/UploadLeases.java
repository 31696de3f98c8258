package io.berth.server.service;

import io.berth.metadata.repository.UploadSessionRepository;
import io.berth.server.config.RegistryConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps the upload leases this replica's requests hold alive: every third of the lease, one statement
 * renews them all. Leases are short ({@code berth.registry.upload.lease}), so the uploads of a replica
 * that died are free again within seconds, while a request that is still writing never loses its own.
 * A request whose lease was taken over anyway (its replica stalled for longer than a lease) learns it
 * at its next read of the body and stops before it writes another byte.
 */
@ApplicationScoped
public class UploadLeases {

    private static final Logger LOG = Logger.getLogger(UploadLeases.class);

    private final UploadSessionRepository sessions;
    private final Duration lease;
    private final Map<UUID, Held> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("berth-lease-renewer").factory());

    UploadLeases(UploadSessionRepository sessions, RegistryConfig config) {
        this.sessions = sessions;
        this.lease = config.upload().lease();
        long every = Math.max(100, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** The lease of an upload a request of this replica holds; closing it stops the renewals. */
    public final class Held implements AutoCloseable {
        private final UUID upload;
        private final UUID token;
        private volatile boolean lost;

        private Held(UUID upload, UUID token) {
            this.upload = upload;
            this.token = token;
        }

        /** {@code body}, read only while this lease is still held. */
        public InputStream guard(InputStream body) {
            return new FilterInputStream(body) {
                @Override
                public int read() throws IOException {
                    requireHeld();
                    return super.read();
                }

                @Override
                public int read(byte[] target, int offset, int length) throws IOException {
                    requireHeld();
                    return super.read(target, offset, length);
                }
            };
        }

        private void requireHeld() throws IOException {
            if (lost) {
                throw new IOException("upload " + upload + " was taken over by another request while this one"
                        + " stalled for longer than its lease");
            }
        }

        @Override
        public void close() {
            held.remove(upload, this);
        }
    }

    /** Starts renewing the lease {@code token} of {@code upload}, just taken for {@code berth.registry.upload.lease}. */
    public Held hold(UUID upload, UUID token) {
        Held lease = new Held(upload, token);
        held.put(upload, lease);
        return lease;
    }

    private void renewAll() {
        if (held.isEmpty()) {
            return;
        }
        Map<UUID, Held> now = Map.copyOf(held);
        try {
            Set<UUID> renewed = sessions.renewLeases(now.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().token)), lease);
            now.forEach((upload, lease) -> {
                if (!renewed.contains(upload) && held.get(upload) == lease) {
                    lease.lost = true;
                    LOG.warnf("Upload %s: its lease was lost to another request", upload);
                }
            });
        } catch (RuntimeException e) {
            // The next round tries again; a lease lasts three rounds.
            LOG.warnf("Could not renew %d upload leases: %s", now.size(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        renewer.shutdownNow();
    }
}
