package io.berth.metadata.repository;

import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One statement on a pooled connection of its own, outside any transaction (auto-commit): what the
 * lease statements of uploads and mirror fetches need, each atomic by itself and visible to every
 * replica as soon as it returns.
 */
final class AutoCommitted {

    /** Works with the prepared statement and returns what it found. */
    @FunctionalInterface
    interface StatementWork<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    private AutoCommitted() {
    }

    /** Runs {@code sql} through {@code work}; a failure is a PersistenceException starting with {@code failure}. */
    static <T> T run(DataSource dataSource, String sql, String failure, StatementWork<T> work) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            return work.run(statement);
        } catch (SQLException e) {
            throw new PersistenceException(failure + ": " + e.getMessage(), e);
        }
    }
}
