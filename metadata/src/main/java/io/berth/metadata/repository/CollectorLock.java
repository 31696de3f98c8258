package io.berth.metadata.repository;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The garbage collector's hold on PostgreSQL: a connection of its own with the session-level advisory
 * lock that lets one collector run at a time across all replicas, and the blob locks of the digests
 * whose bytes it is deleting. Session locks outlive transactions, which the blob locks must (a blob's
 * row is deleted and committed before its bytes are), and die with the connection: a replica that
 * dies mid-run frees them all.
 */
public final class CollectorLock implements AutoCloseable {

    private final Connection connection;

    private CollectorLock(Connection connection) {
        this.connection = connection;
    }

    /** Takes the collector's lock, or returns empty at once if another collector holds it. */
    public static Optional<CollectorLock> tryAcquire(DataSource dataSource) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
                statement.setInt(1, AdvisoryLocks.COLLECTOR);
                statement.setInt(2, AdvisoryLocks.COLLECTOR_RUN);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        return Optional.of(new CollectorLock(connection));
                    }
                }
            }
            connection.close();
            return Optional.empty();
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new MetadataAccessException("cannot take the garbage collector's lock: " + e.getMessage(), e);
        }
    }

    /**
     * Takes the blob locks of those digests no commit holds, and returns them; a digest a commit holds
     * is being pushed right now and is not garbage this run.
     */
    public Set<String> tryLockBlobs(Collection<String> digests) {
        Set<String> locked = new HashSet<>();
        if (digests.isEmpty()) {
            return locked;
        }
        String sql = "select d from unnest(?) as d where pg_try_advisory_lock(?, hashtext(d))";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Array array = connection.createArrayOf("varchar", digests.toArray());
            statement.setArray(1, array);
            statement.setInt(2, AdvisoryLocks.BLOB);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    locked.add(rows.getString(1));
                }
            }
            return locked;
        } catch (SQLException e) {
            throw new MetadataAccessException("cannot lock blobs for collection: " + e.getMessage(), e);
        }
    }

    /** Releases blob locks taken by {@link #tryLockBlobs}. */
    public void unlockBlobs(Collection<String> digests) {
        if (digests.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "select count(*) from unnest(?) as d where pg_advisory_unlock(?, hashtext(d))")) {
            statement.setArray(1, connection.createArrayOf("varchar", digests.toArray()));
            statement.setInt(2, AdvisoryLocks.BLOB);
            statement.executeQuery().close();
        } catch (SQLException e) {
            throw new MetadataAccessException("cannot unlock blobs: " + e.getMessage(), e);
        }
    }

    /** Releases every lock this session holds and gives the connection back to the pool. */
    @Override
    public void close() {
        try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_unlock_all()")) {
            // A pooled connection keeps session locks when it goes back; none may outlive the run.
            statement.execute();
        } catch (SQLException e) {
            throw new MetadataAccessException("cannot release the garbage collector's locks: " + e.getMessage(), e);
        } finally {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Closing a broken connection: the server ends its locks with it.
            }
        }
    }
}
