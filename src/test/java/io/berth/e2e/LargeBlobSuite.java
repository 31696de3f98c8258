package io.berth.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A 1 GiB blob goes in and comes back out of a server whose heap is 256 MiB: bodies must be streamed. It goes
 * in with one PUT, with one POST and in chunks (PATCHes with Content-Range), and comes back out whole and in
 * ranges. One subclass per blob store names its {@link LargeBlobStore}, as the server's API suites have one per
 * storage profile: {@link FilesystemLargeBlobTest}, {@link S3LargeBlobTest}.
 *
 * <p>The test streams too ({@link LargeBlobClient}). The server runs with
 * {@code -Xmx256m -XX:+ExitOnOutOfMemoryError}, so holding a body in memory ends the process. The two 1 GiB
 * files and the stored blobs are deleted afterwards, even with {@code berth.e2e.keep}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LargeBlobSuite {

    private static final long SIZE = 1L << 30;

    private final LargeBlobStore store;
    private Path dir;
    private Path blob;
    private String digest;
    private Path otherBlob;
    private String otherDigest;
    private BerthServer server;
    private LargeBlobClient client;

    LargeBlobSuite(LargeBlobStore store) {
        this.store = store;
    }

    @BeforeAll
    void writeBlobsAndStartServer() throws IOException {
        dir = E2e.newTestDir(store.name);
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < 8 * SIZE) {
            E2e.unavailable("the 1 GiB tests need 8 GiB free under " + dir + ", there are " + (free >> 20) + " MiB");
        }
        blob = dir.resolve("random-1GiB.bin");
        long started = System.nanoTime();
        digest = LargeBlobClient.writeRandomFile(blob, SIZE, 0xBE27L);
        otherBlob = dir.resolve("other-1GiB.bin");
        otherDigest = LargeBlobClient.writeRandomFile(otherBlob, SIZE, 0x53L);
        LargeBlobClient.report(store.name, "wrote and hashed two 1 GiB files", 2 * SIZE, started);

        server = store.start(dir, LargeBlobClient.SMALL_HEAP_OPTIONS);
        client = new LargeBlobClient(server, store.name);
    }

    @AfterAll
    void stopAndDelete() {
        try {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                store.assertStopped(server.stop());
                LargeBlobClient.assertDidNotRunOutOfMemory(server);
            }
        } finally {
            store.close();
            // 2 GiB of random data and 2 GiB in the blob store: never kept, even with berth.e2e.keep.
            if (dir != null) {
                E2e.deleteTree(blob);
                E2e.deleteTree(otherBlob);
                E2e.deleteTree(dir.resolve("data").resolve("blobs"));
                if (!E2e.keep()) {
                    E2e.deleteTree(dir);
                }
            }
        }
    }

    @Test
    void serverRunsWithA256MiBHeap() throws Exception {
        client.assertSmallHeap();
    }

    @Test
    void monolithicPostThenPutAndPull() throws Exception {
        client.pushWithPut("e2e/large-monolithic", otherBlob, otherDigest);
        client.assertPullable("e2e/large-monolithic", otherBlob, otherDigest);
    }

    @Test
    void monolithicPostWithDigestAndPull() throws Exception {
        client.pushWithPost("e2e/large-post", otherBlob, otherDigest);
        client.assertPullable("e2e/large-post", otherBlob, otherDigest);
    }

    @Test
    void chunkedPatchesWithContentRangeAndPull() throws Exception {
        client.pushChunked("e2e/large-chunked", blob, digest, store.chunk);
        client.assertPullable("e2e/large-chunked", blob, digest);
    }
}
