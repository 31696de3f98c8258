package io.berth.storage.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ResumableDigestTest {

    private static final byte[] DATA = new byte[100_003];

    static {
        new Random(12).nextBytes(DATA);
    }

    @Test
    void theJdkStateIsReachableUnderTheBuildsAddOpens() {
        // The build passes the --add-opens that production passes; without them chunked uploads
        // would silently hash eight times slower.
        assertTrue(JdkDigestState.AVAILABLE, "JDK digest state export is unavailable");
        assertTrue(ResumableDigest.start(DigestAlgorithm.SHA256) instanceof JdkResumableDigest);
    }

    @Test
    void jdkDigestsResumeAtEveryKindOfBoundary() {
        checkResumes(JdkResumableDigest::new);
    }

    @Test
    void bouncyCastleDigestsResumeAtEveryKindOfBoundary() {
        checkResumes(BouncyCastleResumableDigest::new);
    }

    @Test
    void aStateIsRestoredOnlyByItsOwnAlgorithmAndIsRejectedWhenDamaged() {
        ResumableDigest digest = ResumableDigest.start(DigestAlgorithm.SHA256);
        digest.update(DATA, 0, 100);
        byte[] state = digest.exportState();

        assertTrue(ResumableDigest.resume(DigestAlgorithm.SHA512, state).isEmpty());
        assertTrue(ResumableDigest.resume(DigestAlgorithm.SHA256, new byte[] {1, 0, 5}).isEmpty());
        assertTrue(ResumableDigest.resume(DigestAlgorithm.SHA256, null).isEmpty());
        byte[] truncated = java.util.Arrays.copyOf(state, state.length - 1);
        assertTrue(ResumableDigest.resume(DigestAlgorithm.SHA256, truncated).isEmpty());
    }

    private static void checkResumes(Function<DigestAlgorithm, ResumableDigest> factory) {
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            Digest expected = Digest.of(algorithm, DATA);
            for (int cut : new int[] {0, 1, 63, 64, 65, 127, 128, 129, 4096, 50_001, DATA.length}) {
                ResumableDigest first = factory.apply(algorithm);
                first.update(DATA, 0, cut);
                ResumableDigest second = ResumableDigest.resume(algorithm, first.exportState()).orElseThrow();
                assertEquals(first.getClass(), second.getClass());
                second.update(DATA, cut, DATA.length - cut);
                assertEquals(expected, second.finish(), algorithm + " cut at " + cut);
            }
        }
    }
}
