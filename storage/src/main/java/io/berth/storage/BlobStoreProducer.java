package io.berth.storage;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Produces the one {@link BlobStore} the registry uses, chosen by {@code berth.storage.type}. */
@ApplicationScoped
public class BlobStoreProducer {

    private static final Logger LOG = Logger.getLogger(BlobStoreProducer.class);

    @Produces
    @Singleton
    BlobStore blobStore(StorageConfig config, @Any Instance<BlobStore> implementations) {
        BlobStore store = implementations.select(new BlobStoreType.Literal(config.type())).get();
        LOG.infof("Blobs are stored in %s", store.describe());
        return store;
    }

    /** Creates the store at start-up and checks it, so a bad root or bucket fails the start, not the first push. */
    void checkAtStartup(@Observes StartupEvent event, BlobStore store) {
        store.checkHealth();
    }
}
