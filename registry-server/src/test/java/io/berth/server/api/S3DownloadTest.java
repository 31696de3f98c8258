package io.berth.server.api;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.uri;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.OciContent.Blob;
import io.berth.server.testing.S3StorageProfile;
import io.berth.server.testing.TestAccounts;
import io.berth.storage.BlobStore;
import io.berth.storage.Digest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Downloads from the S3 store, which Berth fetches from presigned URLs with Vert.x's HTTP client and
 * pipes on: what the shared API suite does not reach.
 */
@QuarkusTest
@TestProfile(S3StorageProfile.class)
class S3DownloadTest {

    private static final int LARGE = 6 * 1024 * 1024 + 17;

    @Inject
    BlobStore store;

    /** Small blobs come over pooled connections, large ones over a connection of their own: both paths. */
    @ParameterizedTest
    @ValueSource(ints = {1000, LARGE})
    void aBlobGoneFromTheBucketIsUnknownNotAnOutage(int size) {
        String repository = repository("s3-download");
        Blob blob = pushRandomBlob(repository, size);
        assertTrue(store.delete(Digest.parse(blob.digest())), "the object was in the bucket");

        fails(request().get(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
        fails(request().header("Range", "bytes=10-19").get(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
    }

    @Test
    void clientsThatHangUpMidwayLeaveTheServerAbleToServeEveryoneElse() throws Exception {
        String repository = repository("s3-download");
        Blob blob = pushRandomBlob(repository, LARGE);
        URI target = uri(blobPath(repository, blob.digest()));

        for (int i = 0; i < 5; i++) {
            try (Socket socket = new Socket(target.getHost(), target.getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + "\r\n"
                        + "Authorization: " + TestAccounts.adminAuthorization() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] some = in.readNBytes(64 * 1024);
                assertEquals(64 * 1024, some.length, "the download started");
            }
        }

        // Whole and ranged downloads at once, over connections the abandoned ones must not have spoiled.
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<CompletableFuture<HttpResponse<byte[]>>> wholes = new ArrayList<>();
            List<CompletableFuture<HttpResponse<byte[]>>> ranges = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                wholes.add(http.sendAsync(get(target).build(), HttpResponse.BodyHandlers.ofByteArray()));
                ranges.add(http.sendAsync(get(target).header("Range", "bytes=" + i + "-" + (LARGE - 1 - i)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (int i = 0; i < 12; i++) {
                HttpResponse<byte[]> whole = wholes.get(i).join();
                assertEquals(200, whole.statusCode());
                assertEquals(blob.digest(), OciContent.sha256(whole.body()));
                HttpResponse<byte[]> range = ranges.get(i).join();
                assertEquals(206, range.statusCode());
                assertArrayEquals(Arrays.copyOfRange(blob.bytes(), i, LARGE - i), range.body());
            }
        }
    }

    /** A small answer from S3 arrives whole in one read: its body must not slip past before the pipe is set up. */
    @Test
    void smallBlobsComeBackEveryTime() {
        String repository = repository("s3-download");
        Blob blob = pushRandomBlob(repository, 200);
        URI target = uri(blobPath(repository, blob.digest()));
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int batch = 0; batch < 10; batch++) {
                List<CompletableFuture<HttpResponse<byte[]>>> gets = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    gets.add(http.sendAsync(get(target).build(), HttpResponse.BodyHandlers.ofByteArray()));
                }
                for (CompletableFuture<HttpResponse<byte[]>> get : gets) {
                    HttpResponse<byte[]> response = get.join();
                    assertEquals(200, response.statusCode());
                    assertArrayEquals(blob.bytes(), response.body());
                }
            }
        }
    }

    @Test
    void theLastByteAndAnEmptyBlobComeBackToo() {
        String repository = repository("s3-download");
        Blob blob = pushRandomBlob(repository, 300);
        byte[] last = request().header("Range", "bytes=299-").get(blobPath(repository, blob.digest())).then()
                .statusCode(206)
                .header("Content-Range", "bytes 299-299/300")
                .header("Content-Length", "1")
                .extract().asByteArray();
        assertArrayEquals(new byte[] {blob.bytes()[299]}, last);

        Blob empty = RegistryClient.pushBlob(repository, OciContent.blob(new byte[0]));
        request().get(blobPath(repository, empty.digest())).then().statusCode(200).header("Content-Length", "0");
    }

    private static HttpRequest.Builder get(URI target) {
        return HttpRequest.newBuilder(target).header("Authorization", TestAccounts.adminAuthorization()).GET();
    }
}
