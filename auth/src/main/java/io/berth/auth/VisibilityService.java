package io.berth.auth;

import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.repository.NamespaceRepository;
import io.berth.metadata.repository.RepositoryRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Visibility: whether a namespace (an organization or a user's own) or a single repository is public,
 * pullable by anyone, anonymous included, or private. A repository is public by itself or through its
 * namespace.
 *
 * <p>Every method runs in one transaction and either does all it says or nothing: it then throws an
 * {@link AccountException} (not found) for a namespace or repository that does not exist.
 */
@ApplicationScoped
public class VisibilityService {

    private static final Logger LOG = Logger.getLogger(VisibilityService.class);

    private final NamespaceRepository namespaces;
    private final RepositoryRepository repositories;

    public VisibilityService(NamespaceRepository namespaces, RepositoryRepository repositories) {
        this.namespaces = namespaces;
        this.repositories = repositories;
    }

    /** Makes a namespace (an organization or a user's own) public or private. */
    @Transactional
    public void setNamespacePublic(String name, boolean isPublic) {
        NamespaceEntity namespace = namespaces.findByName(name).orElseThrow(() -> AccountException.notFound("namespace", name));
        namespace.isPublic = isPublic;
        LOG.infof("Namespace %s is now %s", name, isPublic ? "public" : "private");
    }

    /** Makes one repository public or private. */
    @Transactional
    public void setRepositoryPublic(String name, boolean isPublic) {
        if (!repositories.setPublic(name, isPublic)) {
            throw AccountException.notFound("repository", name);
        }
        LOG.infof("Repository %s is now %s", name, isPublic ? "public" : "private");
    }

    /** Returns whether a repository is public by itself or through its namespace. */
    @Transactional
    public boolean isRepositoryPublic(String name) {
        if (repositories.findIdByName(name).isEmpty()) {
            throw AccountException.notFound("repository", name);
        }
        return repositories.isPublic(name);
    }
}
