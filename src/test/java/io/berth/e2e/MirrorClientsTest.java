package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
