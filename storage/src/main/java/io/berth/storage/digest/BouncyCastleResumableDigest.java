package io.berth.storage.digest;

import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.EncodableDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** A resumable digest on BouncyCastle's SHA-2, whose state export is public API; the portable fallback. */
final class BouncyCastleResumableDigest implements ResumableDigest {

    static final byte FORMAT = 2;

    private final DigestAlgorithm algorithm;
    private final org.bouncycastle.crypto.Digest digest;

    BouncyCastleResumableDigest(DigestAlgorithm algorithm) {
        this.algorithm = algorithm;
        this.digest = switch (algorithm) {
            case SHA256 -> new SHA256Digest();
            case SHA512 -> new SHA512Digest();
        };
    }

    BouncyCastleResumableDigest(DigestAlgorithm algorithm, byte[] state) {
        this.algorithm = algorithm;
        byte[] encoded = Arrays.copyOfRange(state, 2, state.length);
        this.digest = switch (algorithm) {
            case SHA256 -> new SHA256Digest(encoded);
            case SHA512 -> new SHA512Digest(encoded);
        };
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
        byte[] encoded = ((EncodableDigest) digest).getEncodedState();
        byte[] state = new byte[encoded.length + 2];
        state[0] = FORMAT;
        state[1] = (byte) algorithm.ordinal();
        System.arraycopy(encoded, 0, state, 2, encoded.length);
        return state;
    }

    @Override
    public Digest finish() {
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return new Digest(algorithm, HexFormat.of().formatHex(out));
    }
}
