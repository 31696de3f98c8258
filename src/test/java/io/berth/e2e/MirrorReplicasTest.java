package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Single flight across replicas: two Berth replicas on one PostgreSQL and one S3 mirror an upstream
 * Berth, and 20 concurrent pulls of one uncached 100 MiB layer, half through each replica, cause one
 * transfer of it from the upstream (its sent-bytes counter grows by the layer's size, once), while
 * every pull gets the whole layer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MirrorReplicasTest {

    private static final int LAYER_SIZE = 100 * 1024 * 1024;
    private static final int PULLS = 20;

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("mirror-replicas");

    private BerthServer hub;
    private BerthServer a;
    private BerthServer b;

    @BeforeAll
    void start() {
        hub = berth.start(BerthServer.builder(berth.dir().resolve("hub")));
        S3Replicas replicas = berth.closing(S3Replicas.start(berth.dir()));
        String[] mirror = {
            "-Dberth.mirror.upstreams.hub.url=" + hub.baseUri(),
            "-Dberth.mirror.upstreams.hub.namespace=hub",
            "-Dberth.mirror.upstreams.hub.anonymous-pull=true",
            "-Dberth.mirror.upstreams.hub.username=" + hub.adminUser(),
            "-Dberth.mirror.upstreams.hub.password=" + hub.adminPassword()};
        a = replicas.startReplica("replica-a", mirror);
        b = replicas.startReplica("replica-b", mirror);
    }

    @Test
    void twentyPullsThroughTwoReplicasFetchAnUncachedLayerOnce() throws Exception {
        byte[] layer = new byte[LAYER_SIZE];
        new Random(22).nextBytes(layer);
        String digest = E2e.digestOf(layer);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(
                        URI.create(hub.baseUri() + "/v2/library/big/blobs/uploads/?digest=" + digest))
                .header("Authorization", hub.adminAuthorization())
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(layer)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, pushed.statusCode(), pushed.body());
        double sentBefore = BerthMetrics.scrape(hub).sum("berth_blob_sent_bytes_total");

        ExecutorService pool = Executors.newFixedThreadPool(PULLS);
        try {
            List<Future<String>> pulls = new ArrayList<>();
            for (int i = 0; i < PULLS; i++) {
                BerthServer replica = i % 2 == 0 ? a : b;
                pulls.add(pool.submit(() -> pulledDigest(http, replica, "/v2/hub/library/big/blobs/" + digest)));
            }
            for (Future<String> pull : pulls) {
                assertEquals(digest, pull.get());
            }
        } finally {
            pool.shutdownNow();
        }

        double sent = BerthMetrics.scrape(hub).sum("berth_blob_sent_bytes_total") - sentBefore;
        assertEquals(LAYER_SIZE, sent, "the upstream sent the layer once for " + PULLS + " pulls on two replicas");
    }

    /** Pulls a blob, hashing it as it arrives, and returns its digest. */
    private static String pulledDigest(HttpClient http, BerthServer replica, String path) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(replica.baseUri() + path))
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode(), path + " on " + replica.registry());
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        try (InputStream body = response.body()) {
            for (int read; (read = body.read(buffer)) >= 0; ) {
                sha256.update(buffer, 0, read);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
