package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.gc.TagPattern;
import io.berth.metadata.repository.ImmutableTagRuleRepository;
import io.berth.metadata.repository.ImmutableTagRuleRepository.Rule;
import io.berth.metadata.repository.PolicyScope;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Immutable tags: a tag that matches a pattern of its repository or of its namespace may be created
 * once and then never moved to another manifest or deleted (an administrator can still delete the
 * whole repository). A repository's patterns add to its namespace's; neither lifts the other's.
 */
@ApplicationScoped
public class ImmutableTags {

    private final ImmutableTagRuleRepository rules;

    public ImmutableTags(ImmutableTagRuleRepository rules) {
        this.rules = rules;
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
