package io.berth.server.api;

import static io.berth.server.api.BlobApiSuite.refusedAsReferenced;
import static io.berth.server.api.OciContent.OCI_CONFIG;
import static io.berth.server.api.OciContent.OCI_INDEX;
import static io.berth.server.api.OciContent.OCI_LAYER;
import static io.berth.server.api.OciContent.OCI_MANIFEST;
import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.image;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.pushConfig;
import static io.berth.server.api.RegistryClient.pushManifest;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.metadata.repository.ManifestRepository;
import io.berth.metadata.repository.NewManifest;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A DELETE that arrives while a manifest push naming its target is under way does not take the target
 * from under the manifest. The push is held at the worst moment, after it checked its references and
 * before it stored the manifest, by a transaction of the test that inserted the same manifest row
 * first: the push's insert waits for that transaction, which lets go once the DELETE is answered or is
 * itself waiting for a lock. Database only, so one store is enough.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class DeleteDuringPushTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Inject
    RepositoryRepository repositories;

    @Inject
    ManifestRepository manifests;

    @Inject
    DataSource dataSource;

    @Inject
    TransactionManager transactions;

    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void aLayerDeletedDuringThePushOfItsManifestStays() throws Exception {
        String repository = repository("race-blob");
        Blob config = pushConfig(repository);
        Blob layer = pushRandomBlob(repository, 100);
        Manifest manifest = OciContent.manifest(OciContent.imageManifest(OCI_MANIFEST,
                config.descriptor(OCI_CONFIG), layer.descriptor(OCI_LAYER)));

        Race race = deleteDuringPush(repository, manifest, () -> request().delete(blobPath(repository, layer.digest())));

        assertEquals(201, race.push().statusCode(), race.push().asString());
        refusedAsReferenced(race.delete());
        assertArrayEquals(layer.bytes(), request().get(blobPath(repository, layer.digest())).then()
                .statusCode(200).extract().asByteArray());
    }

    @Test
    void aChildDeletedDuringThePushOfItsIndexStays() throws Exception {
        String repository = repository("race-child");
        Manifest child = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        Manifest other = pushManifest(repository, OciContent.manifest(image(repository, OCI_MANIFEST)));
        Manifest index = OciContent.manifest(OciContent.index(OCI_INDEX, child, other));

        Race race = deleteDuringPush(repository, index, () -> request().delete(manifestPath(repository, child.digest())));

        assertEquals(201, race.push().statusCode(), race.push().asString());
        fails(race.delete(), 405, "DENIED");
        assertArrayEquals(child.bytes(), request().accept(OCI_MANIFEST).get(manifestPath(repository, child.digest()))
                .then().statusCode(200).extract().asByteArray());
    }

    private record Race(Response push, Response delete) {
    }

    /** Pushes the manifest by digest and sends the delete while the push is held just before it stores it. */
    private Race deleteDuringPush(String repository, Manifest manifest, Supplier<Response> delete) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> {
            transactions.begin();
            try {
                long repositoryId = repositories.findIdByName(repository).orElseThrow();
                manifests.save(new NewManifest(repositoryId, manifest.digest(), manifest.mediaType(), null,
                        manifest.bytes(), null, null, null, Set.of(), Set.of()));
                held.countDown();
                release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } finally {
                transactions.rollback();
            }
            return null;
        });
        if (!held.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            holder.get(1, TimeUnit.SECONDS); // throws what stopped it
            throw new AssertionError("the holding transaction did not start");
        }
        try {
            Future<Response> push = threads.submit(() -> request().contentType(manifest.mediaType())
                    .body(manifest.bytes()).put(manifestPath(repository, manifest.digest())));
            awaitUntil(() -> sessionsWaitingForALock() >= 1, "the push waits for the holding transaction");
            Future<Response> deleting = threads.submit(delete::get);
            awaitUntil(() -> deleting.isDone() || sessionsWaitingForALock() >= 2,
                    "the delete is answered or waits for a lock");
            release.countDown();
            holder.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            return new Race(push.get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                    deleting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        } finally {
            release.countDown();
        }
    }

    private int sessionsWaitingForALock() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
