package io.berth.metadata.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Berth reads of a database's durability, from a real PostgreSQL. */
class DurabilitySettingsTest {

    @TempDir
    Path directory;

    @Test
    void aDurableDatabaseHasNoRisksAndASessionWithoutSynchronousCommitHasOne() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (EmbeddedPostgres postgres = EmbeddedPostgresLauncher.start(directory, port);
                Connection connection = postgres.getPostgresDatabase().getConnection()) {
            DurabilitySettings durable = DurabilitySettings.read(connection);
            assertEquals(new DurabilitySettings("on", "on"), durable);
            assertEquals(List.of(), durable.risks());

            try (Statement statement = connection.createStatement()) {
                statement.execute("SET synchronous_commit = off");
            }
            List<String> risks = DurabilitySettings.read(connection).risks();
            assertEquals(1, risks.size(), risks.toString());
            assertTrue(risks.get(0).startsWith("synchronous_commit=off"), risks.get(0));
        }
    }
}
