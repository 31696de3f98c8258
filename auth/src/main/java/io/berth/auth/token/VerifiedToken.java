package io.berth.auth.token;

import io.berth.auth.Action;
import io.berth.auth.Scope;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A token whose signature, issuer, audience and lifetime were checked.
 *
 * @param subject the account it was issued to ({@code anonymous} for nobody)
 * @param access what it grants
 */
public record VerifiedToken(String subject, List<Scope> access) {

    public static final String ANONYMOUS_SUBJECT = "anonymous";

    public boolean isAnonymous() {
        return ANONYMOUS_SUBJECT.equals(subject);
    }

    /** Returns the actions granted on a repository, or empty if the token says nothing about it. */
    public Optional<Set<Action>> actionsOn(String repository) {
        return access.stream()
                .filter(scope -> scope.isRepository() && scope.name().equals(repository))
                .map(Scope::actions)
                .reduce((a, b) -> {
                    java.util.EnumSet<Action> both = java.util.EnumSet.noneOf(Action.class);
                    both.addAll(a);
                    both.addAll(b);
                    return both;
                });
    }

    public boolean grantsCatalog() {
        return access.stream().anyMatch(Scope::isCatalog);
    }
}
