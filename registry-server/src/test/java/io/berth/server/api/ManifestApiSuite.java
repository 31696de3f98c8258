package io.berth.server.api;

import static io.berth.server.api.OciContent.DOCKER_MANIFEST;
import static io.berth.server.api.OciContent.DOCKER_MANIFEST_LIST;
import static io.berth.server.api.OciContent.OCI_CONFIG;
import static io.berth.server.api.OciContent.OCI_EMPTY;
import static io.berth.server.api.OciContent.OCI_INDEX;
import static io.berth.server.api.OciContent.OCI_LAYER;
import static io.berth.server.api.OciContent.OCI_MANIFEST;
import static io.berth.server.api.BlobApiSuite.refusedAsReferenced;
import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.image;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.pushBlob;
import static io.berth.server.api.RegistryClient.pushImage;
import static io.berth.server.api.RegistryClient.pushImageWithLayer;
import static io.berth.server.api.RegistryClient.pushManifest;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.send;
import static io.berth.server.api.RegistryClient.tagsPath;
import static io.berth.server.api.RegistryClient.uri;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.api.RegistryClient.Image;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /v2/<name>/manifests/<reference>}: push by tag and digest, pull with content negotiation,
 * every manifest format Berth stores, the checks of a push, and delete, which spares a manifest that an
 * index of the repository still lists.
 */
public abstract class ManifestApiSuite {

    private static final int FOUR_MIB = 4 * 1024 * 1024;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {OCI_MANIFEST, DOCKER_MANIFEST})
    void anImagePushedByTagIsServedByTagAndDigest(String mediaType) {
        String repository = repository("manifest");
        Manifest manifest = OciContent.manifest(image(repository, mediaType));

        request().contentType(mediaType).body(manifest.bytes()).put(manifestPath(repository, "v1")).then()
                .statusCode(201)
                .header("Location", manifestPath(repository, manifest.digest()))
                .header("Docker-Content-Digest", manifest.digest())
                .header("OCI-Subject", nullValue());

        for (String reference : List.of("v1", manifest.digest())) {
            assertServed(repository, reference, manifest);
        }
    }

    @Test
    void concurrentPushesOfImagesSharingLayersAllSucceed() throws Exception {
        String repository = repository("manifest-concurrent");
        Blob config = pushBlob(repository, OciContent.blob("{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8)));
        List<ObjectNode> layers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            layers.add(pushRandomBlob(repository, 100 + i).descriptor(OCI_LAYER));
        }
        // Every image lists the same layers in its own order, so the pushes touch shared rows in different orders.
        int threads = 8;
        int imagesPerThread = 15;
        ExecutorService pushers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                results.add(pushers.submit(() -> {
                    Random random = new Random(seed);
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < imagesPerThread; i++) {
                        List<ObjectNode> shuffled = new ArrayList<>(layers);
                        Collections.shuffle(shuffled, random);
                        ObjectNode json = OciContent.imageManifest(OCI_MANIFEST, config.descriptor(OCI_CONFIG),
                                shuffled.toArray(ObjectNode[]::new));
                        Manifest manifest = OciContent.manifest(OCI_MANIFEST, json);
                        statuses.add(request().contentType(OCI_MANIFEST).body(manifest.bytes())
                                .put(manifestPath(repository, "t" + seed + "-" + i)).statusCode());
                    }
                    return statuses;
                }));
            }
            for (Future<List<Integer>> result : results) {
                assertEquals(Collections.nCopies(imagesPerThread, 201), result.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pushers.shutdownNow();
        }
    }

    @Test
    void aManifestPushedByDigestHasNoTag() {
        String repository = repository("manifest-digest");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));

        Response response = request().contentType(OCI_MANIFEST).body(manifest.bytes())
                .put(manifestPath(repository, manifest.digest()));

        response.then().statusCode(201)
                .header("Location", manifestPath(repository, manifest.digest()))
                .header("Docker-Content-Digest", manifest.digest());
        assertEquals(List.of(), response.headers().getValues("OCI-Tag"));
        assertServed(repository, manifest.digest(), manifest);
        request().get(tagsPath(repository)).then().statusCode(200).body("tags", hasSize(0));
    }

    @Test
    void aManifestPushedByDigestWithTagsIsServedUnderEachTag() {
        String repository = repository("manifest-tags");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));

        Response response = request().contentType(OCI_MANIFEST).body(manifest.bytes())
                .put(query(manifestPath(repository, manifest.digest()), "tag", "a", "tag", "b"));

        response.then().statusCode(201).header("Docker-Content-Digest", manifest.digest());
        assertEquals(List.of("a", "b"), response.headers().getValues("OCI-Tag"));
        assertServed(repository, "a", manifest);
        assertServed(repository, "b", manifest);
        request().get(tagsPath(repository)).then().statusCode(200).body("tags", contains("a", "b"));
    }

    @Test
    void aManifestPushedByTagWithMoreTagsIsServedUnderAll() {
        String repository = repository("manifest-tags");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));

        Response response = request().contentType(OCI_MANIFEST).body(manifest.bytes())
                .put(query(manifestPath(repository, "main"), "tag", "extra"));

        response.then().statusCode(201);
        assertEquals(List.of("main", "extra"), response.headers().getValues("OCI-Tag"));
        assertServed(repository, "main", manifest);
        assertServed(repository, "extra", manifest);
    }

    @Test
    void aManifestPushedUnderASha512DigestIsServedUnderIt() {
        String repository = repository("manifest-sha512");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));
        String digest = OciContent.sha512(manifest.bytes());

        request().contentType(OCI_MANIFEST).body(manifest.bytes()).put(manifestPath(repository, digest)).then()
                .statusCode(201)
                .header("Location", manifestPath(repository, digest))
                .header("Docker-Content-Digest", digest);

        byte[] body = request().get(manifestPath(repository, digest)).then()
                .statusCode(200)
                .header("Docker-Content-Digest", digest)
                .contentType(OCI_MANIFEST)
                .extract().asByteArray();
        assertArrayEquals(manifest.bytes(), body);
    }

    @Test
    void theManifestIsServedByteForByte() {
        String repository = repository("manifest-bytes");
        ObjectNode json = image(repository, OCI_MANIFEST);
        String pretty = "{\n  \"schemaVersion\" : 2,\n  \"mediaType\" : \"" + OCI_MANIFEST + "\",\n  \"config\" : "
                + json.get("config") + ",\n\t\"layers\" : " + json.get("layers") + "\n}\n";
        Manifest manifest = new Manifest(OCI_MANIFEST, pretty.getBytes(StandardCharsets.UTF_8));

        pushManifest(repository, "pretty", manifest);

        assertServed(repository, "pretty", manifest);
    }

    @Test
    void aManifestWithoutMediaTypeTakesItFromTheContentType() {
        String repository = repository("manifest-type");
        ObjectNode json = image(repository, OCI_MANIFEST);
        json.remove("mediaType");
        Manifest manifest = OciContent.manifest(OCI_MANIFEST, json);

        pushManifest(repository, "untyped", manifest);

        assertServed(repository, "untyped", manifest);
    }

    @Test
    void anAcceptHeaderListingOnlyOtherTypesFindsNoManifest() {
        String repository = repository("manifest-accept");
        Manifest manifest = pushImage(repository, "v1");

        for (String reference : List.of("v1", manifest.digest())) {
            fails(request().accept(DOCKER_MANIFEST + ", " + DOCKER_MANIFEST_LIST).get(manifestPath(repository, reference)),
                    404, "MANIFEST_UNKNOWN");
            request().accept(OCI_INDEX).head(manifestPath(repository, reference)).then().statusCode(404);
        }
    }

    @ParameterizedTest(name = "Accept: {0}")
    @ValueSource(strings = {
        "*/*",
        "application/*",
        OCI_MANIFEST,
        OCI_MANIFEST + "; q=0.5",
        DOCKER_MANIFEST + ", " + OCI_MANIFEST + ", " + OCI_INDEX,
        "text/plain;q=0.1, */*;q=0.2",
    })
    void anAcceptHeaderListingTheTypeFindsTheManifest(String accept) {
        String repository = repository("manifest-accept");
        Manifest manifest = pushImage(repository, "v1");

        request().accept(accept).get(manifestPath(repository, "v1")).then()
                .statusCode(200)
                .contentType(OCI_MANIFEST)
                .header("Docker-Content-Digest", manifest.digest());
        request().accept(accept).head(manifestPath(repository, "v1")).then().statusCode(200);
    }

    @Test
    void severalAcceptHeadersAreAllConsidered() {
        String repository = repository("manifest-accept");
        Manifest manifest = pushImage(repository, "v1");

        request().header("Accept", DOCKER_MANIFEST).header("Accept", OCI_MANIFEST)
                .get(manifestPath(repository, "v1")).then()
                .statusCode(200)
                .contentType(OCI_MANIFEST)
                .header("Docker-Content-Digest", manifest.digest());
        fails(request().header("Accept", DOCKER_MANIFEST).header("Accept", OCI_INDEX)
                .get(manifestPath(repository, "v1")), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aRequestWithoutAcceptHeaderFindsTheManifest() {
        String repository = repository("manifest-accept");
        Manifest manifest = pushImage(repository, "v1");

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(manifestPath(repository, "v1"))).GET());

        assertEquals(200, response.statusCode());
        assertEquals(OCI_MANIFEST, response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(manifest.digest(), response.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertArrayEquals(manifest.bytes(), response.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ifNoneMatchWithTheEtagIsNotModified() {
        String repository = repository("manifest-etag");
        Manifest manifest = pushImage(repository, "v1");

        request().header("If-None-Match", "\"" + manifest.digest() + "\"").get(manifestPath(repository, "v1")).then()
                .statusCode(304)
                .header("Docker-Content-Digest", manifest.digest())
                .header("ETag", "\"" + manifest.digest() + "\"")
                .body(emptyString());
        request().header("If-None-Match", "\"sha256:other\"").get(manifestPath(repository, "v1")).then()
                .statusCode(200)
                .header("ETag", "\"" + manifest.digest() + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {DOCKER_MANIFEST_LIST, OCI_INDEX})
    void anIndexOfManifestsInTheRepositoryIsStored(String indexType) {
        String repository = repository("manifest-index");
        String childType = indexType.equals(DOCKER_MANIFEST_LIST) ? DOCKER_MANIFEST : OCI_MANIFEST;
        Manifest amd64 = pushManifest(repository, OciContent.manifest(image(repository, childType)));
        Manifest arm64 = pushManifest(repository, OciContent.manifest(image(repository, childType)));
        Manifest index = OciContent.manifest(OciContent.index(indexType, amd64, arm64));

        pushManifest(repository, "multi", index);

        assertServed(repository, "multi", index);
        assertServed(repository, amd64.digest(), amd64);
    }

    @ParameterizedTest(name = "layers: {0}")
    @ValueSource(booleans = {true, false})
    void anArtifactManifestWithTheEmptyConfigIsStored(boolean withPayload) {
        String repository = repository("manifest-artifact");
        Blob empty = pushBlob(repository, OciContent.emptyJsonBlob());
        assertEquals(2, empty.size());
        ObjectNode layer = withPayload
                ? pushRandomBlob(repository, 300).descriptor("application/vnd.example.payload")
                : empty.descriptor(OCI_EMPTY);
        Manifest artifact = OciContent.manifest(OciContent.artifactManifest("application/vnd.example.thing", layer));

        pushManifest(repository, "artifact", artifact);

        assertServed(repository, "artifact", artifact);
        request().get(manifestPath(repository, "artifact")).then()
                .body("artifactType", equalTo("application/vnd.example.thing"))
                .body("config.mediaType", equalTo(OCI_EMPTY));
    }

    @Test
    void anIndexListingAManifestNotInTheRepositoryIsRefused() {
        String repository = repository("manifest-index");
        String elsewhere = repository("manifest-elsewhere");
        Manifest present = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        Manifest foreign = pushManifest(elsewhere, OciContent.manifest(image(elsewhere, OCI_MANIFEST)));
        Manifest index = OciContent.manifest(OciContent.index(OCI_INDEX, present, foreign));

        fails(request().contentType(OCI_INDEX).body(index.bytes()).put(manifestPath(repository, "multi")),
                400, "MANIFEST_BLOB_UNKNOWN")
                .body("errors", hasSize(1))
                .body("errors[0].detail.digest", equalTo(foreign.digest()));

        fails(request().get(manifestPath(repository, "multi")), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aManifestReferencingMissingBlobsGetsOneErrorPerBlob() {
        String repository = repository("manifest-missing");
        String elsewhere = repository("manifest-elsewhere");
        Blob config = OciContent.randomBlob(50);
        Blob layer = pushRandomBlob(elsewhere, 500);
        Blob present = pushRandomBlob(repository, 200);
        Manifest manifest = OciContent.manifest(OciContent.imageManifest(OCI_MANIFEST,
                config.descriptor(OCI_CONFIG), present.descriptor(OCI_LAYER), layer.descriptor(OCI_LAYER)));

        fails(request().contentType(OCI_MANIFEST).body(manifest.bytes()).put(manifestPath(repository, "v1")),
                400, "MANIFEST_BLOB_UNKNOWN")
                .body("errors", hasSize(2))
                .body("errors.code", everyItem(equalTo("MANIFEST_BLOB_UNKNOWN")))
                .body("errors.detail.digest", containsInAnyOrder(config.digest(), layer.digest()));

        fails(request().get(manifestPath(repository, "v1")), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aForeignLayerNeedNotBeInTheRepository() {
        String repository = repository("manifest-foreign");
        ObjectNode json = image(repository, DOCKER_MANIFEST);
        ObjectNode foreign = OciContent.randomBlob(1000)
                .descriptor("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
        foreign.putArray("urls").add("https://example.com/layer.tar.gz");
        json.withArray("layers").add(foreign);

        pushManifest(repository, "windows", OciContent.manifest(json));
    }

    @Test
    void aDeclaredSizeThatDiffersFromTheBlobIsInvalid() {
        String repository = repository("manifest-size");
        ObjectNode json = image(repository, OCI_MANIFEST);
        ObjectNode layer = (ObjectNode) json.withArray("layers").get(0);
        layer.put("size", layer.get("size").asLong() + 1);
        Manifest manifest = OciContent.manifest(json);

        fails(request().contentType(OCI_MANIFEST).body(manifest.bytes()).put(manifestPath(repository, "v1")),
                400, "MANIFEST_INVALID")
                .body("errors[0].detail.digest", equalTo(layer.get("digest").asText()));
    }

    @Test
    void aDockerSchema1ContentTypeIsRefused() {
        String repository = repository("manifest-schema1");
        ObjectNode json = image(repository, OCI_MANIFEST);
        json.remove("mediaType");

        fails(request().contentType(OciContent.DOCKER_SCHEMA1_SIGNED).body(OciContent.bytes(json))
                .put(manifestPath(repository, "old")), 400, "MANIFEST_INVALID");
    }

    @Test
    void aSchemaVersion1ManifestIsRefused() {
        String repository = repository("manifest-schema1");
        String schema1 = "{\"schemaVersion\":1,\"name\":\"" + repository + "\",\"tag\":\"old\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[],\"history\":[]}";

        for (String contentType : List.of("application/json", "application/vnd.docker.distribution.manifest.v1+json")) {
            fails(request().contentType(contentType).body(schema1.getBytes(StandardCharsets.UTF_8))
                    .put(manifestPath(repository, "old")), 400, "MANIFEST_INVALID");
        }
    }

    @ParameterizedTest(name = "body: {0}")
    @ValueSource(strings = {"{", "not json", "[]", "\"text\"", "", "{\"schemaVersion\":2}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\"}"})
    void aBodyThatIsNoManifestIsInvalid(String body) {
        String repository = repository("manifest-invalid");

        fails(request().contentType(OCI_MANIFEST).body(body.getBytes(StandardCharsets.UTF_8))
                .put(manifestPath(repository, "v1")), 400, "MANIFEST_INVALID");
    }

    @Test
    void aContentTypeThatContradictsTheMediaTypeIsInvalid() {
        String repository = repository("manifest-contradiction");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));

        fails(request().contentType(DOCKER_MANIFEST).body(manifest.bytes()).put(manifestPath(repository, "v1")),
                400, "MANIFEST_INVALID");
        fails(request().contentType(OCI_INDEX).body(manifest.bytes()).put(manifestPath(repository, "v1")),
                400, "MANIFEST_INVALID");
        // Generic types and parameters say nothing against the mediaType.
        for (String contentType : List.of("application/json", OCI_MANIFEST + "; charset=utf-8")) {
            request().contentType(contentType).body(manifest.bytes()).put(manifestPath(repository, "v1")).then()
                    .statusCode(201);
        }
        request().get(manifestPath(repository, "v1")).then().statusCode(200).contentType(OCI_MANIFEST);
    }

    @Test
    void aManifestLargerThanFourMebibytesIs413() {
        String repository = repository("manifest-large");
        byte[] large = oversizedManifest(repository);

        fails(request().contentType(OCI_MANIFEST).body(large).put(manifestPath(repository, "large")),
                413, "MANIFEST_INVALID");
        fails(request().get(manifestPath(repository, "large")), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aStreamedManifestLargerThanFourMebibytesIs413() {
        String repository = repository("manifest-large");
        byte[] large = oversizedManifest(repository);

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(manifestPath(repository, "large")))
                .header("Content-Type", OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))));

        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("\"MANIFEST_INVALID\""), response.body());
    }

    @Test
    void aManifestOfExactlyFourMebibytesIsAccepted() {
        String repository = repository("manifest-large");
        ObjectNode json = image(repository, OCI_MANIFEST);
        int room = FOUR_MIB - OciContent.bytes(OciContent.withAnnotations(json.deepCopy(),
                Map.of("padding", ""))).length;
        Manifest manifest = OciContent.manifest(OciContent.withAnnotations(json, Map.of("padding", "x".repeat(room))));
        assertEquals(FOUR_MIB, manifest.size());

        pushManifest(repository, "large", manifest);
    }

    @Test
    void aManifestThatHashesToAnotherDigestIsRefused() {
        String repository = repository("manifest-mismatch");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));
        String claimed = OciContent.randomBlob(10).digest();

        fails(request().contentType(OCI_MANIFEST).body(manifest.bytes()).put(manifestPath(repository, claimed)),
                400, "DIGEST_INVALID")
                .body("errors[0].detail.digest", equalTo(claimed));

        fails(request().get(manifestPath(repository, claimed)), 404, "MANIFEST_UNKNOWN");
        fails(request().get(manifestPath(repository, manifest.digest())), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aSubjectIsAnsweredWithOciSubject() {
        String repository = repository("manifest-subject");
        Manifest subject = pushImage(repository, "v1");
        Manifest referrer = OciContent.manifest(OciContent.withSubject(
                RegistryClient.artifact(repository, "application/vnd.example.sbom"), subject));

        request().contentType(OCI_MANIFEST).body(referrer.bytes()).put(manifestPath(repository, referrer.digest())).then()
                .statusCode(201)
                .header("OCI-Subject", subject.digest())
                .header("Docker-Content-Digest", referrer.digest());
        assertServed(repository, referrer.digest(), referrer);
    }

    @Test
    void aSubjectThatDoesNotExistIsAccepted() {
        String repository = repository("manifest-subject");
        Manifest absent = OciContent.manifest(OciContent.imageManifest(OCI_MANIFEST,
                OciContent.randomBlob(10).descriptor(OCI_CONFIG)));
        Manifest referrer = OciContent.manifest(OciContent.withSubject(
                RegistryClient.artifact(repository, "application/vnd.example.sbom"), absent));

        request().contentType(OCI_MANIFEST).body(referrer.bytes()).put(manifestPath(repository, referrer.digest())).then()
                .statusCode(201)
                .header("OCI-Subject", absent.digest());
        assertServed(repository, referrer.digest(), referrer);
    }

    @ParameterizedTest(name = "tag {0}")
    @ValueSource(strings = {"-lead", ".lead", "with@at", "with+plus", "x12345678901234567890123456789012345678901234567890"
            + "12345678901234567890123456789012345678901234567890123456789012345678901234567890"})
    void anInvalidTagIsRefused(String tag) {
        String repository = repository("manifest-tag");
        Manifest manifest = OciContent.manifest(image(repository, OCI_MANIFEST));

        fails(request().contentType(OCI_MANIFEST).body(manifest.bytes()).put(manifestPath(repository, tag)),
                400, "TAG_INVALID")
                .body("errors[0].detail.tag", equalTo(tag));
        fails(request().contentType(OCI_MANIFEST).body(manifest.bytes())
                .put(query(manifestPath(repository, manifest.digest()), "tag", tag)), 400, "TAG_INVALID");
        fails(request().get(manifestPath(repository, tag)), 400, "TAG_INVALID");
        fails(request().get(manifestPath(repository, manifest.digest())), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aTagOf128CharactersIsValid() {
        String repository = repository("manifest-tag");
        String tag = "_" + "a1.-".repeat(31) + "abc";
        assertEquals(128, tag.length());

        Manifest manifest = pushImage(repository, tag);

        assertServed(repository, tag, manifest);
    }

    @Test
    void pushingTheSameManifestAgainChangesNothing() {
        String repository = repository("manifest-again");
        Manifest manifest = pushImage(repository, "v1");

        pushManifest(repository, "v1", manifest);
        pushManifest(repository, manifest);

        assertServed(repository, "v1", manifest);
        request().get(tagsPath(repository)).then().statusCode(200).body("tags", contains("v1"));
    }

    @Test
    void pushingAnotherManifestUnderATagMovesIt() {
        String repository = repository("manifest-move");
        Manifest first = pushImage(repository, "latest");
        Manifest second = pushImage(repository, "latest");

        assertServed(repository, "latest", second);
        assertServed(repository, first.digest(), first);
    }

    @Test
    void deletingByDigestRemovesTheManifestAndItsTags() {
        String repository = repository("manifest-delete");
        Manifest manifest = pushImage(repository, "a");
        pushManifest(repository, "b", manifest);
        Manifest other = pushImage(repository, "c");

        request().delete(manifestPath(repository, manifest.digest())).then().statusCode(202);

        fails(request().get(manifestPath(repository, manifest.digest())), 404, "MANIFEST_UNKNOWN")
                .body("errors[0].detail.digest", equalTo(manifest.digest()));
        request().head(manifestPath(repository, manifest.digest())).then().statusCode(404);
        fails(request().get(manifestPath(repository, "a")), 404, "MANIFEST_UNKNOWN")
                .body("errors[0].detail.tag", equalTo("a"));
        fails(request().get(manifestPath(repository, "b")), 404, "MANIFEST_UNKNOWN");
        request().get(tagsPath(repository)).then().statusCode(200).body("tags", contains("c"));
        assertServed(repository, "c", other);
    }

    @Test
    void deletingByTagRemovesOnlyTheTag() {
        String repository = repository("manifest-untag");
        Manifest manifest = pushImage(repository, "a");
        pushManifest(repository, "b", manifest);

        request().delete(manifestPath(repository, "a")).then().statusCode(202);

        fails(request().get(manifestPath(repository, "a")), 404, "MANIFEST_UNKNOWN");
        assertServed(repository, manifest.digest(), manifest);
        assertServed(repository, "b", manifest);
        request().get(tagsPath(repository)).then().statusCode(200).body("tags", contains("b"));
    }

    @Test
    void aDeletedManifestCanBePushedAgain() {
        String repository = repository("manifest-repush");
        Manifest manifest = pushImage(repository, "a");
        request().delete(manifestPath(repository, manifest.digest())).then().statusCode(202);

        pushManifest(repository, "a", manifest);

        assertServed(repository, "a", manifest);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {DOCKER_MANIFEST_LIST, OCI_INDEX})
    void aChildOfAnIndexInTheRepositoryIsNotDeleted(String indexType) {
        String repository = repository("manifest-child");
        String childType = indexType.equals(DOCKER_MANIFEST_LIST) ? DOCKER_MANIFEST : OCI_MANIFEST;
        Manifest amd64 = pushManifest(repository, "amd64", OciContent.manifest(image(repository, childType)));
        Manifest arm64 = pushManifest(repository, OciContent.manifest(image(repository, childType)));
        Manifest index = pushManifest(repository, "multi", OciContent.manifest(OciContent.index(indexType, amd64, arm64)));

        refusedAsListed(request().delete(manifestPath(repository, amd64.digest())))
                .body("errors[0].message", equalTo("manifest " + amd64.digest() + " is listed by index " + index.digest()
                        + " in repository " + repository + "; delete that index by digest first (deleting a tag leaves"
                        + " the index), then the manifest"))
                .body("errors[0].detail.digest", equalTo(amd64.digest()))
                .body("errors[0].detail.referencedBy", equalTo(index.digest()))
                .body("errors[0].detail.referencingManifests", equalTo(1));
        refusedAsListed(request().delete(manifestPath(repository, arm64.digest())));
        request().delete(manifestPath(repository, "amd64")).then().statusCode(202);
        request().delete(manifestPath(repository, "multi")).then().statusCode(202);
        refusedAsListed(request().delete(manifestPath(repository, amd64.digest())));

        assertServed(repository, index.digest(), index);
        assertServed(repository, amd64.digest(), amd64);
        assertServed(repository, arm64.digest(), arm64);
    }

    @Test
    void onceTheIndexIsDeletedItsChildrenAreDeletable() {
        String repository = repository("manifest-child");
        Manifest amd64 = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        Manifest arm64 = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        Manifest index = pushManifest(repository, "multi", OciContent.manifest(OciContent.index(OCI_INDEX, amd64, arm64)));

        request().delete(manifestPath(repository, index.digest())).then().statusCode(202);

        for (Manifest child : List.of(amd64, arm64)) {
            request().delete(manifestPath(repository, child.digest())).then().statusCode(202);
            fails(request().get(manifestPath(repository, child.digest())), 404, "MANIFEST_UNKNOWN");
        }
    }

    @Test
    void aManifestSeveralIndexesListNamesTheFirstByDigestAndCountsThem() {
        String repository = repository("manifest-child");
        Manifest shared = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        Manifest other = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        List<Manifest> indexes = new ArrayList<>(List.of(
                pushManifest(repository, OciContent.manifest(OciContent.index(OCI_INDEX, shared))),
                pushManifest(repository, OciContent.manifest(OciContent.index(OCI_INDEX, shared, other)))));
        indexes.sort(Comparator.comparing(Manifest::digest));

        refusedAsListed(request().delete(manifestPath(repository, shared.digest())))
                .body("errors[0].message", equalTo("manifest " + shared.digest() + " is listed by index "
                        + indexes.get(0).digest() + " in repository " + repository + ", one of 2 indexes there that"
                        + " list it; delete those indexes by digest first (deleting a tag leaves the index), then the"
                        + " manifest"))
                .body("errors[0].detail.referencedBy", equalTo(indexes.get(0).digest()))
                .body("errors[0].detail.referencingManifests", equalTo(2));

        request().delete(manifestPath(repository, indexes.get(0).digest())).then().statusCode(202);
        refusedAsListed(request().delete(manifestPath(repository, shared.digest())))
                .body("errors[0].detail.referencedBy", equalTo(indexes.get(1).digest()))
                .body("errors[0].detail.referencingManifests", equalTo(1));
        request().delete(manifestPath(repository, indexes.get(1).digest())).then().statusCode(202);
        request().delete(manifestPath(repository, shared.digest())).then().statusCode(202);
    }

    /** The spec lets a subject go before its referrers; a referrer's own blobs stay as long as it does. */
    @Test
    void aSubjectIsDeletedWhileItsReferrersRemain() {
        String repository = repository("manifest-subject");
        Blob layer = pushRandomBlob(repository, 100);
        Image subject = pushImageWithLayer(repository, "v1", layer);
        pushBlob(repository, OciContent.emptyJsonBlob());
        Blob payload = pushRandomBlob(repository, 100);
        Manifest referrer = pushManifest(repository, OciContent.manifest(OciContent.withSubject(
                OciContent.artifactManifest("application/vnd.example.sbom", payload.descriptor("application/json")),
                subject.manifest())));

        request().delete(manifestPath(repository, subject.manifest().digest())).then().statusCode(202);

        fails(request().get(manifestPath(repository, subject.manifest().digest())), 404, "MANIFEST_UNKNOWN");
        assertServed(repository, referrer.digest(), referrer);
        request().delete(blobPath(repository, layer.digest())).then().statusCode(202);
        refusedAsReferenced(request().delete(blobPath(repository, payload.digest())))
                .body("errors[0].detail.referencedBy", equalTo(referrer.digest()));
    }

    @Test
    void deletingWhatIsNotThereIsManifestUnknown() {
        String repository = repository("manifest-delete");
        Manifest manifest = pushImage(repository, "a");
        String unknownDigest = OciContent.randomBlob(10).digest();

        fails(request().delete(manifestPath(repository, unknownDigest)), 404, "MANIFEST_UNKNOWN");
        fails(request().delete(manifestPath(repository, "nope")), 404, "MANIFEST_UNKNOWN");
        fails(request().delete(manifestPath(repository("manifest-nowhere"), "a")), 404, "MANIFEST_UNKNOWN");
        fails(request().delete(manifestPath(repository("manifest-nowhere"), manifest.digest())), 404, "MANIFEST_UNKNOWN");
        assertServed(repository, "a", manifest);
    }

    @Test
    void fetchingWhatIsNotThereIsManifestUnknown() {
        String repository = repository("manifest-unknown");
        Manifest manifest = pushImage(repository, "a");
        String unknownDigest = OciContent.randomBlob(10).digest();

        fails(request().get(manifestPath(repository, "nope")), 404, "MANIFEST_UNKNOWN")
                .body("errors[0].detail.tag", equalTo("nope"));
        fails(request().get(manifestPath(repository, unknownDigest)), 404, "MANIFEST_UNKNOWN")
                .body("errors[0].detail.digest", equalTo(unknownDigest));
        request().head(manifestPath(repository, "nope")).then().statusCode(404).body(emptyString());
        fails(request().get(manifestPath(repository("manifest-nowhere"), manifest.digest())), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aMalformedDigestReferenceIsDigestInvalid() {
        String repository = repository("manifest-digest");
        pushImage(repository, "a");

        fails(request().get(manifestPath(repository, "sha256:nothex")), 400, "DIGEST_INVALID");
        fails(request().delete(manifestPath(repository, "sha256:nothex")), 400, "DIGEST_INVALID");
    }

    /** An OCI image manifest whose annotation makes it one byte larger than four mebibytes. */
    private static byte[] oversizedManifest(String repository) {
        ObjectNode json = image(repository, OCI_MANIFEST);
        byte[] large = OciContent.bytes(OciContent.withAnnotations(json, Map.of("padding", "x".repeat(FOUR_MIB))));
        assertTrue(large.length > FOUR_MIB);
        return large;
    }

    /** Asserts the answer refuses a DELETE because indexes still list the manifest. */
    private static ValidatableResponse refusedAsListed(Response response) {
        return fails(response, 405, "DENIED").header("Allow", "GET, HEAD, PUT");
    }

    /** Asserts GET and HEAD serve the manifest under the reference, with its type, size, digest and bytes. */
    private static void assertServed(String repository, String reference, Manifest manifest) {
        byte[] body = request().get(manifestPath(repository, reference)).then()
                .statusCode(200)
                .contentType(manifest.mediaType())
                .header("Content-Length", String.valueOf(manifest.size()))
                .header("Docker-Content-Digest", manifest.digest())
                .header("ETag", "\"" + manifest.digest() + "\"")
                .extract().asByteArray();
        assertArrayEquals(manifest.bytes(), body, "the manifest's bytes under " + reference);
        request().head(manifestPath(repository, reference)).then()
                .statusCode(200)
                .contentType(manifest.mediaType())
                .header("Content-Length", String.valueOf(manifest.size()))
                .header("Docker-Content-Digest", manifest.digest())
                .body(emptyString());
    }

    /** Issue 20: media types the varchar(255) columns cannot hold are the manifest's fault, not the database's. */
    @ParameterizedTest
    @ValueSource(strings = {"artifactType", "config"})
    void aMediaTypeTheMetadataCannotHoldIsManifestInvalid(String field) {
        String repository = repository("manifest-long-type");
        ObjectNode manifest = image(repository, OCI_MANIFEST);
        String tooLong = "application/vnd.example." + "x".repeat(240) + "+json";
        if (field.equals("config")) {
            ((ObjectNode) manifest.get("config")).put("mediaType", tooLong);
        } else {
            manifest.put("artifactType", tooLong);
        }
        fails(request().contentType(OCI_MANIFEST).body(OciContent.manifest(manifest).bytes())
                .put(manifestPath(repository, "long")), 400, "MANIFEST_INVALID")
                .body("errors[0].message", org.hamcrest.Matchers.containsString("longer than 255"));

        ObjectNode withNul = image(repository, OCI_MANIFEST).put("artifactType", "application/x\0y");
        fails(request().contentType(OCI_MANIFEST).body(OciContent.manifest(withNul).bytes())
                .put(manifestPath(repository, "nul")), 400, "MANIFEST_INVALID")
                .body("errors[0].message", org.hamcrest.Matchers.containsString("NUL"));
    }
}
