package io.berth.server.gc;

import static io.berth.server.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.OciContent;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.testing.FilesystemStorageProfile;
import io.berth.storage.Digest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class FilesystemGcApiTest extends GcApiSuite {

    @ConfigProperty(name = "berth.storage.filesystem.root")
    Path root;

    /**
     * Bytes no blob row names (left by a crash between a commit and its record) go once they are older
     * than the grace period; fresh ones may belong to a commit still recording them, and stay. A file's
     * time can be moved back on a filesystem, not in S3, so this case runs here.
     */
    @Test
    void orphanBytesOlderThanTheGracePeriodGo() throws IOException {
        Blob old = OciContent.randomBlob(1500);
        Blob fresh = OciContent.randomBlob(1600);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(old.bytes()), Digest.parse(old.digest()));
        store.put(UUID.randomUUID(), new ByteArrayInputStream(fresh.bytes()), Digest.parse(fresh.digest()));
        Files.setLastModifiedTime(fileOf(old), FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        // The scan runs when none has run for berth.gc.orphan-scan-interval: forget the earlier ones.
        execute("update gc_run set orphan_scan = false where orphan_scan = ?", true);

        JsonPath run = collect(false);

        assertTrue(run.getBoolean("orphanScan"), run.prettify());
        assertTrue(run.getInt("kinds.ORPHAN.items") >= 1, run.prettify());
        assertFalse(store.stat(Digest.parse(old.digest())).isPresent(), "the old orphan is deleted");
        assertTrue(store.stat(Digest.parse(fresh.digest())).isPresent(), "the fresh one is kept");
    }

    /** The consistency check repairs orphans when asked: through a full run, so only those past the grace period. */
    @Test
    void theConsistencyCheckRepairsOldOrphansWhenAsked() throws IOException {
        Blob old = OciContent.randomBlob(1700);
        Blob fresh = OciContent.randomBlob(1800);
        store.put(UUID.randomUUID(), new ByteArrayInputStream(old.bytes()), Digest.parse(old.digest()));
        store.put(UUID.randomUUID(), new ByteArrayInputStream(fresh.bytes()), Digest.parse(fresh.digest()));
        Files.setLastModifiedTime(fileOf(old), FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));

        JsonPath readOnly = request().post("/api/v1/fsck").then().statusCode(200).extract().jsonPath();
        assertTrue(readOnly.getList("orphans", String.class).contains(old.digest()), readOnly.prettify());
        assertNull(readOnly.get("repairRun"), "a check not asked to repair starts no run");
        assertTrue(store.stat(Digest.parse(old.digest())).isPresent(), "the check alone deletes nothing");

        JsonPath repaired = request().post("/api/v1/fsck?repairOrphans=true").then().statusCode(200).extract().jsonPath();
        JsonPath run = awaitRun(repaired.getLong("repairRun"));

        assertEquals("finished", run.getString("status"), run.prettify());
        assertTrue(run.getBoolean("fullPass") && run.getBoolean("orphanScan"), run.prettify());
        assertFalse(store.stat(Digest.parse(old.digest())).isPresent(), "the old orphan is deleted");
        assertTrue(store.stat(Digest.parse(fresh.digest())).isPresent(), "a fresh one may be a push in flight, and stays");
        store.delete(Digest.parse(fresh.digest()));
    }

    private Path fileOf(Blob blob) throws IOException {
        String hex = blob.digest().substring(blob.digest().indexOf(':') + 1);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(path -> path.getFileName().toString().equals(hex) || path.toString().contains(hex))
                    .filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new AssertionError(blob.digest() + " is not under " + root));
        }
    }
}
