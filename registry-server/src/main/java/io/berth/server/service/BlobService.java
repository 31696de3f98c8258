package io.berth.server.service;

import io.berth.gc.GcConfig;
import io.berth.metadata.repository.BlobRepository;
import io.berth.metadata.repository.ReferencingManifests;
import io.berth.metadata.repository.Removal;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.domain.ByteRange;
import io.berth.server.domain.RepositoryName;
import io.berth.server.metrics.RegistryMetrics;
import io.berth.server.mirror.MirrorBlobs;
import io.berth.server.mirror.MirrorRoute;
import io.berth.server.mirror.MirrorRoutes;
import io.berth.storage.BlobContent;
import io.berth.storage.BlobStore;
import io.berth.storage.Digest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/** Serves and unlinks the blobs of a repository. */
@ApplicationScoped
public class BlobService {

    private static final Logger LOG = Logger.getLogger(BlobService.class);

    /** The longest a redirect to the store may stay valid; the store may choose a shorter time. */
    private static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(20);

    /** How long a URL Berth fetches a blob from stays valid: it is used at once, so a minute is plenty. */
    private static final Duration READ_VALIDITY = Duration.ofMinutes(1);

    private final BlobStore store;
    private final BlobRepository blobs;
    private final RepositoryRepository repositories;
    private final RegistryMetrics metrics;
    private final ReferenceTouches touches;
    private final GcConfig gc;
    private final MirrorRoutes mirrors;
    private final MirrorBlobs mirrored;

    public BlobService(BlobStore store, BlobRepository blobs, RepositoryRepository repositories, RegistryMetrics metrics,
            ReferenceTouches touches, GcConfig gc, MirrorRoutes mirrors, MirrorBlobs mirrored) {
        this.gc = gc;
        this.mirrors = mirrors;
        this.mirrored = mirrored;
        this.store = store;
        this.touches = touches;
        this.blobs = blobs;
        this.repositories = repositories;
        this.metrics = metrics;
    }

    /**
     * Returns the blob if the repository may serve it, asking the upstream for its size if the
     * repository is mirrored and the cache does not hold it; throws BLOB_UNKNOWN otherwise.
     */
    public BlobDescriptor find(RepositoryName repository, Digest digest) {
        Optional<MirrorRoute> route = mirrors.route(repository);
        RepositoryName holder = route.map(MirrorRoute::cache).orElse(repository);
        Optional<BlobDescriptor> held = findHeld(holder, digest);
        if (held.isPresent()) {
            return held.get();
        }
        if (route.isEmpty()) {
            throw Errors.blobUnknown(repository, digest);
        }
        return new BlobDescriptor(digest, mirrored.size(route.get(), digest));
    }

    /**
     * Decides where the bytes of a download come from: the client's own copy ({@code clientHasIt}, from
     * its {@code If-None-Match}), a redirect to object storage, object storage through Berth, the store,
     * or, for a mirrored blob the cache does not hold, the upstream as it sends them. Throws
     * BLOB_UNKNOWN if none has it, RANGE_NOT_SATISFIABLE for a range past its end.
     */
    public BlobSource locate(RepositoryName repository, Digest digest, Optional<String> range, boolean clientHasIt) {
        Optional<MirrorRoute> route = mirrors.route(repository);
        RepositoryName holder = route.map(MirrorRoute::cache).orElse(repository);
        Optional<BlobDescriptor> held = findHeld(holder, digest);
        if (held.isEmpty() && route.isPresent()) {
            if (mirrored.pull(route.get(), digest) instanceof MirrorBlobs.Pull.Streaming streaming) {
                Optional<BlobSource> upstream = fromUpstream(digest, range, streaming);
                if (upstream.isPresent()) {
                    return upstream.get();
                }
            }
            held = findHeld(holder, digest); // stored meanwhile, here or by another replica
        }
        BlobDescriptor blob = held.orElseThrow(() -> Errors.blobUnknown(repository, digest));
        if (clientHasIt) {
            return new BlobSource.Unchanged(blob);
        }
        Optional<URI> redirect = store.redirectUri(blob.digest(), REDIRECT_VALIDITY);
        if (redirect.isPresent()) {
            // The bytes come from object storage directly; the client sends its Range there.
            return new BlobSource.Redirect(blob, redirect.get());
        }
        Optional<ByteRange> requested = ByteRange.resolve(range.orElse(null), blob.size());
        Optional<RemoteBlob> remote = remote(blob, requested);
        if (remote.isPresent()) {
            return new BlobSource.Remote(blob, requested, remote.get());
        }
        return new BlobSource.Local(blob, requested, open(blob, requested));
    }

    private Optional<BlobSource> fromUpstream(Digest digest, Optional<String> range, MirrorBlobs.Pull.Streaming streaming) {
        OptionalLong size = streaming.length();
        // Without the size no range can be resolved: the whole blob is sent, as a server without ranges does.
        Optional<ByteRange> requested = size.isPresent() ? ByteRange.resolve(range.orElse(null), size.getAsLong())
                : Optional.empty();
        long offset = requested.map(ByteRange::first).orElse(0L);
        long count = requested.map(ByteRange::length).orElse(size.orElse(Long.MAX_VALUE));
        Optional<InputStream> body = streaming.open(offset, count);
        body.ifPresent(ignored -> metrics.blobBytesSent(size.isPresent() ? count : 0));
        return body.map(stream -> new BlobSource.Upstream(digest, size, requested, stream));
    }

    /** The blob as the repository holds it, if it does. */
    private Optional<BlobDescriptor> findHeld(RepositoryName repository, Digest digest) {
        return blobs.findLinked(repository.value(), digest.toString())
                .filter(linked -> seen(repository, digest, linked.referencedAt()))
                .map(linked -> new BlobDescriptor(digest, linked.size()));
    }

    /**
     * A client that saw a blob may reference it in a manifest for the garbage collector's whole grace
     * period. A blob referenced within half of it is safe for at least the other half, long enough for
     * the buffered refresh (a second) to land; an older one, which the collector could take any moment,
     * is refreshed before the answer goes out, and if the collector took its link first, it is not there
     * (returns false). So only blobs nobody used for a while cost a write.
     */
    private boolean seen(RepositoryName repository, Digest digest, Instant referencedAt) {
        if (referencedAt.isBefore(Instant.now().minus(gc.grace().dividedBy(2)))) {
            return QuarkusTransaction.requiringNew().call(() -> blobs.refreshLinked(repository.value(), digest.toString()));
        }
        touches.touch(repository.value(), digest.toString());
        return true;
    }

    /**
     * Returns where Berth itself fetches the whole blob, or the given range of it, over HTTP when the
     * store is object storage (a presigned URL); empty when the store serves the bytes through
     * {@link #open}.
     */
    private Optional<RemoteBlob> remote(BlobDescriptor blob, Optional<ByteRange> range) {
        long offset = range.map(ByteRange::first).orElse(0L);
        long length = range.map(ByteRange::length).orElse(blob.size());
        if (length == 0) {
            return Optional.empty(); // nothing to fetch, and no Range can ask for nothing
        }
        Optional<RemoteBlob> remote = store.readUri(blob.digest(), READ_VALIDITY)
                .map(uri -> new RemoteBlob(blob.digest(), uri, offset, length));
        remote.ifPresent(ignored -> metrics.blobBytesSent(length));
        return remote;
    }

    /** Opens the whole blob, or the given range of it, for sending. */
    private BlobContent open(BlobDescriptor blob, Optional<ByteRange> range) {
        long offset = range.map(ByteRange::first).orElse(0L);
        long length = range.map(ByteRange::length).orElse(blob.size());
        BlobContent content = store.open(blob.digest(), offset, length);
        metrics.blobBytesSent(length);
        return content;
    }

    /**
     * Removes the blob from the repository; its bytes stay until the garbage collector finds nothing
     * else refers to them. Throws BLOB_UNKNOWN if the repository does not hold it, and DENIED while a
     * manifest of the repository has it as config or layer (manifests of other repositories keep
     * their own repository's link, not this one).
     */
    @Transactional
    public void delete(RepositoryName repository, Digest digest) {
        long repositoryId = repositories.findIdByName(repository.value())
                .orElseThrow(() -> Errors.blobUnknown(repository, digest));
        switch (blobs.unlinkUnlessReferenced(repositoryId, digest.toString())) {
            case Removal.Removed removed -> LOG.infof("Deleted blob %s from %s", digest, repository);
            case Removal.Absent absent -> throw Errors.blobUnknown(repository, digest);
            case Removal.Refused(ReferencingManifests by) -> throw Errors.blobStillReferenced(repository, digest, by);
        }
    }
}
