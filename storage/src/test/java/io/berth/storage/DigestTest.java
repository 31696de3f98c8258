package io.berth.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {

    private static final String HELLO_SHA256 = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @Test
    void parsesAndPrintsSha256AndSha512() {
        Digest digest = Digest.parse(HELLO_SHA256);
        assertEquals(DigestAlgorithm.SHA256, digest.algorithm());
        assertEquals(HELLO_SHA256, digest.toString());
        assertEquals(digest, Digest.of(DigestAlgorithm.SHA256, "hello".getBytes(StandardCharsets.UTF_8)));

        Digest sha512 = Digest.of(DigestAlgorithm.SHA512, "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals(sha512, Digest.parse(sha512.toString()));
        assertEquals(128, sha512.hex().length());
    }

    @Test
    void rejectsMalformedUnsupportedAndWrongLengthDigests() {
        for (String bad : new String[] {"", "sha256", "sha256:", ":abc", "latest", "sha256:ABC",
                HELLO_SHA256.toUpperCase(), HELLO_SHA256 + "00", "md5:d41d8cd98f00b204e9800998ecf8427e",
                "sha256:" + "g".repeat(64), "sha512:" + "a".repeat(64)}) {
            assertThrows(InvalidDigestException.class, () -> Digest.parse(bad), bad);
        }
        assertThrows(InvalidDigestException.class, () -> Digest.parse(null));
    }

    @Test
    void tellsDigestsFromTags() {
        assertTrue(Digest.looksLikeDigest(HELLO_SHA256));
        assertTrue(Digest.looksLikeDigest("md5:abc"));
        assertFalse(Digest.looksLikeDigest("v1.0"));
        assertFalse(Digest.looksLikeDigest(null));
    }
}
