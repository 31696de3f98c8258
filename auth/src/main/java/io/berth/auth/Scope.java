package io.berth.auth;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A resource scope of the Docker token protocol: {@code repository:acme/app:pull,push} or
 * {@code registry:catalog:*}. For a repository the actions are {@link Action}s; {@code registry:catalog}
 * uses {@code *}.
 *
 * @param type {@code repository} or {@code registry} (a resource class such as {@code repository(plugin)} is dropped)
 * @param name the repository name, or {@code catalog}
 * @param actions the actions (for the catalog: {@code *} as {@link Action#ALL})
 */
public record Scope(String type, String name, Set<Action> actions) {

    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    public static final String CATALOG = "catalog";

    public Scope {
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    }

    public static Scope repository(String name, Set<Action> actions) {
        return new Scope(REPOSITORY, name, actions);
    }

    public static Scope catalog() {
        return new Scope(REGISTRY, CATALOG, Action.ALL);
    }

    public boolean isRepository() {
        return REPOSITORY.equals(type);
    }

    public boolean isCatalog() {
        return REGISTRY.equals(type) && CATALOG.equals(name);
    }

    /**
     * Parses {@code type:name:actions}. The actions are what follows the last colon and the type what
     * precedes the first, so a name may hold colons ({@code repository:host:5000/app:pull}).
     */
    public static Optional<Scope> parse(String scope) {
        int firstColon = scope.indexOf(':');
        int lastColon = scope.lastIndexOf(':');
        if (firstColon <= 0 || lastColon == firstColon || lastColon == scope.length()) {
            return Optional.empty();
        }
        String type = scope.substring(0, firstColon);
        int resourceClass = type.indexOf('(');
        if (resourceClass > 0) {
            type = type.substring(0, resourceClass);
        }
        String name = scope.substring(firstColon + 1, lastColon);
        String actions = scope.substring(lastColon + 1);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        if (REGISTRY.equals(type)) {
            return CATALOG.equals(name) && actions.equals("*") ? Optional.of(catalog()) : Optional.empty();
        }
        return Optional.of(new Scope(type, name, Action.parseList(actions)));
    }

    /** Formats the scope as it appears in challenges: {@code repository:acme/app:pull,push}. */
    @Override
    public String toString() {
        return type + ":" + name + ":" + (isCatalog() ? "*" : Action.format(actions));
    }
}
