package io.berth.server.health;

import io.berth.metadata.database.DatabaseStartup;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the metadata database is up and its schema migrated. */
@Readiness
public class DatabaseSchemaHealthCheck implements HealthCheck {

    private final DatabaseStartup database;

    public DatabaseSchemaHealthCheck(DatabaseStartup database) {
        this.database = database;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("metadata-schema")
                .status(database.isReady())
                .withData("embedded", database.isEmbedded())
                .build();
    }
}
