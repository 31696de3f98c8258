package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Debian's skopeo and podman against the packaged server on its embedded default: images go in and come
 * back out with the same digests, in OCI and Docker schema 2 form, and an image pulled from Berth runs.
 *
 * <p>One server serves every test of the class; each test uses its own repositories and its own
 * engine folder (see {@link ContainerTools}), so the tests do not depend on one another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealClientsTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("real-clients");

    @Test
    void skopeoCopiesAMultiLayerImageInAndOutWithTheSameDigests() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "skopeo-oci", server.registry())) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            assertTrue(source.layerDigests().size() >= 3, "the test image has several layers");
            String repository = "docker://" + server.registry() + "/e2e/app";

            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", repository + ":1");

            byte[] raw = tools.skopeo("inspect", "--raw", "--tls-verify=false", repository + ":1").stdout();
            assertArrayEquals(source.manifest(), raw, "the manifest comes back byte for byte");
            JsonNode inspected = OciLayout.parse(tools.skopeo("inspect", "--tls-verify=false", repository + ":1").stdout());
            assertEquals(source.manifestDigest(), inspected.path("Digest").asText());
            assertEquals(source.layerDigests(), strings(inspected.path("Layers")));
            byte[] config = tools.skopeo("inspect", "--config", "--raw", "--tls-verify=false", repository + ":1").stdout();
            assertEquals(source.configDigest(), E2e.digestOf(config));

            // Registry to registry: every blob is already there, only the tag is new.
            tools.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", repository + ":1",
                    repository + ":2");
            JsonNode tags = OciLayout.parse(tools.skopeo("list-tags", "--tls-verify=false", repository).stdout());
            assertEquals(List.of("1", "2"), strings(tags.path("Tags")).stream().sorted().toList());

            Path out = tools.newDir("copied-out");
            tools.skopeo("copy", "--src-tls-verify=false", repository + ":2", "oci:" + out + ":copied");
            OciLayout.Image copied = OciLayout.read(out, "copied");
            assertEquals(source.manifestDigest(), copied.manifestDigest());
            assertEquals(OCI_MANIFEST, copied.mediaType());
            assertEquals(source.configDigest(), copied.configDigest());
            assertEquals(source.layerDigests(), copied.layerDigests());
            assertEquals(source.diffIds(), copied.diffIds());

            HttpResponse<byte[]> manifest = get("/v2/e2e/app/manifests/1", OCI_MANIFEST);
            assertEquals(200, manifest.statusCode());
            assertEquals(source.manifestDigest(), manifest.headers().firstValue("Docker-Content-Digest").orElse(null));
            assertArrayEquals(source.manifest(), manifest.body());
        }
    }

    @Test
    void skopeoConvertsToDockerSchema2AndBack() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "skopeo-v2s2", server.registry())) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String reference = "docker://" + server.registry() + "/e2e/app-v2s2:1";

            tools.skopeo("copy", "--format", "v2s2", "--dest-tls-verify=false", "oci:" + layout + ":1", reference);

            byte[] raw = tools.skopeo("inspect", "--raw", "--tls-verify=false", reference).stdout();
            JsonNode manifest = OciLayout.parse(raw);
            assertEquals(DOCKER_MANIFEST, manifest.path("mediaType").asText());
            assertEquals(source.layerDigests(), strings(manifest.path("layers"), "digest"),
                    "converting the manifest keeps the compressed layers");
            HttpResponse<byte[]> byDigest = get("/v2/e2e/app-v2s2/manifests/" + E2e.digestOf(raw), DOCKER_MANIFEST);
            assertEquals(200, byDigest.statusCode());
            assertEquals(DOCKER_MANIFEST, byDigest.headers().firstValue("Content-Type").orElse(null));
            assertArrayEquals(raw, byDigest.body());

            Path out = tools.newDir("copied-out");
            tools.skopeo("copy", "--src-tls-verify=false", reference, "oci:" + out + ":1");
            OciLayout.Image copied = OciLayout.read(out, "1");
            assertEquals(source.layerDigests(), copied.layerDigests());
            assertEquals(source.diffIds(), copied.diffIds());
        }
    }

    @Test
    void podmanPushesAndAnotherStorePullsTheSameImage() throws IOException {
        BerthServer server = berth.server();
        Path dir = berth.dir();
        ContainerTools.requirePodman();
        try (ContainerTools pusher = ContainerTools.create(dir, "podman-push", server.registry());
                ContainerTools puller = ContainerTools.create(dir, "podman-pull", server.registry())) {
            pusher.podman("login", "--tls-verify=false", "--username", server.adminUser(), "--password",
                    server.adminPassword(), server.registry());
            puller.login(server.registry(), server.adminUser(), server.adminPassword());
            OciLayout.Image source = TestImage.write(pusher.newDir("source"), "1", true);
            String reference = server.registry() + "/e2e/podman:1";
            String pushed = pushWithPodman(pusher, reference);

            HttpResponse<byte[]> manifest = get("/v2/e2e/podman/manifests/1", OCI_MANIFEST);
            assertEquals(200, manifest.statusCode());
            assertEquals(pushed, manifest.headers().firstValue("Docker-Content-Digest").orElse(null));
            assertEquals(pushed, E2e.digestOf(manifest.body()));

            puller.podman("pull", "--tls-verify=false", reference);
            JsonNode image = OciLayout.parse(puller.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(pushed, image.path("Digest").asText(), "podman records the digest it pulled");
            assertTrue(strings(image.path("RepoDigests")).contains(server.registry() + "/e2e/podman@" + pushed),
                    "RepoDigests: " + image.path("RepoDigests"));
            assertEquals(source.diffIds(), strings(image.path("RootFS").path("Layers")),
                    "the pulled layers unpack to the source's");
            assertEquals(source.configDigest(), "sha256:" + image.path("Id").asText(),
                    "the image ID is the digest of the unchanged config");
        }
    }

    @Test
    void podmanRunsAnImagePulledFromBerth() throws IOException {
        BerthServer server = berth.server();
        Path dir = berth.dir();
        ContainerTools.requireContainerRuntime();
        if (!TestImage.runnable()) {
            E2e.unavailable(TestImage.BUSYBOX + " is not a statically linked busybox (apt-get install busybox-static)");
        }
        try (ContainerTools pusher = ContainerTools.create(dir, "podman-run-push", server.registry());
                ContainerTools runner = ContainerTools.create(dir, "podman-run", server.registry()).withShortRunRoot()) {
            pusher.podman("login", "--tls-verify=false", "--username", server.adminUser(), "--password",
                    server.adminPassword(), server.registry());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            TestImage.write(pusher.newDir("source"), "1", true);
            String reference = server.registry() + "/e2e/run:1";
            pushWithPodman(pusher, reference);

            runner.podman("pull", "--tls-verify=false", reference);
            List<String> run = List.of("run", "--rm", "--runtime", "runc", "--network", "none",
                    "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", reference);
            assertEquals(TestImage.HELLO, runner.podman(run.toArray(String[]::new)).out(),
                    "the image's command prints the top layer's file");
            List<String> echo = new ArrayList<>(run);
            echo.addAll(List.of("/bin/busybox", "echo", "hi"));
            assertEquals("hi\n", runner.podman(echo.toArray(String[]::new)).out());
            List<String> whiteout = new ArrayList<>(run);
            whiteout.addAll(List.of("/bin/busybox", "sh", "-c", "test ! -e /opt/berth/random.bin && echo deleted"));
            assertEquals("deleted\n", runner.podman(whiteout.toArray(String[]::new)).out(),
                    "the top layer's whiteout hides the third layer's file");
        }
    }

    /** OCI manifests may omit {@code mediaType} (umoci's do, and skopeo copies them unchanged); Berth takes it from Content-Type. */
    @Test
    void acceptsAnOciManifestWithoutItsOptionalMediaType() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "skopeo-no-media-type", server.registry())) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", false);
            String reference = "docker://" + server.registry() + "/e2e/no-media-type:1";

            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", reference);

            byte[] raw = tools.skopeo("inspect", "--raw", "--tls-verify=false", reference).stdout();
            assertArrayEquals(source.manifest(), raw);
        }
    }

    /** Loads the test image from its layout into podman's store and pushes it; returns the pushed manifest's digest. */
    private static String pushWithPodman(ContainerTools podman, String reference) throws IOException {
        String id = podman.podman("pull", "-q", "oci:" + podman.dir().resolve("work/source") + ":1").out().trim();
        Path digestFile = podman.dir().resolve("pushed.digest");
        podman.podman("push", "--tls-verify=false", "--digestfile", digestFile.toString(), id, "docker://" + reference);
        return Files.readString(digestFile).trim();
    }

    private HttpResponse<byte[]> get(String path, String accept) {
        BerthServer server = berth.server();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("Accept", accept)
                .header("Authorization", server.adminAuthorization())
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static List<String> strings(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.path(field).asText()));
        return values;
    }
}
