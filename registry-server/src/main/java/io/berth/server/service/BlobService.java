package io.berth.server.service;

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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.time.Duration;
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

    public BlobService(BlobStore store, BlobRepository blobs, RepositoryRepository repositories, RegistryMetrics metrics,
            ReferenceTouches touches) {
        this.store = store;
        this.touches = touches;
        this.blobs = blobs;
        this.repositories = repositories;
        this.metrics = metrics;
    }

    /** Returns the blob if the repository may serve it; throws BLOB_UNKNOWN otherwise. */
    public BlobDescriptor find(RepositoryName repository, Digest digest) {
        long size = blobs.findLinkedSize(repository.value(), digest.toString())
                .orElseThrow(() -> Errors.blobUnknown(repository, digest));
        // A client that saw the blob may reference it for the garbage collector's whole grace period.
        touches.touch(repository.value(), digest.toString());
        return new BlobDescriptor(digest, size);
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
