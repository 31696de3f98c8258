package io.berth.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking, as established by a login: an account with what it holds in each namespace, or nobody.
 *
 * @param name the account name ({@code anonymous} for nobody)
 * @param kind a user, a robot, or anonymous
 * @param accountId the account's row; empty for anonymous
 * @param administrator whether the account may do everything
 * @param namespaces the actions held in each namespace (a user's own namespace, roles, a robot's permissions)
 * @param expiresAt when a robot stops working
 */
public record Principal(String name, Kind kind, Optional<Long> accountId, boolean administrator,
        Map<String, Set<Action>> namespaces, Optional<Instant> expiresAt) {

    public static final Principal ANONYMOUS =
            new Principal("anonymous", Kind.ANONYMOUS, Optional.empty(), false, Map.of(), Optional.empty());

    public enum Kind { ANONYMOUS, USER, ROBOT }

    public Principal {
        namespaces = Map.copyOf(namespaces);
    }

    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** Returns what this principal holds on repositories of the namespace, before any public access. */
    public Set<Action> heldIn(String namespace) {
        return administrator ? Action.ALL : namespaces.getOrDefault(namespace, Set.of());
    }

    /** Returns the namespace a repository belongs to: the first component of its name. */
    public static String namespaceOf(String repository) {
        int slash = repository.indexOf('/');
        return slash < 0 ? repository : repository.substring(0, slash);
    }
}
