package io.berth.server.api;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.server.api.OciContent.Blob;
import io.berth.server.testing.S3StorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@code berth.storage.s3.redirect=true}: blob downloads are 307s to presigned URLs of the objects. */
@QuarkusTest
@TestProfile(S3StorageProfile.Redirecting.class)
class S3RedirectTest {

    @Test
    void aBlobDownloadRedirectsToAPresignedUrlThatServesItAndItsRanges() throws Exception {
        String repository = repository("redirect");
        Blob blob = pushRandomBlob(repository, 5000);

        String location = request().redirects().follow(false).get(blobPath(repository, blob.digest())).then()
                .statusCode(307)
                .header("Docker-Content-Digest", blob.digest())
                .header("Location", containsString("X-Amz-Signature="))
                .header("Location", containsString("X-Amz-Expires=300"))
                .extract().header("Location");

        try (HttpClient http = HttpClient.newHttpClient()) {
            // No credentials of Berth's: the signature in the URL is the authorization.
            HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(location)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, whole.statusCode());
            assertArrayEquals(blob.bytes(), whole.body());
            HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(location)).header("Range", "bytes=100-199")
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(blob.bytes(), 100, 200), range.body());
        }
        // A client that follows redirects (as docker and podman do) just gets the blob.
        assertArrayEquals(blob.bytes(), request().get(blobPath(repository, blob.digest())).then().statusCode(200)
                .extract().asByteArray());
    }

    @Test
    void headAndUnknownBlobsAreAnsweredByBerth() {
        String repository = repository("redirect");
        Blob blob = pushRandomBlob(repository, 10);
        request().head(blobPath(repository, blob.digest())).then().statusCode(200).header("Content-Length", "10");
        request().redirects().follow(false).get(blobPath(repository, OciContent.randomBlob(3).digest())).then()
                .statusCode(404);
        request().redirects().follow(false).header("If-None-Match", "\"" + blob.digest() + "\"")
                .get(blobPath(repository, blob.digest())).then().statusCode(304);
    }
}
