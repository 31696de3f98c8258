package io.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.storage.BlobContent;
import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreContractTest;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.DigestMismatchException;
import io.berth.storage.StorageException;
import io.berth.storage.UploadInterruptedException;
import io.berth.storage.UploadNotFoundException;
import io.berth.storage.UploadState;
import io.berth.testing.s3.S3ProxyServer;
import io.minio.ListMultipartUploadsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract every store keeps, against a real S3 server (s3proxy), plus what is particular to S3:
 * parts and tails, uploads continued by another instance (another replica), hash states rebuilt from
 * parts, multipart copies, presigned redirects and outages.
 */
class S3BlobStoreTest extends BlobStoreContractTest {

    private static final int MIB = 1024 * 1024;
    private static final String BUCKET = "berth-store-test";

    private static S3ProxyServer s3;
    private static MinioAsyncClient admin;

    private final List<S3BlobStore> stores = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start();
        admin = MinioAsyncClient.builder().endpoint(s3.endpoint()).region("us-east-1")
                .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @AfterEach
    void closeStores() {
        stores.forEach(S3BlobStore::close);
    }

    /** Each test gets a prefix of its own in one bucket; parts are S3's smallest so a few MiB make several. */
    @Override
    protected BlobStore newStore() {
        prefix = "t-" + UUID.randomUUID() + "/";
        return store(settings(s3, BUCKET).withPrefix(prefix).withParts(S3BlobStore.MIN_PART, S3BlobStore.MAX_COPY));
    }

    /** Returns the store settings for {@code bucket} on {@code server}. */
    private static S3Settings settings(S3ProxyServer server, String bucket) {
        return S3Settings.local(server.endpoint(), bucket, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
    }

    private S3BlobStore store(S3Settings settings) {
        S3BlobStore created = new S3BlobStore(settings);
        stores.add(created);
        return created;
    }

    private List<String> keys(String under) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> item : admin.listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(under).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    private int pendingMultipartUploads(String under) throws Exception {
        return admin.listMultipartUploads(ListMultipartUploadsArgs.builder().bucket(BUCKET).prefix(under).build())
                .get().result().uploads().size();
    }

    private static String blobKey(Digest digest) {
        return "v1/blobs/" + digest.algorithm().id() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    @Test
    void blobsLandAtTheirContentAddressedKeyAndUploadsLeaveNothingBehind() throws Exception {
        byte[] bytes = randomBytes(12 * MIB + 5, 20);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        store.commit(store.append(state, new ByteArrayInputStream(bytes)), digest);

        assertEquals(List.of(prefix + blobKey(digest)), keys(prefix));
        assertEquals(0, pendingMultipartUploads(prefix));
        assertTrue(store.describe().startsWith("s3:" + s3.endpoint() + "/" + BUCKET + "/" + prefix), store.describe());
    }

    /** A delete of more keys than one request takes goes out as several requests, and deletes them all. */
    @Test
    void deleteAllRemovesEveryBlobOverSeveralRequests() throws Exception {
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < 2 * S3Calls.DELETE_REQUEST_KEYS + 7; i++) {
            byte[] bytes = randomBytes(64, 100 + i);
            Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
            store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
            digests.add(digest);
        }
        Digest absent = Digest.of(DigestAlgorithm.SHA256, randomBytes(64, 99));
        List<Digest> deleted = new ArrayList<>(digests);
        deleted.add(absent);

        assertEquals(Map.of(), store.deleteAll(deleted), "no key fails, and one that is not there counts as deleted");
        assertEquals(List.of(), keys(prefix));
    }

    @Test
    void chunksOfEverySizeAlternatingBetweenTwoInstancesMakeOneBlob() throws Exception {
        BlobStore other = store(settings(s3, BUCKET).withPrefix(prefix).withParts(S3BlobStore.MIN_PART, S3BlobStore.MAX_COPY));
        // Tails under the part minimum, a tail that fills a part, chunks of several parts, a last short chunk.
        int[] chunks = {1024, 3 * MIB, 4 * MIB, 12 * MIB + 7, 100, 5 * MIB, 1};
        byte[] all = randomBytes(Arrays.stream(chunks).sum(), 21);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        int offset = 0;
        for (int i = 0; i < chunks.length; i++) {
            BlobStore replica = i % 2 == 0 ? store : other;
            state = replica.append(state, new ByteArrayInputStream(all, offset, chunks[i]));
            offset += chunks[i];
            assertEquals(offset, state.size());
        }
        Digest digest = Digest.of(DigestAlgorithm.SHA256, all);
        other.commit(state, digest);

        assertArrayEquals(all, read(digest, 0, all.length));
        assertArrayEquals(Arrays.copyOfRange(all, 5 * MIB - 3, 5 * MIB + 3), read(digest, 5 * MIB - 3, 6));
        assertEquals(List.of(prefix + blobKey(digest)), keys(prefix));
        assertEquals(0, pendingMultipartUploads(prefix));
    }

    @Test
    void aHashStateThisJvmCannotReadIsRebuiltFromCompletedParts() throws Exception {
        byte[] bytes = randomBytes(13 * MIB, 22);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(bytes, 0, 6 * MIB + 11));
        UploadState unreadable = new UploadState(state.id(), state.size(), state.algorithm(), new byte[] {9, 9}, state.storeState());

        UploadState next = store.append(unreadable, new ByteArrayInputStream(bytes, 6 * MIB + 11, 7 * MIB - 11));
        store.commit(next, digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
        assertEquals(List.of(prefix + blobKey(digest)), keys(prefix));
    }

    @Test
    void blobsOverTheCopyThresholdAreCopiedPartByPart() throws Exception {
        // The threshold is 5 GiB in production; lowered here so UploadPartCopy runs on a few MiB.
        BlobStore copying = store(settings(s3, BUCKET).withPrefix(prefix).withParts(S3BlobStore.MIN_PART, 6 * MIB));
        byte[] bytes = randomBytes(16 * MIB + 3, 23);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = copying.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        state = copying.append(state, new ByteArrayInputStream(bytes, 0, 7 * MIB));
        state = copying.append(state, new ByteArrayInputStream(bytes, 7 * MIB, bytes.length - 7 * MIB));
        copying.commit(state, digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
        assertEquals(List.of(prefix + blobKey(digest)), keys(prefix));
        assertEquals(0, pendingMultipartUploads(prefix));
    }

    @Test
    void aChunkedUploadWithTheWrongDigestLeavesNothing() throws Exception {
        byte[] bytes = randomBytes(11 * MIB, 24);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        state = store.append(state, new ByteArrayInputStream(bytes));
        Digest claimed = Digest.of(DigestAlgorithm.SHA256, "something else".getBytes());
        UploadState last = state;

        assertThrows(DigestMismatchException.class, () -> store.commit(last, claimed));

        assertEquals(List.of(), keys(prefix));
        assertEquals(0, pendingMultipartUploads(prefix));
        assertThrows(UploadNotFoundException.class, () -> store.append(last, new ByteArrayInputStream(new byte[1])));
    }

    @Test
    void aLargeMonolithicPutWithTheWrongDigestLeavesNothing() throws Exception {
        byte[] bytes = randomBytes(12 * MIB, 25);
        Digest claimed = Digest.of(DigestAlgorithm.SHA256, "something else".getBytes());

        assertThrows(DigestMismatchException.class,
                () -> store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), claimed));

        assertEquals(List.of(), keys(prefix));
        assertEquals(0, pendingMultipartUploads(prefix));
    }

    @Test
    void aLargeMonolithicPutGoesStraightToItsKey() throws Exception {
        byte[] bytes = randomBytes(11 * MIB + 1, 26);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
        assertEquals(List.of(prefix + blobKey(digest)), keys(prefix));
    }

    @Test
    void anAppendThatFailsAfterSendingPartsLeavesTheRecordedStateUsable() throws IOException {
        byte[] bytes = randomBytes(14 * MIB, 27);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.append(store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256),
                new ByteArrayInputStream(bytes, 0, 2 * MIB));
        InputStream breaksAfterTwoParts = breaksAfter(11 * MIB, 64 * 1024);

        assertThrows(UploadInterruptedException.class, () -> store.append(state, breaksAfterTwoParts));
        UploadState resumed = store.append(state, new ByteArrayInputStream(bytes, 2 * MIB, bytes.length - 2 * MIB));
        store.commit(resumed, digest);

        assertArrayEquals(bytes, read(digest, 0, bytes.length));
    }

    @Test
    void aReadUrlIsGivenWithRedirectsOffAndServesRanges() throws Exception {
        byte[] bytes = randomBytes(1000, 29);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);

        assertPresignedForAMinuteAndServes(store.readUri(digest, Duration.ofMinutes(1)).orElseThrow(), bytes, 990, 1000);
    }

    @Test
    void redirectsArePresignedUrlsThatServeTheBlob() throws Exception {
        BlobStore redirecting = store(settings(s3, BUCKET).withPrefix(prefix).withRedirect(true));
        byte[] bytes = randomBytes(1000, 28);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        redirecting.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);

        assertTrue(store.redirectUri(digest, Duration.ofMinutes(1)).isEmpty(), "redirects are off by default");
        assertPresignedForAMinuteAndServes(redirecting.redirectUri(digest, Duration.ofMinutes(1)).orElseThrow(),
                bytes, 10, 20);
    }

    /** Asserts that a URL is presigned for 60 s and answers a Range request for {@code [from, to)} of the blob. */
    private static void assertPresignedForAMinuteAndServes(URI uri, byte[] bytes, int from, int to) throws Exception {
        assertTrue(uri.getQuery().contains("X-Amz-Expires=60"), uri.toString());
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri)
                    .header("Range", "bytes=" + from + "-" + (to - 1)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, response.statusCode());
            assertArrayEquals(Arrays.copyOfRange(bytes, from, to), response.body());
        }
    }

    @Test
    void anUnreachableS3IsAStorageFailure() throws Exception {
        S3ProxyServer doomed = S3ProxyServer.start();
        try {
            S3Settings settings = settings(doomed, "doomed");
            BlobStore failing = store(new S3Settings(settings.endpoint(), settings.region(), settings.bucket(), true,
                    settings.accessKey(), settings.secretKey(), "", false, Duration.ofMinutes(1), Duration.ofSeconds(2),
                    Duration.ofSeconds(5), 1, S3BlobStore.MIN_PART, S3BlobStore.MAX_COPY));
            byte[] bytes = randomBytes(100, 29);
            Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
            UploadState state = failing.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
            failing.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
            doomed.stopProcess();

            assertThrows(StorageException.class, failing::checkHealth);
            assertThrows(StorageException.class, () -> failing.stat(digest));
            StorageException read = assertThrows(StorageException.class, () -> failing.open(digest, 0, 100));
            assertFalse(read instanceof io.berth.storage.BlobNotFoundException, "an outage is not a missing blob");
            RuntimeException append = assertThrows(RuntimeException.class,
                    () -> failing.append(state, new ByteArrayInputStream(bytes)));
            assertInstanceOf(StorageException.class, append);
            assertFalse(append instanceof UploadNotFoundException, "an outage is not a missing upload");
        } finally {
            doomed.close();
        }
    }

    @Test
    void cancelRemovesTailsAndThePendingMultipartUpload() throws Exception {
        byte[] bytes = randomBytes(7 * MIB, 30);
        UUID id = UUID.randomUUID();
        UploadState state = store.append(store.beginUpload(id, DigestAlgorithm.SHA256), new ByteArrayInputStream(bytes));
        assertFalse(keys(prefix).isEmpty());

        store.cancel(id);

        assertEquals(List.of(), keys(prefix));
        assertEquals(0, pendingMultipartUploads(prefix));
        assertThrows(UploadNotFoundException.class, () -> store.append(state, new ByteArrayInputStream(bytes)));
        assertThrows(UploadNotFoundException.class, () -> store.commit(state, Digest.of(DigestAlgorithm.SHA256, bytes)));
    }

    @Test
    void readsAreStreamsOfTheRequestedRange() throws Exception {
        byte[] bytes = randomBytes(300, 31);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        BlobContent content = store.open(digest, 5, 10);
        assertInstanceOf(BlobContent.Stream.class, content);
        try (InputStream in = ((BlobContent.Stream) content).input()) {
            assertArrayEquals(Arrays.copyOfRange(bytes, 5, 15), in.readAllBytes());
        }
    }
}
