package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
 * Debian's Docker engine (dockerd 20.10) with two clients, its own {@code /usr/bin/docker} 20.10 and Docker's
 * CLI 28 from {@code /usr/local/bin}: {@code docker build} (legacy builder) of the Dockerfile in
 * {@link AppContext} on a base pulled from Berth, {@code tag}, {@code push} (the base's layer is mounted from
 * {@code e2e/base}, not sent again), {@code rmi} of everything, {@code pull}, {@code run} with {@code -e} and
 * {@code -v}, and {@code docker history} of the pulled image, which keeps every instruction.
 *
 * <p>One server serves the class, with the base ({@link LocalBase}) pushed once by podman to {@code e2e/base:1};
 * each test starts its own dockerd (see {@link DockerDaemon}) and uses its own repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DockerBuildTest {

    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64}) size: \\d+");

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("docker-build");

    private final LocalBase.PerClass bases = new LocalBase.PerClass(berth);

    @Test
    void debiansDockerCliBuildsPushesPullsRunsAndShowsHistory() throws IOException {
        DockerDaemon.requireDocker();
        buildPushPullRun(DockerDaemon.debianDocker(), "debian-cli");
    }

    @Test
    void dockerCli28AgainstDockerd20BuildsPushesPullsRunsAndShowsHistory() throws IOException {
        DockerDaemon.requireDocker();
        DockerDaemon.requireDockerCli();
        buildPushPullRun(DockerDaemon.DOCKER_CLI, "cli-28");
    }

    private void buildPushPullRun(Path client, String name) throws IOException {
        BerthServer server = berth.server();
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
        String base = bases.reference();
        Path testDir = berth.dir().resolve(name);
        Path execRoot;
        try (DockerDaemon docker = DockerDaemon.start(testDir, "docker")) {
            execRoot = docker.execRoot();
            String version = docker.client(client, "version", "--format", "{{.Client.Version}} -> {{.Server.Version}}")
                    .out().trim();
            System.out.println("[" + name + "] docker " + version);
            docker.clientWithInput(client, server.adminPassword() + "\n", "login", server.registry(), "--username",
                    server.adminUser(), "--password-stdin");

            Path context = AppContext.writeApp(testDir.resolve("context"));
            ContainerTools.Result build = docker.client(client, "build", "--network", "none", "--build-arg",
                    "BASE=" + base, "--build-arg", "FLAVOR=" + name, "--tag", "e2e/local:1", context.toString());
            assertTrue(build.out().contains("Successfully tagged e2e/local:1"), build.describe());
            String reference = server.registry() + "/e2e/docker-" + name + ":1";
            docker.client(client, "tag", "e2e/local:1", reference);

            ContainerTools.Result push = docker.client(client, "push", reference);
            Matcher pushed = PUSHED_DIGEST.matcher(push.out());
            assertTrue(pushed.find(), "docker push prints the pushed digest: " + push.describe());
            String digest = pushed.group(1);
            assertTrue(push.out().contains("Mounted from e2e/base"),
                    "the base's layer is mounted from the repository it was pulled from: " + push.describe());
            assertEquals(digest, BerthHttp.header(BerthHttp.manifest(server, "e2e/docker-" + name, "1"),
                    "Docker-Content-Digest"), "Berth serves the manifest docker pushed");

            docker.client(client, "rmi", reference, "e2e/local:1", base);
            assertEquals("", docker.client(client, "images", "--quiet").out().trim(), "every image is gone");

            docker.client(client, "pull", reference);
            JsonNode image = OciLayout.parse(docker.client(client, "image", "inspect", reference).stdout()).get(0);
            assertEquals(List.of(server.registry() + "/e2e/docker-" + name + "@" + digest),
                    BerthHttp.strings(image.path("RepoDigests")), "the pulled image is the pushed one");
            JsonNode config = image.path("Config");
            assertTrue(BerthHttp.strings(config.path("Env")).containsAll(AppContext.appEnv(name)), "ENV: " + config);
            assertEquals(AppContext.WORKDIR, config.path("WorkingDir").asText(), "WORKDIR: " + config);
            assertTrue(config.path("ExposedPorts").has(AppContext.EXPOSED), "EXPOSE: " + config);
            assertTrue(config.path("Volumes").has(AppContext.VOLUME), "VOLUME: " + config);
            assertEquals(AppContext.APP_CMD, BerthHttp.strings(config.path("Cmd")), "CMD: " + config);

            ContainerTools.Result run = docker.client(client, "run", "--rm", "--network", "none", reference);
            assertEquals(AppContext.appOutput(AppContext.GREETING, name, "seed.txt"), run.out(), run.describe());
            ContainerTools.Result overridden = docker.client(client, "run", "--rm", "--network", "none",
                    "--env", "GREETING=overridden by -e", reference);
            assertEquals(AppContext.appOutput("overridden by -e", name, "seed.txt"), overridden.out(),
                    overridden.describe());
            Path volume = Files.createDirectories(testDir.resolve("volume"));
            Files.writeString(volume.resolve("from-host.txt"), "written by the host\n");
            ContainerTools.Result mounted = docker.client(client, "run", "--rm", "--network", "none",
                    "--volume", volume + ":/data", reference,
                    "sh", "-c", "ls /data; cat /data/from-host.txt; echo 'written by the container' > /data/out.txt");
            assertEquals("from-host.txt\nwritten by the host\n", mounted.out(), mounted.describe());
            assertEquals("written by the container\n", Files.readString(volume.resolve("out.txt")),
                    "the container wrote through the -v mount");

            ContainerTools.Result history = docker.client(client, "history", "--no-trunc", "--format",
                    "{{.CreatedBy}}", reference);
            for (String step : List.of("ENV GREETING=hello from ENV BUILD_FLAVOR=" + name, "WORKDIR /app",
                    "COPY file:", "echo \"built with FLAVOR=$FLAVOR\" > built.txt", "EXPOSE 8080/tcp",
                    "VOLUME [/data]", "CMD [\"sh\" \"-c\"")) {
                assertTrue(history.out().contains(step), "docker history shows '" + step + "': " + history.describe());
            }
        }
        BerthHttp.assertNothingLeftRunning(testDir, execRoot);
    }
}
