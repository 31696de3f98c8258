package io.berth.metadata.database;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL is started durable: a real server, asked for its settings. */
class EmbeddedPostgresLauncherTest {

    @TempDir
    Path directory;

    @Test
    void theEmbeddedDatabaseSyncsItsWriteAheadLogToDisk() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgresLauncher.start(directory, freePort());
                Connection connection = postgres.getPostgresDatabase().getConnection()) {
            assertEquals("on", setting(connection, "fsync"), "fsync");
            assertEquals("on", setting(connection, "full_page_writes"), "full_page_writes");
            assertEquals("on", setting(connection, "synchronous_commit"), "synchronous_commit");
            assertEquals("127.0.0.1", setting(connection, "listen_addresses"), "listen_addresses");
        }
    }

    private static String setting(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SHOW " + name)) {
            result.next();
            return result.getString(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
