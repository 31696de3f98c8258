package io.berth.server.api.auth;

import io.berth.auth.AccessPolicy;
import io.berth.auth.Action;
import io.berth.auth.Principal;
import io.berth.auth.Principals;
import io.berth.auth.token.VerifiedToken;
import io.berth.metadata.repository.RepositoryRepository;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;
import java.util.Set;

/**
 * The caller of the current {@code /v2} request as {@link RegistryAccessFilter} established it: a
 * principal (HTTP Basic, or no credentials) or a verified token, or everyone when authentication is off.
 * Resources ask it the questions the route alone does not answer: may the caller pull the source of a
 * mount, which repositories does the catalog show it.
 */
@RequestScoped
public class RegistryAccess {

    private final AccessPolicy policy;
    private final Principals principals;

    private boolean unrestricted = true;
    private Principal principal;
    private VerifiedToken token;

    public RegistryAccess(AccessPolicy policy, Principals principals) {
        this.policy = policy;
        this.principals = principals;
    }

    void principal(Principal principal) {
        this.unrestricted = false;
        this.principal = principal;
    }

    void token(VerifiedToken token) {
        this.unrestricted = false;
        this.token = token;
        this.principal = null;
    }

    /** Returns whether the caller may pull from a repository (the source of a cross-repository mount). */
    public boolean mayPull(String repository) {
        if (unrestricted) {
            return true;
        }
        if (token != null) {
            // What the token grants, not what the account holds: the client asked for this scope.
            return token.actionsOn(repository).map(actions -> actions.contains(Action.PULL)).orElse(false);
        }
        return policy.permits(principal, repository, Set.of(Action.PULL));
    }

    /**
     * Returns whether a blob may be mounted from wherever it is in the registry ({@code mount} without
     * {@code from}): only for administrators (or without authentication), who may pull everything anyway.
     * For anyone else knowing a digest would open a private blob; their client simply uploads it.
     */
    public boolean mayMountFromAnywhere() {
        return unrestricted || caller().administrator();
    }

    /** Returns which repositories the catalog shows the caller. */
    public RepositoryRepository.Visibility catalogVisibility() {
        if (unrestricted) {
            return RepositoryRepository.Visibility.ALL;
        }
        return policy.catalogVisibility(caller());
    }

    /** The caller's principal; for a token, the account it was issued to, as it is now. */
    private Principal caller() {
        if (principal == null) {
            principal = principals.named(token.subject());
        }
        return principal;
    }

    /** Returns the caller's name for logs: never a secret. */
    public Optional<String> callerName() {
        return token != null ? Optional.of(token.subject()) : Optional.ofNullable(principal).map(Principal::name);
    }
}
