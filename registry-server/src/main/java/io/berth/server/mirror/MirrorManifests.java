package io.berth.server.mirror;

import io.berth.metadata.repository.ManifestRepository;
import io.berth.metadata.repository.ManifestRepository.MirroredTag;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.metadata.repository.StoredManifest;
import io.berth.metadata.repository.TagRepository;
import io.berth.server.config.RegistryConfig;
import io.berth.server.domain.Reference;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.error.RetryLaterException;
import io.berth.server.metrics.MirrorMetrics;
import io.berth.server.metrics.MirrorMetrics.Kind;
import io.berth.server.metrics.MirrorMetrics.Result;
import io.berth.server.service.ManifestParser;
import io.berth.server.service.ParsedManifest;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Manifests pulled through the mirror. By digest a manifest never changes: once cached it is served
 * without asking the upstream. By tag it is served from the cache until the upstream's freshness
 * interval has passed; then the upstream is asked with a HEAD (Docker Hub counts GETs, not HEADs,
 * against its pull limit), and the manifest fetched again only if the tag moved. An index is cached as
 * it is, before its platforms: they are cached when clients pull them by digest.
 *
 * <p>When the upstream fails (down, 5xx, 429, timeout), what is cached is served anyway, with a warning
 * and the {@code stale} metric; what is not gets a 503 with {@code Retry-After}.
 */
@ApplicationScoped
public class MirrorManifests {

    private static final Logger LOG = Logger.getLogger(MirrorManifests.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final UpstreamClients clients;
    private final ManifestRepository manifests;
    private final TagRepository tags;
    private final RepositoryRepository repositories;
    private final ManifestParser parser;
    private final FetchLeases leases;
    private final NotFoundMemory notFound;
    private final MirrorMetrics metrics;
    private final MirrorConfig config;
    private final long maxSize;
    private final Map<String, CompletableFuture<StoredManifest>> inFlight = new ConcurrentHashMap<>();

    public MirrorManifests(UpstreamClients clients, ManifestRepository manifests, TagRepository tags,
            RepositoryRepository repositories, ManifestParser parser, FetchLeases leases, NotFoundMemory notFound,
            MirrorMetrics metrics, MirrorConfig config, RegistryConfig registry) {
        this.clients = clients;
        this.manifests = manifests;
        this.tags = tags;
        this.repositories = repositories;
        this.parser = parser;
        this.leases = leases;
        this.notFound = notFound;
        this.metrics = metrics;
        this.config = config;
        this.maxSize = registry.manifest().maxSize().asLongValue();
    }

    /** The manifest a reference names through the mirror, cached first if it is not. */
    public StoredManifest find(MirrorRoute route, Reference reference, boolean withContent) {
        return switch (reference) {
            case Reference.ByDigest(Digest digest) -> manifests.findByDigest(route.cache().value(), digest.toString(), withContent)
                    .map(cached -> counted(route, Result.HIT, cached))
                    .orElseGet(() -> fetched(route, reference, withContent));
            case Reference.Tag(String tag) -> byTag(route, tag, withContent);
        };
    }

    private StoredManifest byTag(MirrorRoute route, String tag, boolean withContent) {
        Optional<MirroredTag> cached = manifests.findMirroredTag(route.cache().value(), tag, withContent);
        if (cached.isEmpty()) {
            return fetched(route, Reference.tag(tag), withContent);
        }
        StoredManifest manifest = cached.get().manifest();
        Instant checked = cached.get().upstreamCheckedAt().orElse(Instant.EPOCH);
        if (checked.plus(route.upstream().tagFreshness()).isAfter(Instant.now())) {
            return counted(route, Result.HIT, manifest);
        }
        try {
            Optional<Digest> now = clients.of(route.upstream()).headManifest(route.remote(), tag);
            if (now.isPresent() && now.get().toString().equals(manifest.digest())) {
                QuarkusTransaction.requiringNew().run(() -> repositories.findIdByName(route.cache().value())
                        .ifPresent(id -> tags.markUpstreamChecked(id, tag)));
                return counted(route, Result.REVALIDATED, manifest);
            }
            LOG.infof("Tag %s of %s moved upstream (%s to %s): fetching it again", tag, route.cache(), manifest.digest(),
                    now.map(Digest::toString).orElse("a digest the upstream does not name"));
            return fetched(route, Reference.tag(tag), withContent);
        } catch (UpstreamNotFoundException e) {
            notFound.remember(route.upstream(), key(route, Reference.tag(tag)));
            throw unknown(route, Reference.tag(tag), e);
        } catch (UpstreamException | RetryLaterException e) {
            return stale(route, tag, manifest, e);
        }
    }

    private StoredManifest stale(MirrorRoute route, String tag, StoredManifest manifest, RuntimeException cause) {
        metrics.pulled(route.upstream().id(), Kind.MANIFEST, Result.STALE);
        LOG.warnf("Serving tag %s of %s from the cache (%s) without the upstream's confirmation: %s", tag, route.cache(),
                manifest.digest(), cause.getMessage());
        return manifest;
    }

    private StoredManifest counted(MirrorRoute route, Result result, StoredManifest manifest) {
        metrics.pulled(route.upstream().id(), Kind.MANIFEST, result);
        return manifest;
    }

    /**
     * Fetches and caches a manifest once, however many pulls ask for it at the same time on this
     * replica (they share the fetch) or on others (they wait for the cached manifest).
     */
    private StoredManifest fetched(MirrorRoute route, Reference reference, boolean withContent) {
        String key = key(route, reference);
        if (notFound.remembers(route.upstream(), key)) {
            throw new RegistryException(OciErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is not in "
                    + route.cache() + ": upstream " + route.upstream().id() + " said it does not hold it, less than "
                    + config.notFoundMemory() + " ago").withDetail("reference", reference.toString());
        }
        CompletableFuture<StoredManifest> mine = new CompletableFuture<>();
        CompletableFuture<StoredManifest> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            metrics.pulled(route.upstream().id(), Kind.MANIFEST, Result.JOIN);
            return running.join();
        }
        try {
            StoredManifest stored = fetchOnce(route, reference, key);
            mine.complete(stored);
            return stored;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private StoredManifest fetchOnce(MirrorRoute route, Reference reference, String key) {
        long deadline = leases.waitDeadline();
        Instant asked = Instant.now();
        while (true) {
            Optional<FetchLeases.Claim> claim = leases.claim("manifest " + route.cache() + " " + reference);
            if (claim.isPresent()) {
                try (FetchLeases.Claim held = claim.get()) {
                    return fetchAndCache(route, reference, key);
                }
            }
            // Another replica fetches it: wait for what it caches, or for its claim to lapse.
            Optional<StoredManifest> cached = leases.awaitOtherReplica(deadline, POLL, () -> cachedSince(route, reference, asked),
                    "manifest " + reference + " of " + route.cache());
            if (cached.isPresent()) {
                metrics.pulled(route.upstream().id(), Kind.MANIFEST, Result.JOIN);
                return cached.get();
            }
        }
    }

    /** The manifest another replica cached for the reference after {@code since}. */
    private Optional<StoredManifest> cachedSince(MirrorRoute route, Reference reference, Instant since) {
        return switch (reference) {
            case Reference.ByDigest(Digest digest) -> manifests.findByDigest(route.cache().value(), digest.toString(), true);
            case Reference.Tag(String tag) -> manifests.findMirroredTag(route.cache().value(), tag, true)
                    .filter(found -> found.upstreamCheckedAt().map(at -> !at.isBefore(since.minusSeconds(1))).orElse(false))
                    .map(MirroredTag::manifest);
        };
    }

    private StoredManifest fetchAndCache(MirrorRoute route, Reference reference, String key) {
        UpstreamClient.Manifest fetched;
        try {
            fetched = clients.of(route.upstream()).getManifest(route.remote(), reference.toString(), maxSize);
        } catch (UpstreamNotFoundException e) {
            notFound.remember(route.upstream(), key);
            throw unknown(route, reference, e);
        } catch (UpstreamException e) {
            metrics.upstreamError(route.upstream().id());
            metrics.pulled(route.upstream().id(), Kind.MANIFEST, Result.ERROR);
            LOG.warnf("Manifest %s of %s is not cached and upstream %s failed: %s", reference, route.cache(),
                    route.upstream().id(), e.getMessage());
            throw new RetryLaterException(OciErrorCode.UNAVAILABLE, "manifest " + reference + " of " + route.cache()
                    + " is not cached, and " + e.getMessage(), e.retryAfter().orElse(config.retryAfter()));
        }
        metrics.upstreamBytes(route.upstream().id(), fetched.content().length);
        Digest digest = verified(route, reference, fetched);
        ParsedManifest parsed = parser.parse(fetched.content(), fetched.mediaType());
        QuarkusTransaction.requiringNew().run(() -> {
            long repositoryId = repositories.getOrCreate(route.cache().value());
            long manifestId = manifests.save(parsed.toStore(repositoryId, digest, fetched.content()));
            if (reference instanceof Reference.Tag(String tag)) {
                point(repositoryId, tag, manifestId, digest.toString(), route);
                tags.markUpstreamChecked(repositoryId, tag);
            }
        });
        notFound.forget(route.upstream(), key);
        metrics.pulled(route.upstream().id(), Kind.MANIFEST, Result.MISS);
        LOG.infof("Cached manifest %s (%s) of %s from upstream %s%s", digest, parsed.mediaType(), route.cache(),
                route.upstream().id(), reference instanceof Reference.Tag(String tag) ? " as " + tag : "");
        return new StoredManifest(digest.toString(), parsed.mediaType(), fetched.content().length, fetched.content(),
                parsed.subjectDigest().orElse(null));
    }

    /** Points the cached tag where the upstream's points; a concurrent creation is read again and moved. */
    private void point(long repositoryId, String tag, long manifestId, String digest, MirrorRoute route) {
        String actor = "mirror:" + route.upstream().id();
        while (!tags.point(repositoryId, tag, manifestId, digest, tags.currentDigest(repositoryId, tag), actor)) {
            // another fetch created the tag meanwhile: read it (locked) and move it
        }
    }

    /** The manifest's digest, checked against the one asked for and the one the upstream declared. */
    private Digest verified(MirrorRoute route, Reference reference, UpstreamClient.Manifest fetched) {
        DigestAlgorithm algorithm = reference instanceof Reference.ByDigest(Digest asked) ? asked.algorithm()
                : fetched.declaredDigest().map(Digest::algorithm).orElse(DigestAlgorithm.SHA256);
        Digest digest = Digest.of(algorithm, fetched.content());
        Optional<Digest> expected = reference instanceof Reference.ByDigest(Digest asked) ? Optional.of(asked)
                : fetched.declaredDigest();
        if (expected.isPresent() && !expected.get().equals(digest)) {
            metrics.upstreamError(route.upstream().id());
            LOG.warnf("Upstream %s sent manifest %s of %s hashing to %s: nothing cached", route.upstream().id(),
                    expected.get(), route.remote(), digest);
            throw new RetryLaterException(OciErrorCode.UNAVAILABLE, "upstream " + route.upstream().id()
                    + " sent a manifest for " + reference + " that hashes to " + digest + ", not " + expected.get()
                    + "; nothing was cached", config.retryAfter());
        }
        return digest;
    }

    private RegistryException unknown(MirrorRoute route, Reference reference, UpstreamNotFoundException cause) {
        return new RegistryException(OciErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is not in "
                + route.cache() + ": " + cause.getMessage()).withDetail("reference", reference.toString());
    }

    private static String key(MirrorRoute route, Reference reference) {
        return route.remote() + (reference instanceof Reference.Tag ? ":" : "@") + reference;
    }
}
