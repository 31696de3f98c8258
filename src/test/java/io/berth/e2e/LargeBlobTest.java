package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A 1 GiB blob goes in and comes back out of a server whose heap is 256 MiB: bodies must be streamed.
 *
 * <p>The test streams too: the blob is a file of random bytes, sent with {@code BodyPublishers.ofFile}
 * or a bounded stream over a slice of it, and every download is hashed while it is read. The server runs
 * with {@code -Xmx256m -XX:+ExitOnOutOfMemoryError}, so holding a body in memory ends the process.
 * The file and the server's data are deleted afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LargeBlobTest {

    private static final long SIZE = 1L << 30;
    private static final long CHUNK = 64L << 20;
    private static final long HEAP = 256L << 20;
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern HEAP_MAX = Pattern.compile(
            "^jvm_memory_max_bytes\\{area=\"heap\",id=\"[^\"]*\"} ([0-9.Ee+-]+)$", Pattern.MULTILINE);

    private Path dir;
    private Path blob;
    private String digest;
    private BerthServer server;
    private HttpClient http;

    @BeforeAll
    void writeBlobAndStartServer() throws IOException {
        dir = E2e.newTestDir("large-blob");
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < 4 * SIZE) {
            E2e.unavailable("the 1 GiB test needs 4 GiB free under " + dir + ", there are " + (free >> 20) + " MiB");
        }
        blob = dir.resolve("random-1GiB.bin");
        long started = System.nanoTime();
        digest = writeRandomFile(blob, SIZE);
        report("wrote and hashed the 1 GiB file", SIZE, started);

        server = BerthServer.builder(dir.resolve("data"))
                .jvmOption("-Xmx256m")
                .jvmOption("-XX:+ExitOnOutOfMemoryError")
                .start();
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    void stopAndDelete() {
        try {
            if (http != null) {
                http.close();
            }
            if (server != null) {
                BerthServer.Shutdown shutdown = server.stop();
                assertFalse(shutdown.postgresLeftBehind(), "PostgreSQL left behind: " + shutdown);
                assertFalse(server.log().contains("java.lang.OutOfMemoryError"), "the server ran out of memory:\n"
                        + server.logTail(80));
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
        HttpResponse<String> metrics = http.send(request("/q/metrics").GET().build(), BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        Matcher matcher = HEAP_MAX.matcher(metrics.body());
        double max = 0;
        while (matcher.find()) {
            max += Math.max(0, Double.parseDouble(matcher.group(1)));
        }
        assertTrue(max > 0 && max <= HEAP, "the server's maximum heap is " + (long) max + " bytes, expected at most "
                + HEAP);
    }

    @Test
    void monolithicPostThenPutAndPull() throws Exception {
        String repository = "e2e/large-monolithic";
        URI location = startUpload(repository);

        long started = System.nanoTime();
        HttpResponse<String> put = http.send(request(withDigest(location))
                .header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofFile(blob))
                .build(), BodyHandlers.ofString());
        report("monolithic PUT", SIZE, started);
        assertEquals(201, put.statusCode(), "PUT of the whole blob: " + put.body() + "\n" + server.logTail(40));
        assertEquals(digest, put.headers().firstValue("Docker-Content-Digest").orElse(null));

        assertPullable(repository);
    }

    @Test
    void chunkedPatchesWithContentRangeAndPull() throws Exception {
        String repository = "e2e/large-chunked";
        URI location = startUpload(repository);

        long started = System.nanoTime();
        for (long offset = 0; offset < SIZE; offset += CHUNK) {
            long length = Math.min(CHUNK, SIZE - offset);
            long last = offset + length - 1;
            HttpResponse<String> patch = http.send(request(location)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + last)
                    .method("PATCH", slice(blob, offset, length))
                    .build(), BodyHandlers.ofString());
            assertEquals(202, patch.statusCode(), "PATCH " + offset + "-" + last + ": " + patch.body() + "\n"
                    + server.logTail(40));
            assertEquals("0-" + last, patch.headers().firstValue("Range").orElse(null), "Range after the chunk");
            location = location.resolve(patch.headers().firstValue("Location").orElseThrow());
        }
        HttpResponse<String> put = http.send(request(withDigest(location)).PUT(BodyPublishers.noBody()).build(),
                BodyHandlers.ofString());
        report("16 chunked PATCHes of 64 MiB and the closing PUT", SIZE, started);
        assertEquals(201, put.statusCode(), "closing PUT: " + put.body() + "\n" + server.logTail(40));
        assertEquals(digest, put.headers().firstValue("Docker-Content-Digest").orElse(null));

        assertPullable(repository);
    }

    /** HEAD, a full GET and two Range GETs of the blob in {@code repository}, each hashed as it streams in. */
    private void assertPullable(String repository) throws Exception {
        String path = "/v2/" + repository + "/blobs/" + digest;
        HttpResponse<Void> head = http.send(request(path).method("HEAD", BodyPublishers.noBody()).build(),
                BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(SIZE, head.headers().firstValueAsLong("Content-Length").orElse(-1));

        long started = System.nanoTime();
        HttpResponse<InputStream> full = http.send(request(path).GET().build(), BodyHandlers.ofInputStream());
        assertEquals(200, full.statusCode());
        assertEquals(SIZE, full.headers().firstValueAsLong("Content-Length").orElse(-1));
        Hashed whole = hash(full.body());
        report("GET of " + repository, SIZE, started);
        assertEquals(SIZE, whole.length());
        assertEquals(digest, whole.digest());

        // A range across chunk boundaries in the middle, and an open-ended one to the end.
        long first = 300L * (1 << 20) + 12_345;
        long last = first + 100L * (1 << 20) - 1;
        assertRange(path, "bytes=" + first + "-" + last, first, last);
        long tail = SIZE - 5_000_000 - 7;
        assertRange(path, "bytes=" + tail + "-", tail, SIZE - 1);
    }

    private void assertRange(String path, String range, long first, long last) throws Exception {
        HttpResponse<InputStream> partial = http.send(request(path).header("Range", range).GET().build(),
                BodyHandlers.ofInputStream());
        assertEquals(206, partial.statusCode(), "GET with Range: " + range);
        assertEquals("bytes " + first + "-" + last + "/" + SIZE, partial.headers().firstValue("Content-Range")
                .orElse(null));
        Hashed received = hash(partial.body());
        Hashed expected;
        try (InputStream local = sliceStream(blob, first, last - first + 1)) {
            expected = hash(local);
        }
        assertEquals(last - first + 1, received.length(), "length of " + range);
        assertEquals(expected.digest(), received.digest(), "content of " + range);
    }

    private URI startUpload(String repository) throws Exception {
        HttpResponse<String> post = http.send(request("/v2/" + repository + "/blobs/uploads/")
                .POST(BodyPublishers.noBody()).build(), BodyHandlers.ofString());
        assertEquals(202, post.statusCode(), "POST to start an upload: " + post.body());
        return server.baseUri().resolve(post.headers().firstValue("Location").orElseThrow(
                () -> new AssertionError("no Location in the answer to POST")));
    }

    private URI withDigest(URI location) {
        String separator = location.getRawQuery() == null ? "?" : "&";
        return URI.create(location + separator + "digest=" + digest);
    }

    private HttpRequest.Builder request(String path) {
        return request(server.baseUri().resolve(path));
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Authorization", server.adminAuthorization());
    }

    /** A body of {@code length} bytes read from the file at {@code offset}, sent with a Content-Length. */
    private static BodyPublisher slice(Path file, long offset, long length) {
        return BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> {
            try {
                return sliceStream(file, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }), length);
    }

    private static InputStream sliceStream(Path file, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(offset);
        return new FilterInputStream(Channels.newInputStream(channel)) {
            private long remaining = length;

            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    remaining--;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = super.read(buffer, off, (int) Math.min(len, remaining));
                if (n > 0) {
                    remaining -= n;
                }
                return n;
            }
        };
    }

    private record Hashed(long length, String digest) {
    }

    private static Hashed hash(InputStream in) throws IOException {
        MessageDigest sha = E2e.sha256();
        byte[] buffer = new byte[1 << 20];
        long length = 0;
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                length += n;
            }
        }
        return new Hashed(length, "sha256:" + HexFormat.of().formatHex(sha.digest()));
    }

    /** Writes {@code size} seeded random bytes to {@code file} and returns their digest. */
    private static String writeRandomFile(Path file, long size) throws IOException {
        MessageDigest sha = E2e.sha256();
        SplittableRandom random = new SplittableRandom(0xBE27L);
        byte[] buffer = new byte[4 << 20];
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                int n = (int) Math.min(buffer.length, size - written);
                random.nextBytes(buffer);
                sha.update(buffer, 0, n);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                written += n;
            }
        }
        if (Files.size(file) != size) {
            fail("wrote " + Files.size(file) + " bytes instead of " + size);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static void report(String what, long bytes, long startedNanos) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        System.out.printf("[large-blob] %s: %d MiB in %.1f s (%.0f MiB/s)%n", what, bytes >> 20, seconds,
                (bytes >> 20) / seconds);
    }
}
