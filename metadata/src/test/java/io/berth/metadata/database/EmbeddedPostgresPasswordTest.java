package io.berth.metadata.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL lets nobody in without its password: what another local user or process would
 * try (the superuser over TCP without a password, or with a wrong one) is refused, also on a cluster that
 * an older Berth created with trust authentication.
 */
class EmbeddedPostgresPasswordTest {

    @TempDir
    Path directory;

    @Test
    void onlyAConnectionWithThePasswordIsAccepted() throws Exception {
        int port = freePort();
        try (EmbeddedPostgres postgres = EmbeddedPostgresLauncher.start(directory, port)) {
            assertRefused(port, null);
            assertRefused(port, "postgres");
            assertAccepted(port, Files.readString(directory.resolve("password")).strip());
            assertEquals(List.of("scram-sha-256"), authenticationMethods(postgres));
        }
    }

    @Test
    void thePasswordFileIsGeneratedForItsOwnerOnlyAndKeptAcrossStarts() throws Exception {
        int port = freePort();
        EmbeddedPostgresLauncher.start(directory, port).close();
        Path file = directory.resolve("password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String password = Files.readString(file).strip();
        assertEquals(32, password.length(), "24 random bytes, Base64");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (EmbeddedPostgres restarted = EmbeddedPostgresLauncher.start(directory, port)) {
            assertEquals(password, Files.readString(file).strip());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertAccepted(port, password);
        }
    }

    @Test
    void aClusterThatTrustedLocalConnectionsRequiresThePasswordAfterItsNextStart() throws Exception {
        int port = freePort();
        // What the launcher started before it set a password: initdb's trust for every local connection.
        try (EmbeddedPostgres old = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(directory.toFile())
                .setDataDirectory(directory.resolve("data"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setLocaleConfig("locale", "C")
                .start();
                Connection connection = old.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (name text)");
            statement.execute("INSERT INTO kept VALUES ('metadata')");
            assertAccepted(port, null);
        }

        try (EmbeddedPostgres postgres = EmbeddedPostgresLauncher.start(directory, port);
                Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet kept = statement.executeQuery("SELECT name FROM kept")) {
            kept.next();
            assertEquals("metadata", kept.getString(1));
            assertRefused(port, null);
            assertRefused(port, "postgres");
            assertAccepted(port, Files.readString(directory.resolve("password")).strip());
            assertEquals(List.of("scram-sha-256"), authenticationMethods(postgres));
        }
    }

    /** Returns the distinct methods of pg_hba.conf, the Unix socket's lines included. */
    private static List<String> authenticationMethods(EmbeddedPostgres postgres) throws SQLException {
        List<String> methods = new ArrayList<>();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rules = statement.executeQuery("SELECT DISTINCT auth_method FROM pg_hba_file_rules")) {
            while (rules.next()) {
                methods.add(rules.getString(1));
            }
        }
        return methods;
    }

    private static void assertRefused(int port, String password) {
        assertThrows(SQLException.class, () -> connect(port, password).close(),
                "the superuser with password " + password + " is refused");
    }

    private static void assertAccepted(int port, String password) throws SQLException {
        try (Connection connection = connect(port, password);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_user")) {
            result.next();
            assertEquals("postgres", result.getString(1));
        }
    }

    private static Connection connect(int port, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
