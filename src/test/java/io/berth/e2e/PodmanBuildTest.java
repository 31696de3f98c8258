package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Debian's podman builds Dockerfiles on a base pulled from Berth, pushes the result, removes it, pulls it into a
 * clean store and runs it: the image keeps what every instruction did ({@link AppContext}), {@code -e} overrides
 * an {@code ENV}, {@code -v} replaces the declared volume, and {@code ENTRYPOINT} takes {@code CMD}'s arguments
 * or the ones given to {@code podman run}.
 *
 * <p>One server serves the class; the base ({@link LocalBase}) is pushed once to {@code e2e/base:1}. Each test
 * builds in its own podman folder and pulls into another, with its own repositories.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PodmanBuildTest {

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("podman-build");

    private final LocalBase.PerClass bases = new LocalBase.PerClass(berth);

    @Test
    void buildsADockerfilePushesItAndRunsItFromACleanStore() throws IOException {
        BerthServer server = berth.server();
        requireEngines();
        Path testDir = berth.dir().resolve("app");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.podman("login", "--tls-verify=false", "--username", server.adminUser(), "--password",
                    server.adminPassword(), server.registry());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            Path context = AppContext.writeApp(builder.newDir("context"));
            String reference = server.registry() + "/e2e/podman-app:1";

            ContainerTools.Result build = builder.podman("build", "--network", "none",
                    "--build-arg", "BASE=" + bases.reference(), "--build-arg", "FLAVOR=podman", "--tag", reference,
                    context.toString());
            assertTrue(build.out().contains("Successfully tagged " + reference), build.describe());
            Path digestFile = builder.dir().resolve("pushed.digest");
            builder.podman("push", "--tls-verify=false", "--digestfile", digestFile.toString(), reference);
            String pushed = Files.readString(digestFile).trim();
            assertEquals(pushed, BerthHttp.header(BerthHttp.manifest(server, "e2e/podman-app", "1"),
                    "Docker-Content-Digest"), "Berth serves the manifest podman pushed");

            JsonNode config = OciLayout.parse(builder.skopeo("inspect", "--config", "--tls-verify=false",
                    "docker://" + reference).stdout()).path("config");
            assertTrue(BerthHttp.strings(config.path("Env")).containsAll(AppContext.appEnv("podman")),
                    "ENV, with the ARG given by --build-arg: " + config);
            assertEquals(AppContext.WORKDIR, config.path("WorkingDir").asText(), "WORKDIR: " + config);
            assertTrue(config.path("ExposedPorts").has(AppContext.EXPOSED), "EXPOSE: " + config);
            assertTrue(config.path("Volumes").has(AppContext.VOLUME), "VOLUME: " + config);
            assertEquals(AppContext.APP_CMD, BerthHttp.strings(config.path("Cmd")), "CMD: " + config);

            builder.podman("rmi", reference);
            assertNotEquals(0, builder.tryPodman("image", "exists", reference).exitCode(), "the image is gone locally");

            runner.podman("pull", "--tls-verify=false", reference);
            JsonNode image = OciLayout.parse(runner.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(pushed, image.path("Digest").asText(), "the clean store pulled the pushed manifest");

            ContainerTools.Result run = runner.podman(AppContext.podmanRun(reference));
            assertEquals(AppContext.appOutput(AppContext.GREETING, "podman", "seed.txt"), run.out(),
                    "CMD prints ENV, WORKDIR, the COPY and RUN files and the volume seeded by RUN: " + run.describe());

            ContainerTools.Result overridden = runner.podman(
                    AppContext.podmanRun("--env", "GREETING=overridden by -e", reference));
            assertEquals(AppContext.appOutput("overridden by -e", "podman", "seed.txt"), overridden.out(),
                    overridden.describe());

            Path volume = Files.createDirectories(testDir.resolve("volume"));
            Files.writeString(volume.resolve("from-host.txt"), "written by the host\n");
            ContainerTools.Result mounted = runner.podman(AppContext.podmanRun("--volume", volume + ":/data", reference,
                    "sh", "-c", "ls /data; cat /data/from-host.txt; echo 'written by the container' > /data/out.txt"));
            assertEquals("from-host.txt\nwritten by the host\n", mounted.out(),
                    "-v replaces the image's volume with the host folder: " + mounted.describe());
            assertEquals("written by the container\n", Files.readString(volume.resolve("out.txt")),
                    "the container wrote through the -v mount");
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    @Test
    void entrypointTakesTheArgumentsOfCmdOrOfTheRunCommand() {
        BerthServer server = berth.server();
        requireEngines();
        Path testDir = berth.dir().resolve("entrypoint");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.login(server.registry(), server.adminUser(), server.adminPassword());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            Path context = AppContext.writeEntrypoint(builder.newDir("context"));
            String reference = server.registry() + "/e2e/podman-entrypoint:1";

            builder.podman("build", "--network", "none", "--build-arg", "BASE=" + bases.reference(), "--tag", reference,
                    context.toString());
            builder.podman("push", "--tls-verify=false", reference);
            builder.podman("rmi", reference);

            runner.podman("pull", "--tls-verify=false", reference);
            JsonNode config = OciLayout.parse(runner.podman("image", "inspect", reference).stdout()).get(0)
                    .path("Config");
            assertEquals(List.of("echo", "entrypoint got:"), BerthHttp.strings(config.path("Entrypoint")),
                    "ENTRYPOINT: " + config);
            assertEquals(List.of("the", "default", "arguments"), BerthHttp.strings(config.path("Cmd")), "CMD: " + config);

            assertEquals("entrypoint got: the default arguments\n",
                    runner.podman(AppContext.podmanRun(reference)).out(),
                    "CMD gives ENTRYPOINT its default arguments");
            assertEquals("entrypoint got: one two\n",
                    runner.podman(AppContext.podmanRun(reference, "one", "two")).out(),
                    "arguments after the image replace CMD");
            assertEquals("replaced\n",
                    runner.podman(AppContext.podmanRun("--entrypoint", "echo", reference, "replaced")).out(),
                    "--entrypoint replaces ENTRYPOINT");
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    private static void requireEngines() {
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
    }
}
