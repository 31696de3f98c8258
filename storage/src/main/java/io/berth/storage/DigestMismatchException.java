package io.berth.storage;

/** Thrown when uploaded content does not hash to the digest the client claimed; nothing is stored. */
public class DigestMismatchException extends RuntimeException {
    private final Digest expected;
    private final Digest actual;

    public DigestMismatchException(Digest expected, Digest actual) {
        super("content hashes to " + actual + ", not to the claimed " + expected);
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
