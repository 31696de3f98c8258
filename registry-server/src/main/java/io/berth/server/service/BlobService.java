package io.berth.server.service;

import io.berth.gc.GcConfig;
import io.berth.metadata.repository.BlobRepository;
import io.berth.metadata.repository.ReferencingManifests;
import io.berth.metadata.repository.Removal;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.domain.ByteRange;
import io.berth.server.domain.RepositoryName;
import io.berth.server.metrics.RegistryMetrics;
import io.berth.storage.BlobContent;
import io.berth.storage.BlobStore;
import io.berth.storage.Digest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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

    public BlobService(BlobStore store, BlobRepository blobs, RepositoryRepository repositories, RegistryMetrics metrics,
            ReferenceTouches touches, GcConfig gc) {
        this.gc = gc;
        this.store = store;
        this.touches = touches;
        this.blobs = blobs;
        this.repositories = repositories;
        this.metrics = metrics;
    }

    /** Returns the blob if the repository may serve it; throws BLOB_UNKNOWN otherwise. */
    public BlobDescriptor find(RepositoryName repository, Digest digest) {
        BlobRepository.LinkedBlob linked = blobs.findLinked(repository.value(), digest.toString())
                .orElseThrow(() -> Errors.blobUnknown(repository, digest));
        if (!seen(repository, digest, linked.referencedAt())) {
            throw Errors.blobUnknown(repository, digest);
        }
        return new BlobDescriptor(digest, linked.size());
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
     * Returns where the client may fetch the blob directly (a presigned object storage URL), or empty
     * when Berth serves the bytes itself.
     */
    public Optional<URI> redirect(BlobDescriptor blob) {
        return store.redirectUri(blob.digest(), REDIRECT_VALIDITY);
    }

    /**
     * Returns where Berth itself fetches the whole blob, or the given range of it, over HTTP when the
     * store is object storage (a presigned URL); empty when the store serves the bytes through
     * {@link #open}.
     */
    public Optional<RemoteBlob> remote(BlobDescriptor blob, Optional<ByteRange> range) {
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
    public BlobContent open(BlobDescriptor blob, Optional<ByteRange> range) {
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
