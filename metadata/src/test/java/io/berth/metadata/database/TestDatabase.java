package io.berth.metadata.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A real PostgreSQL for tests outside Quarkus: the embedded one Berth starts itself, on a free loopback
 * port with its data in the given directory, and Berth's schema applied by Flyway from
 * {@code db/migration}, as at startup. Closing it stops the server.
 */
public final class TestDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private TestDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts the server and migrates the schema; the directory should be a fresh temporary one. */
    public static TestDatabase start(Path directory) {
        EmbeddedPostgres postgres = EmbeddedPostgresLauncher.start(directory, freePort());
        try {
            Flyway.configure()
                    .dataSource(postgres.getPostgresDatabase())
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            try {
                postgres.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new TestDatabase(postgres);
    }

    /** Returns a data source of the migrated database; each connection it gives is a new one, in auto-commit mode. */
    public DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for the test PostgreSQL", e);
        }
    }
}
