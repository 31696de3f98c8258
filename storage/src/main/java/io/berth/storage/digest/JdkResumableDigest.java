package io.berth.storage.digest;

import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/** A resumable digest on the JDK's intrinsic SHA-2, with its state read through {@link JdkDigestState}. */
final class JdkResumableDigest implements ResumableDigest {

    static final byte FORMAT = 1;

    private final DigestAlgorithm algorithm;
    private final MessageDigest digest;

    JdkResumableDigest(DigestAlgorithm algorithm) {
        this.algorithm = algorithm;
        this.digest = JdkDigestState.newDigest(algorithm.jcaName());
    }

    JdkResumableDigest(DigestAlgorithm algorithm, byte[] state) {
        this(algorithm);
        JdkDigestState.restore(digest, ByteBuffer.wrap(state, 2, state.length - 2));
    }

    @Override
    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
    }

    @Override
    public byte[] exportState() {
        byte[] body = JdkDigestState.export(digest);
        byte[] state = new byte[body.length + 2];
        state[0] = FORMAT;
        state[1] = (byte) algorithm.ordinal();
        System.arraycopy(body, 0, state, 2, body.length);
        return state;
    }

    @Override
    public Digest finish() {
        return new Digest(algorithm, HexFormat.of().formatHex(digest.digest()));
    }
}
