package io.berth.metadata.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Runs the single-row lookups of the pull path (a manifest by tag or digest, a blob link) on plain
 * JDBC. They are the registry's hottest queries, and Hibernate's per-query machinery cost a quarter of
 * the CPU of a manifest GET; the pooled connection joins a surrounding transaction when there is one.
 */
final class HotReads {

    /** Sets the parameters of a statement. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Reads the current row of a result set. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private HotReads() {
    }

    /** Returns the first row the query yields, or empty. */
    static <T> Optional<T> first(DataSource dataSource, String sql, Binder binder, RowReader<T> reader) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new MetadataAccessException("metadata query failed: " + e.getMessage(), e);
        }
    }
}
