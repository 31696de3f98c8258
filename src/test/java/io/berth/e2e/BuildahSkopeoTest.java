package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Debian's buildah and skopeo against Berth: {@code buildah bud} and {@code buildah push} of the Dockerfile in
 * {@link AppContext} (the image then runs in podman); {@code skopeo copy} from one Berth repository to another
 * (every layer is mounted, none sent again), to an {@code oci:} layout and back, {@code inspect --raw},
 * {@code list-tags} and {@code delete}.
 *
 * <p>One server serves the class; the tests that count uploads with {@link BerthMetrics} rely on being the only
 * ones talking to it at the time (JUnit runs a class's tests one after another).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BuildahSkopeoTest {

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("buildah-skopeo");

    private final LocalBase.PerClass bases = new LocalBase.PerClass(berth);

    @Test
    void buildahBudsAndPushesAnImageThatRunsAfterAPull() throws IOException {
        BerthServer server = berth.server();
        ContainerTools.requireBuildah();
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        LocalBase.requireBusybox();
        Path testDir = berth.dir().resolve("buildah");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.login(server.registry(), server.adminUser(), server.adminPassword());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            Path context = AppContext.writeApp(builder.newDir("context"));
            String reference = server.registry() + "/e2e/buildah-app:1";

            builder.buildah("bud", "--network", "none", "--build-arg", "BASE=" + bases.reference(),
                    "--build-arg", "FLAVOR=buildah", "--tag", reference, context.toString());
            Path digestFile = builder.dir().resolve("pushed.digest");
            builder.buildah("push", "--tls-verify=false", "--digestfile", digestFile.toString(), reference);
            String pushed = Files.readString(digestFile).trim();
            assertEquals(pushed, BerthHttp.header(BerthHttp.manifest(server, "e2e/buildah-app", "1"),
                    "Docker-Content-Digest"), "Berth serves the manifest buildah pushed");
            JsonNode config = OciLayout.parse(builder.skopeo("inspect", "--config", "--tls-verify=false",
                    "docker://" + reference).stdout()).path("config");
            assertTrue(BerthHttp.strings(config.path("Env")).containsAll(AppContext.appEnv("buildah")), "ENV: " + config);
            assertEquals(AppContext.WORKDIR, config.path("WorkingDir").asText(), "WORKDIR: " + config);
            assertTrue(config.path("ExposedPorts").has(AppContext.EXPOSED), "EXPOSE: " + config);
            assertTrue(config.path("Volumes").has(AppContext.VOLUME), "VOLUME: " + config);
            assertEquals(AppContext.APP_CMD, BerthHttp.strings(config.path("Cmd")), "CMD: " + config);

            runner.podman("pull", "--tls-verify=false", reference);
            ContainerTools.Result run = runner.podman(AppContext.podmanRun(reference));
            assertEquals(AppContext.appOutput(AppContext.GREETING, "buildah", "seed.txt"), run.out(), run.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    @Test
    void skopeoCopiesBetweenRepositoriesByMountingEveryLayer() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        Path testDir = berth.dir().resolve("skopeo-mount");
        try (ContainerTools tools = ContainerTools.create(testDir, "skopeo", server.registry())) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String from = "docker://" + server.registry() + "/e2e/skopeo-source:1";
            String to = "docker://" + server.registry() + "/e2e/skopeo-mounted:1";
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", from);

            BerthMetrics before = BerthMetrics.scrape(server);
            ContainerTools.Result copy = tools.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                    from, to);
            BerthMetrics.Uploads uploads = BerthMetrics.scrape(server).since(before);
            System.out.println("[skopeo] copy e2e/skopeo-source:1 to e2e/skopeo-mounted:1: " + uploads);

            assertEquals(source.layerDigests().size(), uploads.mounted(),
                    "every layer is mounted from e2e/skopeo-source: " + uploads + "\n" + copy.describe());
            assertTrue(uploads.created() >= uploads.mounted(), "each mount is a POST answered 201: " + uploads);
            long configSize = BerthHttp.blob(server, "e2e/skopeo-source", source.configDigest()).length;
            assertTrue(uploads.receivedBytes() == 0 || uploads.receivedBytes() == configSize,
                    "no layer's bytes are sent again, at most the " + configSize + "-byte config: " + uploads);
            assertEquals(source.manifestDigest(), BerthHttp.header(BerthHttp.manifest(server, "e2e/skopeo-mounted", "1"),
                    "Docker-Content-Digest"), "the copy has the source's manifest");
            List<String> blobs = new ArrayList<>(source.layerDigests());
            blobs.add(source.configDigest());
            for (String blob : blobs) {
                assertEquals(200, BerthHttp.head(server, "/v2/e2e/skopeo-mounted/blobs/" + blob),
                        "the copy's repository holds " + blob);
            }
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    @Test
    void skopeoRoundTripsAnOciLayoutInspectsListsTagsAndDeletesByDigest() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        Path testDir = berth.dir().resolve("skopeo-layout");
        try (ContainerTools tools = ContainerTools.create(testDir, "skopeo", server.registry())) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String repository = "docker://" + server.registry() + "/e2e/skopeo-layout";
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", repository + ":pushed");

            Path out = tools.newDir("out");
            tools.skopeo("copy", "--src-tls-verify=false", repository + ":pushed", "oci:" + out + ":copied");
            OciLayout.Image copied = OciLayout.read(out, "copied");
            assertEquals(source.manifestDigest(), copied.manifestDigest(), "the layout holds the pushed manifest");
            assertEquals(source.layerDigests(), copied.layerDigests());
            assertEquals(source.diffIds(), copied.diffIds());

            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + out + ":copied", repository + ":1");
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + out + ":copied", repository + ":2");
            tools.skopeo("copy", "--dest-tls-verify=false", "--format", "v2s2", "oci:" + out + ":copied",
                    repository + ":v2s2");

            byte[] raw = tools.skopeo("inspect", "--raw", "--tls-verify=false", repository + ":1").stdout();
            assertArrayEquals(source.manifest(), raw, "inspect --raw gives the manifest back byte for byte");
            assertArrayEquals(raw, BerthHttp.manifest(server, "e2e/skopeo-layout", "1").body(),
                    "inspect --raw shows what Berth serves");
            JsonNode inspected = OciLayout.parse(tools.skopeo("inspect", "--tls-verify=false", repository + ":1").stdout());
            assertEquals(source.manifestDigest(), inspected.path("Digest").asText(), inspected.toString());
            assertEquals(source.layerDigests(), BerthHttp.strings(inspected.path("Layers")), inspected.toString());
            String v2s2 = E2e.digestOf(tools.skopeo("inspect", "--raw", "--tls-verify=false", repository + ":v2s2")
                    .stdout());
            assertNotEquals(source.manifestDigest(), v2s2, "the Docker schema 2 copy is another manifest");
            assertEquals(List.of("1", "2", "pushed", "v2s2"), tags(tools, repository));

            tools.skopeo("delete", "--tls-verify=false", repository + ":1");
            assertEquals(List.of("v2s2"), tags(tools, repository),
                    "skopeo delete removes the manifest by digest, and with it every tag that points at it");
            ContainerTools.Result gone = tools.trySkopeo("inspect", "--raw", "--tls-verify=false", repository + ":2");
            assertNotEquals(0, gone.exitCode(), gone.describe());
            assertTrue(gone.stderr().contains("manifest unknown"), "skopeo reports the missing manifest: "
                    + gone.describe());
            assertEquals(404, BerthHttp.head(server, "/v2/e2e/skopeo-layout/manifests/" + source.manifestDigest()),
                    "the manifest is gone by digest too");
            assertEquals(v2s2, E2e.digestOf(tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    repository + ":v2s2").stdout()), "the other manifest stays");
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    private static List<String> tags(ContainerTools tools, String repository) {
        JsonNode listed = OciLayout.parse(tools.skopeo("list-tags", "--tls-verify=false", repository).stdout());
        return BerthHttp.strings(listed.path("Tags")).stream().sorted().toList();
    }
}
