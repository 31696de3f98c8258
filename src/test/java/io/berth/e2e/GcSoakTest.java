package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The garbage collector under load, bounded: two replicas on one PostgreSQL and one s3proxy; one runs the
 * collector every second with a grace period of three seconds, both take pushes (images with shared and
 * unique layers, re-tagging, deletes by digest) and pulls, for {@code -Dberth.soak.duration} (ISO-8601,
 * default two minutes). It asserts what the collector must never break: every push that completed
 * pulls back byte for byte until the test deletes it, no client ever sees a blob or a manifest's blob
 * go missing, and once the load stops and the grace period has passed the consistency check finds
 * nothing and the store holds exactly the blobs the remaining manifests reference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.HOURS)
class GcSoakTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final int PUSHERS = 4;
    private static final int PULLERS = 2;

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("gc-soak");

    private S3Replicas replicas;
    private List<BerthServer> servers;
    private BerthServer collector;

    /** A pushed blob: its digest and bytes. */
    private record Blob(String digest, byte[] bytes) {
    }

    /** A completed push: the manifest's digest and bytes, and its blobs. */
    private record Image(String repository, String digest, byte[] manifest, List<Blob> blobs) {
    }

    private final Map<String, Image> live = new ConcurrentHashMap<>();
    private final Set<String> deleting = ConcurrentHashMap.newKeySet();
    /** Images the test deleted, whose layers later pushes reuse: garbage a client may still see and reference. */
    private final ConcurrentLinkedQueue<Image> deleted = new ConcurrentLinkedQueue<>();
    private final AtomicLong reused = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong pulls = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();
    private final AtomicLong uploads = new AtomicLong();

    @BeforeAll
    void start() {
        replicas = berth.closing(S3Replicas.start(berth.dir()));
        collector = replicas.startReplica("collector", "-Dberth.gc.enabled=true", "-Dberth.gc.interval=1s",
                "-Dberth.gc.grace=PT3S", "-Dberth.gc.orphan-scan-interval=PT1H");
        BerthServer other = replicas.startReplica("pusher", "-Dberth.gc.enabled=false", "-Dberth.gc.grace=PT3S");
        servers = List.of(collector, other);
    }

    @Test
    void theCollectorNeverTakesWhatACompletedPushNeeds() throws Exception {
        Duration duration = Duration.parse(System.getProperty("berth.soak.duration", "PT2M"));
        List<Blob> shared = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shared.add(blob(16 * 1024 + i * 8 * 1024));
        }
        Instant end = Instant.now().plus(duration);
        ExecutorService workers = Executors.newFixedThreadPool(PUSHERS + PULLERS);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < PUSHERS; i++) {
            int pusher = i;
            running.add(workers.submit(() -> push(pusher, shared, end)));
        }
        for (int i = 0; i < PULLERS; i++) {
            running.add(workers.submit(() -> pull(end)));
        }
        for (Future<?> worker : running) {
            worker.get(duration.toSeconds() + 600, TimeUnit.SECONDS);
        }
        workers.shutdown();

        // The load has stopped: after the grace period and a few runs, only what the manifests reference is left.
        // Only the first run walked the store and looked at every row (the orphan scan is due hourly): what
        // is checked here is what the incremental runs, which look only at what changed, left behind.
        Thread.sleep(GRACE.multipliedBy(4).toMillis());
        awaitIncrementalRun();
        List<String> afterLoad = new ArrayList<>();
        for (Image image : live.values()) {
            check(image, "after the load", afterLoad);
        }
        failures.addAll(afterLoad);
        JsonNode fsck = json(replicas.send(replicas.request(collector, "/api/v1/fsck")
                .POST(HttpRequest.BodyPublishers.noBody()).build()));
        Set<String> referenced = ConcurrentHashMap.newKeySet();
        live.values().forEach(image -> image.blobs().forEach(blob -> referenced.add(blob.digest())));
        JsonNode runs = json(replicas.send(replicas.request(collector, "/api/v1/gc/runs?limit=1000").GET().build()));
        long freed = 0;
        long fullPasses = 0;
        for (JsonNode run : runs) {
            freed += run.path("kinds").path("BLOB").path("items").asLong();
            fullPasses += run.path("fullPass").asBoolean() ? 1 : 0;
        }
        System.out.printf("[gc-soak] %s: %d pushes (%d blob uploads, %d reusing a deleted image's layer), %d pulls, %d deletes,"
                + " %d GC runs (%d full), %d blobs freed, %d images left referencing %d blobs, %d failures%n", duration,
                pushes.get(), uploads.get(), reused.get(), pulls.get(), deletes.get(), runs.size(), fullPasses, freed, live.size(),
                referenced.size(), failures.size());

        assertTrue(failures.isEmpty(), failures.size() + " failures, the first: "
                + failures.stream().limit(10).toList() + "\n" + replicas.logs());
        assertTrue(pushes.get() > 20 && deletes.get() > 0 && freed > 0,
                "the soak pushed, deleted and collected: " + pushes + " pushes, " + deletes + " deletes, " + freed + " freed");
        // (at most one: a long soak lists only its last 1,000 runs)
        assertTrue(fullPasses <= 1, fullPasses + " runs looked at every row; only the first should have");
        assertTrue(fsck.path("consistent").asBoolean(), fsck.toString());
        assertEquals(0, fsck.path("bytesWithoutRows").asLong(), "no orphan is left: " + fsck);
        assertEquals(referenced.size(), fsck.path("blobRows").asLong(), "only referenced blobs keep rows: " + fsck);
        assertEquals(referenced.size(), fsck.path("storedObjects").asLong(), "the store holds exactly those: " + fsck);
    }

    /** Pushes images as a client does (HEAD each blob, upload the missing ones, PUT the manifest) and deletes some. */
    private void push(int pusher, List<Blob> shared, Instant end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (Instant.now().isBefore(end) && failures.size() < 20) {
            String repository = "soak/r" + random.nextInt(3);
            BerthServer server = servers.get(random.nextInt(servers.size()));
            if (random.nextInt(10) == 0 && !live.isEmpty()) {
                delete(server, random);
                continue;
            }
            List<Blob> blobs = new ArrayList<>();
            blobs.add(withDigest(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"pusher\":" + pusher + ",\"n\":"
                    + random.nextLong() + "}").getBytes(StandardCharsets.UTF_8)));
            blobs.add(shared.get(random.nextInt(shared.size())));
            Image earlier = random.nextInt(4) == 0 ? deleted.poll() : null;
            if (earlier != null) {
                // The layer of a deleted image: unreferenced, maybe old, maybe collected already. A client that
                // finds it by HEAD and references it must succeed (the client's window), or else upload it.
                repository = earlier.repository();
                blobs.add(earlier.blobs().get(2));
                reused.incrementAndGet();
            } else {
                blobs.add(blob(1024 + random.nextInt(32 * 1024)));
            }
            for (Blob blob : blobs) {
                String path = "/v2/" + repository + "/blobs/" + blob.digest();
                int head = replicas.send(replicas.request(server, path).method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build()).statusCode();
                if (head == 404) {
                    HttpResponse<String> put = replicas.send(replicas.request(server, "/v2/" + repository
                            + "/blobs/uploads/?digest=" + blob.digest()).header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(blob.bytes())).build());
                    uploads.incrementAndGet();
                    if (put.statusCode() != 201) {
                        failures.add("upload of " + blob.digest() + " to " + server.registry() + ": " + put.statusCode() + " "
                                + put.body());
                    }
                } else if (head != 200) {
                    failures.add("HEAD " + path + " on " + server.registry() + ": " + head);
                }
            }
            byte[] manifest = manifest(blobs);
            String digest = sha256(manifest);
            String tag = "t" + random.nextInt(6);
            HttpResponse<String> put = replicas.send(replicas.request(server, "/v2/" + repository + "/manifests/" + tag)
                    .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build());
            if (put.statusCode() == 201) {
                pushes.incrementAndGet();
                live.put(digest, new Image(repository, digest, manifest, List.copyOf(blobs)));
            } else {
                // MANIFEST_BLOB_UNKNOWN here would be the collector taking a blob the client just saw.
                failures.add("manifest PUT to " + server.registry() + "/" + repository + ":" + tag + ": " + put.statusCode()
                        + " " + put.body());
            }
        }
    }

    private void delete(BerthServer server, ThreadLocalRandom random) {
        List<Image> images = new ArrayList<>(live.values());
        Image image = images.get(random.nextInt(images.size()));
        if (!deleting.add(image.digest())) {
            return;
        }
        live.remove(image.digest());
        HttpResponse<String> answer = replicas.send(replicas.request(server, "/v2/" + image.repository() + "/manifests/"
                + image.digest()).DELETE().build());
        if (answer.statusCode() == 202) {
            deletes.incrementAndGet();
            deleted.add(image);
        } else {
            failures.add("DELETE of " + image.digest() + ": " + answer.statusCode() + " " + answer.body());
        }
    }

    /** Pulls completed images from either replica and checks them byte for byte. */
    private void pull(Instant end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (Instant.now().isBefore(end) && failures.size() < 20) {
            List<Image> images = new ArrayList<>(live.values());
            if (images.isEmpty()) {
                sleep(50);
                continue;
            }
            List<String> found = new ArrayList<>();
            Image image = images.get(random.nextInt(images.size()));
            check(image, "during the load", found);
            // A failure for an image the test has started deleting meanwhile is no failure.
            if (!deleting.contains(image.digest())) {
                failures.addAll(found);
            }
            pulls.incrementAndGet();
        }
    }

    private void check(Image image, String when, List<String> found) {
        BerthServer server = servers.get(ThreadLocalRandom.current().nextInt(servers.size()));
        HttpResponse<byte[]> manifest = bytes(replicas.request(server, "/v2/" + image.repository() + "/manifests/"
                + image.digest()).header("Accept", OCI_MANIFEST).GET().build());
        if (manifest.statusCode() != 200 || !Arrays.equals(image.manifest(), manifest.body())) {
            found.add(when + ": manifest " + image.repository() + "@" + image.digest() + " on " + server.registry() + ": "
                    + manifest.statusCode());
            return;
        }
        for (Blob blob : image.blobs()) {
            HttpResponse<byte[]> got = bytes(replicas.request(server, "/v2/" + image.repository() + "/blobs/"
                    + blob.digest()).GET().build());
            if (got.statusCode() != 200 || !Arrays.equals(blob.bytes(), got.body())) {
                found.add(when + ": blob " + blob.digest() + " of " + image.repository() + "@" + image.digest() + " on "
                        + server.registry() + ": " + got.statusCode() + " " + new String(got.body(), StandardCharsets.UTF_8));
            }
        }
    }

    /** Waits until an incremental run (not a full pass) that started from now on has finished. */
    private void awaitIncrementalRun() throws InterruptedException {
        Instant since = Instant.now();
        Instant deadline = since.plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode run : json(replicas.send(replicas.request(collector, "/api/v1/gc/runs?limit=20").GET().build()))) {
                if (!run.path("fullPass").asBoolean() && "finished".equals(run.path("status").asText())
                        && Instant.parse(run.path("startedAt").asText()).isAfter(since)) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no incremental run finished within 2 minutes of the load stopping\n" + replicas.logs());
    }

    private static byte[] manifest(List<Blob> blobs) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", blobs.get(0)));
        manifest.put("layers", blobs.subList(1, blobs.size()).stream()
                .map(blob -> descriptor("application/vnd.oci.image.layer.v1.tar", blob)).toList());
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> descriptor(String mediaType, Blob blob) {
        return Map.of("mediaType", mediaType, "digest", blob.digest(), "size", blob.bytes().length);
    }

    private static Blob blob(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return withDigest(bytes);
    }

    private static Blob withDigest(byte[] bytes) {
        return new Blob(sha256(bytes), bytes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<byte[]> bytes(HttpRequest request) {
        try {
            return replicas.http().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException(answer.statusCode() + " " + answer.body(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
