package io.berth.server.mirror;

import io.berth.metadata.repository.BlobRepository;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.error.RetryLaterException;
import io.berth.server.metrics.MirrorMetrics;
import io.berth.server.metrics.MirrorMetrics.Kind;
import io.berth.server.metrics.MirrorMetrics.Result;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.berth.storage.BlobWriter;
import io.berth.storage.CommitGuard;
import io.berth.storage.Digest;
import io.berth.storage.DigestMismatchException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Blobs pulled through the mirror that the cache does not hold yet. A miss streams: the upstream's
 * bytes go to the pull as they arrive while they are written to the blob store. Pulls of a blob being
 * fetched on this replica read the same fetch ({@link BlobFetch}); on another replica they wait until
 * the fetching replica has stored it, polling the store, and take the fetch over if that replica's
 * lease runs out. So an uncached blob is fetched once, however many pulls ask for it where.
 */
@ApplicationScoped
public class MirrorBlobs {

    private static final Logger LOG = Logger.getLogger(MirrorBlobs.class);
    private static final int READ_SIZE = 128 * 1024;
    private static final Duration POLL = Duration.ofMillis(200);

    private final UpstreamClients clients;
    private final FetchLeases leases;
    private final BlobStore store;
    private final BlobRepository blobs;
    private final RepositoryRepository repositories;
    private final MirrorMetrics metrics;
    private final NotFoundMemory notFound;
    private final MirrorConfig config;
    private final Path spoolDirectory;
    private final Map<Digest, BlobFetch> inFlight = new ConcurrentHashMap<>();
    private final Map<BlobFetch, InputStream> watched = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("berth-mirror-stall-watch").factory());

    public MirrorBlobs(UpstreamClients clients, FetchLeases leases, BlobStore store, BlobRepository blobs,
            RepositoryRepository repositories, MirrorMetrics metrics, NotFoundMemory notFound, MirrorConfig config) {
        this.clients = clients;
        this.leases = leases;
        this.store = store;
        this.blobs = blobs;
        this.repositories = repositories;
        this.metrics = metrics;
        this.notFound = notFound;
        this.config = config;
        this.spoolDirectory = Path.of(config.spoolDirectory().orElse(System.getProperty("java.io.tmpdir")), "berth-mirror");
        watchdog.scheduleWithFixedDelay(this::endStalledFetches, 1, 1, TimeUnit.SECONDS);
    }

    /** What a pull of an uncached blob comes to. */
    public sealed interface Pull permits Pull.Stored, Pull.Streaming {

        /** The blob is in the cache now (another repository held it, or another replica fetched it): serve it from there. */
        record Stored() implements Pull {
        }

        /** The blob streams from the upstream. */
        final class Streaming implements Pull {
            private final BlobFetch fetch;

            Streaming(BlobFetch fetch) {
                this.fetch = fetch;
            }

            /** The blob's size, if the upstream said. */
            public OptionalLong length() {
                return fetch.length();
            }

            /** The bytes from {@code offset} on, {@code count} of them; empty if the fetch has ended since (serve from the cache). */
            public Optional<InputStream> open(long offset, long count) {
                return Optional.ofNullable(fetch.reader(offset, count));
            }
        }
    }

    /** The size of a blob the upstream holds, for a HEAD; nothing is fetched. */
    public long size(MirrorRoute route, Digest digest) {
        BlobFetch running = inFlight.get(digest);
        if (running != null && running.length().isPresent()) {
            return running.length().getAsLong();
        }
        requireNotRememberedMissing(route, digest);
        try {
            OptionalLong size = clients.of(route.upstream()).headBlob(route.remote(), digest);
            return size.orElseThrow(() -> new RetryLaterException(OciErrorCode.UNAVAILABLE, "upstream "
                    + route.upstream().id() + " did not say the size of " + digest, config.retryAfter()));
        } catch (UpstreamNotFoundException e) {
            notFound.remember(route.upstream(), key(route, digest));
            throw unknown(route, digest, e);
        } catch (UpstreamException e) {
            metrics.upstreamError(route.upstream().id());
            throw unavailable(route, digest, e);
        }
    }

    /** Pulls a blob the route's cache repository does not hold. */
    public Pull pull(MirrorRoute route, Digest digest) {
        requireNotRememberedMissing(route, digest);
        if (linkIfStored(route.cache(), digest)) {
            metrics.pulled(route.upstream().id(), Kind.BLOB, Result.HIT);
            return new Pull.Stored();
        }
        long deadline = leases.waitDeadline();
        while (true) {
            BlobFetch fresh = new BlobFetch(digest);
            BlobFetch running = inFlight.putIfAbsent(digest, fresh);
            BlobFetch fetch = running == null ? start(fresh, route) : running;
            fetch.joinedBy(route.cache());
            switch (fetch.awaitAnswer()) {
                case STREAMING -> {
                    metrics.pulled(route.upstream().id(), Kind.BLOB, running == null ? Result.MISS : Result.JOIN);
                    return new Pull.Streaming(fetch);
                }
                case COMPLETE -> {
                    linkIfStored(route.cache(), digest);
                    metrics.pulled(route.upstream().id(), Kind.BLOB, Result.JOIN);
                    return new Pull.Stored();
                }
                case FAILED -> throw answerFor(route, digest, fetch.failure());
                case ELSEWHERE -> {
                    // Stored by the other replica, or its claim lapsed: then this one tries to claim the fetch.
                    Optional<Pull> stored = leases.awaitOtherReplica(deadline, POLL,
                            () -> linkIfStored(route.cache(), digest) ? Optional.of(new Pull.Stored()) : Optional.empty(),
                            digest + " from upstream " + route.upstream().id());
                    if (stored.isPresent()) {
                        metrics.pulled(route.upstream().id(), Kind.BLOB, Result.JOIN);
                        return stored.get();
                    }
                }
                case STARTING -> throw new IllegalStateException("awaitAnswer returned while starting");
            }
        }
    }

    /** Claims the fetch for this replica and starts it, or marks it as another replica's. */
    private BlobFetch start(BlobFetch fetch, MirrorRoute route) {
        Optional<FetchLeases.Claim> claim;
        try {
            claim = leases.claim("blob " + fetch.digest);
        } catch (RuntimeException e) {
            inFlight.remove(fetch.digest, fetch);
            fetch.fail(e);
            fetch.fetchDone();
            return fetch;
        }
        if (claim.isEmpty()) {
            inFlight.remove(fetch.digest, fetch);
            fetch.elsewhere();
            fetch.fetchDone();
            return fetch;
        }
        Thread.ofVirtual().name("berth-mirror-fetch-" + fetch.digest.hex()).start(() -> run(fetch, route, claim.get()));
        return fetch;
    }

    private void run(BlobFetch fetch, MirrorRoute route, FetchLeases.Claim claim) {
        Upstream upstream = route.upstream();
        long started = System.nanoTime();
        try (claim; UpstreamClient.Blob body = clients.of(upstream).getBlob(route.remote(), fetch.digest)) {
            fetch.openSpool(spoolDirectory);
            fetch.streaming(body.length());
            watched.put(fetch, body.body());
            BlobWriter writer = store.openWriter(UUID.randomUUID(), fetch.digest.algorithm());
            try {
                byte[] buffer = new byte[READ_SIZE];
                // The upstream's stream hands over what each network read got (16 KiB or so); passed on
                // piece by piece, every spool write, hand-off and reader wake-up would cost more than the bytes.
                for (int read; (read = body.body().readNBytes(buffer, 0, buffer.length)) > 0; ) {
                    fetch.arrived(buffer, read);
                    writer.write(buffer, 0, read);
                    metrics.upstreamBytes(upstream.id(), read);
                }
                if (body.length().isPresent() && writer.size() != body.length().getAsLong()) {
                    throw new UpstreamException("upstream " + upstream.id() + " sent " + writer.size() + " of the "
                            + body.length().getAsLong() + " bytes of " + fetch.digest, null);
                }
                writer.commit(fetch.digest, recordIn(route.cache(), fetch.digest));
            } catch (IOException | RuntimeException e) {
                writer.cancel();
                throw e;
            }
            fetch.complete();
            linkJoined(fetch, route.cache());
            notFound.forget(upstream, key(route, fetch.digest));
            LOG.infof("Cached %s of %s from upstream %s: %d bytes in %d ms", fetch.digest, route.cache(), upstream.id(),
                    fetch.written(), Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (UpstreamNotFoundException e) {
            notFound.remember(upstream, key(route, fetch.digest));
            fetch.fail(e);
        } catch (DigestMismatchException e) {
            metrics.upstreamError(upstream.id());
            LOG.warnf("Upstream %s sent bytes for %s of %s that hash to %s: nothing cached", upstream.id(), fetch.digest,
                    route.remote(), e.actual());
            fetch.fail(new UpstreamException("upstream " + upstream.id() + " sent bytes that do not match " + fetch.digest, e));
        } catch (IOException e) {
            metrics.upstreamError(upstream.id());
            LOG.warnf("Fetching %s of %s from upstream %s broke off after %d bytes: %s; nothing cached", fetch.digest,
                    route.remote(), upstream.id(), fetch.written(), e.getMessage());
            fetch.fail(new UpstreamException("fetching " + fetch.digest + " from upstream " + upstream.id()
                    + " broke off: " + e.getMessage(), e));
        } catch (UpstreamException e) {
            metrics.upstreamError(upstream.id());
            LOG.warnf("Fetching %s of %s from upstream %s failed: %s", fetch.digest, route.remote(), upstream.id(), e.getMessage());
            fetch.fail(e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Fetching %s of %s from upstream %s failed", fetch.digest, route.remote(), upstream.id());
            fetch.fail(e);
        } finally {
            watched.remove(fetch);
            inFlight.remove(fetch.digest, fetch);
            fetch.fetchDone();
        }
    }

    /** The commit's guard: makes the blob readable and links it into the cache repository, under the blob lock. */
    private CommitGuard recordIn(RepositoryName cache, Digest digest) {
        return (size, makeReadable) -> QuarkusTransaction.requiringNew().call(() -> {
            blobs.holdAgainstCollection(digest.toString());
            BlobStat stored = makeReadable.get();
            blobs.recordAndLink(repositories.getOrCreate(cache.value()), digest.toString(), stored.size());
            return stored;
        });
    }

    /** Links the blob into the other cache repositories whose pulls joined the fetch. */
    private void linkJoined(BlobFetch fetch, RepositoryName fetchedFor) {
        for (RepositoryName joined : fetch.joiners()) {
            if (!joined.equals(fetchedFor)) {
                linkIfStored(joined, fetch.digest);
            }
        }
    }

    /** Links the blob into the repository if the registry stores it; returns whether it does. */
    private boolean linkIfStored(RepositoryName repository, Digest digest) {
        return QuarkusTransaction.requiringNew().call(() -> {
            if (blobs.findSize(digest.toString()).isEmpty()) {
                return false;
            }
            return blobs.linkExisting(repositories.getOrCreate(repository.value()), digest.toString()).isPresent();
        });
    }

    private void endStalledFetches() {
        Duration stall = config.stallTimeout();
        watched.forEach((fetch, body) -> {
            if (fetch.stalledFor(stall)) {
                LOG.warnf("Upstream sent no byte of %s for %s: giving the fetch up", fetch.digest, stall);
                watched.remove(fetch);
                try {
                    body.close();
                } catch (IOException | RuntimeException ignored) {
                    // the fetch fails either way
                }
            }
        });
    }

    private void requireNotRememberedMissing(MirrorRoute route, Digest digest) {
        if (notFound.remembers(route.upstream(), key(route, digest))) {
            throw new RegistryException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + route.cache()
                    + ": upstream " + route.upstream().id() + " said it does not hold it, less than "
                    + config.notFoundMemory() + " ago").withDetail("digest", digest.toString());
        }
    }

    private RuntimeException answerFor(MirrorRoute route, Digest digest, RuntimeException failure) {
        return switch (failure) {
            case UpstreamNotFoundException missing -> unknown(route, digest, missing);
            case UpstreamException down -> unavailable(route, digest, down);
            case null -> new IllegalStateException("fetch of " + digest + " failed without a cause");
            default -> failure;
        };
    }

    private RegistryException unknown(MirrorRoute route, Digest digest, UpstreamNotFoundException cause) {
        return new RegistryException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + route.cache()
                + ": " + cause.getMessage()).withDetail("digest", digest.toString());
    }

    private RegistryException unavailable(MirrorRoute route, Digest digest, UpstreamException cause) {
        metrics.pulled(route.upstream().id(), Kind.BLOB, Result.ERROR);
        return new RetryLaterException(OciErrorCode.UNAVAILABLE, "blob " + digest + " of " + route.cache()
                + " is not cached, and " + cause.getMessage(), cause.retryAfter().orElse(config.retryAfter()));
    }

    private static String key(MirrorRoute route, Digest digest) {
        return route.remote() + "@" + digest;
    }

    @PreDestroy
    void stop() {
        watchdog.shutdownNow();
    }
}
