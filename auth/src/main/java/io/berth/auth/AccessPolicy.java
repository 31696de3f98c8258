package io.berth.auth;

import io.berth.metadata.repository.RepositoryRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Decides what a principal may do: the actions it holds in the repository's namespace, plus pull on
 * public repositories and namespaces, and on mirrored ones as their upstream's settings allow. A
 * request for more than that is granted what it may have; a partial grant is not an error.
 */
@ApplicationScoped
public class AccessPolicy {

    private final RepositoryRepository repositories;
    private final PullThrough pullThrough;

    public AccessPolicy(RepositoryRepository repositories, PullThrough pullThrough) {
        this.repositories = repositories;
        this.pullThrough = pullThrough;
    }

    /** Returns the actions the principal may take on the repository. */
    public Set<Action> allowed(Principal principal, String repository) {
        Set<Action> held = principal.heldIn(Principal.namespaceOf(repository));
        if (held.contains(Action.PULL) || !(mayPullThrough(principal, repository) || isPublic(repository))) {
            return held;
        }
        EnumSet<Action> withPull = EnumSet.of(Action.PULL);
        withPull.addAll(held);
        return withPull;
    }

    /** Returns whether the principal may take all the given actions on the repository. */
    public boolean permits(Principal principal, String repository, Set<Action> actions) {
        Set<Action> held = principal.heldIn(Principal.namespaceOf(repository));
        if (held.containsAll(actions)) {
            return true;
        }
        return allowed(principal, repository).containsAll(actions);
    }

    /** Returns whether the principal may list the catalog (which shows it only what it may pull). */
    public boolean mayListCatalog(Principal principal) {
        return !principal.isAnonymous();
    }

    /**
     * Grants the intersection of what was asked and what the principal may do, scope by scope. A scope
     * granted nothing stays in the answer with no actions: the registry then knows the client asked.
     */
    public List<Scope> grant(Principal principal, List<Scope> requested) {
        List<Scope> granted = new ArrayList<>();
        for (Scope scope : requested) {
            if (scope.isCatalog()) {
                if (mayListCatalog(principal)) {
                    granted.add(scope);
                }
            } else if (scope.isRepository()) {
                EnumSet<Action> actions = scope.actions().isEmpty() ? EnumSet.noneOf(Action.class) : EnumSet.copyOf(scope.actions());
                actions.retainAll(allowed(principal, scope.name()));
                granted.add(Scope.repository(scope.name(), actions));
            }
        }
        return granted;
    }

    /** Returns the catalog's filter for a principal: everything for an administrator, else its namespaces and public ones. */
    public RepositoryRepository.Visibility catalogVisibility(Principal principal) {
        if (principal.administrator()) {
            return RepositoryRepository.Visibility.ALL;
        }
        Set<String> namespaces = new java.util.HashSet<>();
        principal.namespaces().forEach((namespace, actions) -> {
            if (actions.contains(Action.PULL)) {
                namespaces.add(namespace);
            }
        });
        return new RepositoryRepository.Visibility(false, namespaces);
    }

    private boolean mayPullThrough(Principal principal, String repository) {
        return switch (pullThrough.audience(repository)) {
            case NOT_MIRRORED -> false;
            case USERS -> principal.kind() == Principal.Kind.USER;
            case EVERYONE -> true;
        };
    }

    private boolean isPublic(String repository) {
        return QuarkusTransaction.joiningExisting().call(() -> repositories.isPublic(repository));
    }
}
