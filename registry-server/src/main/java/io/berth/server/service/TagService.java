package io.berth.server.service;

import io.berth.metadata.repository.RepositoryRepository;
import io.berth.metadata.repository.TagRepository;
import io.berth.server.domain.RepositoryName;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Lists the tags of a repository. */
@ApplicationScoped
public class TagService {

    private final TagRepository tags;
    private final RepositoryRepository repositories;
    private final Pagination pagination;

    public TagService(TagRepository tags, RepositoryRepository repositories, Pagination pagination) {
        this.tags = tags;
        this.repositories = repositories;
        this.pagination = pagination;
    }

    /** Returns a page of tag names in lexical order after {@code last}; throws NAME_UNKNOWN for an unknown repository. */
    public Page list(RepositoryName repository, Optional<Integer> n, Optional<String> last) {
        long repositoryId = repositories.findIdByName(repository.value())
                .orElseThrow(() -> Errors.nameUnknown(repository));
        return pagination.page(n, limit -> tags.listNames(repositoryId, last, limit));
    }
}
