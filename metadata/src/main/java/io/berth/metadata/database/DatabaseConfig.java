package io.berth.metadata.database;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The metadata database: {@code berth.database.*}, or {@code BERTH_DATABASE_*} in the environment.
 * The Quarkus datasource ({@code quarkus.datasource.*}) is derived from these settings.
 */
@ConfigMapping(prefix = "berth.database")
public interface DatabaseConfig {

    String URL = "berth.database.url";
    String PASSWORD = "berth.database.password";
    String EMBEDDED_DATA_DIR = "berth.database.embedded.data-dir";

    /** The JDBC URL of an external PostgreSQL; without it Berth starts an embedded one. */
    Optional<String> url();

    /** The database user (the embedded default needs none). */
    @WithDefault("postgres")
    String username();

    /**
     * The external database user's password. The embedded PostgreSQL has a generated one of its own, in
     * {@code <berth.database.embedded.data-dir>/password} ({@link EmbeddedDatabasePassword}).
     */
    Optional<String> password();

    /** The most connections one replica opens. */
    @WithDefault("50")
    int poolSize();

    /** Settings of the embedded PostgreSQL. */
    Embedded embedded();

    /** {@code berth.database.embedded.*}. */
    interface Embedded {

        /**
         * Where the embedded PostgreSQL keeps its data, binaries and password file; defaults to
         * {@code <berth.data-dir>/postgres}.
         */
        Path dataDir();

        /** The loopback port it listens on. */
        @WithDefault("54329")
        int port();
    }
}
