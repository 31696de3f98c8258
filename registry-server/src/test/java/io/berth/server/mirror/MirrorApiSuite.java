package io.berth.server.mirror;

import static io.berth.server.api.RegistryClient.anonymous;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.OciContent;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.testing.FaultProxy;
import io.berth.server.testing.FaultProxy.Mode;
import io.berth.server.testing.GcRuns;
import io.berth.server.testing.Sql;
import io.berth.server.testing.TestAccounts;
import io.berth.server.testing.UpstreamTestResource;
import io.agroal.api.AgroalDataSource;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pull-through cache against real upstreams (CNCF distribution 2.8.2, one anonymous behind a
 * {@link FaultProxy}, one with Basic auth): caching, the default upstream's bare names, read-only
 * namespaces, sparse indexes, tag freshness, single flight, and every upstream fault the issue names.
 * Runs on both blob stores.
 */
abstract class MirrorApiSuite {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final UpstreamPush upstream = new UpstreamPush(UpstreamTestResource.open(), Optional.empty());
    private final FaultProxy proxy = UpstreamTestResource.proxy();

    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void upstreamBackToNormal() {
        proxy.mode(Mode.PASS);
    }

    private static String name(String purpose) {
        return "library/" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aPulledImageIsCachedAndServedWhileTheUpstreamIsDown() throws Exception {
        String repository = name("cached");
        Blob layer = OciContent.randomBlob(3 * 1024 * 1024 + 11);
        Manifest manifest = upstream.image(repository, "v1", layer);

        byte[] pulled = anonymous().accept(OciContent.OCI_MANIFEST).get("/v2/dist/" + repository + "/manifests/v1")
                .then().statusCode(200).header("Docker-Content-Digest", manifest.digest()).extract().asByteArray();
        assertArrayEquals(manifest.bytes(), pulled);
        assertArrayEquals(layer.bytes(), get("/v2/dist/" + repository + "/blobs/" + layer.digest()).body());
        assertEquals(1, proxy.count("GET", "/blobs/" + layer.digest()));

        proxy.mode(Mode.DOWN);
        Thread.sleep(1200); // past the tag freshness of 1 s: the tag is checked, and the check fails
        assertArrayEquals(layer.bytes(), get("/v2/dist/" + repository + "/blobs/" + layer.digest()).body());
        anonymous().get("/v2/dist/" + repository + "/manifests/" + manifest.digest()).then().statusCode(200);
        anonymous().get("/v2/dist/" + repository + "/manifests/v1").then().statusCode(200)
                .header("Docker-Content-Digest", manifest.digest());
        assertEquals(1, proxy.count("GET", "/blobs/" + layer.digest()), "the cached blob is never fetched again");

        List<String> catalog = request().get("/v2/_catalog?n=10000").then().statusCode(200)
                .extract().jsonPath().getList("repositories", String.class);
        assertTrue(catalog.contains("dist/" + repository), catalog.toString());
        assertTrue(metric("berth_mirror_requests_total", "result=\"stale\"") >= 1, "stale serves are counted");
    }

    @Test
    void theDefaultUpstreamServesBareNamesAndAOneComponentNameIsALibraryImage() {
        String repository = name("bare");
        Manifest manifest = upstream.image(repository, "latest", OciContent.randomBlob(1000));
        String bare = repository.substring("library/".length());

        anonymous().get("/v2/" + repository + "/manifests/latest").then().statusCode(200)
                .header("Docker-Content-Digest", manifest.digest());
        anonymous().get("/v2/" + bare + "/manifests/latest").then().statusCode(200)
                .header("Docker-Content-Digest", manifest.digest());
        anonymous().get("/v2/dist/" + bare + "/manifests/latest").then().statusCode(200)
                .header("Docker-Content-Digest", manifest.digest());
        // The bare names share the default upstream's cache: one fetch of the tag for both.
        assertEquals(1, proxy.count("GET", "/v2/" + repository + "/manifests/latest"));

        // A name pushed here is local, and never asked upstream.
        String local = "local-" + UUID.randomUUID().toString().substring(0, 8);
        io.berth.server.api.RegistryClient.pushImage(local, "v1");
        request().get("/v2/" + local + "/manifests/v1").then().statusCode(200);
        assertEquals(0, proxy.count("GET", "/v2/library/" + local + "/"));
    }

    @Test
    void aMirrorNamespaceRefusesPushes() {
        fails(request().post("/v2/dist/library/anything/blobs/uploads/"), 403, "DENIED");
        fails(request().contentType(OciContent.OCI_MANIFEST).body("{}").put("/v2/dist/library/anything/manifests/v1"),
                403, "DENIED");
    }

    @Test
    void anIndexIsCachedAtOnceAndItsPlatformsAsTheyArePulled() {
        String repository = name("multi");
        Manifest amd = upstream.image(repository, "amd", OciContent.randomBlob(500));
        Manifest arm = upstream.image(repository, "arm", OciContent.randomBlob(600));
        Manifest index = OciContent.manifest(OciContent.index(OciContent.OCI_INDEX, amd, arm));
        upstream.manifest(repository, "multi", index);

        anonymous().accept(OciContent.OCI_INDEX).get("/v2/dist/" + repository + "/manifests/multi").then().statusCode(200)
                .header("Docker-Content-Digest", index.digest());
        anonymous().get("/v2/dist/" + repository + "/manifests/" + amd.digest()).then().statusCode(200);
        assertEquals(0, proxy.count("GET", "/manifests/" + arm.digest()), "a platform nobody pulled is not fetched");

        proxy.mode(Mode.DOWN);
        anonymous().get("/v2/dist/" + repository + "/manifests/" + amd.digest()).then().statusCode(200);
        fails(anonymous().get("/v2/dist/" + repository + "/manifests/" + arm.digest()), 503, "UNAVAILABLE")
                .header("Retry-After", "11");
    }

    @Test
    void aBlobCutOffUpstreamFailsThePullCachesNothingAndTheNextPullSucceeds() throws Exception {
        String repository = name("cut");
        Blob layer = OciContent.randomBlob(4 * 1024 * 1024);
        upstream.image(repository, "v1", layer);
        String path = "/v2/dist/" + repository + "/blobs/" + layer.digest();

        proxy.mode(Mode.CUT_BLOBS);
        assertThrows(IOException.class, () -> get(path), "the client sees a broken body, never a short one taken as whole");
        proxy.mode(Mode.PASS);
        assertArrayEquals(layer.bytes(), get(path).body());
        assertEquals(2, proxy.count("GET", "/blobs/" + layer.digest()), "the broken fetch cached nothing");
    }

    @Test
    void anUpstreamThatStallsMidBlobIsGivenUpAfterTheStallTimeout() throws Exception {
        String repository = name("stalled");
        Blob layer = OciContent.randomBlob(3 * 1024 * 1024);
        upstream.image(repository, "v1", layer);
        String path = "/v2/dist/" + repository + "/blobs/" + layer.digest();

        proxy.mode(Mode.STALL_BLOBS);
        long started = System.nanoTime();
        assertThrows(IOException.class, () -> get(path), "a stalled fetch fails the pull, it does not hang it");
        long seconds = java.time.Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertTrue(seconds < 15, "given up after the stall timeout of 2 s, not the proxy's 30 s: " + seconds + " s");
        proxy.mode(Mode.PASS);
        assertArrayEquals(layer.bytes(), get(path).body());
        assertEquals(2, proxy.count("GET", "/blobs/" + layer.digest()), "the stalled fetch cached nothing");
    }

    @Test
    void bytesThatDoNotMatchTheDigestAreRefusedAndNotCached() throws Exception {
        String repository = name("corrupt");
        Blob layer = OciContent.randomBlob(2 * 1024 * 1024);
        upstream.image(repository, "v1", layer);
        String path = "/v2/dist/" + repository + "/blobs/" + layer.digest();

        proxy.mode(Mode.CORRUPT_BLOBS);
        assertThrows(IOException.class, () -> get(path), "the last byte is withheld until the digest matched");
        proxy.mode(Mode.PASS);
        assertArrayEquals(layer.bytes(), get(path).body());
        assertEquals(2, proxy.count("GET", "/blobs/" + layer.digest()));
    }

    @Test
    void aRateLimitingUpstreamLeavesCachedContentServedAndAMissGets503() throws Exception {
        Cached image = cachedImage("limited");
        proxy.mode(Mode.TOO_MANY_REQUESTS);
        Thread.sleep(1200);
        image.servedFromTheCache();
        image.missRefused().header("Retry-After", "7"); // the upstream's own Retry-After
    }

    @Test
    void anUpstreamAnswering5xxLeavesCachedContentServedAndAMissGets503() throws Exception {
        Cached image = cachedImage("failing");
        double staleBefore = metric("berth_mirror_requests_total", "result=\"stale\"");

        proxy.mode(Mode.SERVER_ERROR);
        Thread.sleep(1200); // past the tag's freshness: the upstream is asked, and fails
        image.servedFromTheCache();
        image.missRefused().header("Retry-After", "11"); // the upstream sent none: berth.mirror.retry-after
        assertTrue(metric("berth_mirror_requests_total", "result=\"stale\"") > staleBefore, "the stale serve is counted");
    }

    @Test
    void anUpstreamThatDoesNotAnswerIsGivenUpAfterTheTimeoutAndCachedContentServed() throws Exception {
        Cached image = cachedImage("silent");
        proxy.mode(Mode.NO_ANSWER);
        Thread.sleep(1200);
        long started = System.nanoTime();
        image.tagServedFromTheCache();
        long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(waited >= 1500 && waited < 15_000,
                "served stale once the 2 s answer timeout passed, not the proxy's 30 s silence: " + waited + " ms");
        image.missRefused();
    }

    @Test
    void aFetchClaimedByAReplicaThatDiedIsTakenOverWhenItsClaimLapses() throws Exception {
        String repository = name("orphaned");
        Blob layer = OciContent.randomBlob(2 * 1024 * 1024);
        upstream.image(repository, "v1", layer);
        String key = "blob " + layer.digest();
        // What a replica that claimed the fetch and died leaves behind: a claim nobody renews, 2 s left.
        Sql.execute(dataSource, "insert into mirror_fetch (fetch_key, lease_token, lease_expires_at) values (?, "
                + "gen_random_uuid(), now() + interval '2 seconds')", key);

        long started = System.nanoTime();
        assertArrayEquals(layer.bytes(), get("/v2/dist/" + repository + "/blobs/" + layer.digest()).body());
        long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(waited >= 1400, "the pull waited for the other replica's claim first: " + waited + " ms");
        assertTrue(waited < 10_000, "and took the fetch over once the claim lapsed: " + waited + " ms");
        assertEquals(1, proxy.count("GET", "/blobs/" + layer.digest()), "fetched once, by the replica that took over");
        assertTrue(!Sql.exists(dataSource, "select 1 from mirror_fetch where fetch_key = ?", key),
                "the finished fetch released its claim");
    }

    @Test
    void aTagIsAskedWithHeadOnceStaleAndFetchedAgainOnlyWhenItMoved() throws Exception {
        String repository = name("moving");
        Manifest first = upstream.image(repository, "v1", OciContent.randomBlob(700));
        String path = "/v2/dist/" + repository + "/manifests/v1";
        anonymous().get(path).then().statusCode(200).header("Docker-Content-Digest", first.digest());
        anonymous().get(path).then().statusCode(200).header("Docker-Content-Digest", first.digest());
        assertEquals(0, proxy.count("HEAD", "/" + repository + "/manifests/v1"), "fresh: the upstream is not asked");

        Thread.sleep(1200);
        anonymous().get(path).then().statusCode(200).header("Docker-Content-Digest", first.digest());
        assertEquals(1, proxy.count("HEAD", "/" + repository + "/manifests/v1"));
        assertEquals(1, proxy.count("GET", "/" + repository + "/manifests/v1"), "unchanged: not fetched again");

        Manifest second = upstream.image(repository, "v1", OciContent.randomBlob(800));
        Thread.sleep(1200);
        anonymous().get(path).then().statusCode(200).header("Docker-Content-Digest", second.digest());
        assertEquals(2, proxy.count("GET", "/" + repository + "/manifests/v1"));
    }

    @Test
    void concurrentPullsOfAnUncachedBlobCauseOneUpstreamFetch() throws Exception {
        String repository = name("flight");
        Blob layer = OciContent.randomBlob(24 * 1024 * 1024);
        upstream.image(repository, "v1", layer);
        String path = "/v2/dist/" + repository + "/blobs/" + layer.digest();

        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                pulls.add(pool.submit(() -> get(path)));
            }
            for (Future<HttpResponse<byte[]>> pull : pulls) {
                assertArrayEquals(layer.bytes(), pull.get().body());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, proxy.count("GET", "/blobs/" + layer.digest()), proxy.log().toString());
    }

    @Test
    void whatTheUpstreamDoesNotHoldIsAskedOnceWithinTheMemory() {
        String path = "/v2/dist/library/no-such-image-" + UUID.randomUUID() + "/manifests/latest";
        fails(anonymous().get(path), 404, "MANIFEST_UNKNOWN");
        fails(anonymous().get(path), 404, "MANIFEST_UNKNOWN");
        assertEquals(1, proxy.count("GET", path.substring("/v2/dist".length())));
    }

    @Test
    void anUpstreamWithBasicAuthIsPulledWithItsCredentialsAndNotByAnonymousClients() {
        UpstreamPush locked = new UpstreamPush(UpstreamTestResource.locked(), Optional.of(
                TestAccounts.basic(UpstreamTestResource.LOCKED_USER, UpstreamTestResource.LOCKED_PASSWORD)));
        String repository = name("locked");
        Blob layer = OciContent.randomBlob(5000);
        Manifest manifest = locked.image(repository, "v1", layer);

        anonymous().get("/v2/locked/" + repository + "/manifests/v1").then().statusCode(401);
        request().get("/v2/locked/" + repository + "/manifests/v1").then().statusCode(200)
                .header("Docker-Content-Digest", manifest.digest());
        assertArrayEquals(layer.bytes(), request().get("/v2/locked/" + repository + "/blobs/" + layer.digest())
                .then().statusCode(200).extract().asByteArray());
    }

    @Test
    void cachedContentNobodyPullsForTheKeepTimeExpiresInTheNextCollection() throws Exception {
        UpstreamPush locked = new UpstreamPush(UpstreamTestResource.locked(), Optional.of(
                TestAccounts.basic(UpstreamTestResource.LOCKED_USER, UpstreamTestResource.LOCKED_PASSWORD)));
        String repository = name("expiring");
        locked.image(repository, "v1", OciContent.randomBlob(3000));
        request().get("/v2/locked/" + repository + "/manifests/v1").then().statusCode(200);
        assertEquals(List.of("v1"), request().get("/v2/locked/" + repository + "/tags/list").then().statusCode(200)
                .extract().jsonPath().getList("tags", String.class));
        JsonPath rule = request().get("/api/v1/namespaces/locked/retention").then().statusCode(200).extract().jsonPath();
        assertEquals("PT2S", rule.getString("removeNotPulledFor"), rule.prettify());

        Thread.sleep(3500); // past the keep time of 2 s, and the 1 s in which pull times are written
        GcRuns.collect(false);

        List<String> tags = request().get("/v2/locked/" + repository + "/tags/list").then().statusCode(200)
                .extract().jsonPath().getList("tags", String.class);
        assertTrue(tags == null || tags.isEmpty(), "the unpulled tag expired: " + tags);
    }

    @Test
    void aPushedSparseIndexIsAcceptedWithSparseIndexesOn() {
        String repository = "local-sparse-" + UUID.randomUUID().toString().substring(0, 8);
        Manifest present = io.berth.server.api.RegistryClient.pushImage(repository, "present");
        Manifest absent = OciContent.manifest(OciContent.imageManifest(OciContent.OCI_MANIFEST,
                OciContent.randomBlob(10).descriptor(OciContent.OCI_CONFIG)));
        Manifest index = OciContent.manifest(OciContent.index(OciContent.OCI_INDEX, present, absent));

        io.berth.server.api.RegistryClient.pushManifest(repository, "sparse", index);
        request().accept(OciContent.OCI_INDEX).get("/v2/" + repository + "/manifests/sparse").then().statusCode(200)
                .header("Docker-Content-Digest", index.digest());
        request().get("/v2/" + repository + "/manifests/" + present.digest()).then().statusCode(200);
        fails(request().get("/v2/" + repository + "/manifests/" + absent.digest()), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aPrefetchCachesTheChosenPlatformsOfAnImageSoTheyPullWithTheUpstreamDown() throws Exception {
        String repository = name("prefetched");
        Blob amdLayer = OciContent.randomBlob(70_000);
        Blob armLayer = OciContent.randomBlob(80_000);
        Manifest amd = upstream.image(repository, "amd", amdLayer);
        Manifest arm = upstream.image(repository, "arm", armLayer);
        com.fasterxml.jackson.databind.node.ObjectNode json = OciContent.index(OciContent.OCI_INDEX, amd, arm);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.path("manifests").get(1).path("platform")).put("architecture", "arm64");
        Manifest index = OciContent.manifest(json);
        upstream.manifest(repository, "2.0", index);

        JsonPath prefetched = request().contentType("application/json")
                .body("{\"image\": \"" + repository + ":2.0\", \"platforms\": [\"linux/amd64\"]}")
                .post("/api/v1/mirror/dist/prefetch").then().statusCode(200).extract().jsonPath();
        assertEquals("dist/" + repository, prefetched.getString("repository"));
        assertEquals(index.digest(), prefetched.getString("digest"));
        assertEquals(2, prefetched.getInt("manifests"), prefetched.prettify()); // the index and linux/amd64
        assertEquals(2, prefetched.getInt("blobs"), prefetched.prettify()); // its config and layer
        assertEquals(0, proxy.count("GET", "/blobs/" + armLayer.digest()), "the platform not asked for is not fetched");

        proxy.mode(Mode.DOWN);
        anonymous().accept(OciContent.OCI_INDEX).get("/v2/dist/" + repository + "/manifests/2.0").then().statusCode(200);
        anonymous().get("/v2/dist/" + repository + "/manifests/" + amd.digest()).then().statusCode(200);
        assertArrayEquals(amdLayer.bytes(), get("/v2/dist/" + repository + "/blobs/" + amdLayer.digest()).body());
        fails(request().contentType("application/json").body("{\"image\": \"x:1\"}").post("/api/v1/mirror/nope/prefetch"),
                404, "NAME_UNKNOWN");
    }

    @Test
    void theAdminApiListsTheUpstreamsWithoutTheirSecrets() {
        JsonPath upstreams = request().get("/api/v1/mirror/upstreams").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("dist", "locked"), upstreams.getList("id", String.class));
        assertEquals(List.of(true, false), upstreams.getList("isDefault", Boolean.class));
        assertEquals(List.of(false, true), upstreams.getList("signsIn", Boolean.class));
        assertEquals("PT1S", upstreams.getString("[0].tagFreshness"));
        assertTrue(!upstreams.prettify().contains(UpstreamTestResource.LOCKED_PASSWORD));
        anonymous().get("/api/v1/mirror/upstreams").then().statusCode(401);
    }

    /** An image on the upstream whose tag and one blob are cached, and one blob not. */
    private Cached cachedImage(String purpose) throws Exception {
        String repository = name(purpose);
        Blob cached = OciContent.randomBlob(1000);
        Blob uncached = OciContent.randomBlob(1001);
        Manifest manifest = upstream.image(repository, "v1", cached, uncached);
        anonymous().get("/v2/dist/" + repository + "/manifests/v1").then().statusCode(200);
        assertArrayEquals(cached.bytes(), get("/v2/dist/" + repository + "/blobs/" + cached.digest()).body());
        return new Cached(repository, manifest, cached, uncached);
    }

    private record Cached(String repository, Manifest manifest, Blob cached, Blob uncached) {

        /** The tag still pulls, as the digest the cache holds. */
        void tagServedFromTheCache() {
            anonymous().get("/v2/dist/" + repository + "/manifests/v1").then().statusCode(200)
                    .header("Docker-Content-Digest", manifest.digest());
        }

        /** The tag and the cached blob still pull. */
        void servedFromTheCache() throws Exception {
            tagServedFromTheCache();
            assertArrayEquals(cached.bytes(), get("/v2/dist/" + repository + "/blobs/" + cached.digest()).body());
        }

        /** The blob that was never pulled is refused 503, to be retried. */
        ValidatableResponse missRefused() {
            return fails(anonymous().get("/v2/dist/" + repository + "/blobs/" + uncached.digest()), 503, "UNAVAILABLE");
        }
    }

    /** A GET through a plain HTTP client, which fails on a body that ends before its Content-Length. */
    private static HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> path + ": " + new String(response.body()));
        return response;
    }

    private static double metric(String name, String label) {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
