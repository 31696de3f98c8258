package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The garbage collector as a user meets it: podman pushes two tags of an app whose builds differ in one
 * layer, skopeo deletes one, a run through the admin API frees the deleted image's own layers from
 * {@code data/blobs}, and the other tag still pulls and runs. The server runs with a grace period of
 * two seconds, so the test need not wait an hour.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class GcRealClientsTest {

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("gc-real-clients");

    private final LocalBase.PerClass bases = new LocalBase.PerClass(berth);

    @BeforeAll
    void start() {
        berth.start(BerthServer.builder(berth.dir().resolve("data"))
                .property("berth.gc.enabled", "false")
                .property("berth.gc.grace", "PT2S"));
    }

    @Test
    void deletingATagAndCollectingFreesItsOwnLayersAndKeepsTheOtherImageRunning() throws Exception {
        BerthServer server = berth.server();
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
        Path testDir = berth.dir().resolve("app");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.login(server.registry(), server.adminUser(), server.adminPassword());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            Path context = AppContext.writeApp(builder.newDir("context"));
            String repository = server.registry() + "/e2e/gc-app";
            for (String flavor : List.of("old", "new")) {
                builder.podman("build", "--network", "none", "--build-arg", "BASE=" + bases.reference(),
                        "--build-arg", "FLAVOR=" + flavor, "--tag", repository + ":" + flavor, context.toString());
                builder.podman("push", "--tls-verify=false", repository + ":" + flavor);
            }
            Set<String> oldBlobs = blobsOf(builder, repository + ":old");
            Set<String> newBlobs = blobsOf(builder, repository + ":new");
            Set<String> onlyOld = new HashSet<>(oldBlobs);
            onlyOld.removeAll(newBlobs);
            assertFalse(onlyOld.isEmpty(), "the builds differ in a layer and their configs");
            Set<String> shared = new HashSet<>(oldBlobs);
            shared.retainAll(newBlobs);
            assertFalse(shared.isEmpty(), "the builds share the base's layer");
            onlyOld.forEach(digest -> assertTrue(stored(server, digest), digest + " is stored before the delete"));

            builder.skopeo("delete", "--tls-verify=false", "docker://" + repository + ":old");
            Thread.sleep(2500);
            JsonNode run = collect(server);

            assertEquals("finished", run.path("status").asText(), run.toString());
            onlyOld.forEach(digest -> assertFalse(stored(server, digest), digest + " is freed from data/blobs"));
            shared.forEach(digest -> assertTrue(stored(server, digest), digest + " is kept: the new image uses it"));
            assertTrue(run.path("kinds").path("BLOB").path("bytes").asLong() > 0, run.toString());

            runner.podman("pull", "--tls-verify=false", repository + ":new");
            assertEquals(AppContext.appOutput(AppContext.GREETING, "new", "seed.txt"),
                    runner.podman(AppContext.podmanRun(repository + ":new")).out(), "the kept image still runs");
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    /** The config and layer digests of an image, as skopeo reads its manifest from Berth. */
    private static Set<String> blobsOf(ContainerTools tools, String reference) {
        JsonNode manifest = OciLayout.parse(tools.skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + reference)
                .stdout());
        Set<String> digests = new HashSet<>(BerthHttp.strings(manifest.path("layers"), "digest"));
        digests.add(manifest.path("config").path("digest").asText());
        return digests;
    }

    private static boolean stored(BerthServer server, String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("blobs"))) {
            return files.anyMatch(path -> Files.isRegularFile(path) && path.getFileName().toString().equals(hex));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a run through the admin API and waits for it to end. */
    private static JsonNode collect(BerthServer server) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> started = client.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/api/v1/gc"))
                .header("Authorization", server.adminAuthorization()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dryRun\": false}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        String location = "/api/v1/gc/runs/" + OciLayout.parse(started.body().getBytes(StandardCharsets.UTF_8)).path("id").asLong();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> run = client.send(HttpRequest.newBuilder(URI.create(server.baseUri() + location))
                    .header("Authorization", server.adminAuthorization()).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode report = OciLayout.parse(run.body().getBytes(StandardCharsets.UTF_8));
            if (Set.of("finished", "failed", "skipped").contains(report.path("status").asText())) {
                return report;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the garbage collection run did not end within 2 minutes");
    }
}
