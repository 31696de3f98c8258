package io.berth.server.tags;

import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.request;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.berth.server.api.OciContent;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.berth.server.testing.GcRuns;
import io.berth.server.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Immutable tags, tag history and retention through the registry and admin APIs: an immutable tag is
 * created once and then neither moved nor deleted (by tag, or with its manifest), every move and
 * deletion is recorded with who made it, a tag can be put back on an earlier digest, and the garbage
 * collector removes what a retention rule does not keep.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class TagLifecycleApiTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void anImmutableTagIsCreatedOnceAndThenNeitherMovedNorDeleted() {
        String repository = RegistryClient.repository("immutable");
        request().contentType(ContentType.JSON).body(Map.of("patterns", List.of("v*", "release-?")))
                .put("/api/v1/repositories/" + repository + "/immutable-tags").then().statusCode(200)
                .body("patterns", equalTo(List.of("release-?", "v*")));
        Manifest first = RegistryClient.pushImage(repository, "v1.0");
        Manifest second = RegistryClient.pushImage(repository, "latest");

        // Pushing the same manifest again is no move.
        RegistryClient.pushManifest(repository, "v1.0", first);
        RegistryClient.fails(request().contentType(second.mediaType()).body(second.bytes())
                .put(manifestPath(repository, "v1.0")), 403, "DENIED")
                .body("errors[0].message", containsString("rule 'v*' of repository " + repository));
        RegistryClient.fails(request().delete(manifestPath(repository, "v1.0")), 403, "DENIED");
        RegistryClient.fails(request().delete(manifestPath(repository, first.digest())), 403, "DENIED");
        request().get(manifestPath(repository, "v1.0")).then().statusCode(200)
                .header("Docker-Content-Digest", first.digest());

        // Tags that match no pattern move freely; one that does not exist is unknown, whatever its name.
        RegistryClient.pushManifest(repository, "latest", first);
        request().delete(manifestPath(repository, "latest")).then().statusCode(202);
        RegistryClient.fails(request().delete(manifestPath(repository, "v9.9")), 404, "MANIFEST_UNKNOWN");
    }

    /** Pushes that create the same new immutable tag at once: one manifest wins, the others are refused. */
    @Test
    void concurrentFirstPushesOfAnImmutableTagCreateItOnce() throws Exception {
        String repository = RegistryClient.repository("immutable-race");
        request().contentType(ContentType.JSON).body(Map.of("patterns", List.of("v*")))
                .put("/api/v1/repositories/" + repository + "/immutable-tags").then().statusCode(200);
        List<Manifest> images = List.of(RegistryClient.pushImage(repository, "a"), RegistryClient.pushImage(repository, "b"));
        ExecutorService pushers = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String tag = "v" + round;
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<Map.Entry<Integer, String>>> pushes = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Manifest image = images.get(i % 2);
                    pushes.add(pushers.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        int status = request().contentType(image.mediaType()).body(image.bytes())
                                .put(manifestPath(repository, tag)).statusCode();
                        return Map.entry(status, image.digest());
                    }));
                }
                List<String> created = new ArrayList<>();
                for (Future<Map.Entry<Integer, String>> push : pushes) {
                    Map.Entry<Integer, String> outcome = push.get(60, TimeUnit.SECONDS);
                    assertTrue(outcome.getKey() == 201 || outcome.getKey() == 403, "status " + outcome.getKey());
                    if (outcome.getKey() == 201) {
                        created.add(outcome.getValue());
                    }
                }
                String winner = request().get(manifestPath(repository, tag)).then().statusCode(200).extract()
                        .header("Docker-Content-Digest");
                assertTrue(created.stream().allMatch(winner::equals), "every accepted push of " + tag + " pushed " + winner
                        + ", but these were accepted: " + created);
                assertEquals(4, created.size(), "the four pushes of the winning manifest are accepted: " + created);
            }
        } finally {
            pushers.shutdownNow();
        }
    }

    @Test
    void aNamespaceRuleCoversItsRepositories() {
        String namespace = "immutablens" + Long.toString(System.nanoTime() % 1_000_000, 36);
        request().contentType(ContentType.JSON).body(Map.of("patterns", List.of("stable")))
                .put("/api/v1/namespaces/" + namespace + "/immutable-tags").then().statusCode(200);
        String repository = namespace + "/app";
        RegistryClient.pushImage(repository, "stable");
        Manifest other = RegistryClient.pushImage(repository, "edge");
        RegistryClient.fails(request().contentType(other.mediaType()).body(other.bytes())
                .put(manifestPath(repository, "stable")), 403, "DENIED")
                .body("errors[0].message", containsString("of namespace " + namespace));
        request().get("/api/v1/namespaces/" + namespace + "/immutable-tags").then().statusCode(200)
                .body("patterns", equalTo(List.of("stable")));
        request().contentType(ContentType.JSON).body(Map.of("patterns", List.of("bad pattern!")))
                .put("/api/v1/namespaces/" + namespace + "/immutable-tags").then().statusCode(400)
                .body("errors[0].code", equalTo("INVALID")).body("errors[0].message", containsString("is not a tag pattern"));
    }

    @Test
    void everyMoveIsRecordedAndATagCanBeRestored() {
        String repository = RegistryClient.repository("history");
        Manifest first = RegistryClient.pushImage(repository, "prod");
        Manifest second = RegistryClient.pushImage(repository, "prod");
        request().delete(manifestPath(repository, "prod")).then().statusCode(202);

        String history = "/api/v1/repositories/" + repository + "/tags/prod/history";
        request().get(history).then().statusCode(200)
                .body("size()", equalTo(3))
                .body("[0].from", equalTo(second.digest())).body("[0].to", nullValue())
                .body("[1].from", equalTo(first.digest())).body("[1].to", equalTo(second.digest()))
                .body("[2].from", nullValue()).body("[2].to", equalTo(first.digest()))
                .body("[0].actor", equalTo("admin"));

        request().contentType(ContentType.JSON).body(Map.of("digest", first.digest()))
                .post("/api/v1/repositories/" + repository + "/tags/prod/restore").then().statusCode(204);
        request().get(manifestPath(repository, "prod")).then().statusCode(200).header("Docker-Content-Digest", first.digest());
        request().get(history).then().body("[0].to", equalTo(first.digest())).body("[0].from", nullValue());

        // A manifest the repository no longer holds cannot be restored.
        request().delete(manifestPath(repository, second.digest())).then().statusCode(202);
        request().contentType(ContentType.JSON).body(Map.of("digest", second.digest()))
                .post("/api/v1/repositories/" + repository + "/tags/prod/restore").then().statusCode(404)
                .body("errors[0].code", equalTo("NOT_FOUND"));
    }

    @Test
    void retentionKeepsWhatItsRuleKeepsAndRemovesTheRest() {
        String repository = RegistryClient.repository("retention");
        request().contentType(ContentType.JSON).body(Map.of("patterns", List.of("v1")))
                .put("/api/v1/repositories/" + repository + "/immutable-tags").then().statusCode(200);
        for (String tag : List.of("v1", "latest", "t1", "t2", "t3", "t4")) {
            RegistryClient.pushImage(repository, tag);
        }
        Manifest oldUntagged = RegistryClient.pushManifest(repository,
                OciContent.manifest(RegistryClient.image(repository, OciContent.OCI_MANIFEST)));
        Manifest freshUntagged = RegistryClient.pushManifest(repository,
                OciContent.manifest(RegistryClient.image(repository, OciContent.OCI_MANIFEST)));
        backdateManifest(oldUntagged.digest());
        request().contentType(ContentType.JSON)
                .body(Map.of("keepNewest", 2, "keepPatterns", List.of("latest"), "removeUntaggedOlderThan", "PT1H"))
                .put("/api/v1/repositories/" + repository + "/retention").then().statusCode(200)
                .body("keepNewest", equalTo(2)).body("removeUntaggedOlderThan", equalTo("PT1H"));

        JsonPath dryRun = GcRuns.collect(true);
        assertTrue(dryRun.getList("kinds.TAG.listed", String.class).containsAll(List.of(repository + ":t1", repository + ":t2")),
                dryRun.prettify());
        request().get(manifestPath(repository, "t1")).then().statusCode(200);

        GcRuns.collect(false);

        for (String gone : List.of("t1", "t2")) {
            RegistryClient.fails(request().get(manifestPath(repository, gone)), 404, "MANIFEST_UNKNOWN");
        }
        for (String kept : List.of("v1", "latest", "t3", "t4")) {
            request().get(manifestPath(repository, kept)).then().statusCode(200);
        }
        RegistryClient.fails(request().get(manifestPath(repository, oldUntagged.digest())), 404, "MANIFEST_UNKNOWN");
        request().get(manifestPath(repository, freshUntagged.digest())).then().statusCode(200);
        request().get("/api/v1/repositories/" + repository + "/tags/t1/history").then().statusCode(200)
                .body("[0].actor", equalTo("retention")).body("[0].to", nullValue());

        request().delete("/api/v1/repositories/" + repository + "/retention").then().statusCode(204);
        request().get("/api/v1/repositories/" + repository + "/retention").then().statusCode(404);
        request().contentType(ContentType.JSON).body(Map.of("removeTagsOlderThan", "thirty days"))
                .put("/api/v1/repositories/" + repository + "/retention").then().statusCode(400)
                .body("errors[0].message", containsString("ISO-8601"));
    }

    private void backdateManifest(String digest) {
        sql("update manifest set created_at = now() - interval '2 hours' where digest = ?", digest);
    }

    @Test
    void retentionRemovesTagsNobodyPulledForItsTime() {
        String repository = RegistryClient.repository("unpulled");
        Manifest pulled = RegistryClient.pushImage(repository, "pulled");
        RegistryClient.pushImage(repository, "forgotten");
        sql("update tag set updated_at = now() - interval '2 hours' where repository_id = "
                + "(select id from repository where name = ?)", repository);
        request().contentType(ContentType.JSON).body(Map.of("removeNotPulledFor", "PT1H"))
                .put("/api/v1/repositories/" + repository + "/retention").then().statusCode(200);
        request().get(manifestPath(repository, "pulled")).then().statusCode(200);
        awaitPullRecorded(pulled.digest());

        GcRuns.collect(false);

        request().get(manifestPath(repository, "pulled")).then().statusCode(200);
        RegistryClient.fails(request().get(manifestPath(repository, "forgotten")), 404, "MANIFEST_UNKNOWN");
    }

    private void awaitPullRecorded(String digest) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!recordedPull(digest)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pull of " + digest + " was not recorded within 15 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private boolean recordedPull(String digest) {
        return Sql.exists(dataSource, "select 1 from manifest where digest = ? and last_pulled_at is not null", digest);
    }

    private void sql(String update, String parameter) {
        Sql.execute(dataSource, update, parameter);
    }
}
