package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Berth as a Docker Hub mirror, with another Berth as the hub: the upstream requires sign-in and
 * answers with the Bearer token flow, as Docker Hub does, and the mirror signs in with its configured
 * account. Podman, told by {@code registries.conf} that {@code docker.io} has a mirror, pulls
 * {@code docker.io/library/busybox} through Berth and runs it; skopeo then reads the cached image under
 * the mirror namespace with the upstream gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MirrorClientsTest {

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("mirror-clients");

    private BerthServer hub;
    private BerthServer mirror;

    @BeforeAll
    void start() {
        hub = berth.start(BerthServer.builder(berth.dir().resolve("hub-data")));
        mirror = berth.start(BerthServer.builder(berth.dir().resolve("mirror-data"))
                .property("berth.mirror.upstreams.hub.url", hub.baseUri().toString())
                .property("berth.mirror.upstreams.hub.namespace", "hub")
                .property("berth.mirror.upstreams.hub.default", "true")
                .property("berth.mirror.upstreams.hub.anonymous-pull", "true")
                .property("berth.mirror.upstreams.hub.username", hub.adminUser())
                .property("berth.mirror.upstreams.hub.password", hub.adminPassword()));
    }

    @Test
    @Order(1)
    void skopeoCopiesAllPlatformsThroughTheMirrorAndOneChildPullsByDigestAndRuns() throws Exception {
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
        Path testDir = berth.dir().resolve("multi");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", hub.registry()).withShortRunRoot();
                ContainerTools client = ContainerTools.create(testDir, "client", mirror.registry()).withShortRunRoot()) {
            builder.login(hub.registry(), hub.adminUser(), hub.adminPassword());
            String localArch = builder.podman("info", "--format", "{{.Host.Arch}}").out().trim();
            String otherArch = "arm64".equals(localArch) ? "amd64" : "arm64";
            LocalBase.build(builder);
            builder.podman("manifest", "create", "localhost/multi:1");
            builder.podman("manifest", "add", "localhost/multi:1",
                    "containers-storage:" + MultiPlatformTest.platformImage(builder, LocalBase.LOCAL, localArch));
            builder.podman("manifest", "add", "localhost/multi:1",
                    "containers-storage:" + MultiPlatformTest.platformImage(builder, "scratch", otherArch));
            builder.podman("manifest", "push", "--all", "--format", "oci", "--tls-verify=false", "localhost/multi:1",
                    "docker://" + hub.registry() + "/library/multi:1");

            String mirrored = mirror.registry() + "/hub/library/multi";
            client.skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + mirrored + ":1",
                    "oci:" + client.newDir("layout") + ":multi");
            JsonNode index = OciLayout.parse(client.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + mirrored + ":1").stdout());
            String nativeChild = null;
            for (JsonNode child : index.path("manifests")) {
                if (child.path("platform").path("architecture").asText().equals(localArch)) {
                    nativeChild = child.path("digest").asText();
                }
            }
            assertEquals(2, index.path("manifests").size(), index.toString());
            client.podman("pull", "--tls-verify=false", mirrored + "@" + nativeChild);
            assertEquals("linux/" + localArch, client.podman(AppContext.podmanRun(mirrored + "@" + nativeChild)).out().trim());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    @Test
    @Order(2)
    void dockerPullsBusyboxThroughItsRegistryMirrorAndCtrThroughHostsToml() throws Exception {
        DockerDaemon.requireDocker();
        DockerDaemon.requireCtr();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
        Path testDir = berth.dir().resolve("docker");
        try (ContainerTools pusher = ContainerTools.create(testDir, "pusher", hub.registry()).withShortRunRoot();
                DockerDaemon docker = DockerDaemon.startWithMirror(testDir, "dockerd", mirror.registry())) {
            pusher.login(hub.registry(), hub.adminUser(), hub.adminPassword());
            LocalBase.push(pusher, hub, "library/dockerbox:latest");

            // "dockerbox" is a Docker Hub name: dockerd asks its mirror for library/dockerbox.
            docker.docker("pull", "dockerbox");
            assertEquals("hi from the mirror\n", docker.docker("run", "--rm", "--network", "none", "dockerbox",
                    "/bin/busybox", "echo", "hi from the mirror").out());

            Path hosts = Files.createDirectories(testDir.resolve("certs.d/docker.io"));
            Files.writeString(hosts.resolve("hosts.toml"), """
                    server = "https://registry-1.docker.io"

                    [host."http://%s"]
                      capabilities = ["pull", "resolve"]
                    """.formatted(mirror.registry()));
            String reference = "docker.io/library/dockerbox:latest";
            docker.ctr("berth-e2e-mirror", "images", "pull", "--hosts-dir", testDir.resolve("certs.d").toString(), reference);
            assertEquals("hi from ctr\n", docker.ctr("berth-e2e-mirror", "run", "--rm", reference, "berth-e2e-mirror",
                    "/bin/busybox", "echo", "hi from ctr").out());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    @Test
    @Order(3)
    void podmanPullsDockerHubNamesThroughTheMirrorAndTheImageRuns() throws Exception {
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
        Path testDir = berth.dir().resolve("clients");
        try (ContainerTools pusher = ContainerTools.create(testDir, "pusher", hub.registry()).withShortRunRoot();
                ContainerTools client = ContainerTools.create(testDir, "client").withShortRunRoot()) {
            pusher.login(hub.registry(), hub.adminUser(), hub.adminPassword());
            LocalBase.push(pusher, hub, "library/busybox:latest");

            // docker.io is out of reach here: only the mirror can answer.
            Files.writeString(client.dir().resolve("registries.conf"), """
                    unqualified-search-registries = ["docker.io"]

                    [[registry]]
                    prefix = "docker.io"
                    location = "docker.io"

                    [[registry.mirror]]
                    location = "%s"
                    insecure = true
                    """.formatted(mirror.registry()));
            client.podman("pull", "docker.io/library/busybox:latest");
            assertEquals("pulled through the mirror", client.podman(AppContext.podmanRun("docker.io/library/busybox:latest",
                    "echo", "pulled through the mirror")).out().trim());

            hub.stop();
            String cached = client.skopeo("inspect", "--tls-verify=false", "--raw",
                    "docker://" + mirror.registry() + "/hub/library/busybox:latest").out();
            assertTrue(cached.contains("\"layers\""), cached);
            HttpResponse<String> catalog = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(mirror.baseUri() + "/v2/_catalog")).header("Authorization", mirror.adminAuthorization()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(catalog.body().contains("hub/library/busybox"), catalog.body());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }
}
