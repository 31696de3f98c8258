package io.berth.storage;

/** Thrown when a string is not a digest Berth can verify content against. */
public class InvalidDigestException extends IllegalArgumentException {
    private final String value;

    public InvalidDigestException(String value, String reason) {
        super("invalid digest '" + value + "': " + reason);
        this.value = value;
    }

    /** Returns the string that was rejected. */
    public String value() {
        return value;
    }
}
