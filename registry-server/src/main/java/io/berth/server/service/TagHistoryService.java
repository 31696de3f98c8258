package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.metadata.repository.ManifestRepository;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.metadata.repository.TagRepository;
import io.berth.metadata.repository.TagRepository.TagEvent;
import io.berth.server.domain.Reference;
import io.berth.server.domain.RepositoryName;
import io.berth.storage.Digest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Every tag's past: each move and deletion with who made it, and the way back. A tag can be put back on
 * any digest its repository still holds; the garbage collector keeps untagged manifests unless a
 * retention rule removes them, so an earlier digest stays restorable.
 */
@ApplicationScoped
public class TagHistoryService {

    private static final Logger LOG = Logger.getLogger(TagHistoryService.class);

    private final RepositoryRepository repositories;
    private final ManifestRepository manifests;
    private final TagRepository tags;
    private final ImmutableTags immutableTags;

    public TagHistoryService(RepositoryRepository repositories, ManifestRepository manifests, TagRepository tags,
            ImmutableTags immutableTags) {
        this.repositories = repositories;
        this.manifests = manifests;
        this.tags = tags;
        this.immutableTags = immutableTags;
    }

    /** The tag's moves and deletion, newest first. */
    public List<TagEvent> history(String name, String tag, int limit) {
        RepositoryName repository = new RepositoryName(name);
        Reference.Tag checked = Reference.tag(tag);
        return QuarkusTransaction.requiringNew().call(() -> tags.history(repositoryId(repository), checked.name(), limit));
    }

    /** Points the tag at {@code digest} again, as {@code actor}; the change is recorded like any other. */
    public void restore(String name, String tag, String digest, String actor) {
        RepositoryName repository = new RepositoryName(name);
        Reference.Tag checked = Reference.tag(tag);
        Digest target = Digest.parse(digest);
        QuarkusTransaction.requiringNew().run(() -> {
            long repositoryId = repositoryId(repository);
            long manifestId = manifests.lockId(repositoryId, target.toString()).orElseThrow(() -> new AccountException(
                    AccountException.Reason.NOT_FOUND, repository + " no longer holds " + target + "; it cannot be restored"));
            immutableTags.point(repository, repositoryId, checked.name(), manifestId, target.toString(), actor);
        });
        LOG.infof("Restored tag %s of %s to %s at the request of %s", tag, repository, target, actor);
    }

    private long repositoryId(RepositoryName repository) {
        return repositories.findIdByName(repository.value()).orElseThrow(() -> new AccountException(
                AccountException.Reason.NOT_FOUND, "no repository " + repository));
    }
}
