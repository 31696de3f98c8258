package io.berth.server.health;

import io.berth.storage.BlobStore;
import io.berth.storage.StorageException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the blob store can be written to and read from. */
@Readiness
public class BlobStoreHealthCheck implements HealthCheck {

    private final BlobStore store;

    public BlobStoreHealthCheck(BlobStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("blob-store").withData("store", store.describe());
        try {
            store.checkHealth();
            return response.up().build();
        } catch (StorageException e) {
            return response.down().withData("error", e.getMessage()).build();
        }
    }
}
