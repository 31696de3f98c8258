package io.berth.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.berth.storage.BlobContent;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreContractTest;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.UploadState;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContractTest {

    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new FilesystemBlobStore(root, false, true, 0);
    }

    /**
     * Skips, saying why, a test of direct I/O where the test folder's file system refuses it (tmpfs, for
     * one, as some machines mount {@code /tmp}); in CI, whose disk takes direct I/O, that fails instead,
     * so the tests cannot pass there without having run.
     */
    private void requireDirectIo(BlobStore tested) throws IOException {
        if (tested.describe().contains("direct I/O")) {
            return;
        }
        String reason = "the test folder " + root + " is on a " + Files.getFileStore(root).type()
                + " file system, which refuses direct I/O; point java.io.tmpdir at a disk to run this test";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + " (in CI it must run)");
        }
        Assumptions.abort(reason);
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
        requireDirectIo(store);
        // Aligned stretches go past the page cache, unaligned starts and tails through it.
        int[] chunks = {8192, 1_000_000, 4096 * 200, 17, 600_000, 4096, 3 * 1024 * 1024 + 5};
        byte[] all = randomBytes(Arrays.stream(chunks).sum(), 12);
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
     * Written with direct I/O, a blob's bytes are not in the page cache, and its first read leaves them
     * out too (direct reads); the reads after it go through the page cache ({@code sendfile}). Residency
     * is what util-linux's {@code fincore} reports (mincore(2)).
     */
    @Test
    void aBlobWrittenWithDirectIoIsFirstReadAroundThePageCache() throws Exception {
        requireDirectIo(store);
        byte[] bytes = randomBytes(8 * 1024 * 1024 + 100, 14);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(bytes));
        Path staged = root.resolve("v1/uploads/" + state.id() + "/data");
        assertTrue(residentBytes(staged) < bytes.length / 2, "direct writes left the staged bytes out of the page cache");
        store.commit(state, digest);
        Path blob = root.resolve("v1/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());

        BlobContent first = store.open(digest, 0, bytes.length);
        assertInstanceOf(BlobContent.Blocks.class, first, "the first read is a direct one");
        assertArrayEquals(bytes, readAll((BlobContent.Blocks) first));
        assertTrue(residentBytes(blob) < bytes.length / 2, "the first read left the blob out of the page cache");

        assertEquals(new BlobContent.FileRegion(blob, 5, 1000), store.open(digest, 5, 1000), "later reads are sendfile's");
    }

    /**
     * With {@code direct-io-after}, an upload's first megabytes go through the page cache and the rest
     * around it; a blob no longer than that is read from the cache from the first read on, a longer one
     * has its start read from the cache and the rest directly.
     */
    @Test
    void theFirstBytesOfAnUploadStayInThePageCache() throws Exception {
        BlobStore store = new FilesystemBlobStore(root.resolve("head"), false, true, 1);
        requireDirectIo(store);
        assertTrue(store.describe().contains("past their first 1 MiB"), store.describe());
        int head = DirectBlocks.BLOCK_BYTES;

        byte[] large = randomBytes(3 * head + 100, 18);
        Digest largeDigest = Digest.of(DigestAlgorithm.SHA256, large);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(large));
        long resident = residentBytes(root.resolve("head/v1/uploads/" + state.id() + "/data"));
        assertTrue(resident >= head && resident < head + 64 * 1024,
                "the first megabyte (and the last partial block) in the page cache, the rest not: " + resident);
        store.commit(state, largeDigest);
        Path largeBlob = root.resolve("head/v1/blobs/sha256/" + largeDigest.hex().substring(0, 2) + "/" + largeDigest.hex());
        assertEquals(new BlobContent.FileRegion(largeBlob, 100, 1000), store.open(largeDigest, 100, 1000),
                "a range within the cached start is sendfile's");
        BlobContent first = store.open(largeDigest, 10, large.length - 20);
        assertInstanceOf(BlobContent.Blocks.class, first, "past the cached start, the first read is a direct one");
        assertArrayEquals(Arrays.copyOfRange(large, 10, large.length - 10), readAll((BlobContent.Blocks) first));
        assertEquals(new BlobContent.FileRegion(largeBlob, 0, large.length), store.open(largeDigest, 0, large.length),
                "the reads after it are sendfile's");

        byte[] small = randomBytes(head - 5, 19);
        Digest smallDigest = Digest.of(DigestAlgorithm.SHA256, small);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(small), smallDigest);
        Path smallBlob = root.resolve("head/v1/blobs/sha256/" + smallDigest.hex().substring(0, 2) + "/" + smallDigest.hex());
        assertTrue(residentBytes(smallBlob) >= small.length, "a blob within the first megabyte is all in the page cache");
        assertEquals(new BlobContent.FileRegion(smallBlob, 0, small.length), store.open(smallDigest, 0, small.length),
                "and its first read is sendfile's");
    }

    @Test
    void directReadsReturnExactlyTheRangeAskedFor() throws Exception {
        int blockSize = (int) Files.getFileStore(root).getBlockSize();
        byte[] bytes = randomBytes(3 * DirectBlocks.BLOCK_BYTES + 1234, 15);
        Path file = Files.write(root.resolve("direct-ranges"), bytes);
        long[][] ranges = {
            {0, bytes.length}, {0, 0}, {1, 1}, {blockSize - 1, 2}, {blockSize, blockSize},
            {100, DirectBlocks.BLOCK_BYTES}, {DirectBlocks.BLOCK_BYTES - 7, DirectBlocks.BLOCK_BYTES + 14},
            {bytes.length - 1234, 1234}, {bytes.length - 1, 1}, {12_345, bytes.length - 12_345 - 17},
        };
        // The file's start read through the page cache: none of it, one block, two blocks, all of it.
        for (long cachedUntil : new long[] {0, DirectBlocks.BLOCK_BYTES, 2 * DirectBlocks.BLOCK_BYTES, 4 * DirectBlocks.BLOCK_BYTES}) {
            for (long[] range : ranges) {
                int offset = (int) range[0];
                int length = (int) range[1];
                byte[] read = readAll(DirectBlocks.open(file, offset, length, blockSize, cachedUntil));
                assertArrayEquals(Arrays.copyOfRange(bytes, offset, offset + length), read,
                        "bytes " + offset + " to " + (offset + length) + ", cached until " + cachedUntil);
            }
        }
    }

    @Test
    void aDirectReadOfABlobCutShortFailsInsteadOfReturningTooFewBytes() throws Exception {
        int blockSize = (int) Files.getFileStore(root).getBlockSize();
        Path file = Files.write(root.resolve("short"), randomBytes(10_000, 16));
        try (BlobContent.Blocks blocks = DirectBlocks.open(file, 0, 20_000, blockSize, 0)) {
            assertEquals(10_000, blocks.next().remaining());
            assertThrows(IOException.class, blocks::next);
        }
    }

    @Test
    void aBlobDeletedBeforeItsFirstReadIsGoneAndCanBePushedAgain() throws Exception {
        byte[] bytes = randomBytes(70_000, 17);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertTrue(store.delete(digest));
        assertThrows(BlobNotFoundException.class, () -> store.open(digest, 0, bytes.length));
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertArrayEquals(bytes, read(digest, 0, bytes.length));
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
        BlobStore buffered = new FilesystemBlobStore(root.resolve("buffered"), false, false, 0);
        assertFalse(buffered.describe().contains("direct I/O"));
        byte[] bytes = randomBytes(2 * 1024 * 1024 + 3, 13);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        buffered.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertEquals(bytes.length, buffered.stat(digest).orElseThrow().size());
    }

    @Test
    void aFsyncingStoreBehavesTheSame() throws Exception {
        BlobStore syncing = new FilesystemBlobStore(root.resolve("synced"), true, true, 0);
        byte[] bytes = randomBytes(1000, 11);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        syncing.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertEquals(1000, syncing.stat(digest).orElseThrow().size());
    }
}
