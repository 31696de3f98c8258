package io.berth.storage.digest;

import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import java.util.Optional;

/**
 * A running hash that can be exported after any number of bytes and resumed later, in another
 * process.
 */
public interface ResumableDigest {

    /** Returns the algorithm this digest computes. */
    DigestAlgorithm algorithm();

    /** Feeds bytes to the hash. */
    void update(byte[] bytes, int offset, int length);

    /** Returns the running state, which {@link #resume} turns back into an equal digest. */
    byte[] exportState();

    /** Completes the hash and returns the digest; the object must not be used afterwards. */
    Digest finish();

    /** Starts a new hash with the fastest implementation this JVM offers. */
    static ResumableDigest start(DigestAlgorithm algorithm) {
        return JdkDigestState.AVAILABLE ? new JdkResumableDigest(algorithm) : new BouncyCastleResumableDigest(algorithm);
    }

    /**
     * Restores a hash from a state {@link #exportState} produced, or returns empty if this JVM cannot
     * read it (another implementation wrote it, or it is damaged); the caller then hashes the staged
     * bytes again.
     */
    static Optional<ResumableDigest> resume(DigestAlgorithm algorithm, byte[] state) {
        if (state == null || state.length < 2 || state[1] != algorithm.ordinal()) {
            return Optional.empty();
        }
        try {
            return switch (state[0]) {
                case JdkResumableDigest.FORMAT -> JdkDigestState.AVAILABLE
                        ? Optional.of(new JdkResumableDigest(algorithm, state))
                        : Optional.empty();
                case BouncyCastleResumableDigest.FORMAT -> Optional.of(new BouncyCastleResumableDigest(algorithm, state));
                default -> Optional.empty();
            };
        } catch (RuntimeException damaged) {
            return Optional.empty();
        }
    }
}
