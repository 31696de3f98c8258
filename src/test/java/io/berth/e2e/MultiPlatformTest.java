package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A multi-platform image: podman builds one image for this machine's architecture (busybox, runnable) and one
 * for another (a file only), puts both in an index with {@code podman manifest create} and {@code add}, and
 * pushes it with {@code podman manifest push --all}. Berth serves the index by its tag, listing both children
 * with their platforms, and each child by its digest; a clean store pulls each platform by
 * {@code --platform} and gets that platform's image, and the native one runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MultiPlatformTest {

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("multi-platform");

    @Test
    void manifestPushAllThenPullEachPlatformByTag() throws IOException {
        BerthServer server = berth.server();
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireBuildah();
        ContainerTools.requireSkopeo();
        LocalBase.requireBusybox();
        Path testDir = berth.dir().resolve("index");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.login(server.registry(), server.adminUser(), server.adminPassword());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            String localArch = builder.podman("info", "--format", "{{.Host.Arch}}").out().trim();
            String otherArch = "arm64".equals(localArch) ? "amd64" : "arm64";
            String reference = server.registry() + "/e2e/multi:1";

            LocalBase.build(builder);
            String nativeImage = platformImage(builder, LocalBase.LOCAL, localArch);
            String otherImage = platformImage(builder, "scratch", otherArch);
            builder.podman("manifest", "create", "localhost/multi:1");
            builder.podman("manifest", "add", "localhost/multi:1", "containers-storage:" + nativeImage);
            builder.podman("manifest", "add", "localhost/multi:1", "containers-storage:" + otherImage);
            builder.podman("manifest", "push", "--all", "--format", "oci", "--tls-verify=false", "localhost/multi:1",
                    "docker://" + reference);

            HttpResponse<byte[]> byTag = BerthHttp.manifest(server, "e2e/multi", "1");
            assertEquals(BerthHttp.OCI_INDEX, BerthHttp.header(byTag, "Content-Type"), "the tag names an OCI index");
            JsonNode index = OciLayout.parse(byTag.body());
            Map<String, String> children = new LinkedHashMap<>();
            for (JsonNode child : index.path("manifests")) {
                children.put(child.path("platform").path("os").asText() + "/"
                        + child.path("platform").path("architecture").asText(), child.path("digest").asText());
            }
            assertEquals(List.of("linux/" + localArch, "linux/" + otherArch).stream().sorted().toList(),
                    children.keySet().stream().sorted().toList(), "the index lists both platforms: " + index);
            Map<String, String> configs = new LinkedHashMap<>();
            children.forEach((platform, digest) -> {
                HttpResponse<byte[]> child = BerthHttp.manifest(server, "e2e/multi", digest);
                assertEquals(BerthHttp.OCI_MANIFEST, BerthHttp.header(child, "Content-Type"), platform);
                String config = OciLayout.parse(child.body()).path("config").path("digest").asText();
                JsonNode image = OciLayout.parse(BerthHttp.blob(server, "e2e/multi", config));
                assertEquals(platform, image.path("os").asText() + "/" + image.path("architecture").asText(),
                        "the child listed for " + platform + " is built for it");
                configs.put(platform, config);
            });
            assertEquals(List.of("1"), BerthHttp.tags(server, "e2e/multi"), "one tag, for the index");
            assertArrayEquals(byTag.body(), builder.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + reference).stdout(), "skopeo inspect --raw shows the index");

            runner.podman("pull", "--tls-verify=false", "--platform", "linux/" + otherArch, reference);
            JsonNode other = OciLayout.parse(runner.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(otherArch, other.path("Architecture").asText(), other.toString());
            assertEquals(configs.get("linux/" + otherArch), "sha256:" + other.path("Id").asText(),
                    "--platform linux/" + otherArch + " pulls that child");

            runner.podman("pull", "--tls-verify=false", "--platform", "linux/" + localArch, reference);
            JsonNode local = OciLayout.parse(runner.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(configs.get("linux/" + localArch), "sha256:" + local.path("Id").asText(),
                    "--platform linux/" + localArch + " pulls that child");
            ContainerTools.Result run = runner.podman(AppContext.podmanRun(reference));
            assertEquals("linux/" + localArch + "\n", run.out(), run.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    /**
     * Commits {@code localhost/multi-<arch>:1}: {@code from} plus {@code /platform.txt} naming the platform, with
     * the architecture set in its config and the command {@code cat /platform.txt}; returns its name.
     */
    static String platformImage(ContainerTools tools, String from, String arch) throws IOException {
        Path file = tools.newDir("platform-" + arch).resolve("platform.txt");
        Files.writeString(file, "linux/" + arch + "\n");
        String container = tools.buildah("from", "--arch", arch, "--os", "linux", from).out().trim();
        tools.buildah("copy", container, file.toString(), "/platform.txt");
        tools.buildah("config", "--arch", arch, "--os", "linux", "--cmd", "[\"cat\", \"/platform.txt\"]", container);
        String name = "localhost/multi-" + arch + ":1";
        tools.buildah("commit", "--quiet", container, name);
        tools.buildah("rm", container);
        return name;
    }
}
