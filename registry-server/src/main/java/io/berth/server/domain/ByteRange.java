package io.berth.server.domain;

import io.berth.server.error.RangeNotSatisfiableException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An inclusive byte range {@code [first, last]} of a blob, from an HTTP {@code Range} header.
 */
public record ByteRange(long first, long last) {

    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    public long length() {
        return last - first + 1;
    }

    /**
     * Resolves a {@code Range} header against a blob's size. Returns empty when the whole blob should be
     * sent: no header, or one this server does not interpret (several ranges, other units), which HTTP
     * allows a server to ignore. Throws RangeNotSatisfiableException when the range starts past the end.
     */
    public static Optional<ByteRange> resolve(String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher matcher = SINGLE_RANGE.matcher(header.trim());
        if (!matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
            return Optional.empty();
        }
        try {
            if (matcher.group(1).isEmpty()) {
                long suffix = Long.parseLong(matcher.group(2));
                if (suffix == 0 || size == 0) {
                    throw new RangeNotSatisfiableException(header, size);
                }
                return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(matcher.group(1));
            if (!matcher.group(2).isEmpty() && Long.parseLong(matcher.group(2)) < first) {
                return Optional.empty(); // an invalid range, which HTTP says to ignore
            }
            if (first >= size) {
                throw new RangeNotSatisfiableException(header, size);
            }
            long last = matcher.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(matcher.group(2)), size - 1);
            return Optional.of(new ByteRange(first, last));
        } catch (NumberFormatException tooLarge) {
            throw new RangeNotSatisfiableException(header, size);
        }
    }
}
