package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stop and start again: a server restarted on the same data dir (and the same ports) still serves what
 * was pushed before, and its embedded PostgreSQL stops and starts with it.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RestartTest {

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perTest("restart");

    @Test
    void imagesPushedBeforeARestartCanBePulledAfterIt() {
        ContainerTools.requireSkopeo();
        Path dir = berth.dir();
        BerthServer first = berth.start(BerthServer.builder(dir.resolve("data")));
        try (ContainerTools tools = ContainerTools.create(dir, "skopeo", first.registry())) {
            tools.login(first.registry(), first.adminUser(), first.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String repository = "docker://" + first.registry() + "/e2e/persisted";
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", repository + ":1");
            long firstPostgres = first.postgres().orElseThrow(() -> new AssertionError(
                    "no embedded PostgreSQL found under " + first.dataDir())).pid();

            BerthServer.Shutdown stopped = first.stop();
            assertFalse(stopped.forced(), "the server did not stop within 30 s of SIGTERM: " + stopped
                    + "\n" + first.logTail(40));
            assertFalse(stopped.postgresLeftBehind(), "the server's shutdown left PostgreSQL (PID " + firstPostgres
                    + ") running: " + stopped);
            assertFalse(ProcessHandle.of(firstPostgres).map(ProcessHandle::isAlive).orElse(false));

            BerthServer second = berth.start(BerthServer.Builder.like(first));
            assertEquals(first.registry(), second.registry(), "restarted on the same port");
            assertNotEquals(firstPostgres, second.postgres().map(ProcessHandle::pid).orElse(firstPostgres),
                    "the restarted server runs its own PostgreSQL");

            JsonNode tags = OciLayout.parse(tools.skopeo("list-tags", "--tls-verify=false", repository).stdout());
            assertEquals("1", tags.path("Tags").path(0).asText(), "tags after the restart: " + tags);
            Path out = tools.newDir("after-restart");
            tools.skopeo("copy", "--src-tls-verify=false", repository + ":1", "oci:" + out + ":1");
            OciLayout.Image pulled = OciLayout.read(out, "1");
            assertEquals(source.manifestDigest(), pulled.manifestDigest());
            assertEquals(source.configDigest(), pulled.configDigest());
            assertEquals(source.layerDigests(), pulled.layerDigests());

            // It takes writes too: a new tag, and the same image in a new repository (blobs it already has).
            tools.skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", repository + ":1",
                    repository + ":2");
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1",
                    "docker://" + second.registry() + "/e2e/after-restart:1");
            byte[] raw = tools.skopeo("inspect", "--raw", "--tls-verify=false",
                    "docker://" + second.registry() + "/e2e/after-restart:1").stdout();
            assertEquals(source.manifestDigest(), E2e.digestOf(raw));

            BerthServer.Shutdown stoppedAgain = second.stop();
            assertFalse(stoppedAgain.forced(), "second stop: " + stoppedAgain);
            assertFalse(stoppedAgain.postgresLeftBehind(), "second stop: " + stoppedAgain);
            assertTrue(second.postgres().map(p -> !p.isAlive()).orElse(true));
        }
    }
}
