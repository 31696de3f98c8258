package io.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BlobStore} must show. A store's test extends this class and supplies
 * {@link #newStore()}, as the callers of CNCF distribution's driver test suite do.
 */
public abstract class BlobStoreContractTest {

    protected BlobStore store;

    /** Returns a new, empty store. */
    protected abstract BlobStore newStore() throws Exception;

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    protected static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected byte[] read(Digest digest, long offset, long length) throws IOException {
        BlobContent content = store.open(digest, offset, length);
        assertEquals(length, content.length());
        if (content instanceof BlobContent.FileRegion region) {
            try (FileChannel channel = FileChannel.open(region.path(), StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate((int) region.length());
                while (buffer.hasRemaining() && channel.read(buffer, region.offset() + buffer.position()) > 0) {
                    // read until the region is complete
                }
                return buffer.array();
            }
        }
        if (content instanceof BlobContent.Blocks blocks) {
            return readAll(blocks);
        }
        try (InputStream input = ((BlobContent.Stream) content).input()) {
            return input.readAllBytes();
        }
    }

    /** Takes every block and gives each back once its bytes are copied. */
    protected static byte[] readAll(BlobContent.Blocks blocks) throws IOException {
        try (blocks) {
            ByteBuffer all = ByteBuffer.allocate((int) blocks.length());
            for (ByteBuffer block = blocks.next(); block != null; block = blocks.next()) {
                assertTrue(block.remaining() <= all.remaining(), "a block goes past the range");
                all.put(block);
                blocks.recycle(block);
            }
            assertFalse(all.hasRemaining(), "the blocks cover the range");
            return all.array();
        }
    }

    @Test
    void putMakesTheBlobReadableWholeAndInRanges() throws IOException {
        byte[] bytes = randomBytes(3 * HashingCopy.BATCH + 17, 1);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);

        BlobStat stat = store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);

        assertEquals(bytes.length, stat.size());
        assertEquals(bytes.length, store.stat(digest).orElseThrow().size());
        assertArrayEquals(bytes, read(digest, 0, bytes.length));
        assertArrayEquals(Arrays.copyOfRange(bytes, 100, 1100), read(digest, 100, 1000));
    }

    @Test
    void aDigestMismatchStoresNothingAndRemovesTheStagedBytes() {
        byte[] bytes = randomBytes(1000, 2);
        Digest claimed = Digest.of(DigestAlgorithm.SHA256, "other content".getBytes());
        UUID id = UUID.randomUUID();

        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> store.put(id, new ByteArrayInputStream(bytes), claimed));

        assertEquals(Digest.of(DigestAlgorithm.SHA256, bytes), e.actual());
        assertTrue(store.stat(claimed).isEmpty());
        assertTrue(store.stat(e.actual()).isEmpty());
        assertThrows(UploadNotFoundException.class,
                () -> store.append(new UploadState(id, 0, DigestAlgorithm.SHA256, null, null), InputStream.nullInputStream()));
    }

    @Test
    void chunksAppendedThroughExportedStatesHashLikeOneStream() throws IOException {
        byte[] bytes = randomBytes(2 * HashingCopy.BATCH + 12345, 3);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        int[] cuts = {0, 1, 64, 65, 1000, HashingCopy.BATCH + 3, bytes.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            state = store.append(state, new ByteArrayInputStream(bytes, cuts[i], cuts[i + 1] - cuts[i]));
            assertEquals(cuts[i + 1], state.size());
        }

        store.commit(state, digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
    }

    @Test
    void anUnreadableHashStateIsRebuiltFromTheStagedBytes() throws IOException {
        byte[] bytes = randomBytes(5000, 4);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(bytes, 0, 3000));
        UploadState withoutHash = new UploadState(state.id(), state.size(), state.algorithm(), null, state.storeState());

        UploadState next = store.append(withoutHash, new ByteArrayInputStream(bytes, 3000, 2000));
        store.commit(next, digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
    }

    @Test
    void anAppendThatFailsPartWayLeavesTheRecordedStateUsable() throws IOException {
        byte[] bytes = randomBytes(HashingCopy.BATCH * 2, 5);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(bytes, 0, 1000));
        InputStream breaksAfterABatch = breaksAfter(HashingCopy.BATCH + 10, 4096);

        assertThrows(UploadInterruptedException.class, () -> store.append(state, breaksAfterABatch));
        UploadState resumed = store.append(state, new ByteArrayInputStream(bytes, 1000, bytes.length - 1000));
        store.commit(resumed, digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
    }

    @Test
    void sha512UploadsAndACommitUnderAnotherAlgorithmBothVerify() throws IOException {
        byte[] bytes = randomBytes(10_000, 6);
        Digest sha512 = Digest.of(DigestAlgorithm.SHA512, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), sha512);
        assertArrayEquals(bytes, read(sha512, 0, bytes.length));

        byte[] other = randomBytes(10_000, 7);
        Digest otherSha512 = Digest.of(DigestAlgorithm.SHA512, other);
        UploadState hashedAsSha256 = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(other));
        store.commit(hashedAsSha256, otherSha512);
        assertArrayEquals(other, read(otherSha512, 0, other.length));
    }

    @Test
    void committingContentThatIsAlreadyStoredKeepsOneCopy() throws IOException {
        byte[] bytes = randomBytes(2000, 8);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);

        List<BlobStat> listed = new ArrayList<>();
        store.walk(listed::add);

        assertEquals(1, listed.size());
        assertEquals(digest, listed.get(0).digest());
        assertArrayEquals(bytes, read(digest, 0, bytes.length));
    }

    @Test
    void theEmptyBlobIsABlobLikeAnyOther() throws IOException {
        Digest empty = Digest.of(DigestAlgorithm.SHA256, new byte[0]);
        store.put(UUID.randomUUID(), InputStream.nullInputStream(), empty);
        assertEquals(0, store.stat(empty).orElseThrow().size());
        assertArrayEquals(new byte[0], read(empty, 0, 0));
    }

    @Test
    void cancelRemovesTheStagedUploadAndDeleteRemovesABlob() {
        UUID id = UUID.randomUUID();
        UploadState state = store.beginUpload(id, DigestAlgorithm.SHA256);
        store.cancel(id);
        store.cancel(id);
        assertThrows(UploadNotFoundException.class, () -> store.append(state, new ByteArrayInputStream(new byte[] {1})));

        byte[] bytes = randomBytes(100, 9);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertTrue(store.delete(digest));
        assertFalse(store.delete(digest));
        assertTrue(store.stat(digest).isEmpty());
        assertThrows(BlobNotFoundException.class, () -> store.open(digest, 0, 100));
    }

    @Test
    void aWriterFedInOddPiecesCommitsTheBlobItWasWritten() throws IOException {
        byte[] bytes = randomBytes(2 * HashingCopy.BATCH + 4321, 11);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        BlobWriter writer = store.openWriter(UUID.randomUUID(), DigestAlgorithm.SHA256);
        byte[] reused = new byte[70_001];
        for (int at = 0; at < bytes.length; at += reused.length) {
            int length = Math.min(reused.length, bytes.length - at);
            System.arraycopy(bytes, at, reused, 0, length);
            writer.write(reused, 0, length);
            Arrays.fill(reused, (byte) 0); // the writer must have taken its own copy
        }
        assertEquals(bytes.length, writer.size());
        assertTrue(store.stat(digest).isEmpty(), "nothing is readable before the commit");

        assertEquals(bytes.length, writer.commit(digest, CommitGuard.NONE).size());
        assertArrayEquals(bytes, read(digest, 0, bytes.length));
    }

    @Test
    void aWriterWhoseBytesDoNotMatchOrThatIsCancelledLeavesNothing() {
        byte[] bytes = randomBytes(HashingCopy.BATCH + 10, 12);
        Digest actual = Digest.of(DigestAlgorithm.SHA256, bytes);
        Digest claimed = Digest.of(DigestAlgorithm.SHA256, "other content".getBytes());
        UUID mismatched = UUID.randomUUID();
        BlobWriter writer = store.openWriter(mismatched, DigestAlgorithm.SHA256);
        writer.write(bytes, 0, bytes.length);
        assertThrows(DigestMismatchException.class, () -> writer.commit(claimed, CommitGuard.NONE));
        assertTrue(store.stat(actual).isEmpty() && store.stat(claimed).isEmpty());
        assertThrows(UploadNotFoundException.class, () -> store.append(
                new UploadState(mismatched, 0, DigestAlgorithm.SHA256, null, null), InputStream.nullInputStream()));

        UUID cancelled = UUID.randomUUID();
        BlobWriter abandoned = store.openWriter(cancelled, DigestAlgorithm.SHA256);
        abandoned.write(bytes, 0, bytes.length);
        abandoned.cancel();
        abandoned.cancel();
        assertTrue(store.stat(actual).isEmpty());
        assertThrows(UploadNotFoundException.class, () -> store.append(
                new UploadState(cancelled, 0, DigestAlgorithm.SHA256, null, null), InputStream.nullInputStream()));
        assertThrows(IllegalStateException.class, () -> abandoned.write(bytes, 0, 1));
    }

    @Test
    void aHealthyStorePassesItsHealthCheck() {
        store.checkHealth();
    }

    /**
     * A body that yields {@code readSize}-byte runs of filler until more than {@code limit} bytes have gone
     * out, then fails as a dropped connection does.
     */
    protected static InputStream breaksAfter(int limit, int readSize) {
        return new InputStream() {
            private int served;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= limit) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, readSize);
                Arrays.fill(b, off, off + n, (byte) 7);
                served += n;
                return n;
            }
        };
    }
}
