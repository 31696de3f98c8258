package io.berth.server.service;

import io.berth.gc.GcConfig;
import io.berth.metadata.entity.UploadSessionEntity;
import io.berth.metadata.repository.BlobRepository;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.metadata.repository.UploadSessionRepository;
import io.berth.server.config.RegistryConfig;
import io.berth.server.domain.ContentRange;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.error.UploadOutOfOrderException;
import io.berth.server.metrics.RegistryMetrics;
import io.berth.server.mirror.MirrorRoutes;
import io.berth.server.metrics.RegistryMetrics.UploadKind;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.berth.storage.CommitGuard;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.DigestMismatchException;
import io.berth.storage.UploadState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Receives blobs: monolithic uploads, chunked and resumable ones, and cross-repository mounts.
 *
 * <p>An upload's whole state (offset, running hash, store state) is in its PostgreSQL row, so each
 * chunk may reach another replica. A request that writes first takes the row's lease in a short
 * statement, streams the chunk into the store while hashing it, then records the new state and
 * releases the lease in a second statement; no transaction stays open while bytes move.
 */
@ApplicationScoped
public class UploadService {

    private static final Logger LOG = Logger.getLogger(UploadService.class);

    private final BlobStore store;
    private final UploadSessionRepository sessions;
    private final RepositoryRepository repositories;
    private final BlobRepository blobs;
    private final GcConfig gc;
    private final Quotas quotas;
    private final RegistryConfig config;
    private final RegistryMetrics metrics;
    private final UploadLeases leases;

    private final MirrorRoutes mirrors;

    public UploadService(BlobStore store, UploadSessionRepository sessions, RepositoryRepository repositories,
            BlobRepository blobs, RegistryConfig config, GcConfig gc, RegistryMetrics metrics, UploadLeases leases,
            Quotas quotas, MirrorRoutes mirrors) {
        this.quotas = quotas;
        this.mirrors = mirrors;
        this.store = store;
        this.gc = gc;
        this.sessions = sessions;
        this.leases = leases;
        this.repositories = repositories;
        this.blobs = blobs;
        this.config = config;
        this.metrics = metrics;
    }

    /** Returns the chunk length advertised to clients as {@code OCI-Chunk-Min-Length}. */
    public long chunkMinLength() {
        return config.upload().chunkMinLength().orElse(store.preferredChunkLength());
    }

    /**
     * Opens an upload session whose bytes will be hashed with {@code algorithm}, for {@code account}
     * (empty without authentication) at {@code address}; refused with 429 when either already holds
     * as many open sessions as it may.
     */
    public UploadStatus start(RepositoryName repository, DigestAlgorithm algorithm, Optional<String> account,
            String address) {
        mirrors.requireWritable(repository, "pushed to");
        requireRoomForSession(account, address);
        UUID id = UUID.randomUUID();
        UploadState state = store.beginUpload(id, algorithm);
        try {
            QuarkusTransaction.requiringNew().run(() -> sessions.create(id, repositories.getOrCreate(repository.value()),
                    account.orElse(null), address, algorithm.id(), state.hashState(), state.storeState()));
        } catch (RuntimeException e) {
            store.cancel(id);
            throw e;
        }
        return new UploadStatus(repository, id, 0);
    }

    /**
     * Counted before the session is made, so concurrent starts may overshoot the bound by a few; the
     * bound is against piling up, not an exact quota.
     */
    private void requireRoomForSession(Optional<String> account, String address) {
        RegistryConfig.Upload limits = config.upload();
        UploadSessionRepository.OpenSessions open = sessions.countOpen(account.orElse(null), address,
                Instant.now().minus(gc.uploadExpiry()));
        if (account.isPresent() && open.byAccount() >= limits.maxSessionsPerAccount()) {
            throw tooManySessions("account " + account.get(), open.byAccount(), "max-sessions-per-account");
        }
        if (open.byAddress() >= limits.maxSessionsPerAddress()) {
            throw tooManySessions("address " + address, open.byAddress(), "max-sessions-per-address");
        }
    }

    private RegistryException tooManySessions(String who, long open, String setting) {
        return new RegistryException(OciErrorCode.TOOMANYREQUESTS, who + " holds " + open
                + " open upload sessions, the most this registry allows (berth.registry.upload." + setting
                + "); complete or cancel (DELETE) some, or wait until those untouched for "
                + gc.uploadExpiry().toHours() + " h count as abandoned (berth.gc.upload-expiry)");
    }

    /** Stores a whole blob sent in one request ({@code POST ...?digest=}); nothing is kept if it does not verify. */
    public BlobDescriptor putMonolithic(RepositoryName repository, Digest digest, InputStream body) {
        mirrors.requireWritable(repository, "pushed to");
        long started = System.nanoTime();
        BlobStat stat = store.put(UUID.randomUUID(), body, digest, (size, makeReadable) -> recordUnderLock(repository, digest,
                size, makeReadable, () -> repositories.getOrCreate(repository.value()), () -> { }));
        metrics.blobBytesReceived(stat.size());
        metrics.uploadTook(UploadKind.MONOLITHIC, Duration.ofNanos(System.nanoTime() - started));
        LOG.debugf("Stored %s (%d bytes) in %s in one request", digest, stat.size(), repository);
        return new BlobDescriptor(digest, stat.size());
    }

    /**
     * Links a blob the registry already holds into {@code repository} without any bytes moving: from
     * {@code from} when given (only if that repository holds it), otherwise from anywhere in the
     * registry. Returns empty when the blob is not available, and the client uploads it instead.
     */
    public Optional<BlobDescriptor> mount(RepositoryName repository, Digest digest, Optional<RepositoryName> from) {
        mirrors.requireWritable(repository, "pushed to");
        OptionalLong available = from.isPresent()
                ? blobs.findLinked(from.get().value(), digest.toString()).stream().mapToLong(BlobRepository.LinkedBlob::size).findFirst()
                : blobs.findSize(digest.toString());
        if (available.isEmpty()) {
            return Optional.empty();
        }
        long started = System.nanoTime();
        OptionalLong size = QuarkusTransaction.requiringNew().call(() -> {
            quotas.requireRoomFor(repository, digest.toString(), available.getAsLong());
            return blobs.linkExisting(repositories.getOrCreate(repository.value()), digest.toString());
        });
        metrics.uploadTook(UploadKind.MOUNT, Duration.ofNanos(System.nanoTime() - started));
        if (size.isEmpty()) {
            return Optional.empty();
        }
        LOG.debugf("Mounted %s into %s from %s", digest, repository, from.map(RepositoryName::value).orElse("the registry"));
        return Optional.of(new BlobDescriptor(digest, size.getAsLong()));
    }

    /**
     * Appends a chunk to an upload. When {@code range} is given it must start where the upload stands,
     * or the answer is 416 with the current range.
     */
    public UploadStatus append(RepositoryName repository, UUID id, Optional<ContentRange> range,
            OptionalLong contentLength, InputStream body) {
        long started = System.nanoTime();
        UploadStatus status = leased(repository, id, lease -> {
            UploadState next = appendChunk(lease, range, contentLength, body);
            lease.saveAndRelease(next);
            return new UploadStatus(repository, id, next.size());
        });
        metrics.uploadTook(UploadKind.CHUNK, Duration.ofNanos(System.nanoTime() - started));
        return status;
    }

    /**
     * Completes an upload, with or without a last chunk: verifies the digest, moves the blob into
     * place and links it into the repository. A mismatch ends the upload and stores nothing.
     */
    public BlobDescriptor complete(RepositoryName repository, UUID id, Digest digest, Optional<ContentRange> range,
            OptionalLong contentLength, InputStream body) {
        long started = System.nanoTime();
        BlobDescriptor blob = leased(repository, id, lease -> {
            UploadState state = contentLength.orElse(-1) == 0 && range.isEmpty()
                    ? lease.state()
                    : appendChunk(lease, range, contentLength, body);
            BlobStat stat;
            try {
                stat = store.commit(state, digest, lease.endAndLink(digest));
            } catch (DigestMismatchException e) {
                lease.end();
                throw e;
            }
            return new BlobDescriptor(digest, stat.size());
        });
        metrics.uploadTook(UploadKind.COMPLETE, Duration.ofNanos(System.nanoTime() - started));
        LOG.debugf("Completed upload %s of %s (%d bytes) in %s", id, digest, blob.size(), repository);
        return blob;
    }

    /** Returns where an upload stands; throws BLOB_UPLOAD_UNKNOWN if it is not in progress. */
    public UploadStatus status(RepositoryName repository, UUID id) {
        UploadSessionEntity session = sessions.find(repository.value(), id)
                .orElseThrow(() -> Errors.uploadUnknown(repository, id));
        return new UploadStatus(repository, id, session.size);
    }

    /** Cancels an upload and drops what it staged. */
    public void cancel(RepositoryName repository, UUID id) {
        sessions.find(repository.value(), id).orElseThrow(() -> Errors.uploadUnknown(repository, id));
        QuarkusTransaction.requiringNew().run(() -> sessions.remove(id));
        store.cancel(id);
    }

    private UploadState appendChunk(Lease lease, Optional<ContentRange> range, OptionalLong contentLength,
            InputStream body) {
        UploadStatus current = new UploadStatus(lease.repository, lease.id, lease.session.size);
        if (range.isPresent()) {
            if (range.get().first() != current.size()) {
                throw new UploadOutOfOrderException("the chunk starts at byte " + range.get().first()
                        + " but the upload holds " + current.size() + " bytes; resume from byte " + current.size(),
                        lease.repository.value(), lease.id, current.size());
            }
            if (contentLength.isPresent() && contentLength.getAsLong() != range.get().length()) {
                throw new RegistryException(OciErrorCode.SIZE_INVALID, "Content-Range covers " + range.get().length()
                        + " bytes but Content-Length is " + contentLength.getAsLong());
            }
        }
        UploadState next = store.append(lease.state(), lease.renewed.guard(body));
        long received = next.size() - current.size();
        metrics.blobBytesReceived(received);
        if (range.isPresent() && received != range.get().length()) {
            throw new RegistryException(OciErrorCode.SIZE_INVALID, "Content-Range covers " + range.get().length()
                    + " bytes but the body held " + received + "; the chunk was not recorded");
        }
        return next;
    }

    private <T> T leased(RepositoryName repository, UUID id, Function<Lease, T> work) {
        UUID token = UUID.randomUUID();
        UploadSessionEntity session = sessions.acquireLease(repository.value(), id, token, config.upload().lease())
                .orElseThrow(() -> Errors.uploadUnknown(repository, id));
        Lease lease = new Lease(repository, id, token, session);
        try (UploadLeases.Held renewed = leases.hold(id, token)) {
            lease.renewed = renewed;
            return work.apply(lease);
        } finally {
            if (!lease.settled) {
                sessions.release(id, token);
            }
        }
    }

    /**
     * Makes a committed blob readable and records it, with {@code alsoRecord}, in one transaction under
     * the digest's blob lock ({@link BlobRepository#holdAgainstCollection}): the garbage collector cannot
     * delete bytes between the store finding them in place and the link that keeps them. A blob the
     * namespace's quota has no room for is refused first, and nothing becomes readable.
     */
    private BlobStat recordUnderLock(RepositoryName repository, Digest digest, long size, Supplier<BlobStat> makeReadable,
            LongSupplier repositoryId, Runnable alsoRecord) {
        return QuarkusTransaction.requiringNew().call(() -> {
            quotas.requireRoomFor(repository, digest.toString(), size);
            blobs.holdAgainstCollection(digest.toString());
            BlobStat stored = makeReadable.get();
            blobs.recordAndLink(repositoryId.getAsLong(), digest.toString(), stored.size());
            alsoRecord.run();
            return stored;
        });
    }

    /** An upload session this request holds the lease of. */
    private final class Lease {
        private final RepositoryName repository;
        private final UUID id;
        private final UUID token;
        private final UploadSessionEntity session;
        private UploadLeases.Held renewed;
        private boolean settled;

        private Lease(RepositoryName repository, UUID id, UUID token, UploadSessionEntity session) {
            this.repository = repository;
            this.id = id;
            this.token = token;
            this.session = session;
        }

        UploadState state() {
            DigestAlgorithm algorithm = DigestAlgorithm.fromId(session.hashAlgorithm)
                    .orElseThrow(() -> new IllegalStateException("upload " + id + " hashes with " + session.hashAlgorithm));
            return new UploadState(id, session.size, algorithm, session.hashState, session.storeState);
        }

        void saveAndRelease(UploadState next) {
            boolean saved = sessions.saveAndRelease(id, token, next.size(), next.hashState(), next.storeState());
            settled = true;
            if (!saved) {
                throw new RegistryException(OciErrorCode.BLOB_UPLOAD_INVALID, "upload " + id
                        + " was cancelled or taken over while this chunk was written; start a new upload");
            }
        }

        /** Ends the session after a failed verification; the store already dropped the staged bytes. */
        void end() {
            QuarkusTransaction.requiringNew().run(() -> sessions.remove(id));
            settled = true;
        }

        /**
         * The guard of the commit: makes the blob readable, links it and ends the session in one
         * transaction, under the digest's blob lock (so the garbage collector cannot delete bytes the
         * commit found in place).
         */
        CommitGuard endAndLink(Digest digest) {
            return (size, makeReadable) -> {
                BlobStat stat = recordUnderLock(repository, digest, size, makeReadable, () -> session.repositoryId,
                        () -> sessions.remove(id));
                settled = true;
                return stat;
            };
        }
    }
}
