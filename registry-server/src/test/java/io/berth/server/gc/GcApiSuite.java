package io.berth.server.gc;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.berth.gc.CollectorHooks;
import io.berth.server.api.OciContent;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.GcRuns;
import io.berth.server.testing.Sql;
import io.berth.storage.BlobStore;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.UploadNotFoundException;
import io.berth.storage.UploadState;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The garbage collector through the admin API, on a real blob store: each definition of garbage (see
 * the {@code io.berth.gc} package documentation), the grace period that keeps fresh content, the
 * references that keep old content, dry runs, the reports, and the race between the collector and a
 * push of the digest it is deleting. Rows are made old by moving their times back in PostgreSQL, so
 * the default grace period (1 h) is what is tested.
 */
public abstract class GcApiSuite {

    /**
     * Just past the grace period, as a row is when the first run after its grace period finds it. A run
     * looks at rows whose time passed the grace period since the last run (and at rows that lost a
     * reference): one moved back further is one an earlier run already found needed.
     */
    private static final String OLD = "now() - interval '61 minutes'";

    @Inject
    AgroalDataSource dataSource;

    @Inject
    BlobStore store;

    @Inject
    CollectorHooks hooks;

    @AfterEach
    void unhook() {
        hooks.beforeBytesDeleted(digests -> { });
    }

    @Test
    void anAbandonedUploadGoesWithItsStagedBytes() {
        String repository = RegistryClient.repository("gc-upload");
        String abandoned = RegistryClient.startUpload(repository);
        String fresh = RegistryClient.startUpload(repository);
        request().contentType("application/octet-stream").body(new byte[] {1, 2, 3}).patch(abandoned).then().statusCode(202);
        UUID abandonedId = uploadId(abandoned);
        execute("update upload_session set updated_at = now() - interval '25 hours' where id = ?", abandonedId);

        JsonPath run = collect(false);

        assertTrue(run.getInt("kinds.UPLOAD.items") >= 1, run.prettify());
        assertFalse(exists("select 1 from upload_session where id = ?", abandonedId));
        assertThrows(UploadNotFoundException.class, () -> store.append(
                new UploadState(abandonedId, 3, DigestAlgorithm.SHA256, null, null), InputStream.nullInputStream()));
        request().get(abandoned).then().statusCode(404).body("errors[0].code", equalTo("BLOB_UPLOAD_UNKNOWN"));
        request().get(fresh).then().statusCode(204);
    }

    @Test
    void aBlobNothingReferencesGoesOnceTheGracePeriodHasPassed() {
        String repository = RegistryClient.repository("gc-blob");
        Blob old = RegistryClient.pushRandomBlob(repository, 2048);
        Blob fresh = RegistryClient.pushRandomBlob(repository, 1024);
        makeOld(old.digest());

        JsonPath run = collect(false);

        assertTrue(run.getInt("kinds.BLOB.items") >= 1, run.prettify());
        RegistryClient.fails(request().get(blobPath(repository, old.digest())), 404, "BLOB_UNKNOWN");
        assertFalse(exists("select 1 from blob where digest = ?", old.digest()));
        assertTrue(store.stat(Digest.parse(old.digest())).isEmpty(), "the bytes are deleted too");
        request().head(blobPath(repository, fresh.digest())).then().statusCode(200);
        assertTrue(store.stat(Digest.parse(fresh.digest())).isPresent());
    }

    @Test
    void theLayersOfADeletedManifestGoAndThoseAnotherImageUsesStay() {
        String repository = RegistryClient.repository("gc-manifest");
        Blob shared = RegistryClient.pushRandomBlob(repository, 512);
        RegistryClient.Image deleted = RegistryClient.pushImageWithLayer(repository, "old", shared);
        Blob unique = RegistryClient.pushRandomBlob(repository, 700);
        Manifest withUnique = RegistryClient.pushManifest(repository, "gone", OciContent.manifest(OciContent.imageManifest(
                OciContent.OCI_MANIFEST, deleted.config().descriptor(OciContent.OCI_CONFIG),
                shared.descriptor(OciContent.OCI_LAYER), unique.descriptor(OciContent.OCI_LAYER))));
        request().delete(manifestPath(repository, withUnique.digest())).then().statusCode(202);
        makeOld(shared.digest(), unique.digest(), deleted.config().digest());

        collect(false);

        RegistryClient.fails(request().get(blobPath(repository, unique.digest())), 404, "BLOB_UNKNOWN");
        assertTrue(store.stat(Digest.parse(unique.digest())).isEmpty());
        // The image tagged 'old' still pulls whole: its config and its layer were kept though just as old.
        request().get(manifestPath(repository, "old")).then().statusCode(200);
        assertArrayEquals(shared.bytes(), request().get(blobPath(repository, shared.digest())).then().statusCode(200)
                .extract().asByteArray());
        request().get(blobPath(repository, deleted.config().digest())).then().statusCode(200);
    }

    @Test
    void aReferrerWhoseSubjectIsGoneGoesAndOneWithItsSubjectStays() {
        String repository = RegistryClient.repository("gc-referrer");
        Manifest subject = RegistryClient.pushImage(repository, "subject");
        Manifest kept = RegistryClient.pushImage(repository, "kept");
        Manifest orphan = RegistryClient.pushManifest(repository, OciContent.manifest(OciContent.withSubject(
                RegistryClient.artifact(repository, "application/vnd.example.sbom"), subject)));
        Manifest attached = RegistryClient.pushManifest(repository, OciContent.manifest(OciContent.withSubject(
                RegistryClient.artifact(repository, "application/vnd.example.sbom"), kept)));
        request().delete(manifestPath(repository, subject.digest())).then().statusCode(202);
        execute("update manifest set created_at = " + OLD + " where digest = any(?)", new String[] {orphan.digest(),
            attached.digest()});

        JsonPath run = collect(false);

        assertTrue(run.getInt("kinds.REFERRER.items") >= 1, run.prettify());
        RegistryClient.fails(request().get(manifestPath(repository, orphan.digest())), 404, "MANIFEST_UNKNOWN");
        request().get(manifestPath(repository, attached.digest())).then().statusCode(200);
    }

    @Test
    void aDryRunListsWhatWouldGoAndRemovesNothing() {
        String repository = RegistryClient.repository("gc-dry");
        Blob old = RegistryClient.pushRandomBlob(repository, 300);
        makeOld(old.digest());

        JsonPath run = collect(true);

        assertEquals(true, run.getBoolean("dryRun"));
        assertTrue(run.getList("kinds.LINK.listed", String.class).contains(repository + "@" + old.digest()), run.prettify());
        request().head(blobPath(repository, old.digest())).then().statusCode(200);
        assertTrue(store.stat(Digest.parse(old.digest())).isPresent());
    }

    /**
     * The race of the package documentation: the collector has deleted an unreferenced blob's row and is
     * about to delete its bytes when a push of the same digest completes. The push must wait for the
     * collector's blob lock and then store its own bytes, never record the ones about to go.
     */
    @Test
    void aPushOfTheDigestBeingCollectedEndsWithItsBytesInPlace() throws Exception {
        String repository = RegistryClient.repository("gc-race");
        Blob blob = RegistryClient.pushRandomBlob(repository, 4096);
        makeOld(blob.digest());
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        hooks.beforeBytesDeleted(digests -> {
            if (digests.contains(blob.digest())) {
                reached.countDown();
                await(release);
            }
        });
        try {
            long run = startRun(false);
            assertTrue(reached.await(60, TimeUnit.SECONDS), "the collector reached the delete of the blob's bytes");
            assertFalse(exists("select 1 from blob where digest = ?", blob.digest()), "the row is gone before the bytes");

            CompletableFuture<Integer> push = CompletableFuture.supplyAsync(() -> request()
                    .contentType("application/octet-stream").body(blob.bytes())
                    .post(query(uploadsPath(repository), "digest", blob.digest())).statusCode());
            Thread.sleep(1500);
            assertFalse(push.isDone(), "the push waits for the collector's blob lock");
            release.countDown();
            assertEquals(201, push.get(60, TimeUnit.SECONDS));
            awaitRun(run);

            assertTrue(store.stat(Digest.parse(blob.digest())).isPresent(), "the pushed bytes are in place");
            assertArrayEquals(blob.bytes(), request().get(blobPath(repository, blob.digest())).then().statusCode(200)
                    .extract().asByteArray());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBlobAClientJustSawMayStillBeReferenced() {
        String repository = RegistryClient.repository("gc-window");
        Blob layer = RegistryClient.pushRandomBlob(repository, 900);
        Blob config = RegistryClient.pushConfig(repository);
        makeOld(layer.digest(), config.digest());
        request().head(blobPath(repository, layer.digest())).then().statusCode(200);
        request().head(blobPath(repository, config.digest())).then().statusCode(200);
        awaitRefreshed(layer.digest(), config.digest());

        collect(false);

        request().head(blobPath(repository, layer.digest())).then().statusCode(200);
        RegistryClient.pushManifest(repository, "seen", OciContent.manifest(OciContent.imageManifest(OciContent.OCI_MANIFEST,
                config.descriptor(OciContent.OCI_CONFIG), layer.descriptor(OciContent.OCI_LAYER))));
    }

    @Test
    void theCollectorRemovesThePlatformsOfADeletedIndexThatNothingElseKeeps() {
        String repository = RegistryClient.repository("gc-index");
        Manifest untagged = RegistryClient.pushManifest(repository,
                OciContent.manifest(RegistryClient.image(repository, OciContent.OCI_MANIFEST)));
        Manifest tagged = RegistryClient.pushImage(repository, "arm64");
        Manifest index = RegistryClient.pushManifest(repository, "multi",
                OciContent.manifest(OciContent.OCI_INDEX, OciContent.index(OciContent.OCI_INDEX, untagged, tagged)));

        request().delete(manifestPath(repository, index.digest())).then().statusCode(202);
        // A client that deletes the index and then its platforms by digest still finds them.
        request().get(manifestPath(repository, untagged.digest())).then().statusCode(200);
        collect(false);
        request().get(manifestPath(repository, untagged.digest())).then().statusCode(200);

        execute("update manifest set orphaned_at = " + OLD + " where digest = any(?)",
                new String[] {untagged.digest(), tagged.digest()});
        JsonPath run = collect(false);

        assertTrue(run.getInt("kinds.CHILD.items") >= 1, run.prettify());
        RegistryClient.fails(request().get(manifestPath(repository, untagged.digest())), 404, "MANIFEST_UNKNOWN");
        request().get(manifestPath(repository, tagged.digest())).then().statusCode(200);
        request().get(manifestPath(repository, "arm64")).then().statusCode(200);
    }

    @Test
    void aDeletedRepositoryLeavesItsBlobsToTheCollector() {
        String deleted = RegistryClient.repository("gc-repo");
        String other = RegistryClient.repository("gc-repo-other");
        Blob shared = RegistryClient.pushRandomBlob(deleted, 640);
        RegistryClient.Image image = RegistryClient.pushImageWithLayer(deleted, "latest", shared);
        RegistryClient.pushBlob(other, shared);
        String upload = RegistryClient.startUpload(deleted);

        request().delete("/api/v1/repositories/" + deleted).then().statusCode(204);
        request().delete("/api/v1/repositories/" + deleted).then().statusCode(404).body("errors[0].code", equalTo("NOT_FOUND"));
        request().get(manifestPath(deleted, "latest")).then().statusCode(404);
        request().get(upload).then().statusCode(404);
        // Only the blobs are old: the other repository's link is fresh, and keeps the shared one.
        execute("update blob set last_referenced_at = " + OLD + " where digest = any(?)",
                new String[] {shared.digest(), image.config().digest()});

        collect(false);

        assertTrue(store.stat(Digest.parse(image.config().digest())).isEmpty(), "the config only it used is freed");
        request().head(blobPath(other, shared.digest())).then().statusCode(200);
    }

    /**
     * A run looks at what changed since the last one, so its cost follows the registry's activity, not
     * its size; a full pass (asked for, or with the orphan scan) looks at every row and so also finds
     * what no window showed.
     */
    @Test
    void aRunLooksAtWhatChangedSinceTheLastAndAFullPassAtEverything() {
        String repository = RegistryClient.repository("gc-window");
        Blob outside = RegistryClient.pushRandomBlob(repository, 900);
        Blob justOld = RegistryClient.pushRandomBlob(repository, 901);
        collect(false);
        // Older than the last run's window (with its 10 minutes of overlap), and it lost no reference.
        execute("update repository_blob set last_referenced_at = now() - interval '3 hours' where blob_digest = ?",
                outside.digest());
        execute("update blob set last_referenced_at = now() - interval '3 hours' where digest = ?", outside.digest());
        makeOld(justOld.digest());

        JsonPath incremental = collect(false);

        assertFalse(incremental.getBoolean("fullPass"), incremental.prettify());
        assertFalse(exists("select 1 from blob where digest = ?", justOld.digest()), "the row whose grace just passed goes");
        assertTrue(exists("select 1 from blob where digest = ?", outside.digest()), "a row outside the window is not looked at");

        JsonPath full = GcRuns.collectEverything();

        assertTrue(full.getBoolean("fullPass"), full.prettify());
        assertFalse(exists("select 1 from blob where digest = ?", outside.digest()), "a full pass finds it");
        assertTrue(store.stat(Digest.parse(outside.digest())).isEmpty());
        assertFalse(exists("select 1 from gc_suspect where blob_digest = any(?)", new String[] {outside.digest(),
                justOld.digest()}), "what a run looked at is not looked at again");
    }

    /** The consistency check finds what was broken behind Berth's back: bytes deleted, bytes left over. */
    @Test
    void theConsistencyCheckFindsRowsWithoutBytesAndBytesWithoutRows() {
        String repository = RegistryClient.repository("gc-fsck");
        Blob lost = RegistryClient.pushRandomBlob(repository, 333);
        Blob orphan = OciContent.randomBlob(444);
        store.delete(Digest.parse(lost.digest()));
        store.put(UUID.randomUUID(), new java.io.ByteArrayInputStream(orphan.bytes()), Digest.parse(orphan.digest()));

        JsonPath findings = request().post("/api/v1/fsck").then().statusCode(200).extract().jsonPath();

        assertTrue(findings.getList("missingBytes", String.class).contains(lost.digest()), findings.prettify());
        assertTrue(findings.getList("orphans", String.class).contains(orphan.digest()), findings.prettify());
        assertFalse(findings.getBoolean("consistent"));
        // Leave nothing broken for the tests after this one: the row goes with its lost bytes.
        request().delete(blobPath(repository, lost.digest())).then().statusCode(202);
        makeOld(lost.digest());
        collect(false);
        assertFalse(exists("select 1 from blob where digest = ?", lost.digest()));
    }

    @Test
    void runsAreReportedListedAndCounted() {
        long id = startRun(true);
        JsonPath run = awaitRun(id);
        assertEquals("finished", run.getString("status"));
        assertEquals("admin", run.getString("requestedBy"));
        request().get("/api/v1/gc/runs").then().statusCode(200).body("id", hasItem((int) id));
        request().get("/api/v1/gc/runs/999999999").then().statusCode(404).body("errors[0].code", equalTo("NOT_FOUND"));
        RegistryClient.anonymous().post("/api/v1/gc").then().statusCode(401);
        RegistryClient.anonymous().get("/q/metrics").then().statusCode(200)
                .body(containsString("berth_gc_runs_total{dry_run=\"true\",outcome=\"finished\"}"));
    }

    // --- helpers -------------------------------------------------------------------------------------

    protected JsonPath collect(boolean dryRun) {
        return GcRuns.collect(dryRun);
    }

    protected long startRun(boolean dryRun) {
        return GcRuns.start(dryRun);
    }

    protected JsonPath awaitRun(long id) {
        return GcRuns.await(id);
    }

    /** Waits until the blobs' reference times are fresh again (the touches are written once a second). */
    protected void awaitRefreshed(String... digests) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        String sql = "select 1 from blob where digest = any(?) and last_referenced_at < now() - interval '1 hour'";
        while (exists(sql, digests)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the reference times were not refreshed within 15 s");
            }
            sleep(100);
        }
    }

    /** Moves the blobs' reference times, and those of their links, past the grace period. */
    protected void makeOld(String... digests) {
        execute("update repository_blob set last_referenced_at = " + OLD + " where blob_digest = any(?)", digests);
        execute("update blob set last_referenced_at = " + OLD + " where digest = any(?)", digests);
    }

    private static UUID uploadId(String location) {
        return UUID.fromString(location.substring(location.lastIndexOf('/') + 1));
    }

    protected void execute(String sql, Object parameter) {
        Sql.execute(dataSource, sql, parameter);
    }

    protected boolean exists(String sql, Object parameter) {
        return Sql.exists(dataSource, sql, parameter);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
