package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The token flow with Debian's skopeo and podman against the packaged server, authentication on: logins
 * with users and robots, an anonymous pull of a public repository, and a push without write permission
 * that fails with a message saying so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AuthClientsTest {

    private static final String PASSWORD = "developer-password";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("auth-clients");

    @BeforeAll
    void createAccounts() {
        admin("POST", "/api/v1/organizations", "{\"name\":\"acme\"}", 201);
        admin("POST", "/api/v1/users", "{\"name\":\"dev\",\"password\":\"" + PASSWORD + "\"}", 201);
        admin("POST", "/api/v1/users", "{\"name\":\"viewer\",\"password\":\"" + PASSWORD + "\"}", 201);
        admin("PUT", "/api/v1/organizations/acme/members/dev", "{\"role\":\"write\"}", 200);
        admin("PUT", "/api/v1/organizations/acme/members/viewer", "{\"role\":\"read\"}", 200);
    }

    @Test
    void aMemberPushesWithCredsAndAReaderPullsButCannotPush() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "skopeo-creds", server.registry())) {
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", false);
            String image = "docker://" + server.registry() + "/acme/app:1";
            tools.skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "dev:" + PASSWORD, "oci:" + layout + ":1", image);

            Path out = tools.newDir("pulled");
            tools.skopeo("copy", "--src-tls-verify=false", "--src-creds", "viewer:" + PASSWORD, image, "oci:" + out + ":1");
            assertEquals(source.manifestDigest(), OciLayout.read(out, "1").manifestDigest());

            ContainerTools.Result refused = tools.trySkopeo("copy", "--dest-tls-verify=false", "--dest-creds",
                    "viewer:" + PASSWORD, "oci:" + layout + ":1", "docker://" + server.registry() + "/acme/other:1");
            assertNotEquals(0, refused.exitCode(), "a reader pushed: " + refused.stderr());
            assertTrue(refused.stderr().contains("requested access to the resource is denied"), refused.stderr());

            ContainerTools.Result wrongPassword = tools.trySkopeo("inspect", "--tls-verify=false", "--creds",
                    "viewer:not-the-password", image);
            assertNotEquals(0, wrongPassword.exitCode());
            assertTrue(wrongPassword.stderr().contains("incorrect username or password"), wrongPassword.stderr());
        }
    }

    @Test
    void aRobotPushesWithItsSecretAndPodmanLogsInAsAUser() {
        BerthServer server = berth.server();
        Path dir = berth.dir();
        ContainerTools.requirePodman();
        String created = admin("POST", "/api/v1/robots",
                "{\"name\":\"ci\",\"permissions\":{\"acme\":[\"pull\",\"push\"]}}", 201);
        String secret = OciLayout.parse(created.getBytes()).path("secret").asText();
        try (ContainerTools robot = ContainerTools.create(dir, "robot", server.registry());
                ContainerTools user = ContainerTools.create(dir, "podman-user", server.registry())) {
            Path layout = robot.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", false);
            robot.skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "robot+ci:" + secret, "oci:" + layout + ":1",
                    "docker://" + server.registry() + "/acme/robot:1");

            user.podman("login", "--tls-verify=false", "--username", "viewer", "--password", PASSWORD, server.registry());
            user.podman("pull", "--tls-verify=false", server.registry() + "/acme/robot:1");
            String digest = OciLayout.parse(user.podman("image", "inspect", server.registry() + "/acme/robot:1").stdout())
                    .get(0).path("Digest").asText();
            assertEquals(source.manifestDigest(), digest);
        }
    }

    @Test
    void anyoneMayPullAPublicRepositoryWithoutLoggingIn() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "anonymous", server.registry())) {
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", false);
            String image = "docker://" + server.registry() + "/acme/public:1";
            tools.skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "dev:" + PASSWORD, "oci:" + layout + ":1", image);

            ContainerTools.Result privatePull = tools.trySkopeo("inspect", "--raw", "--tls-verify=false", image);
            assertNotEquals(0, privatePull.exitCode(), "an anonymous pull of a private repository worked");

            admin("PUT", "/api/v1/repositories/acme/public/visibility", "{\"public\":true}", 200);
            byte[] raw = tools.skopeo("inspect", "--raw", "--tls-verify=false", image).stdout();
            assertEquals(source.manifestDigest(), E2e.digestOf(raw));
        }
    }

    @Test
    void passwordsSecretsAndTokensNeverReachTheLog() {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        String created = admin("POST", "/api/v1/robots", "{\"name\":\"logcheck\",\"permissions\":{\"acme\":[\"pull\"]}}", 201);
        String secret = OciLayout.parse(created.getBytes()).path("secret").asText();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "log-check", server.registry())) {
            tools.trySkopeo("inspect", "--tls-verify=false", "--creds", "robot+logcheck:" + secret,
                    "docker://" + server.registry() + "/acme/app:1");
            tools.trySkopeo("inspect", "--tls-verify=false", "--creds", "dev:wrong-" + PASSWORD,
                    "docker://" + server.registry() + "/acme/app:1");
        }
        String log = server.log();
        assertTrue(log.contains("Failed login for dev"), "a failed login is logged by name");
        for (String secretText : new String[] {PASSWORD, secret, server.adminPassword()}) {
            assertFalse(log.contains(secretText), "the server log holds a secret");
        }
        assertFalse(log.matches("(?s).*eyJ[A-Za-z0-9_-]{10,}\\.eyJ.*"), "the server log holds a token");
    }

    /** Calls the admin API as the administrator and returns the body; fails unless the status is as expected. */
    private String admin(String method, String path, String json, int expectedStatus) {
        BerthServer server = berth.server();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("Authorization", server.adminAuthorization())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(expectedStatus, response.statusCode(), method + " " + path + ": " + response.body());
            return response.body();
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
