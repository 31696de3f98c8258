package io.berth.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreContractTest;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.UploadState;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContractTest {

    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new FilesystemBlobStore(root, false, true);
    }

    @Test
    void blobsLandAtTheirContentAddressedPathAndUploadsLeaveNothingBehind() throws Exception {
        byte[] bytes = randomBytes(4096, 10);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        store.commit(store.append(state, new ByteArrayInputStream(bytes)), digest);

        Path expected = root.resolve("v1/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        assertTrue(Files.isRegularFile(expected));
        assertEquals(4096, Files.size(expected));
        try (Stream<Path> uploads = Files.list(root.resolve("v1/uploads"))) {
            assertEquals(0, uploads.count());
        }
    }

    @Test
    void directAndBufferedWritesMixInOneUpload() throws Exception {
        assertTrue(store.describe().contains("direct I/O"), "the test folder's file system takes direct I/O: " + store.describe());
        // Aligned stretches go past the page cache, unaligned starts and tails through it.
        int[] chunks = {8192, 1_000_000, 4096 * 200, 17, 600_000, 4096, 3 * 1024 * 1024 + 5};
        byte[] all = randomBytes(java.util.Arrays.stream(chunks).sum(), 12);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        int offset = 0;
        for (int chunk : chunks) {
            state = store.append(state, new ByteArrayInputStream(all, offset, chunk));
            offset += chunk;
            assertEquals(offset, state.size());
        }
        Digest digest = Digest.of(DigestAlgorithm.SHA256, all);
        store.commit(state, digest);

        Path blob = root.resolve("v1/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        assertArrayEquals(all, Files.readAllBytes(blob));
    }

    /**
     * Written with direct I/O, an upload's bytes are not in the page cache while it is staged; once the
     * blob is in place they are read into it in the background, for the pull that often comes next.
     * Residency is what util-linux's {@code fincore} reports (mincore(2)).
     */
    @Test
    void aBlobWrittenWithDirectIoIsReadIntoThePageCacheOnceInPlace() throws Exception {
        byte[] bytes = randomBytes(8 * 1024 * 1024, 14);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(bytes));
        Path staged = root.resolve("v1/uploads/" + state.id() + "/data");
        assertTrue(residentBytes(staged) < bytes.length / 2, "direct writes left the staged bytes out of the page cache");

        store.commit(state, digest);

        Path blob = root.resolve("v1/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (residentBytes(blob) < bytes.length && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(bytes.length, residentBytes(blob), "the committed blob is in the page cache");
    }

    private static long residentBytes(Path file) throws Exception {
        Process fincore = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(fincore.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, fincore.waitFor(), "fincore (util-linux) reports page-cache residency: " + output);
        return Long.parseLong(output);
    }

    @Test
    void aBufferedStoreBehavesTheSame() throws Exception {
        BlobStore buffered = new FilesystemBlobStore(root.resolve("buffered"), false, false);
        assertFalse(buffered.describe().contains("direct I/O"));
        byte[] bytes = randomBytes(2 * 1024 * 1024 + 3, 13);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        buffered.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertEquals(bytes.length, buffered.stat(digest).orElseThrow().size());
    }

    @Test
    void aFsyncingStoreBehavesTheSame() throws Exception {
        BlobStore syncing = new FilesystemBlobStore(root.resolve("synced"), true, true);
        byte[] bytes = randomBytes(1000, 11);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        syncing.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertEquals(1000, syncing.stat(digest).orElseThrow().size());
    }
}
