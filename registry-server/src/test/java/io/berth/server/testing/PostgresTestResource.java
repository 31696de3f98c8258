package io.berth.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real PostgreSQL for the tests: zonky's embedded binaries, started once per test JVM on a free
 * port, in a fresh temporary data directory, and stopped when the JVM exits. Every test profile
 * reuses it; each gets a blob directory of its own.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgres postgres;

    private static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                Path directory = Files.createTempDirectory("berth-test-postgres");
                postgres = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(directory.toFile())
                        .setDataDirectory(directory.resolve("data"))
                        .setCleanDataDirectory(true)
                        .setLocaleConfig("locale", "C")
                        .start();
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
            Path dataDir = Files.createTempDirectory("berth-test-data");
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
    }
}
