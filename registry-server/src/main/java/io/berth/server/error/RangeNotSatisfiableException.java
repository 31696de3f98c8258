package io.berth.server.error;

/** A {@code Range} that starts past the end of a blob ({@code RANGE_INVALID}); it carries the blob's size. */
public final class RangeNotSatisfiableException extends RegistryException {

    private final long size;

    public RangeNotSatisfiableException(String range, long size) {
        super(OciErrorCode.RANGE_INVALID, "range '" + range + "' is outside the blob's " + size + " bytes");
        this.size = size;
    }

    /** Returns the size of the blob the range was asked of. */
    public long size() {
        return size;
    }
}
