package io.berth.server.health;

import io.berth.storage.BlobStore;
import io.berth.storage.StorageConfig;
import io.berth.storage.StorageException;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the blob store can be written to and read from. Anyone may ask, so the answer names only the
 * kind of store ({@code filesystem}, {@code s3}); where it is (the path, the endpoint and bucket) and what
 * went wrong go to the log when the state changes.
 */
@Readiness
public class BlobStoreHealthCheck implements HealthCheck {

    static final String UNAVAILABLE = "the blob store cannot be written to and read from; the log says why";

    private final BlobStore store;
    private final String kind;
    private final StateChangeLog log;

    public BlobStoreHealthCheck(BlobStore store, StorageConfig config) {
        this.store = store;
        this.kind = config.type().name().toLowerCase(Locale.ROOT);
        this.log = new StateChangeLog("The blob store " + store.describe());
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("blob-store").withData("store", kind);
        try {
            store.checkHealth();
            log.up();
            return response.up().build();
        } catch (StorageException e) {
            log.down(e.getMessage(), e.getCause());
            return response.down().withData("error", UNAVAILABLE).build();
        }
    }
}
