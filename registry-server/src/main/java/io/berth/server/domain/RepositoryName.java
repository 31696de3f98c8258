package io.berth.server.domain;

import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import java.util.regex.Pattern;

/**
 * A repository name such as {@code library/alpine} or {@code team/group/app}: path components of
 * lower-case letters and digits joined by the separators of the distribution spec, at most 255
 * characters in all.
 */
public record RepositoryName(String value) {

    /** The distribution spec's pattern for a repository name. */
    private static final Pattern PATTERN = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    public static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !PATTERN.matcher(value).matches()) {
            throw new RegistryException(OciErrorCode.NAME_INVALID,
                    "invalid repository name '" + value + "': use lower-case path components of letters and digits, "
                            + "separated by '.', '_', '__' or '-', joined by '/', at most " + MAX_LENGTH + " characters")
                    .withDetail("name", value);
        }
    }

    /** The namespace the repository belongs to: its name's first component (a user or an organization). */
    public String namespace() {
        int slash = value.indexOf('/');
        return slash < 0 ? value : value.substring(0, slash);
    }

    @Override
    public String toString() {
        return value;
    }
}
