package io.berth.server.domain;

import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inclusive range a chunk claims to cover, from the {@code Content-Range} header of an upload
 * PATCH or PUT: {@code <first>-<last>}, also accepted with the HTTP {@code bytes } prefix and a
 * {@code /<total>} suffix.
 */
public record ContentRange(long first, long last) {

    private static final Pattern FORM = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");

    public long length() {
        return last - first + 1;
    }

    /** Parses the header; empty if absent; throws a 416 RANGE_INVALID if malformed. */
    public static Optional<ContentRange> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        Matcher matcher = FORM.matcher(header.trim());
        if (matcher.matches()) {
            try {
                long first = Long.parseLong(matcher.group(1));
                long last = Long.parseLong(matcher.group(2));
                if (last >= first) {
                    return Optional.of(new ContentRange(first, last));
                }
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
        }
        throw new RegistryException(OciErrorCode.RANGE_INVALID,
                "invalid Content-Range '" + header + "': expected <first byte>-<last byte>, inclusive");
    }
}
