package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A crash loses nothing that was acknowledged. Pushers send small tagged images to the embedded default as
 * fast as it takes them; once enough manifest PUTs have been answered {@code 201}, the JVM and the embedded
 * PostgreSQL are killed together with SIGKILL while pushes are still in flight (as an OOM kill or
 * {@code docker kill} would), the server is started again on the same data directory, and every
 * acknowledged tag must name its manifest, whose blobs must read back byte for byte. Three rounds on one
 * data directory, so recovery after a recovery is covered too.
 *
 * <p>With the commits of the embedded PostgreSQL not waiting for their WAL flush ({@code synchronous_commit=off})
 * this lost about one acknowledged push in 25.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CrashTest {

    private static final int ROUNDS = 3;
    private static final int ACKNOWLEDGED_BEFORE_KILL = 300;
    private static final int PUSHERS = 8;
    private static final String REPOSITORY = "e2e/crash";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perTest("crash");

    /** The server of the current round; the fixture stops every server the test started. */
    private BerthServer server;

    @Test
    void everyAcknowledgedPushSurvivesAKillOfBerthAndItsDatabase() throws Exception {
        server = berth.start(BerthServer.builder(berth.dir().resolve("data")));
        Map<String, Pushed> acknowledged = new ConcurrentHashMap<>();
        for (int round = 1; round <= ROUNDS; round++) {
            int before = acknowledged.size();
            pushUntilKilled(round, acknowledged);
            server = berth.start(BerthServer.Builder.like(server));

            List<String> tags = allTags();
            List<String> lost = acknowledged.keySet().stream().filter(tag -> !tags.contains(tag)).sorted().toList();
            System.out.printf("CrashTest round %d: %d pushes acknowledged before the kill, %d tags after the restart, "
                    + "%d acknowledged tags lost%n", round, acknowledged.size() - before, tags.size(), lost.size());
            assertEquals(List.of(), lost, "acknowledged tags lost by the kill in round " + round + " of "
                    + acknowledged.size());
            for (Pushed image : acknowledged.values()) {
                HttpResponse<byte[]> manifest = BerthHttp.manifest(server, REPOSITORY, image.tag());
                assertEquals(image.manifestDigest(), E2e.digestOf(manifest.body()), "manifest of " + image.tag());
                BerthHttp.blob(server, REPOSITORY, image.layerDigest());
                BerthHttp.blob(server, REPOSITORY, image.configDigest());
            }
        }
    }

    /** Returns every tag of the repository, in one page. */
    private List<String> allTags() {
        HttpResponse<byte[]> answer = BerthHttp.get(server, "/v2/" + REPOSITORY + "/tags/list?n=10000", "application/json");
        assertEquals(200, answer.statusCode(), () -> new String(answer.body(), StandardCharsets.UTF_8));
        return BerthHttp.strings(OciLayout.parse(answer.body()).path("tags"));
    }

    /**
     * Pushes images from {@link #PUSHERS} threads, kills the server with both of its processes once
     * {@link #ACKNOWLEDGED_BEFORE_KILL} more were acknowledged, and waits for the pushers to notice.
     */
    private void pushUntilKilled(int round, Map<String, Pushed> acknowledged) throws Exception {
        AtomicInteger acknowledgedThisRound = new AtomicInteger();
        AtomicInteger sequence = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pushers = Executors.newFixedThreadPool(PUSHERS);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int p = 0; p < PUSHERS; p++) {
            pushers.submit(() -> {
                SplittableRandom random = new SplittableRandom();
                while (!killed.get()) {
                    String tag = "r" + round + "-" + sequence.incrementAndGet();
                    try {
                        acknowledged.put(tag, push(http, tag, random));
                        acknowledgedThisRound.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        // After the kill a push fails as a client's would: that one was never acknowledged.
                        if (!killed.get()) {
                            failures.add(e);
                        }
                        return;
                    }
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (acknowledgedThisRound.get() < ACKNOWLEDGED_BEFORE_KILL && failures.isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        killed.set(true);
        server.kill();
        pushers.shutdown();
        assertTrue(pushers.awaitTermination(1, TimeUnit.MINUTES), "the pushers did not stop after the kill");
        http.close();
        assertEquals(List.of(), failures, "pushes failed before the kill:\n" + server.logTail(40));
        assertTrue(acknowledgedThisRound.get() >= ACKNOWLEDGED_BEFORE_KILL, "only " + acknowledgedThisRound.get()
                + " pushes acknowledged in 3 minutes");
    }

    /**
     * Pushes one image (a unique 1 KiB layer, its config, an OCI manifest) as {@code tag}, each blob with a
     * monolithic {@code POST ?digest=}; returns it once the manifest PUT was answered {@code 201}.
     */
    private Pushed push(HttpClient http, String tag, SplittableRandom random) throws IOException, InterruptedException {
        byte[] layer = new byte[1024];
        random.nextBytes(layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        String layerDigest = uploadBlob(http, layer);
        String configDigest = uploadBlob(http, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> put = http.send(request("/v2/" + REPOSITORY + "/manifests/" + tag)
                .header("Content-Type", OCI_MANIFEST)
                .PUT(BodyPublishers.ofByteArray(manifest)).build(), BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), () -> "PUT manifest " + tag + ": " + put.body());
        return new Pushed(tag, E2e.digestOf(manifest), layerDigest, configDigest);
    }

    private String uploadBlob(HttpClient http, byte[] content) throws IOException, InterruptedException {
        String digest = E2e.digestOf(content);
        HttpResponse<String> answer = http.send(request("/v2/" + REPOSITORY + "/blobs/uploads/?digest=" + digest)
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(content)).build(), BodyHandlers.ofString());
        assertEquals(201, answer.statusCode(), () -> "POST blob " + digest + ": " + answer.body());
        return digest;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("Authorization", server.adminAuthorization())
                .timeout(Duration.ofSeconds(30));
    }

    /** An image whose manifest PUT was acknowledged. */
    private record Pushed(String tag, String manifestDigest, String layerDigest, String configDigest) {
    }
}
