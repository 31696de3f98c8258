package io.berth.server.service;

import io.berth.metadata.repository.RepositoryRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Lists the registry's repositories: those that hold at least one manifest. */
@ApplicationScoped
public class CatalogService {

    private final RepositoryRepository repositories;
    private final Pagination pagination;

    public CatalogService(RepositoryRepository repositories, Pagination pagination) {
        this.repositories = repositories;
        this.pagination = pagination;
    }

    /** Returns a page of the repository names the caller may see, in lexical order after {@code last}. */
    public Page list(Optional<Integer> n, Optional<String> last, RepositoryRepository.Visibility visible) {
        return pagination.page(n, limit -> repositories.listNames(last, limit, visible));
    }
}
