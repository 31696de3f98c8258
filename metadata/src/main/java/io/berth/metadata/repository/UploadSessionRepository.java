package io.berth.metadata.repository;

import io.berth.metadata.entity.UploadSessionEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Upload sessions. A request that writes to an upload first takes its lease, so two requests never
 * stage bytes into the same upload at once, whichever replicas they reach.
 */
@ApplicationScoped
public class UploadSessionRepository implements PanacheRepositoryBase<UploadSessionEntity, UUID> {

    /** Records a new upload session. */
    public void create(UUID id, long repositoryId, String hashAlgorithm, byte[] hashState, String storeState) {
        UploadSessionEntity session = new UploadSessionEntity();
        session.id = id;
        session.repositoryId = repositoryId;
        session.size = 0;
        session.hashAlgorithm = hashAlgorithm;
        session.hashState = hashState;
        session.storeState = storeState;
        session.createdAt = Instant.now();
        session.updatedAt = session.createdAt;
        persist(session);
    }

    /** Finds an upload session of the named repository. */
    public Optional<UploadSessionEntity> find(String repositoryName, UUID id) {
        return getEntityManager()
                .createQuery("""
                        select u from UploadSessionEntity u, RepositoryEntity r
                        where u.id = :id and r.id = u.repositoryId and r.name = :name""", UploadSessionEntity.class)
                .setParameter("id", id)
                .setParameter("name", repositoryName)
                .getResultStream()
                .findFirst();
    }

    /**
     * Takes the lease of an upload session of the named repository for {@code duration}; returns the
     * session as it stands, or empty if it does not exist. Throws UploadBusyException if another
     * request holds an unexpired lease.
     */
    @SuppressWarnings("unchecked")
    public Optional<UploadSessionEntity> acquireLease(String repositoryName, UUID id, UUID token, Duration duration) {
        List<UploadSessionEntity> leased = getEntityManager()
                .createNativeQuery("""
                        update upload_session u
                           set lease_token = ?3, lease_expires_at = now() + make_interval(secs => ?4)
                          from repository r
                         where u.id = ?1 and r.id = u.repository_id and r.name = ?2
                           and (u.lease_token is null or u.lease_expires_at < now())
                        returning u.*""", UploadSessionEntity.class)
                .setParameter(1, id)
                .setParameter(2, repositoryName)
                .setParameter(3, token)
                .setParameter(4, (double) duration.toSeconds())
                .getResultList();
        if (!leased.isEmpty()) {
            return Optional.of(leased.get(0));
        }
        if (find(repositoryName, id).isPresent()) {
            throw new UploadBusyException(id);
        }
        return Optional.empty();
    }

    /** Records the progress of a leased upload and releases the lease; returns false if the lease was lost. */
    public boolean saveAndRelease(UUID id, UUID token, long size, byte[] hashState, String storeState) {
        return getEntityManager()
                .createNativeQuery("""
                        update upload_session
                           set size = ?3, hash_state = ?4, store_state = ?5, lease_token = null,
                               lease_expires_at = null, updated_at = now()
                         where id = ?1 and lease_token = ?2""")
                .setParameter(1, id)
                .setParameter(2, token)
                .setParameter(3, size)
                .setParameter(4, hashState)
                .setParameter(5, storeState)
                .executeUpdate() > 0;
    }

    /** Releases a lease without recording progress, after a failed write. */
    public void release(UUID id, UUID token) {
        getEntityManager()
                .createNativeQuery("update upload_session set lease_token = null, lease_expires_at = null "
                        + "where id = ?1 and lease_token = ?2")
                .setParameter(1, id)
                .setParameter(2, token)
                .executeUpdate();
    }

    /** Removes an upload session; returns false if it did not exist. */
    public boolean remove(UUID id) {
        return getEntityManager()
                .createNativeQuery("delete from upload_session where id = ?1")
                .setParameter(1, id)
                .executeUpdate() > 0;
    }
}
