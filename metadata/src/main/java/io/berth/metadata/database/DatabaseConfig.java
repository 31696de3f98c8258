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

    /** The JDBC URL of an external PostgreSQL; without it Berth starts an embedded one. */
    Optional<String> url();

    /** The database user (the embedded default needs none). */
    @WithDefault("postgres")
    String username();

    /** The database user's password. */
    Optional<String> password();

    /** The most connections one replica opens. */
    @WithDefault("50")
    int poolSize();

    /** Settings of the embedded PostgreSQL. */
    Embedded embedded();

    /** {@code berth.database.embedded.*}. */
    interface Embedded {

        /** Where the embedded PostgreSQL keeps its data and binaries; defaults to {@code <berth.data-dir>/postgres}. */
        Path dataDir();

        /** The loopback port it listens on. */
        @WithDefault("54329")
        int port();
    }
}
