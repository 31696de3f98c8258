package io.berth.storage.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreContractTest;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.UploadState;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest extends BlobStoreContractTest {

    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new FilesystemBlobStore(root, false);
    }

    @Test
    void blobsLandAtTheirContentAddressedPathAndUploadsLeaveNothingBehind() throws Exception {
        byte[] bytes = randomBytes(4096, 10);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        UploadState state = store.beginUpload(UUID.randomUUID(), DigestAlgorithm.SHA256);
        store.commit(store.append(state, new ByteArrayInputStream(bytes)), digest);

        Path expected = root.resolve("v1/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        assertTrue(Files.isRegularFile(expected));
        assertEquals(4096, Files.size(expected));
        try (Stream<Path> uploads = Files.list(root.resolve("v1/uploads"))) {
            assertEquals(0, uploads.count());
        }
    }

    @Test
    void aFsyncingStoreBehavesTheSame() throws Exception {
        BlobStore syncing = new FilesystemBlobStore(root.resolve("synced"), true);
        byte[] bytes = randomBytes(1000, 11);
        Digest digest = Digest.of(DigestAlgorithm.SHA256, bytes);
        syncing.put(UUID.randomUUID(), new ByteArrayInputStream(bytes), digest);
        assertEquals(1000, syncing.stat(digest).orElseThrow().size());
    }
}
