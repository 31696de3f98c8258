package io.berth.auth;

/** A request about accounts, namespaces or robots that cannot be carried out; nothing was changed. */
public class AccountException extends RuntimeException {

    /** Why: the registry server maps each reason to its HTTP status. */
    public enum Reason { NOT_FOUND, CONFLICT, INVALID }

    private final Reason reason;

    public AccountException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static AccountException notFound(String what, String name) {
        return new AccountException(Reason.NOT_FOUND, what + " " + name + " does not exist");
    }

    static AccountException conflict(String message) {
        return new AccountException(Reason.CONFLICT, message);
    }

    static AccountException invalid(String message) {
        return new AccountException(Reason.INVALID, message);
    }
}
