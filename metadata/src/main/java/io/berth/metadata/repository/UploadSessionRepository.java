package io.berth.metadata.repository;

import io.berth.metadata.entity.UploadSessionEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Upload sessions. A request that writes to an upload first takes its lease, so two requests never
 * stage bytes into the same upload at once, whichever replicas they reach.
 *
 * <p>Taking, saving and releasing a lease are single statements, each atomic on its own, and run on a
 * connection of their own in auto-commit mode, outside any transaction: every chunk of an upload pays
 * for them, and a transaction around each would add a COMMIT round trip and the transaction manager's
 * work to both ends of every chunk.
 */
@ApplicationScoped
public class UploadSessionRepository implements PanacheRepositoryBase<UploadSessionEntity, UUID> {

    private final DataSource dataSource;

    public UploadSessionRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a new upload session, opened by {@code startedBy} (null without authentication) from {@code startedFrom}. */
    public void create(UUID id, long repositoryId, String startedBy, String startedFrom, String hashAlgorithm,
            byte[] hashState, String storeState) {
        UploadSessionEntity session = new UploadSessionEntity();
        session.id = id;
        session.repositoryId = repositoryId;
        session.startedBy = startedBy;
        session.startedFrom = startedFrom;
        session.size = 0;
        session.hashAlgorithm = hashAlgorithm;
        session.hashState = hashState;
        session.storeState = storeState;
        session.createdAt = Instant.now();
        session.updatedAt = session.createdAt;
        persist(session);
    }

    /** How many sessions an account and an address hold open, counting only those touched since {@code since}. */
    public record OpenSessions(long byAccount, long byAddress) {
    }

    /**
     * Counts the sessions {@code account} (may be null) and {@code address} opened that were written to,
     * or opened, after {@code since}; older ones are abandoned and left to expire.
     */
    public OpenSessions countOpen(String account, String address, Instant since) {
        Object[] row = (Object[]) getEntityManager().createNativeQuery("""
                        select (select count(*) from upload_session where started_by = ?1 and updated_at > ?3),
                               (select count(*) from upload_session where started_from = ?2 and updated_at > ?3)""")
                .setParameter(1, account)
                .setParameter(2, address)
                .setParameter(3, since)
                .getSingleResult();
        return new OpenSessions(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
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
     * request holds an unexpired lease. Commits by itself: callers need no transaction.
     */
    public Optional<UploadSessionEntity> acquireLease(String repositoryName, UUID id, UUID token, Duration duration) {
        Optional<UploadSessionEntity> leased = autoCommitted("""
                update upload_session u
                   set lease_token = ?, lease_expires_at = now() + make_interval(secs => ?)
                  from repository r
                 where u.id = ? and r.id = u.repository_id and r.name = ?
                   and (u.lease_token is null or u.lease_expires_at < now())
                returning u.id, u.repository_id, u.started_by, u.started_from, u.size, u.hash_algorithm,
                          u.hash_state, u.store_state, u.lease_token, u.lease_expires_at, u.created_at, u.updated_at""",
                "cannot take the lease of upload " + id, update -> {
                    update.setObject(1, token);
                    update.setDouble(2, duration.toMillis() / 1000.0);
                    update.setObject(3, id);
                    update.setString(4, repositoryName);
                    try (ResultSet row = update.executeQuery()) {
                        return row.next() ? Optional.of(session(row)) : Optional.<UploadSessionEntity>empty();
                    }
                });
        if (leased.isPresent()) {
            return leased;
        }
        // Not leased: either someone else holds it or there is no such upload.
        if (find(repositoryName, id).isPresent()) {
            throw new UploadBusyException(id);
        }
        return Optional.empty();
    }

    /**
     * Records the progress of a leased upload and releases the lease; returns false if the lease was lost.
     * Commits by itself: callers need no transaction.
     */
    public boolean saveAndRelease(UUID id, UUID token, long size, byte[] hashState, String storeState) {
        return autoCommitted("""
                update upload_session
                   set size = ?, hash_state = ?, store_state = ?, lease_token = null,
                       lease_expires_at = null, updated_at = now()
                 where id = ? and lease_token = ?""",
                "cannot record the progress of upload " + id, update -> {
                    update.setLong(1, size);
                    update.setBytes(2, hashState);
                    update.setString(3, storeState);
                    update.setObject(4, id);
                    update.setObject(5, token);
                    return update.executeUpdate() > 0;
                });
    }

    /**
     * Extends the leases {@code held} (upload id to lease token) by {@code duration} from now, in one
     * statement; returns the ids whose lease was still theirs. Commits by itself.
     */
    public Set<UUID> renewLeases(Map<UUID, UUID> held, Duration duration) {
        if (held.isEmpty()) {
            return Set.of();
        }
        List<Map.Entry<UUID, UUID>> leases = List.copyOf(held.entrySet());
        return autoCommitted("""
                update upload_session u
                   set lease_expires_at = now() + make_interval(secs => ?)
                  from unnest(?, ?) as h(id, token)
                 where u.id = h.id and u.lease_token = h.token
                returning u.id""",
                "cannot renew the leases of " + held.size() + " uploads", update -> {
                    update.setDouble(1, duration.toMillis() / 1000.0);
                    update.setArray(2, update.getConnection().createArrayOf("uuid",
                            leases.stream().map(Map.Entry::getKey).toArray()));
                    update.setArray(3, update.getConnection().createArrayOf("uuid",
                            leases.stream().map(Map.Entry::getValue).toArray()));
                    Set<UUID> renewed = new HashSet<>();
                    try (ResultSet rows = update.executeQuery()) {
                        while (rows.next()) {
                            renewed.add(rows.getObject(1, UUID.class));
                        }
                    }
                    return renewed;
                });
    }

    /** Releases a lease without recording progress, after a failed write; commits by itself. */
    public void release(UUID id, UUID token) {
        autoCommitted("update upload_session set lease_token = null, lease_expires_at = null where id = ? and lease_token = ?",
                "cannot release the lease of upload " + id, update -> {
                    update.setObject(1, id);
                    update.setObject(2, token);
                    return update.executeUpdate();
                });
    }

    private <T> T autoCommitted(String sql, String failure, AutoCommitted.StatementWork<T> work) {
        return AutoCommitted.run(dataSource, sql, failure, work);
    }

    private static UploadSessionEntity session(ResultSet row) throws SQLException {
        UploadSessionEntity session = new UploadSessionEntity();
        session.id = row.getObject("id", UUID.class);
        session.repositoryId = row.getLong("repository_id");
        session.startedBy = row.getString("started_by");
        session.startedFrom = row.getString("started_from");
        session.size = row.getLong("size");
        session.hashAlgorithm = row.getString("hash_algorithm");
        session.hashState = row.getBytes("hash_state");
        session.storeState = row.getString("store_state");
        session.leaseToken = row.getObject("lease_token", UUID.class);
        session.leaseExpiresAt = instant(row.getObject("lease_expires_at", OffsetDateTime.class));
        session.createdAt = instant(row.getObject("created_at", OffsetDateTime.class));
        session.updatedAt = instant(row.getObject("updated_at", OffsetDateTime.class));
        return session;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    /** Removes an upload session; returns false if it did not exist. */
    public boolean remove(UUID id) {
        return getEntityManager()
                .createNativeQuery("delete from upload_session where id = ?1")
                .setParameter(1, id)
                .executeUpdate() > 0;
    }
}
