package io.berth.storage;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:2c26b4...}: the address of a blob or a manifest.
 *
 * @param algorithm the algorithm the content was hashed with
 * @param hex the lower-case hex encoding of the hash, of the algorithm's length
 */
public record Digest(DigestAlgorithm algorithm, String hex) {

    /** The grammar of the OCI image spec, which admits algorithms Berth may not support. */
    private static final Pattern GRAMMAR =
            Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    public Digest {
        if (algorithm == null || hex == null || !algorithm.isValidEncoded(hex)) {
            throw new InvalidDigestException((algorithm == null ? "?" : algorithm.id()) + ":" + hex,
                    "the encoded part must be " + (algorithm == null ? "?" : algorithm.hexLength())
                            + " lower-case hex characters");
        }
    }

    /**
     * Parses a digest string; throws InvalidDigestException if it does not follow the OCI grammar,
     * names an unsupported algorithm, or has an encoded part of the wrong form.
     */
    public static Digest parse(String value) {
        if (value == null || value.length() > 256 || !GRAMMAR.matcher(value).matches()) {
            throw new InvalidDigestException(value, "expected <algorithm>:<hex>, e.g. sha256:<64 hex characters>");
        }
        int colon = value.indexOf(':');
        String algorithmId = value.substring(0, colon);
        DigestAlgorithm algorithm = DigestAlgorithm.fromId(algorithmId)
                .orElseThrow(() -> new InvalidDigestException(value,
                        "unsupported algorithm '" + algorithmId + "'; supported: sha256, sha512"));
        return new Digest(algorithm, value.substring(colon + 1));
    }

    /** Returns true if the value looks like a digest (algorithm, colon, encoded part) rather than a tag. */
    public static boolean looksLikeDigest(String value) {
        return value != null && value.indexOf(':') > 0;
    }

    /** Returns the digest of the given bytes. */
    public static Digest of(DigestAlgorithm algorithm, byte[] content) {
        try {
            var md = java.security.MessageDigest.getInstance(algorithm.jcaName());
            return new Digest(algorithm, HexFormat.of().formatHex(md.digest(content)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm.jcaName() + " is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return algorithm.id() + ":" + hex;
    }
}
