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
 * A 1 GiB blob goes in and comes back out of a server whose heap is 256 MiB: bodies must be streamed.
 *
 * <p>The test streams too ({@link LargeBlobClient}). The server runs with
 * {@code -Xmx256m -XX:+ExitOnOutOfMemoryError}, so holding a body in memory ends the process.
 * The file and the server's data are deleted afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LargeBlobTest {

    private static final long SIZE = 1L << 30;
    private static final long CHUNK = 64L << 20;

    private Path dir;
    private Path blob;
    private String digest;
    private BerthServer server;
    private LargeBlobClient client;

    @BeforeAll
    void writeBlobAndStartServer() throws IOException {
        dir = E2e.newTestDir("large-blob");
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < 4 * SIZE) {
            E2e.unavailable("the 1 GiB test needs 4 GiB free under " + dir + ", there are " + (free >> 20) + " MiB");
        }
        blob = dir.resolve("random-1GiB.bin");
        long started = System.nanoTime();
        digest = LargeBlobClient.writeRandomFile(blob, SIZE, 0xBE27L);
        LargeBlobClient.report("large-blob", "wrote and hashed the 1 GiB file", SIZE, started);

        BerthServer.Builder builder = BerthServer.builder(dir.resolve("data"));
        LargeBlobClient.SMALL_HEAP_OPTIONS.forEach(builder::jvmOption);
        server = builder.start();
        client = new LargeBlobClient(server, "large-blob");
    }

    @AfterAll
    void stopAndDelete() {
        try {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                BerthServer.Shutdown shutdown = server.stop();
                assertFalse(shutdown.postgresLeftBehind(), "PostgreSQL left behind: " + shutdown);
                LargeBlobClient.assertDidNotRunOutOfMemory(server);
            }
        } finally {
            // 1 GiB of random data and 1 GiB in the blob store: never kept, even with berth.e2e.keep.
            if (dir != null) {
                E2e.deleteTree(dir.resolve("random-1GiB.bin"));
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
        client.pushWithPut("e2e/large-monolithic", blob, digest);
        client.assertPullable("e2e/large-monolithic", blob, digest);
    }

    @Test
    void chunkedPatchesWithContentRangeAndPull() throws Exception {
        client.pushChunked("e2e/large-chunked", blob, digest, CHUNK);
        client.assertPullable("e2e/large-chunked", blob, digest);
    }
}
