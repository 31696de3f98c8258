package io.berth.metadata.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a PostgreSQL session says about the durability of its commits: {@code fsync} and
 * {@code synchronous_commit}. Berth answers {@code 201} to a push only after its transaction
 * committed; with either setting off, a crash can still forget that push.
 *
 * @param fsync the server's {@code fsync}
 * @param synchronousCommit the session's {@code synchronous_commit}
 */
public record DurabilitySettings(String fsync, String synchronousCommit) {

    /** Reads both settings on {@code connection}, as its sessions see them. */
    public static DurabilitySettings read(Connection connection) throws SQLException {
        return new DurabilitySettings(show(connection, "fsync"), show(connection, "synchronous_commit"));
    }

    /**
     * Returns what can lose acknowledged writes, one sentence a setting, or nothing when commits are
     * durable. {@code local}, {@code remote_write}, {@code remote_apply} and {@code on} all flush
     * the local WAL before a commit returns; only {@code off} does not.
     */
    public List<String> risks() {
        List<String> risks = new ArrayList<>();
        if ("off".equalsIgnoreCase(fsync)) {
            risks.add("fsync=off: a crash of the machine can lose or corrupt committed metadata");
        }
        if ("off".equalsIgnoreCase(synchronousCommit)) {
            risks.add("synchronous_commit=off: a crash of PostgreSQL can lose the last commits, pushes Berth "
                    + "already acknowledged");
        }
        return risks;
    }

    private static String show(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SHOW " + name)) {
            result.next();
            return result.getString(1);
        }
    }
}
