package io.berth.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What a scope lets its holder do to a repository. */
public enum Action {
    PULL, PUSH, DELETE;

    public static final Set<Action> ALL = Set.copyOf(EnumSet.allOf(Action.class));

    /** The name in scopes and tokens: {@code pull}, {@code push}, {@code delete}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a scope's action; {@code *} is every action. Unknown actions are ignored, as the token spec allows. */
    public static Set<Action> parse(String action) {
        if (action.equals("*")) {
            return ALL;
        }
        return fromWireName(action).map(Set::of).orElse(Set.of());
    }

    public static Optional<Action> fromWireName(String action) {
        for (Action candidate : values()) {
            if (candidate.wireName().equals(action)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Parses a comma-separated list such as {@code pull,push}. */
    public static Set<Action> parseList(String actions) {
        EnumSet<Action> parsed = EnumSet.noneOf(Action.class);
        for (String action : actions.split(",")) {
            if (!action.isBlank()) {
                parsed.addAll(parse(action.trim()));
            }
        }
        return parsed;
    }

    /** Formats actions in their canonical order: {@code pull,push,delete}. */
    public static String format(Set<Action> actions) {
        return EnumSet.copyOf(actions.isEmpty() ? EnumSet.noneOf(Action.class) : actions).stream()
                .map(Action::wireName).collect(Collectors.joining(","));
    }
}
