package io.berth.metadata.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Starts the embedded PostgreSQL: unpacks the binaries on first use, runs {@code initdb} when the data
 * directory is new, and otherwise restarts the existing cluster, so metadata survives restarts. The
 * server listens on loopback only and stops when the JVM exits.
 *
 * <p>Every connection needs the password in {@link EmbeddedDatabasePassword} ({@code scram-sha-256}).
 * A cluster created before Berth set one trusted every local connection; on its first start since, it
 * gets the password and password authentication before anything else connects.
 */
final class EmbeddedPostgresLauncher {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresLauncher.class);

    private static final String PASSWORD_AUTHENTICATION = "scram-sha-256";

    /** The method column of a pg_hba.conf line that lets a connection in without a password. */
    private static final Pattern TRUST = Pattern.compile("\\btrust(\\s*(#.*)?)$");

    private EmbeddedPostgresLauncher() {
    }

    static EmbeddedPostgres start(Path directory, int port) {
        Path dataDirectory = directory.resolve("data").toAbsolutePath();
        boolean fresh = !Files.exists(dataDirectory.resolve("postgresql.conf"));
        checkPortIsFree(port);
        try {
            Files.createDirectories(directory);
            String password = EmbeddedDatabasePassword.readOrCreate(directory);
            long started = System.nanoTime();
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(directory.toAbsolutePath().toFile())
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setLocaleConfig("locale", "C")
                    // The library runs initdb with -A trust; these options come after it and win, so a new
                    // cluster asks every connection for the password from the file.
                    .setLocaleConfig("auth", PASSWORD_AUTHENTICATION)
                    .setLocaleConfig("pwfile", EmbeddedDatabasePassword.file(directory).toAbsolutePath().toString())
                    // The library's own connections (its readiness check, getPostgresDatabase()) log in with it.
                    .setConnectConfig("password", password)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // The library starts PostgreSQL with -F (fsync off), a setting for throw-away test
                    // databases: a power loss or kernel crash could then corrupt the cluster. Berth's
                    // metadata must survive those, so fsync goes back on (this -c comes after -F and wins).
                    .setServerConfig("fsync", "on")
                    .setServerConfig("full_page_writes", "on")
                    // A commit returns once its WAL is flushed: a registry that has answered 201 must still
                    // hold the tag after a kill of Berth and PostgreSQL together (an OOM kill, docker kill).
                    // With "off" the WAL writer flushes every 200 ms and such a kill lost acknowledged pushes.
                    .setServerConfig("synchronous_commit", "on")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            try {
                requirePassword(postgres, dataDirectory, password);
            } catch (IOException | RuntimeException e) {
                // Not left running with trust: the next start tries again.
                closeQuietly(postgres, e);
                throw e;
            }
            LOG.infof("Embedded PostgreSQL %s on 127.0.0.1:%d with data in %s (%d ms)",
                    fresh ? "initialised and started" : "started", port, dataDirectory,
                    (System.nanoTime() - started) / 1_000_000);
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDirectory
                    + ": " + e.getMessage() + (fresh ? "" : " (if it refuses the password: "
                    + EmbeddedDatabasePassword.file(directory) + " must hold the one it was given; restore that file, "
                    + "or set the methods in " + dataDirectory.resolve("pg_hba.conf") + " to trust for one start, "
                    + "after which Berth sets the password from the file again)"), e);
        }
    }

    /**
     * Secures a cluster that still trusts local connections, as initdb set up clusters before Berth gave
     * them a password: sets the password while trust still lets Berth in, then switches every trusting
     * pg_hba.conf line to {@value #PASSWORD_AUTHENTICATION} and reloads. Interrupted halfway, the next start
     * does it again.
     */
    private static void requirePassword(EmbeddedPostgres postgres, Path dataDirectory, String password) throws IOException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        List<String> lines = Files.readAllLines(hba, StandardCharsets.UTF_8);
        if (lines.stream().noneMatch(EmbeddedPostgresLauncher::trusts)) {
            return;
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("ALTER USER postgres PASSWORD '" + password.replace("'", "''") + "'");
            Files.write(hba, lines.stream()
                    .map(line -> trusts(line) ? TRUST.matcher(line).replaceFirst(PASSWORD_AUTHENTICATION + "$1") : line)
                    .toList(), StandardCharsets.UTF_8);
            statement.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("cannot set the password of the embedded PostgreSQL: " + e.getMessage(), e);
        }
        awaitPasswordRequired(postgres);
        LOG.warnf("The embedded PostgreSQL in %s let local connections in without a password; it now requires the "
                + "password in %s", dataDirectory, EmbeddedDatabasePassword.file(dataDirectory.getParent()));
    }

    /**
     * Waits until the server has reloaded pg_hba.conf, which it does after pg_reload_conf() returns: a
     * connection without the password is refused then, and nothing gets in the way it used to.
     */
    private static void awaitPasswordRequired(EmbeddedPostgres postgres) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection ignored = postgres.getDatabase("postgres", "postgres", Map.of()).getConnection()) {
                Thread.sleep(20);
            } catch (SQLException refused) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the embedded PostgreSQL reloads pg_hba.conf", e);
            }
        }
        throw new IOException("the embedded PostgreSQL still lets connections in without a password after reloading pg_hba.conf");
    }

    private static void closeQuietly(EmbeddedPostgres postgres, Exception failure) {
        try {
            postgres.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static boolean trusts(String line) {
        String content = line.strip();
        return !content.isEmpty() && !content.startsWith("#") && TRUST.matcher(content).find();
    }

    private static void checkPortIsFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " for the embedded PostgreSQL is in use: is another Berth "
                    + "running on this machine? Set berth.database.embedded.port (BERTH_DATABASE_EMBEDDED_PORT) to "
                    + "another port, or berth.database.url to use an external PostgreSQL.", e);
        }
    }
}
