package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An image pushed to Berth by one engine is pulled and run by another: docker to podman (a Docker schema 2
 * manifest), podman to docker and podman to containerd's {@code ctr} (OCI manifests). Every image is the
 * Dockerfile of {@link AppContext}, built on the base ({@link LocalBase}) pulled from Berth, and must print the
 * same thing wherever it runs.
 *
 * <p>One server serves the class; each test starts its own engines and uses its own repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CrossClientTest {

    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64}) size: \\d+");
    private static final String CTR_NAMESPACE = "berth-e2e";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("cross-client");

    private final LocalBase.PerClass bases = new LocalBase.PerClass(berth);

    @Test
    void dockerPushesAndPodmanPullsAndRuns() {
        BerthServer server = berth.server();
        requireEngines();
        DockerDaemon.requireDocker();
        Path testDir = berth.dir().resolve("docker-to-podman");
        Path execRoot;
        try (DockerDaemon docker = DockerDaemon.start(testDir, "docker");
                ContainerTools podman = ContainerTools.create(testDir, "podman", server.registry()).withShortRunRoot()) {
            execRoot = docker.execRoot();
            Path client = DockerDaemon.debianDocker();
            docker.clientWithInput(client, server.adminPassword() + "\n", "login", server.registry(), "--username",
                    server.adminUser(), "--password-stdin");
            String reference = server.registry() + "/e2e/from-docker:1";
            Path context = AppContext.writeApp(testDir.resolve("context"));
            docker.client(client, "build", "--network", "none", "--build-arg", "BASE=" + bases.reference(),
                    "--build-arg", "FLAVOR=docker", "--tag", reference, context.toString());
            ContainerTools.Result push = docker.client(client, "push", reference);
            Matcher pushed = PUSHED_DIGEST.matcher(push.out());
            assertTrue(pushed.find(), "docker push prints the pushed digest: " + push.describe());
            assertEquals(BerthHttp.DOCKER_MANIFEST, BerthHttp.header(BerthHttp.manifest(server, "e2e/from-docker", "1"),
                    "Content-Type"), "docker pushes a Docker schema 2 manifest");

            podman.login(server.registry(), server.adminUser(), server.adminPassword());
            podman.podman("pull", "--tls-verify=false", reference);
            JsonNode image = OciLayout.parse(podman.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(pushed.group(1), image.path("Digest").asText(), "podman pulled what docker pushed");
            ContainerTools.Result run = podman.podman(
                    AppContext.podmanRun("--env", "GREETING=hello from podman", reference));
            assertEquals(AppContext.appOutput("hello from podman", "docker", "seed.txt"), run.out(), run.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir, execRoot);
    }

    @Test
    void podmanPushesAndDockerPullsAndRuns() throws Exception {
        BerthServer server = berth.server();
        requireEngines();
        DockerDaemon.requireDocker();
        Path testDir = berth.dir().resolve("podman-to-docker");
        Path execRoot;
        try (ContainerTools podman = ContainerTools.create(testDir, "podman", server.registry()).withShortRunRoot();
                DockerDaemon docker = DockerDaemon.start(testDir, "docker")) {
            execRoot = docker.execRoot();
            String reference = server.registry() + "/e2e/from-podman:1";
            String pushed = buildAndPushWithPodman(podman, reference, "podman");

            Path client = DockerDaemon.debianDocker();
            docker.clientWithInput(client, server.adminPassword() + "\n", "login", server.registry(), "--username",
                    server.adminUser(), "--password-stdin");
            docker.client(client, "pull", reference);
            JsonNode image = OciLayout.parse(docker.client(client, "image", "inspect", reference).stdout()).get(0);
            assertEquals(List.of(server.registry() + "/e2e/from-podman@" + pushed),
                    BerthHttp.strings(image.path("RepoDigests")), "docker pulled what podman pushed");
            ContainerTools.Result run = docker.client(client, "run", "--rm", "--network", "none",
                    "--env", "GREETING=hello from docker", reference);
            assertEquals(AppContext.appOutput("hello from docker", "podman", "seed.txt"), run.out(), run.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir, execRoot);
    }

    @Test
    void podmanPushesAndContainerdPullsAndRuns() throws Exception {
        BerthServer server = berth.server();
        requireEngines();
        DockerDaemon.requireCtr();
        Path testDir = berth.dir().resolve("podman-to-ctr");
        Path execRoot;
        try (ContainerTools podman = ContainerTools.create(testDir, "podman", server.registry()).withShortRunRoot();
                DockerDaemon engine = DockerDaemon.start(testDir, "containerd")) {
            execRoot = engine.execRoot();
            String reference = server.registry() + "/e2e/for-ctr:1";
            String pushed = buildAndPushWithPodman(podman, reference, "ctr");

            String user = server.adminUser() + ":" + server.adminPassword();
            engine.ctr(CTR_NAMESPACE, "images", "pull", "--plain-http", "--user", user, reference);
            String listed = engine.ctr(CTR_NAMESPACE, "images", "ls").out();
            assertTrue(listed.lines().anyMatch(l -> l.startsWith(reference + " ") && l.contains(pushed)),
                    "ctr holds " + reference + " at " + pushed + ":\n" + listed);
            ContainerTools.Result run = engine.ctr(CTR_NAMESPACE, "run", "--rm", reference, "berth-e2e-app");
            assertEquals(AppContext.appOutput(AppContext.GREETING, "ctr", "seed.txt"), run.out(),
                    "ctr runs the image with its ENV, WORKDIR and CMD: " + run.describe());
            ContainerTools.Result overridden = engine.ctr(CTR_NAMESPACE, "run", "--rm",
                    "--env", "GREETING=hello from ctr", reference, "berth-e2e-env");
            assertEquals(AppContext.appOutput("hello from ctr", "ctr", "seed.txt"), overridden.out(),
                    overridden.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir, execRoot);
    }

    /** Builds the app with podman, pushes it and returns the pushed manifest's digest. */
    private String buildAndPushWithPodman(ContainerTools podman, String reference, String flavor) throws Exception {
        BerthServer server = berth.server();
        podman.login(server.registry(), server.adminUser(), server.adminPassword());
        Path context = AppContext.writeApp(podman.newDir("context"));
        podman.podman("build", "--network", "none", "--build-arg", "BASE=" + bases.reference(),
                "--build-arg", "FLAVOR=" + flavor, "--tag", reference, context.toString());
        Path digestFile = podman.dir().resolve("pushed.digest");
        podman.podman("push", "--tls-verify=false", "--digestfile", digestFile.toString(), reference);
        return Files.readString(digestFile).trim();
    }

    private static void requireEngines() {
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
    }
}
