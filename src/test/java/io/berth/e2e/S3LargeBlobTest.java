package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LargeBlobTest} on the S3 store: a 1 GiB blob goes into S3 (s3proxy) through a server whose heap
 * is 256 MiB, in 10 MiB chunks (S3 parts, with tails under the 5 MiB minimum carried between requests),
 * with one PUT, and with one POST, and comes back out whole and in ranges.
 *
 * <p>The server runs with {@code -Xmx256m -XX:+ExitOnOutOfMemoryError} against an external PostgreSQL
 * and s3proxy ({@link S3Replicas} with one replica), so holding a body in memory ends the process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class S3LargeBlobTest {

    private static final long SIZE = 1L << 30;
    private static final long CHUNK = 10L << 20;

    private Path dir;
    private Path blob;
    private String digest;
    private Path otherBlob;
    private String otherDigest;
    private S3Replicas replicas;
    private BerthServer server;
    private LargeBlobClient client;

    @BeforeAll
    void writeBlobsAndStartServer() throws IOException {
        dir = E2e.newTestDir("s3-large-blob");
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < 8 * SIZE) {
            E2e.unavailable("the 1 GiB S3 test needs 8 GiB free under " + dir + ", there are " + (free >> 20) + " MiB");
        }
        blob = dir.resolve("random-1GiB.bin");
        long started = System.nanoTime();
        digest = LargeBlobClient.writeRandomFile(blob, SIZE, 0xBE27L);
        otherBlob = dir.resolve("other-1GiB.bin");
        otherDigest = LargeBlobClient.writeRandomFile(otherBlob, SIZE, 0x53L);
        LargeBlobClient.report("s3-large-blob", "wrote and hashed two 1 GiB files", 2 * SIZE, started);

        replicas = S3Replicas.start(dir);
        server = replicas.startReplica("data", LargeBlobClient.SMALL_HEAP_OPTIONS.toArray(String[]::new));
        client = new LargeBlobClient(server, "s3-large-blob");
    }

    @AfterAll
    void stopAndDelete() {
        try {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                BerthServer.Shutdown shutdown = server.stop();
                assertFalse(shutdown.forced(), "the server did not stop: " + shutdown);
                LargeBlobClient.assertDidNotRunOutOfMemory(server);
            }
        } finally {
            if (replicas != null) {
                replicas.close();
            }
            // 2 GiB of random data and what s3proxy stored: never kept, even with berth.e2e.keep.
            if (dir != null) {
                E2e.deleteTree(dir);
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
        client.pushChunked("e2e/large-chunked", blob, digest, CHUNK);
        client.assertPullable("e2e/large-chunked", blob, digest);
    }
}
