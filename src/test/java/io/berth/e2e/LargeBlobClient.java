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
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pushes and pulls blobs of a gigabyte against one server without holding them in memory: bodies are
 * sent from files (whole, or a bounded stream over a slice) and every download is hashed while it is
 * read. Shared by the large-blob tests of each blob store.
 */
final class LargeBlobClient implements AutoCloseable {

    /** The heap the large-blob servers run with: far less than one blob. */
    static final long SERVER_HEAP = 256L << 20;
    /** The JVM options that give a server that heap and end it on the first OutOfMemoryError. */
    static final List<String> SMALL_HEAP_OPTIONS = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern HEAP_MAX = Pattern.compile(
            "^jvm_memory_max_bytes\\{area=\"heap\",id=\"[^\"]*\"} ([0-9.Ee+-]+)$", Pattern.MULTILINE);

    private final BerthServer server;
    private final String tag;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** @param tag names the test in the throughput lines printed to the build log */
    LargeBlobClient(BerthServer server, String tag) {
        this.server = server;
        this.tag = tag;
    }

    /** Asserts that the server's maximum heap is at most {@link #SERVER_HEAP}. */
    void assertSmallHeap() throws Exception {
        long max = maxHeapBytes();
        assertTrue(max > 0 && max <= SERVER_HEAP, "the server's maximum heap is " + max + " bytes, expected at most "
                + SERVER_HEAP);
    }

    /** Asserts that the server's log holds no OutOfMemoryError. */
    static void assertDidNotRunOutOfMemory(BerthServer server) {
        assertFalse(server.log().contains("java.lang.OutOfMemoryError"), "the server ran out of memory:\n"
                + server.logTail(80));
    }

    /** The server's maximum heap as its Prometheus metrics report it, summed over the heap pools. */
    private long maxHeapBytes() throws Exception {
        HttpResponse<String> metrics = http.send(request("/q/metrics").GET().build(), BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        Matcher matcher = HEAP_MAX.matcher(metrics.body());
        double max = 0;
        while (matcher.find()) {
            max += Math.max(0, Double.parseDouble(matcher.group(1)));
        }
        return (long) max;
    }

    /** POST then one PUT with the whole file and {@code ?digest=}. */
    void pushWithPut(String repository, Path file, String digest) throws Exception {
        URI location = startUpload(repository);
        long started = System.nanoTime();
        HttpResponse<String> put = http.send(request(withDigest(location, digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofFile(file))
                .build(), BodyHandlers.ofString());
        report("monolithic PUT", Files.size(file), started);
        assertEquals(201, put.statusCode(), "PUT of the whole blob: " + put.body() + "\n" + server.logTail(40));
        assertEquals(digest, put.headers().firstValue("Docker-Content-Digest").orElse(null));
    }

    /** One POST {@code ?digest=} with the whole file. */
    void pushWithPost(String repository, Path file, String digest) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> post = http.send(request("/v2/" + repository + "/blobs/uploads/?digest=" + digest)
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofFile(file))
                .build(), BodyHandlers.ofString());
        report("monolithic POST ?digest=", Files.size(file), started);
        assertEquals(201, post.statusCode(), "POST of the whole blob: " + post.body() + "\n" + server.logTail(40));
        assertEquals(digest, post.headers().firstValue("Docker-Content-Digest").orElse(null));
    }

    /** POST, PATCHes of {@code chunk} bytes with Content-Range, and a closing PUT without a body. */
    void pushChunked(String repository, Path file, String digest, long chunk) throws Exception {
        long size = Files.size(file);
        URI location = startUpload(repository);
        long started = System.nanoTime();
        int patches = 0;
        for (long offset = 0; offset < size; offset += chunk) {
            long length = Math.min(chunk, size - offset);
            long last = offset + length - 1;
            HttpResponse<String> patch = http.send(request(location)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + last)
                    .method("PATCH", slice(file, offset, length))
                    .build(), BodyHandlers.ofString());
            assertEquals(202, patch.statusCode(), "PATCH " + offset + "-" + last + ": " + patch.body() + "\n"
                    + server.logTail(40));
            assertEquals("0-" + last, patch.headers().firstValue("Range").orElse(null), "Range after the chunk");
            location = location.resolve(patch.headers().firstValue("Location").orElseThrow());
            patches++;
        }
        HttpResponse<String> put = http.send(request(withDigest(location, digest)).PUT(BodyPublishers.noBody()).build(),
                BodyHandlers.ofString());
        report(patches + " chunked PATCHes of " + (chunk >> 20) + " MiB and the closing PUT", size, started);
        assertEquals(201, put.statusCode(), "closing PUT: " + put.body() + "\n" + server.logTail(40));
        assertEquals(digest, put.headers().firstValue("Docker-Content-Digest").orElse(null));
    }

    /** HEAD, a full GET and two Range GETs of the blob in {@code repository}, each hashed as it streams in. */
    void assertPullable(String repository, Path file, String digest) throws Exception {
        long size = Files.size(file);
        String path = "/v2/" + repository + "/blobs/" + digest;
        HttpResponse<Void> head = http.send(request(path).method("HEAD", BodyPublishers.noBody()).build(),
                BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(size, head.headers().firstValueAsLong("Content-Length").orElse(-1));

        long started = System.nanoTime();
        HttpResponse<InputStream> full = http.send(request(path).GET().build(), BodyHandlers.ofInputStream());
        assertEquals(200, full.statusCode());
        assertEquals(size, full.headers().firstValueAsLong("Content-Length").orElse(-1));
        Hashed whole = hash(full.body());
        report("GET of " + repository, size, started);
        assertEquals(size, whole.length());
        assertEquals(digest, whole.digest());

        // A range across chunk boundaries in the middle, and an open-ended one to the end.
        long first = 300L * (1 << 20) + 12_345;
        long last = first + 100L * (1 << 20) - 1;
        assertRange(path, file, "bytes=" + first + "-" + last, first, last);
        long tail = size - 5_000_000 - 7;
        assertRange(path, file, "bytes=" + tail + "-", tail, size - 1);
    }

    private void assertRange(String path, Path file, String range, long first, long last) throws Exception {
        long size = Files.size(file);
        HttpResponse<InputStream> partial = http.send(request(path).header("Range", range).GET().build(),
                BodyHandlers.ofInputStream());
        assertEquals(206, partial.statusCode(), "GET with Range: " + range);
        assertEquals("bytes " + first + "-" + last + "/" + size, partial.headers().firstValue("Content-Range")
                .orElse(null));
        Hashed received = hash(partial.body());
        Hashed expected;
        try (InputStream local = sliceStream(file, first, last - first + 1)) {
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

    private static URI withDigest(URI location, String digest) {
        String separator = location.getRawQuery() == null ? "?" : "&";
        return URI.create(location + separator + "digest=" + digest);
    }

    private HttpRequest.Builder request(String path) {
        return request(server.baseUri().resolve(path));
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Authorization", server.adminAuthorization());
    }

    @Override
    public void close() {
        http.close();
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

    /** Writes {@code size} bytes of random data seeded by {@code seed} to {@code file}; returns their digest. */
    static String writeRandomFile(Path file, long size, long seed) throws IOException {
        MessageDigest sha = E2e.sha256();
        SplittableRandom random = new SplittableRandom(seed);
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

    void report(String what, long bytes, long startedNanos) {
        report(tag, what, bytes, startedNanos);
    }

    static void report(String tag, String what, long bytes, long startedNanos) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        System.out.printf("[%s] %s: %d MiB in %.1f s (%.0f MiB/s)%n", tag, what, bytes >> 20, seconds,
                (bytes >> 20) / seconds);
    }
}
