package io.berth.server.testing;

import io.berth.testing.TestDirectories;
import io.berth.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real PostgreSQL for the tests: zonky's embedded binaries, started once per test JVM on a free
 * port, in a fresh temporary data directory, and stopped when the JVM exits (zonky's shutdown hook
 * also deletes the data directory). Every test profile reuses it; each gets a blob directory of its
 * own, deleted when the profile stops.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgres postgres;

    /** This profile's blob directory. */
    private Path dataDir;

    private static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                // The binaries are shared by every test JVM; only the data directory is per JVM.
                postgres = TestPostgres.start(Files.createTempDirectory("berth-test-postgres"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test PostgreSQL", e);
            }
        }
        return postgres;
    }

    /** Returns the JDBC URL of the shared test database. */
    public static String jdbcUrl() {
        return postgres().getJdbcUrl("postgres", "postgres");
    }

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("berth-test-data");
            return Map.of(
                    "berth.database.url", jdbcUrl(),
                    "berth.database.username", "postgres",
                    "berth.database.password", "postgres",
                    "berth.data-dir", dataDir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The database outlives each application start; zonky's shutdown hook stops it with the JVM.
        if (dataDir != null) {
            TestDirectories.deleteTree(dataDir);
            dataDir = null;
        }
    }
}
