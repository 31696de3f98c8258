package io.berth.server.health;

import io.agroal.api.AgroalDataSource;
import java.sql.SQLException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while a connection of the metadata database's pool passes validation. It replaces the datasource
 * check of Quarkus ({@code quarkus.datasource.health.enabled=false}), which puts the driver's message into
 * the anonymous answer ("Connection to 127.0.0.1:54329 refused..."); here that goes to the log, once per
 * change of state.
 */
@Readiness
public class DatabaseConnectionHealthCheck implements HealthCheck {

    static final String UNAVAILABLE = "the metadata database does not answer; the log says why";

    private final AgroalDataSource dataSource;
    private final StateChangeLog log = new StateChangeLog("The metadata database");

    public DatabaseConnectionHealthCheck(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("metadata-database");
        try {
            if (dataSource.isHealthy(false)) {
                log.up();
                return response.up().build();
            }
            log.down("a pooled connection failed validation", null);
        } catch (SQLException e) {
            log.down(e.getMessage(), e);
        }
        return response.down().withData("error", UNAVAILABLE).build();
    }
}
