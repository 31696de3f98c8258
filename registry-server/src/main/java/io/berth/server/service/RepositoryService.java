package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.domain.RepositoryName;
import io.berth.storage.BlobStore;
import io.berth.storage.StorageException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Whole repositories, as the admin API manages them. */
@ApplicationScoped
public class RepositoryService {

    private static final Logger LOG = Logger.getLogger(RepositoryService.class);

    private final RepositoryRepository repositories;
    private final BlobStore store;

    public RepositoryService(RepositoryRepository repositories, BlobStore store) {
        this.repositories = repositories;
        this.store = store;
    }

    /**
     * Deletes a repository: its manifests, tags, links and upload sessions at once, the staged bytes of
     * those uploads right after; the blobs only it used are left to the garbage collector's grace period.
     */
    public void delete(String name, String requestedBy) {
        RepositoryName repository = new RepositoryName(name);
        List<UUID> uploads = QuarkusTransaction.requiringNew().call(() -> repositories.delete(repository.value()))
                .orElseThrow(() -> new AccountException(AccountException.Reason.NOT_FOUND, "no repository " + name));
        for (UUID upload : uploads) {
            try {
                store.cancel(upload);
            } catch (StorageException e) {
                LOG.warnf("Could not drop the staged bytes of upload %s of deleted repository %s: %s", upload, name,
                        e.getMessage());
            }
        }
        LOG.infof("Deleted repository %s (and %d upload sessions) at the request of %s", name, uploads.size(), requestedBy);
    }
}
