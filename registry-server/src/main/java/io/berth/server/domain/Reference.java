package io.berth.server.domain;

import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.storage.Digest;
import java.util.regex.Pattern;

/** What a manifest request names: a tag or a digest. */
public sealed interface Reference permits Reference.Tag, Reference.ByDigest {

    /** The distribution spec's pattern for a tag. */
    Pattern TAG_PATTERN = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    /** Parses a reference from a URL: a digest if it has the form of one, otherwise a tag. */
    static Reference parse(String value) {
        return Digest.looksLikeDigest(value) ? new ByDigest(Digest.parse(value)) : tag(value);
    }

    /** Returns the tag, or throws TAG_INVALID if the value does not match the spec's pattern. */
    static Tag tag(String value) {
        if (value == null || !TAG_PATTERN.matcher(value).matches()) {
            throw new RegistryException(OciErrorCode.TAG_INVALID,
                    "invalid tag '" + value + "': up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'")
                    .withDetail("tag", value);
        }
        return new Tag(value);
    }

    /** A tag such as {@code latest}. */
    record Tag(String name) implements Reference {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A manifest digest. */
    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }
}
