package io.berth.metadata.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Starts the embedded PostgreSQL: unpacks the binaries on first use, runs {@code initdb} when the data
 * directory is new, and otherwise restarts the existing cluster, so metadata survives restarts. The
 * server listens on loopback only and stops when the JVM exits.
 */
final class EmbeddedPostgresLauncher {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresLauncher.class);

    private EmbeddedPostgresLauncher() {
    }

    static EmbeddedPostgres start(Path directory, int port) {
        Path dataDirectory = directory.resolve("data").toAbsolutePath();
        boolean fresh = !Files.exists(dataDirectory.resolve("postgresql.conf"));
        checkPortIsFree(port);
        try {
            Files.createDirectories(directory);
            long started = System.nanoTime();
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(directory.toAbsolutePath().toFile())
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setLocaleConfig("locale", "C")
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
            LOG.infof("Embedded PostgreSQL %s on 127.0.0.1:%d with data in %s (%d ms)",
                    fresh ? "initialised and started" : "started", port, dataDirectory,
                    (System.nanoTime() - started) / 1_000_000);
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDirectory
                    + ": " + e.getMessage(), e);
        }
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
