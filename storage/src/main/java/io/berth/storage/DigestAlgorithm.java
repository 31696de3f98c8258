package io.berth.storage;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The digest algorithms Berth verifies content with, as registered by the OCI image spec.
 */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String id;
    private final String jcaName;
    private final int hexLength;
    private final Pattern encodedPattern;

    DigestAlgorithm(String id, String jcaName, int hexLength) {
        this.id = id;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
        this.encodedPattern = Pattern.compile("[a-f0-9]{" + hexLength + "}");
    }

    /** Returns the identifier used in digest strings, such as {@code sha256}. */
    public String id() {
        return id;
    }

    /** Returns the name of the algorithm for {@link java.security.MessageDigest}. */
    public String jcaName() {
        return jcaName;
    }

    /** Returns the length of the hex-encoded digest. */
    public int hexLength() {
        return hexLength;
    }

    boolean isValidEncoded(String encoded) {
        return encodedPattern.matcher(encoded).matches();
    }

    /** Returns the algorithm with the given identifier, or empty if Berth does not support it. */
    public static Optional<DigestAlgorithm> fromId(String id) {
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.id.equals(id)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }
}
