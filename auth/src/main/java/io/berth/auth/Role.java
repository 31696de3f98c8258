package io.berth.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A member's role in a namespace, and the actions it allows on the namespace's repositories. */
public enum Role {
    READ(EnumSet.of(Action.PULL)),
    WRITE(EnumSet.of(Action.PULL, Action.PUSH)),
    DELETE(EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE)),
    /** Everything, and managing the namespace's members and visibility. */
    ADMIN(EnumSet.allOf(Action.class));

    private final Set<Action> actions;

    Role(Set<Action> actions) {
        this.actions = Set.copyOf(actions);
    }

    public Set<Action> actions() {
        return actions;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWireName(String role) {
        for (Role candidate : values()) {
            if (candidate.wireName().equals(role)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
