package io.berth.metadata.repository;

/** Where a lifecycle rule (immutable tags, retention) is declared: on a namespace or on one repository. */
public enum PolicyScope {
    NAMESPACE, REPOSITORY;

    /** The value of the {@code scope_kind} columns. */
    String column() {
        return name().toLowerCase();
    }

    static PolicyScope fromColumn(String value) {
        return valueOf(value.toUpperCase());
    }
}
