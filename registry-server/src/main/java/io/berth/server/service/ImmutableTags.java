package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.gc.TagPattern;
import io.berth.metadata.repository.ImmutableTagRuleRepository;
import io.berth.metadata.repository.ImmutableTagRuleRepository.Rule;
import io.berth.metadata.repository.PolicyScope;
import io.berth.metadata.repository.TagRepository;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * Immutable tags: a tag that matches a pattern of its repository or of its namespace may be created
 * once and then never moved to another manifest or deleted (an administrator can still delete the
 * whole repository). A repository's patterns add to its namespace's; neither lifts the other's.
 */
@ApplicationScoped
public class ImmutableTags {

    private final ImmutableTagRuleRepository rules;
    private final TagRepository tags;

    public ImmutableTags(ImmutableTagRuleRepository rules, TagRepository tags) {
        this.rules = rules;
        this.tags = tags;
    }

    /**
     * Points {@code tag} at a manifest (in the caller's transaction), unless that would move an immutable
     * tag: then DENIED. Where the tag points is locked while this decides, and a tag that two pushes
     * create at once is created by one of them; the other then sees it, and may only point it at the
     * same manifest if it is immutable.
     */
    public void point(RepositoryName repository, long repositoryId, String tag, long manifestId, String digest, String actor) {
        Optional<String> previous = tags.currentDigest(repositoryId, tag);
        while (true) {
            if (previous.filter(current -> !current.equals(digest)).isPresent()) {
                requireMutable(repository, tag, "moved to another manifest");
            }
            if (tags.point(repositoryId, tag, manifestId, digest, previous, actor)) {
                return;
            }
            previous = tags.currentDigest(repositoryId, tag);
        }
    }

    /** Throws DENIED, naming the rule, if {@code tag} is immutable; {@code change} says what was tried ("moved"). */
    public void requireMutable(RepositoryName repository, String tag, String change) {
        for (Rule rule : rules.rulesFor(repository.value(), repository.namespace())) {
            if (new TagPattern(rule.pattern()).matches(tag)) {
                throw new RegistryException(OciErrorCode.DENIED, "the tag " + tag + " of " + repository + " is immutable "
                        + "(rule '" + rule.pattern() + "' of " + rule.scope().name().toLowerCase() + " " + rule.scopeName()
                        + ") and cannot be " + change + "; push under a new tag");
            }
        }
    }

    /** The patterns declared on a namespace or a repository. */
    public List<String> patterns(PolicyScope scope, String name) {
        return QuarkusTransaction.requiringNew().call(() -> rules.patterns(scope, PolicyNames.checked(scope, name)));
    }

    /** Replaces the patterns declared on a namespace or a repository; returns them as stored. */
    public List<String> replace(PolicyScope scope, String name, List<String> patterns, String actor) {
        patterns.stream().filter(glob -> !TagPattern.valid(glob)).findFirst().ifPresent(glob -> {
            throw new AccountException(AccountException.Reason.INVALID, "'" + glob + "' is not a tag pattern: use the "
                    + "characters of tags (letters, digits, '_', '.', '-') and the wildcards '*' and '?', at most 128");
        });
        List<String> valid = patterns.stream().distinct().sorted().toList();
        String scopeName = PolicyNames.checked(scope, name);
        QuarkusTransaction.requiringNew().run(() -> rules.replace(scope, scopeName, valid, actor));
        return valid;
    }

}
