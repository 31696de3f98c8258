package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Docker's token flow with real engines: Debian's {@code docker login} (dockerd 20.10) and containerd's
 * {@code ctr --user} push to and pull from the packaged server, which answers {@code /v2/} with
 * {@code 401 WWW-Authenticate: Bearer realm=".../token",service="berth-registry"}; the pulled images run.
 *
 * <p>One server serves every test of the class; each test starts its own dockerd (see {@link DockerDaemon}),
 * writes its own image with {@link TestImage} and uses its own repositories, so the tests do not depend on
 * one another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DockerAndContainerdAuthTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64}) size: \\d+");
    private static final String CTR_NAMESPACE = "berth-e2e";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("docker-auth");

    @Test
    void dockerLogsInPushesPullsAndRunsThenIsRefusedAfterLogout() throws IOException {
        BerthServer server = berth.server();
        Path dir = berth.dir();
        DockerDaemon.requireDocker();
        ContainerTools.requireSkopeo();
        requireRunnableImage();
        try (ContainerTools tools = ContainerTools.create(dir, "docker-skopeo", server.registry());
                DockerDaemon docker = DockerDaemon.start(dir, "docker")) {
            OciLayout.Image source = TestImage.write(tools.newDir("source"), "1", true);
            Path archive = tools.dir().resolve("work/source.tar");
            tools.skopeo("copy", "oci:" + tools.dir().resolve("work/source") + ":1",
                    "docker-archive:" + archive + ":e2e/source:1");
            docker.docker("load", "--input", archive.toString());
            String reference = server.registry() + "/e2e/docker:1";
            docker.docker("tag", "e2e/source:1", reference);

            ContainerTools.Result anonymousPush = docker.tryDocker("push", reference);
            assertNotEquals(0, anonymousPush.exitCode(), "a push without login must fail: " + anonymousPush.describe());
            assertRefused(anonymousPush);

            ContainerTools.Result login = docker.dockerWithInput(server.adminPassword() + "\n",
                    "login", server.registry(), "--username", server.adminUser(), "--password-stdin");
            assertTrue(login.out().contains("Login Succeeded"), login.describe());
            assertTrue(clientConfig(docker).path("auths").has(server.registry()),
                    "docker login stores the registry's credentials: " + clientConfig(docker));

            ContainerTools.Result push = docker.docker("push", reference);
            Matcher pushed = PUSHED_DIGEST.matcher(push.out());
            assertTrue(pushed.find(), "docker push prints the pushed digest: " + push.describe());
            String digest = pushed.group(1);
            HttpResponse<byte[]> manifest = get("/v2/e2e/docker/manifests/1", DOCKER_MANIFEST + ", " + OCI_MANIFEST);
            assertEquals(200, manifest.statusCode());
            assertEquals(digest, manifest.headers().firstValue("Docker-Content-Digest").orElse(null),
                    "Berth serves the manifest docker pushed");
            assertEquals(digest, E2e.digestOf(manifest.body()));

            docker.docker("rmi", reference, "e2e/source:1");
            assertNotEquals(0, docker.tryDocker("image", "inspect", reference).exitCode(), "the image is gone");
            docker.docker("pull", reference);
            JsonNode image = OciLayout.parse(docker.docker("image", "inspect", reference).stdout()).get(0);
            assertEquals(List.of(server.registry() + "/e2e/docker@" + digest), strings(image.path("RepoDigests")),
                    "the pulled image's RepoDigest is the pushed digest");
            assertEquals(source.diffIds(), strings(image.path("RootFS").path("Layers")),
                    "the pulled layers unpack to the source's");

            assertEquals(TestImage.HELLO, docker.docker("run", "--rm", "--network", "none", reference).out(),
                    "the image's command prints the top layer's file");
            assertEquals("hi\n", docker.docker("run", "--rm", "--network", "none", reference,
                    "/bin/busybox", "echo", "hi").out());

            docker.docker("logout", server.registry());
            assertFalse(clientConfig(docker).path("auths").has(server.registry()),
                    "docker logout removes the credentials: " + clientConfig(docker));
            docker.docker("rmi", reference);
            ContainerTools.Result anonymousPull = docker.tryDocker("pull", reference);
            assertNotEquals(0, anonymousPull.exitCode(), "a pull of a private image without login must fail: "
                    + anonymousPull.describe());
            assertRefused(anonymousPull);
        }
    }

    @Test
    void ctrPullsAndPushesWithUserAndRunsTheImage() {
        BerthServer server = berth.server();
        Path dir = berth.dir();
        DockerDaemon.requireCtr();
        ContainerTools.requireSkopeo();
        requireRunnableImage();
        try (ContainerTools tools = ContainerTools.create(dir, "ctr-skopeo", server.registry());
                DockerDaemon engine = DockerDaemon.start(dir, "ctr")) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String reference = server.registry() + "/e2e/ctr:1";
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", "docker://" + reference);
            String user = server.adminUser() + ":" + server.adminPassword();

            ContainerTools.Result wrongPassword = engine.tryCtr(CTR_NAMESPACE, "images", "pull", "--plain-http",
                    "--user", server.adminUser() + ":not-" + server.adminPassword(), reference);
            assertNotEquals(0, wrongPassword.exitCode(), "a pull with a wrong password must fail: "
                    + wrongPassword.describe());
            assertTrue(lower(wrongPassword).contains("401") || lower(wrongPassword).contains("unauthorized"),
                    "ctr reports the refusal: " + wrongPassword.describe());
            ContainerTools.Result anonymous = engine.tryCtr(CTR_NAMESPACE, "images", "pull", "--plain-http", reference);
            assertNotEquals(0, anonymous.exitCode(), "a pull without credentials must fail: " + anonymous.describe());

            engine.ctr(CTR_NAMESPACE, "images", "pull", "--plain-http", "--user", user, reference);
            String listed = engine.ctr(CTR_NAMESPACE, "images", "ls").out();
            assertTrue(listed.lines().anyMatch(l -> l.startsWith(reference + " ") && l.contains(source.manifestDigest())),
                    "ctr holds " + reference + " at " + source.manifestDigest() + ":\n" + listed);

            String copy = server.registry() + "/e2e/ctr-pushed:1";
            engine.ctr(CTR_NAMESPACE, "images", "push", "--plain-http", "--user", user, copy, reference);
            HttpResponse<byte[]> manifest = get("/v2/e2e/ctr-pushed/manifests/1", OCI_MANIFEST);
            assertEquals(200, manifest.statusCode());
            assertEquals(source.manifestDigest(), manifest.headers().firstValue("Docker-Content-Digest").orElse(null),
                    "ctr pushes the manifest it pulled, unchanged");
            List<String> blobs = new ArrayList<>(source.layerDigests());
            blobs.add(source.configDigest());
            for (String blob : blobs) {
                assertEquals(200, head("/v2/e2e/ctr-pushed/blobs/" + blob), "ctr pushed blob " + blob);
            }

            assertEquals(TestImage.HELLO, engine.ctr(CTR_NAMESPACE, "run", "--rm", reference, "berth-e2e-cat").out(),
                    "the image's command prints the top layer's file");
            assertEquals("hi\n", engine.ctr(CTR_NAMESPACE, "run", "--rm", reference, "berth-e2e-echo",
                    "/bin/busybox", "echo", "hi").out());
        }
    }

    private static void requireRunnableImage() {
        if (!TestImage.runnable()) {
            E2e.unavailable(TestImage.BUSYBOX + " is not a statically linked busybox (apt-get install busybox-static)");
        }
    }

    /** Asserts that a client was refused for want of credentials, in any of the words docker uses for it. */
    private static void assertRefused(ContainerTools.Result result) {
        String output = lower(result);
        assertTrue(output.contains("denied") || output.contains("unauthorized")
                        || output.contains("no basic auth credentials"),
                "the client reports a refusal (denied, unauthorized or no basic auth credentials): " + result.describe());
    }

    private static String lower(ContainerTools.Result result) {
        return (result.out() + "\n" + result.stderr()).toLowerCase(Locale.ROOT);
    }

    private static JsonNode clientConfig(DockerDaemon docker) {
        Path config = docker.clientConfig().resolve("config.json");
        try {
            return Files.exists(config) ? OciLayout.parse(Files.readAllBytes(config)) : OciLayout.parse("{}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<byte[]> get(String path, String accept) {
        return send(HttpRequest.newBuilder(URI.create(berth.server().baseUri() + path)).header("Accept", accept).GET());
    }

    private int head(String path) {
        return send(HttpRequest.newBuilder(URI.create(berth.server().baseUri() + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode();
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        HttpRequest authorized = request.header("Authorization", berth.server().adminAuthorization())
                .timeout(Duration.ofSeconds(30))
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(authorized, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
}
