package io.berth.metadata.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.metadata.database.TestDatabase;
import io.berth.metadata.entity.UploadSessionEntity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload lease, against a real PostgreSQL with Berth's migrated schema.
 *
 * <p>{@link UploadSessionRepository#acquireLease}, {@link UploadSessionRepository#saveAndRelease} and
 * {@link UploadSessionRepository#release} run plain JDBC on the repository's own {@link DataSource}, so the
 * real class runs here, built without Quarkus. {@code find}, {@code create} and {@code remove} go through
 * Panache's {@code getEntityManager()}, which outside a Quarkus-built application only throws
 * ({@code implementationInjectionMissing}); for them the test runs the SQL they stand for on its own:
 * {@code find}'s JPQL as {@link #FIND}, which {@link JdbcFind} also uses where {@code acquireLease} calls
 * {@code find} to tell a busy upload from a missing one, and {@code remove}'s native statement as
 * {@link #REMOVE}. Sessions are inserted directly, as {@code create} would record them.
 */
class UploadSessionRepositoryTest {

    /** What {@code find}'s JPQL ({@code UploadSessionEntity u, RepositoryEntity r}) asks of the tables. */
    private static final String FIND = """
            select u.id, u.repository_id, u.size, u.lease_token
              from upload_session u, repository r
             where u.id = ? and r.id = u.repository_id and r.name = ?""";
    /** {@code remove}'s native statement, as it stands there. */
    private static final String REMOVE = "delete from upload_session where id = ?";

    private static final Duration LONG_LEASE = Duration.ofMinutes(5);
    private static final byte[] INITIAL_HASH_STATE = "initial hash state".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path directory;
    private static TestDatabase database;

    private UploadSessionRepository sessions;
    private String repository;
    private long repositoryId;
    private UUID upload;

    @BeforeAll
    static void startDatabase() {
        database = TestDatabase.start(directory);
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    /** A repository of its own for each test, holding one fresh upload session without a lease. */
    @BeforeEach
    void newUploadSession() throws SQLException {
        sessions = new JdbcFind(database.dataSource());
        repository = "library/test-" + UUID.randomUUID();
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("insert into repository (name) values (?) returning id")) {
            insert.setString(1, repository);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                repositoryId = row.getLong(1);
            }
        }
        upload = insertSession(repositoryId);
    }

    @Test
    void aLeaseIsGrantedOnceAndRefusedToASecondTokenWhileHeld() throws SQLException {
        UUID first = UUID.randomUUID();
        Instant before = Instant.now();
        UploadSessionEntity leased = sessions.acquireLease(repository, upload, first, Duration.ofSeconds(30)).orElseThrow();
        Instant after = Instant.now();

        assertEquals(upload, leased.id);
        assertEquals(repositoryId, leased.repositoryId);
        assertEquals(0, leased.size);
        assertEquals("sha256", leased.hashAlgorithm);
        assertArrayEquals(INITIAL_HASH_STATE, leased.hashState);
        assertEquals("initial store state", leased.storeState);
        assertEquals(first, leased.leaseToken);
        assertNotNull(leased.createdAt);
        assertNotNull(leased.updatedAt);
        assertTrue(!leased.leaseExpiresAt.isBefore(before.plusSeconds(29)) && !leased.leaseExpiresAt.isAfter(after.plusSeconds(31)),
                "a 30 s lease taken between " + before + " and " + after + " expires at " + leased.leaseExpiresAt);

        UUID second = UUID.randomUUID();
        UploadBusyException busy = assertThrows(UploadBusyException.class,
                () -> sessions.acquireLease(repository, upload, second, LONG_LEASE));
        assertTrue(busy.getMessage().contains(upload.toString()), busy.getMessage());
        assertEquals(first, stored(upload).leaseToken(), "the refused request took nothing");
    }

    @Test
    void theLeaseIsGrantedAgainAfterRelease() throws SQLException {
        UUID first = UUID.randomUUID();
        sessions.acquireLease(repository, upload, first, LONG_LEASE).orElseThrow();

        sessions.release(upload, first);
        Stored released = stored(upload);
        assertNull(released.leaseToken());
        assertNull(released.leaseExpiresAt());
        assertEquals(0, released.size(), "release records no progress");

        UUID second = UUID.randomUUID();
        assertEquals(second, sessions.acquireLease(repository, upload, second, LONG_LEASE).orElseThrow().leaseToken);
        assertEquals(second, stored(upload).leaseToken());
    }

    @Test
    void releaseWithAnotherTokenLeavesTheLeaseHeld() throws SQLException {
        UUID holder = UUID.randomUUID();
        sessions.acquireLease(repository, upload, holder, LONG_LEASE).orElseThrow();

        sessions.release(upload, UUID.randomUUID());

        assertEquals(holder, stored(upload).leaseToken());
        assertThrows(UploadBusyException.class, () -> sessions.acquireLease(repository, upload, UUID.randomUUID(), LONG_LEASE));
    }

    @Test
    void anExpiredLeaseIsGrantedToTheNextTokenAndItsHolderCanNoLongerSave() throws Exception {
        UUID crashed = UUID.randomUUID();
        sessions.acquireLease(repository, upload, crashed, Duration.ofMillis(500)).orElseThrow();
        awaitExpiry(upload);

        UUID next = UUID.randomUUID();
        UploadSessionEntity leased = sessions.acquireLease(repository, upload, next, LONG_LEASE).orElseThrow();
        assertEquals(next, leased.leaseToken);

        assertFalse(sessions.saveAndRelease(upload, crashed, 99, new byte[] {9}, "late"), "the lease was lost");
        Stored stored = stored(upload);
        assertEquals(next, stored.leaseToken());
        assertEquals(0, stored.size());
    }

    @Test
    void saveAndReleaseWithTheLeaseTokenRecordsTheProgressAndReleases() throws SQLException {
        Instant createdUpdatedAt = stored(upload).updatedAt();
        UUID token = UUID.randomUUID();
        sessions.acquireLease(repository, upload, token, LONG_LEASE).orElseThrow();
        byte[] hashState = {1, 2, 3, 4};

        assertTrue(sessions.saveAndRelease(upload, token, 1234, hashState, "after chunk 1"));

        Stored saved = stored(upload);
        assertEquals(1234, saved.size());
        assertArrayEquals(hashState, saved.hashState());
        assertEquals("after chunk 1", saved.storeState());
        assertNull(saved.leaseToken());
        assertNull(saved.leaseExpiresAt());
        assertTrue(saved.updatedAt().isAfter(createdUpdatedAt), saved.updatedAt() + " after " + createdUpdatedAt);

        UploadSessionEntity next = sessions.acquireLease(repository, upload, UUID.randomUUID(), LONG_LEASE).orElseThrow();
        assertEquals(1234, next.size);
        assertArrayEquals(hashState, next.hashState);
        assertEquals("after chunk 1", next.storeState);
    }

    @Test
    void saveAndReleaseWithAWrongTokenSavesNothing() throws SQLException {
        UUID holder = UUID.randomUUID();
        sessions.acquireLease(repository, upload, holder, LONG_LEASE).orElseThrow();
        Stored before = stored(upload);

        assertFalse(sessions.saveAndRelease(upload, UUID.randomUUID(), 1234, new byte[] {1}, "wrong"));

        Stored after = stored(upload);
        assertEquals(0, after.size());
        assertArrayEquals(INITIAL_HASH_STATE, after.hashState());
        assertEquals("initial store state", after.storeState());
        assertEquals(holder, after.leaseToken(), "the lease stays with its holder");
        assertEquals(before.leaseExpiresAt(), after.leaseExpiresAt());
        assertEquals(before.updatedAt(), after.updatedAt());
    }

    @Test
    void saveAndReleaseAfterReleaseSavesNothing() throws SQLException {
        UUID token = UUID.randomUUID();
        sessions.acquireLease(repository, upload, token, LONG_LEASE).orElseThrow();
        sessions.release(upload, token);

        assertFalse(sessions.saveAndRelease(upload, token, 1234, new byte[] {1}, "released"));
        assertEquals(0, stored(upload).size());
    }

    @Test
    void aRemovedSessionIsGone() throws SQLException {
        assertEquals(1, remove(upload));

        assertFalse(find(repository, upload));
        assertEquals(Optional.empty(), sessions.acquireLease(repository, upload, UUID.randomUUID(), LONG_LEASE),
                "a missing upload is empty, not busy");
        assertFalse(sessions.saveAndRelease(upload, UUID.randomUUID(), 1, new byte[] {1}, "gone"));
        assertEquals(0, remove(upload), "removing it again finds nothing");
    }

    @Test
    void aRemovedSessionUnderLeaseIsGoneToo() throws SQLException {
        UUID token = UUID.randomUUID();
        sessions.acquireLease(repository, upload, token, LONG_LEASE).orElseThrow();

        assertEquals(1, remove(upload));

        assertFalse(sessions.saveAndRelease(upload, token, 1, new byte[] {1}, "gone"), "its holder cannot bring it back");
        assertEquals(0, count(upload));
    }

    @Test
    void anUploadIsLeasedOnlyThroughItsOwnRepository() throws SQLException {
        String other = repository + "-other";
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("insert into repository (name) values (?)")) {
            insert.setString(1, other);
            insert.executeUpdate();
        }

        assertTrue(find(repository, upload));
        assertFalse(find(other, upload));
        assertEquals(Optional.empty(), sessions.acquireLease(other, upload, UUID.randomUUID(), LONG_LEASE));
        assertEquals(Optional.empty(), sessions.acquireLease(repository, UUID.randomUUID(), UUID.randomUUID(), LONG_LEASE));
        assertNull(stored(upload).leaseToken(), "no lease was taken through another repository");
    }

    @Test
    void ofRequestsRacingForTheLeaseExactlyOneGetsIt() throws Exception {
        int requests = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            List<Future<UUID>> outcomes = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                UUID token = UUID.randomUUID();
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try {
                        return sessions.acquireLease(repository, upload, token, LONG_LEASE).orElseThrow().leaseToken;
                    } catch (UploadBusyException e) {
                        return null;
                    }
                }));
            }
            start.countDown();
            List<UUID> winners = new ArrayList<>();
            for (Future<UUID> outcome : outcomes) {
                UUID won = outcome.get(60, TimeUnit.SECONDS);
                if (won != null) {
                    winners.add(won);
                }
            }
            assertEquals(1, winners.size(), "winners: " + winners);
            assertEquals(winners.get(0), stored(upload).leaseToken());
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /**
     * The repository under test, but for {@code find}: the SQL of its JPQL on plain JDBC, since
     * {@code getEntityManager()} works only in a Quarkus-built application. It returns what
     * {@code acquireLease} looks at, whether the session exists.
     */
    private static final class JdbcFind extends UploadSessionRepository {

        private final DataSource dataSource;

        JdbcFind(DataSource dataSource) {
            super(dataSource);
            this.dataSource = dataSource;
        }

        @Override
        public Optional<UploadSessionEntity> find(String repositoryName, UUID id) {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement query = connection.prepareStatement(FIND)) {
                query.setObject(1, id);
                query.setString(2, repositoryName);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    UploadSessionEntity session = new UploadSessionEntity();
                    session.id = row.getObject("id", UUID.class);
                    session.repositoryId = row.getLong("repository_id");
                    session.size = row.getLong("size");
                    session.leaseToken = row.getObject("lease_token", UUID.class);
                    return Optional.of(session);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** An upload session as {@code create} records it: no progress, no lease. */
    private static UUID insertSession(long repositoryId) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into upload_session (id, repository_id, size, hash_algorithm, hash_state, store_state)
                        values (?, ?, 0, 'sha256', ?, 'initial store state')""")) {
            insert.setObject(1, id);
            insert.setLong(2, repositoryId);
            insert.setBytes(3, INITIAL_HASH_STATE);
            insert.executeUpdate();
        }
        return id;
    }

    private record Stored(long size, byte[] hashState, String storeState, UUID leaseToken, Instant leaseExpiresAt,
            Instant updatedAt) {
    }

    /** The session's row as it stands in the database. */
    private static Stored stored(UUID id) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement("""
                        select size, hash_state, store_state, lease_token, lease_expires_at, updated_at
                          from upload_session where id = ?""")) {
            query.setObject(1, id);
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next(), "upload session " + id + " exists");
                return new Stored(row.getLong("size"), row.getBytes("hash_state"), row.getString("store_state"),
                        row.getObject("lease_token", UUID.class), instant(row.getObject("lease_expires_at", OffsetDateTime.class)),
                        instant(row.getObject("updated_at", OffsetDateTime.class)));
            }
        }
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static boolean find(String repositoryName, UUID id) {
        return new JdbcFind(database.dataSource()).find(repositoryName, id).isPresent();
    }

    private static int remove(UUID id) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement delete = connection.prepareStatement(REMOVE)) {
            delete.setObject(1, id);
            return delete.executeUpdate();
        }
    }

    private static int count(UUID id) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement("select count(*) from upload_session where id = ?")) {
            query.setObject(1, id);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** Waits until the database's own clock has passed the session's lease, as {@code acquireLease} judges it. */
    private static void awaitExpiry(UUID id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection connection = database.dataSource().getConnection();
                    PreparedStatement query = connection.prepareStatement(
                            "select lease_expires_at < now() from upload_session where id = ?")) {
                query.setObject(1, id);
                try (ResultSet row = query.executeQuery()) {
                    assertTrue(row.next());
                    if (row.getBoolean(1)) {
                        return;
                    }
                }
            }
            assertTrue(System.nanoTime() < deadline, "the lease never expired");
            Thread.sleep(100);
        }
    }
}
