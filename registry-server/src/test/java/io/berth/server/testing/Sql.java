package io.berth.server.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One-parameter statements on the metadata database, for tests that set the scene (move times back) or
 * look behind the API (is the row gone?). A {@code String[]} parameter is bound as a varchar array.
 */
public final class Sql {

    private Sql() {
    }

    public static void execute(DataSource dataSource, String sql, Object parameter) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(connection, statement, parameter);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Whether the query yields a row. */
    public static boolean exists(DataSource dataSource, String sql, Object parameter) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(connection, statement, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, Object parameter) throws SQLException {
        if (parameter instanceof String[] values) {
            statement.setArray(1, connection.createArrayOf("varchar", values));
        } else {
            statement.setObject(1, parameter);
        }
    }
}
