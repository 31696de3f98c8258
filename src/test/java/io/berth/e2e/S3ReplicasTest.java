package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Berth replicas on different ports share one PostgreSQL, one S3 server and one token signing key:
 * an upload may hop between them chunk by chunk, a token one issues is accepted by the other, and each
 * serves what the other stored. Nothing of an upload lives in a replica's memory or on its disk.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class S3ReplicasTest {

    private static final int MIB = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("s3-replicas");

    private S3Replicas replicas;
    private BerthServer a;
    private BerthServer b;

    @BeforeAll
    void start() {
        replicas = berth.closing(S3Replicas.start(berth.dir()));
        a = replicas.startReplica("replica-a");
        b = replicas.startReplica("replica-b");
    }

    @Test
    void aChunkedUploadWhosePatchesAlternateBetweenReplicasCompletes() {
        String repository = "e2e/replicas-chunked";
        // Chunks under S3's 5 MiB part minimum, over it, and of several parts, each to the other replica.
        int[] chunks = {3 * MIB, 6 * MIB, 1024, 12 * MIB + 5, 5 * MIB, 700 * 1024, 1};
        byte[] blob = random(Arrays.stream(chunks).sum(), 1);
        String digest = E2e.digestOf(blob);

        String location = post(a, repository);
        int offset = 0;
        for (int i = 0; i < chunks.length; i++) {
            BerthServer replica = i % 2 == 0 ? b : a;
            HttpResponse<String> patch = replicas.send(replicas.request(replica, location)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + (offset + chunks[i] - 1))
                    .method("PATCH", BodyPublishers.ofByteArray(blob, offset, chunks[i])).build());
            assertEquals(202, patch.statusCode(), "PATCH " + i + " on " + replica.registry() + ": " + patch.body()
                    + "\n" + replicas.logs());
            offset += chunks[i];
            assertEquals("0-" + (offset - 1), patch.headers().firstValue("Range").orElse(null));
            location = patch.headers().firstValue("Location").orElseThrow();

            // Where the upload stands is known to both.
            HttpResponse<String> status = replicas.send(replicas.request(i % 2 == 0 ? a : b, location).GET().build());
            assertEquals(204, status.statusCode(), status.body());
            assertEquals("0-" + (offset - 1), status.headers().firstValue("Range").orElse(null));
        }
        HttpResponse<String> put = replicas.send(replicas.request(a, withDigest(location, digest))
                .PUT(BodyPublishers.noBody()).build());
        assertEquals(201, put.statusCode(), "closing PUT: " + put.body() + "\n" + replicas.logs());
        assertEquals(digest, put.headers().firstValue("Docker-Content-Digest").orElse(null));

        assertServed(a, repository, digest, blob);
        assertServed(b, repository, digest, blob);
    }

    @Test
    void aMonolithicUploadStartedOnOneReplicaIsFinishedOnTheOther() {
        String repository = "e2e/replicas-monolithic";
        byte[] blob = random(9 * MIB + 123, 2);
        String digest = E2e.digestOf(blob);

        String location = post(b, repository);
        HttpResponse<String> put = replicas.send(replicas.request(a, withDigest(location, digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofByteArray(blob)).build());
        assertEquals(201, put.statusCode(), put.body() + "\n" + replicas.logs());

        assertServed(b, repository, digest, blob);
        assertServed(a, repository, digest, blob);
    }

    @Test
    void eachReplicaServesTheImagesTheOtherStored() throws Exception {
        String repository = "e2e/replicas-image";
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(2 * MIB, 3);
        pushMonolithic(a, repository, config);
        pushMonolithic(b, repository, layer);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + E2e.digestOf(config) + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + E2e.digestOf(layer) + "\",\"size\":" + layer.length + "}]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> pushed = replicas.send(replicas.request(a, "/v2/" + repository + "/manifests/1.0")
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(BodyPublishers.ofByteArray(manifestBytes)).build());
        assertEquals(201, pushed.statusCode(), pushed.body());

        for (BerthServer replica : new BerthServer[] {a, b}) {
            HttpResponse<byte[]> pulled = replicas.http().send(replicas.request(replica, "/v2/" + repository + "/manifests/1.0")
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, pulled.statusCode());
            assertArrayEquals(manifestBytes, pulled.body());
            JsonNode tags = JSON.readTree(replicas.send(replicas.request(replica, "/v2/" + repository + "/tags/list")
                    .GET().build()).body());
            assertEquals("1.0", tags.path("tags").path(0).asText(), tags.toString());
            assertServed(replica, repository, E2e.digestOf(layer), layer);
            assertServed(replica, repository, E2e.digestOf(config), config);
        }
    }

    @Test
    void aTokenIssuedByOneReplicaIsAcceptedByTheOther() throws Exception {
        String repository = "e2e/replicas-token";
        byte[] blob = random(1000, 4);
        String digest = pushMonolithic(a, repository, blob);

        for (BerthServer[] pair : new BerthServer[][] {{a, b}, {b, a}}) {
            String scope = URLEncoder.encode("repository:" + repository + ":pull,push", StandardCharsets.UTF_8);
            HttpResponse<String> issued = replicas.send(replicas.request(pair[0], "/token?service=berth-registry&scope=" + scope)
                    .GET().build());
            assertEquals(200, issued.statusCode(), issued.body());
            String token = JSON.readTree(issued.body()).path("token").asText();
            assertTrue(token.split("\\.").length == 3, "a JWT: " + issued.body());

            HttpResponse<byte[]> pulled = replicas.http().send(HttpRequest.newBuilder(pair[1].baseUri()
                    .resolve("/v2/" + repository + "/blobs/" + digest)).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, pulled.statusCode(), "a token of " + pair[0].registry() + " at " + pair[1].registry());
            assertArrayEquals(blob, pulled.body());
        }
    }

    private String post(BerthServer server, String repository) {
        HttpResponse<String> post = replicas.send(replicas.request(server, "/v2/" + repository + "/blobs/uploads/")
                .POST(BodyPublishers.noBody()).build());
        assertEquals(202, post.statusCode(), post.body() + "\n" + replicas.logs());
        return post.headers().firstValue("Location").orElseThrow();
    }

    private String pushMonolithic(BerthServer server, String repository, byte[] blob) {
        String digest = E2e.digestOf(blob);
        HttpResponse<String> post = replicas.send(replicas.request(server, "/v2/" + repository + "/blobs/uploads/?digest=" + digest)
                .header("Content-Type", "application/octet-stream").POST(BodyPublishers.ofByteArray(blob)).build());
        assertEquals(201, post.statusCode(), post.body());
        return digest;
    }

    private void assertServed(BerthServer server, String repository, String digest, byte[] blob) {
        try {
            HttpResponse<byte[]> got = replicas.http().send(replicas.request(server, "/v2/" + repository + "/blobs/" + digest)
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, got.statusCode(), "GET on " + server.registry());
            assertArrayEquals(blob, got.body(), "the bytes served by " + server.registry());
            int from = blob.length / 3;
            HttpResponse<byte[]> range = replicas.http().send(replicas.request(server, "/v2/" + repository + "/blobs/" + digest)
                    .header("Range", "bytes=" + from + "-").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(blob, from, blob.length), range.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
