package io.berth.metadata.database;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.common.AbstractConfigSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies {@code quarkus.datasource.password}: {@code berth.database.password} for an external database
 * ({@code berth.database.url} set), otherwise the embedded PostgreSQL's generated password from
 * {@code <berth.database.embedded.data-dir>/password}, created there on first start
 * ({@link EmbeddedDatabasePassword}).
 *
 * <p>Why a config source and not {@code ${...}} in application.properties: the pool is configured from
 * {@code quarkus.datasource.*} before {@link DatabaseStartup} starts the embedded PostgreSQL, so the
 * password must exist when configuration is read, and a properties expression cannot create a file. The
 * derived source sits below application.properties (ordinal {@value #ORDINAL}): a
 * {@code quarkus.datasource.password} set explicitly anywhere wins. The embedded password file is read,
 * or created, only when the password is asked for, so that a configuration built for something else (a
 * test JVM reads one before its test profile applies) leaves no file behind.
 */
public class DatabasePasswordConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 200;
    static final String DATASOURCE_PASSWORD = "quarkus.datasource.password";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (value(context, DatabaseConfig.URL).isPresent()) {
            return value(context, DatabaseConfig.PASSWORD)
                    .map(password -> source(password, "Berth database password, from " + DatabaseConfig.PASSWORD))
                    .stream().toList();
        }
        // Absent only outside the server (application.properties defines it), where nothing opens the pool.
        return value(context, DatabaseConfig.EMBEDDED_DATA_DIR)
                .<ConfigSource>map(directory -> new EmbeddedPasswordSource(Path.of(directory)))
                .stream().toList();
    }

    private static ConfigSource source(String password, String name) {
        return new PropertiesConfigSource(Map.of(DATASOURCE_PASSWORD, password), name, ORDINAL);
    }

    /** The embedded PostgreSQL's password, read from its file on first use. */
    private static final class EmbeddedPasswordSource extends AbstractConfigSource {

        private final Path directory;
        private volatile String password;

        EmbeddedPasswordSource(Path directory) {
            super("Berth embedded database password, from " + EmbeddedDatabasePassword.file(directory), ORDINAL);
            this.directory = directory;
        }

        @Override
        public Set<String> getPropertyNames() {
            return Set.of(DATASOURCE_PASSWORD);
        }

        @Override
        public String getValue(String name) {
            if (!DATASOURCE_PASSWORD.equals(name)) {
                return null;
            }
            if (password == null) {
                password = EmbeddedDatabasePassword.readOrCreate(directory);
            }
            return password;
        }
    }

    /** Returns the setting's value; an empty one (BERTH_DATABASE_URL="") counts as unset, as in a mapping. */
    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return Optional.ofNullable(value).map(ConfigValue::getValue).map(String::strip).filter(v -> !v.isEmpty());
    }
}
