package io.berth.metadata.database;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jboss.logging.Logger;

/**
 * Brings the metadata database up before anything else starts: the embedded PostgreSQL when no
 * external one is configured, then the Flyway migrations. Flyway serialises concurrent migrations
 * from several replicas with a PostgreSQL lock.
 *
 * <p>The datasource URL of the embedded default is fixed by configuration (its port), so the pool can
 * be configured before the server runs; Quarkus opens no connection before this observer.
 */
@ApplicationScoped
public class DatabaseStartup {

    private static final Logger LOG = Logger.getLogger(DatabaseStartup.class);

    private final DatabaseConfig config;
    private final Flyway flyway;
    private volatile EmbeddedPostgres embedded;
    private volatile boolean migrated;

    public DatabaseStartup(DatabaseConfig config, Flyway flyway) {
        this.config = config;
        this.flyway = flyway;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (config.url().isEmpty()) {
            embedded = EmbeddedPostgresLauncher.start(config.embedded().dataDir(), config.embedded().port());
        }
        MigrateResult result = flyway.migrate();
        migrated = true;
        LOG.infof("Metadata schema at version %s in %s (%d migrations applied now)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                embedded != null ? "the embedded PostgreSQL" : "PostgreSQL at " + config.url().get(),
                result.migrationsExecuted);
        checkDurability();
    }

    /**
     * Warns when the database may forget commits Berth has acknowledged. The embedded PostgreSQL is
     * started durable; an external one is only read, never reconfigured, since its operator may run
     * synchronous replication that a session setting of Berth's would weaken.
     */
    private void checkDurability() {
        try (Connection connection = flyway.getConfiguration().getDataSource().getConnection()) {
            DurabilitySettings settings = DurabilitySettings.read(connection);
            List<String> risks = settings.risks();
            if (risks.isEmpty()) {
                LOG.debugf("Metadata commits are durable (%s)", settings);
            } else {
                LOG.warnf("The metadata database can lose acknowledged pushes: %s. Set them to on in its "
                        + "postgresql.conf, or with ALTER SYSTEM, for durable commits.", String.join("; ", risks));
            }
        } catch (SQLException e) {
            LOG.warnf("Cannot read the metadata database's durability settings: %s", e.getMessage());
        }
    }

    void onStop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) ShutdownEvent event) {
        EmbeddedPostgres postgres = embedded;
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warnf("Stopping the embedded PostgreSQL failed: %s", e.getMessage());
            }
        }
    }

    /** Returns true once the schema is migrated and the registry may use the database. */
    public boolean isReady() {
        return migrated;
    }

    /** Returns true if Berth runs its own embedded PostgreSQL. */
    public boolean isEmbedded() {
        return embedded != null;
    }
}
