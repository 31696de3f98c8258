package io.berth.server.api;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.pushBlob;
import static io.berth.server.api.RegistryClient.pushImageWithLayer;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.RegistryClient.Image;
import io.berth.server.testing.TestAccounts;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /v2/<name>/blobs/<digest>}: existence, download (whole, ranges, conditional) and delete, which
 * spares a blob that manifests of the repository still reference.
 */
public abstract class BlobApiSuite {

    private static final int SIZE = 100;
    private static final int MiB = 1024 * 1024;

    @Test
    void headDescribesTheBlobWithoutABody() {
        String repository = repository("blob");
        Blob blob = pushRandomBlob(repository, SIZE);

        request().head(blobPath(repository, blob.digest())).then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(SIZE))
                .header("Docker-Content-Digest", blob.digest())
                .header("ETag", "\"" + blob.digest() + "\"")
                .body(emptyString());
    }

    @Test
    void getReturnsTheExactBytes() {
        String repository = repository("blob");
        Blob blob = pushRandomBlob(repository, SIZE);

        byte[] body = request().get(blobPath(repository, blob.digest())).then()
                .statusCode(200)
                .contentType("application/octet-stream")
                .header("Content-Length", String.valueOf(SIZE))
                .header("Docker-Content-Digest", blob.digest())
                .header("ETag", "\"" + blob.digest() + "\"")
                .header("Accept-Ranges", "bytes")
                .extract().asByteArray();
        assertArrayEquals(blob.bytes(), body);
    }

    @ParameterizedTest(name = "{0} -> bytes {1}-{2}")
    @CsvSource({
        "bytes=10-19, 10, 19",
        "bytes=0-0, 0, 0",
        "bytes=90-, 90, 99",
        "bytes=0-, 0, 99",
        "bytes=-10, 90, 99",
        "bytes=-500, 0, 99",
        "bytes=95-200, 95, 99",
    })
    void aRangeIsAnsweredWithPartialContent(String range, int first, int last) {
        String repository = repository("blob-range");
        Blob blob = pushRandomBlob(repository, SIZE);

        byte[] body = request().header("Range", range).get(blobPath(repository, blob.digest())).then()
                .statusCode(206)
                .header("Content-Range", "bytes " + first + "-" + last + "/" + SIZE)
                .header("Content-Length", String.valueOf(last - first + 1))
                .header("Docker-Content-Digest", blob.digest())
                .extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(blob.bytes(), first, last + 1), body);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bytes=100-", "bytes=100-150", "bytes=500-", "bytes=-0"})
    void aRangeOutsideTheBlobIs416WithTheSize(String range) {
        String repository = repository("blob-range");
        Blob blob = pushRandomBlob(repository, SIZE);

        fails(request().header("Range", range).get(blobPath(repository, blob.digest())), 416, "RANGE_INVALID")
                .header("Content-Range", "bytes */" + SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bytes=0-1,5-6", "bytes=abc", "items=0-5", "bytes=9-3", "bytes=-", "0-5"})
    void aRangeTheServerDoesNotInterpretGetsTheWholeBlob(String range) {
        String repository = repository("blob-range");
        Blob blob = pushRandomBlob(repository, SIZE);

        byte[] body = request().header("Range", range).get(blobPath(repository, blob.digest())).then()
                .statusCode(200)
                .header("Content-Range", nullValue())
                .header("Content-Length", String.valueOf(SIZE))
                .extract().asByteArray();
        assertArrayEquals(blob.bytes(), body);
    }

    @Test
    void ifNoneMatchWithTheEtagIsNotModified() {
        String repository = repository("blob");
        Blob blob = pushRandomBlob(repository, SIZE);

        for (String ifNoneMatch : new String[] {"\"" + blob.digest() + "\"", "*", "\"other\", W/\"" + blob.digest() + "\""}) {
            request().header("If-None-Match", ifNoneMatch).get(blobPath(repository, blob.digest())).then()
                    .statusCode(304)
                    .header("Docker-Content-Digest", blob.digest())
                    .header("ETag", "\"" + blob.digest() + "\"")
                    .body(emptyString());
        }
        request().header("If-None-Match", "\"sha256:other\"").get(blobPath(repository, blob.digest())).then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(SIZE));
    }

    @Test
    void aDeletedBlobIsUnknown() {
        String repository = repository("blob-delete");
        Blob blob = pushRandomBlob(repository, SIZE);

        request().delete(blobPath(repository, blob.digest())).then().statusCode(202);

        fails(request().get(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN")
                .body("errors[0].detail.digest", equalTo(blob.digest()));
        request().head(blobPath(repository, blob.digest())).then().statusCode(404).body(emptyString());
        fails(request().delete(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
    }

    @Test
    void deletingFromOneRepositoryLeavesTheOthers() {
        String first = repository("blob-delete");
        String second = repository("blob-delete");
        Blob blob = pushRandomBlob(first, SIZE);
        pushBlob(second, blob);

        request().delete(blobPath(first, blob.digest())).then().statusCode(202);

        fails(request().get(blobPath(first, blob.digest())), 404, "BLOB_UNKNOWN");
        byte[] body = request().get(blobPath(second, blob.digest())).then().statusCode(200).extract().asByteArray();
        assertArrayEquals(blob.bytes(), body);
    }

    @Test
    void aLayerOrConfigOfAManifestInTheRepositoryIsNotDeleted() {
        String repository = repository("blob-in-use");
        Image image = pushImageWithLayer(repository, "v1", pushRandomBlob(repository, SIZE));

        refusedAsReferenced(request().delete(blobPath(repository, image.layer().digest())))
                .body("errors[0].message", equalTo("blob " + image.layer().digest() + " is a layer of manifest "
                        + image.manifest().digest() + " in repository " + repository + "; delete that manifest by digest"
                        + " first (deleting a tag leaves the manifest), then the blob"))
                .body("errors[0].detail.digest", equalTo(image.layer().digest()))
                .body("errors[0].detail.referencedBy", equalTo(image.manifest().digest()))
                .body("errors[0].detail.referencingManifests", equalTo(1));
        refusedAsReferenced(request().delete(blobPath(repository, image.config().digest())))
                .body("errors[0].message", startsWith("blob " + image.config().digest() + " is the config of manifest "
                        + image.manifest().digest() + " in repository " + repository + "; delete that manifest"));
        assertPulls(repository, image);

        request().delete(manifestPath(repository, "v1")).then().statusCode(202);
        refusedAsReferenced(request().delete(blobPath(repository, image.layer().digest())));
        assertBlobServed(repository, image.layer());
    }

    @Test
    void onceTheManifestIsDeletedItsBlobsAreDeletable() {
        String repository = repository("blob-in-use");
        Image image = pushImageWithLayer(repository, "v1", pushRandomBlob(repository, SIZE));

        request().delete(manifestPath(repository, image.manifest().digest())).then().statusCode(202);

        for (Blob blob : List.of(image.layer(), image.config())) {
            request().delete(blobPath(repository, blob.digest())).then().statusCode(202);
            fails(request().get(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
        }
    }

    @Test
    void aBlobOfSeveralManifestsNamesTheFirstByDigestAndCountsThem() {
        String repository = repository("blob-shared");
        Blob layer = pushRandomBlob(repository, SIZE);
        List<Image> images = new ArrayList<>(List.of(pushImageWithLayer(repository, "a", layer),
                pushImageWithLayer(repository, "b", layer), pushImageWithLayer(repository, "c", layer)));
        images.sort(Comparator.comparing(image -> image.manifest().digest()));

        refusedAsReferenced(request().delete(blobPath(repository, layer.digest())))
                .body("errors[0].message", equalTo("blob " + layer.digest() + " is a layer of manifest "
                        + images.get(0).manifest().digest() + " in repository " + repository + ", one of 3 manifests"
                        + " there that reference it; delete those manifests by digest first (deleting a tag leaves"
                        + " the manifest), then the blob"))
                .body("errors[0].detail.referencedBy", equalTo(images.get(0).manifest().digest()))
                .body("errors[0].detail.referencingManifests", equalTo(3));

        request().delete(manifestPath(repository, images.get(0).manifest().digest())).then().statusCode(202);
        request().delete(manifestPath(repository, images.get(1).manifest().digest())).then().statusCode(202);
        refusedAsReferenced(request().delete(blobPath(repository, layer.digest())))
                .body("errors[0].detail.referencedBy", equalTo(images.get(2).manifest().digest()))
                .body("errors[0].detail.referencingManifests", equalTo(1));
        assertPulls(repository, images.get(2));

        request().delete(manifestPath(repository, images.get(2).manifest().digest())).then().statusCode(202);
        request().delete(blobPath(repository, layer.digest())).then().statusCode(202);
    }

    @Test
    void aBlobNoManifestReferencesIsDeletedBesideAnImage() {
        String repository = repository("blob-unused");
        Image image = pushImageWithLayer(repository, "v1", pushRandomBlob(repository, SIZE));
        Blob unused = pushRandomBlob(repository, SIZE);

        request().delete(blobPath(repository, unused.digest())).then().statusCode(202);

        fails(request().get(blobPath(repository, unused.digest())), 404, "BLOB_UNKNOWN");
        assertPulls(repository, image);
    }

    /** Each repository has its own link to a blob: manifests of another repository do not keep this one's. */
    @Test
    void aBlobOnlyAnotherRepositorysManifestReferencesIsDeletedHere() {
        String user = repository("blob-user");
        String bystander = repository("blob-bystander");
        Image image = pushImageWithLayer(user, "v1", pushRandomBlob(user, SIZE));
        request().post(query(uploadsPath(bystander), "mount", image.layer().digest(), "from", user)).then().statusCode(201);

        request().delete(blobPath(bystander, image.layer().digest())).then().statusCode(202);

        fails(request().get(blobPath(bystander, image.layer().digest())), 404, "BLOB_UNKNOWN");
        assertPulls(user, image);
        refusedAsReferenced(request().delete(blobPath(user, image.layer().digest())));
    }

    @Test
    void aBlobOfAnotherRepositoryIsUnknownHere() {
        String holder = repository("blob-holder");
        String other = repository("blob-other");
        pushRandomBlob(other, 1);
        Blob blob = pushRandomBlob(holder, SIZE);

        fails(request().get(blobPath(other, blob.digest())), 404, "BLOB_UNKNOWN")
                .body("errors[0].detail.digest", equalTo(blob.digest()));
        request().head(blobPath(other, blob.digest())).then().statusCode(404);
        fails(request().delete(blobPath(other, blob.digest())), 404, "BLOB_UNKNOWN");
        request().head(blobPath(holder, blob.digest())).then().statusCode(200);
    }

    @Test
    void aBlobOfAnUnknownRepositoryIsUnknown() {
        String repository = repository("blob-nowhere");
        Blob blob = OciContent.randomBlob(SIZE);

        fails(request().get(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
        request().head(blobPath(repository, blob.digest())).then().statusCode(404);
        fails(request().delete(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "sha256:xyz",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
        "sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
        "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "nodigest",
        "sha256:",
    })
    void aMalformedDigestIsInvalid(String digest) {
        String repository = repository("blob-invalid");
        pushRandomBlob(repository, 1);

        fails(request().get(blobPath(repository, digest)), 400, "DIGEST_INVALID")
                .body("errors[0].detail.digest", equalTo(digest));
        request().head(blobPath(repository, digest)).then().statusCode(400);
        fails(request().delete(blobPath(repository, digest)), 400, "DIGEST_INVALID");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"md5:d41d8cd98f00b204e9800998ecf8427e", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"})
    void anUnsupportedAlgorithmIsInvalid(String digest) {
        String repository = repository("blob-invalid");

        fails(request().get(blobPath(repository, digest)), 400, "DIGEST_INVALID")
                .body("errors[0].detail.digest", equalTo(digest));
        fails(request().contentType("application/octet-stream").body(new byte[] {1})
                .post(query(uploadsPath(repository), "digest", digest)), 400, "DIGEST_INVALID");
    }

    @Test
    void aSha512BlobIsServedUnderItsDigest() {
        String repository = repository("blob-sha512");
        byte[] bytes = OciContent.randomBlob(SIZE).bytes();
        String digest = OciContent.sha512(bytes);

        request().contentType("application/octet-stream").body(bytes)
                .post(query(uploadsPath(repository), "digest", digest)).then()
                .statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", blobPath(repository, digest));

        request().head(blobPath(repository, digest)).then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(SIZE))
                .header("Docker-Content-Digest", digest);
        assertArrayEquals(bytes, request().get(blobPath(repository, digest)).then().statusCode(200)
                .header("ETag", "\"" + digest + "\"")
                .extract().asByteArray());
        assertArrayEquals(Arrays.copyOfRange(bytes, 10, 20), request().header("Range", "bytes=10-19")
                .get(blobPath(repository, digest)).then().statusCode(206).extract().asByteArray());
        fails(request().get(blobPath(repository, OciContent.sha256(bytes))), 404, "BLOB_UNKNOWN");
    }

    @Test
    void anEmptyBlobHasNoSatisfiableRange() {
        String repository = repository("blob-empty");
        Blob blob = pushBlob(repository, OciContent.blob(new byte[0]));

        request().get(blobPath(repository, blob.digest())).then()
                .statusCode(200)
                .header("Content-Length", "0")
                .header("Docker-Content-Digest", blob.digest());
        fails(request().header("Range", "bytes=0-").get(blobPath(repository, blob.digest())), 416, "RANGE_INVALID")
                .header("Content-Range", "bytes */0");
    }

    /**
     * Megabytes, so that the blob goes out in several blocks when the filesystem store reads a new
     * blob around the page cache (its first read), and with {@code sendfile} after that.
     */
    @Test
    void aBlobOfSeveralMegabytesComesBackWholeOnItsFirstAndLaterReads() {
        String repository = repository("blob-large");
        Blob blob = pushRandomBlob(repository, 5 * MiB + 3);
        for (int read = 1; read <= 2; read++) {
            byte[] body = request().get(blobPath(repository, blob.digest())).then()
                    .statusCode(200)
                    .header("Content-Length", String.valueOf(blob.bytes().length))
                    .extract().asByteArray();
            assertArrayEquals(blob.bytes(), body, "read " + read);
        }

        Blob another = pushRandomBlob(repository, 3 * MiB);
        int first = MiB - 5;
        int last = 2 * MiB + 7;
        byte[] part = request().header("Range", "bytes=" + first + "-" + last).get(blobPath(repository, another.digest()))
                .then().statusCode(206)
                .header("Content-Length", String.valueOf(last - first + 1))
                .extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(another.bytes(), first, last + 1), part);
    }

    /** A client that goes away mid-download leaves nothing stuck: the blob and the server serve on. */
    @Test
    void aClientLeavingMidDownloadLeavesTheBlobServable() throws Exception {
        String repository = repository("blob-left");
        Blob blob = pushRandomBlob(repository, 8 * MiB);
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + blobPath(repository, blob.digest()));
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setRequestProperty("Authorization", TestAccounts.adminAuthorization());
        try (InputStream body = connection.getInputStream()) {
            assertEquals(MiB, body.readNBytes(MiB).length);
        }
        connection.disconnect();

        assertArrayEquals(blob.bytes(), request().get(blobPath(repository, blob.digest())).then()
                .statusCode(200).extract().asByteArray());
    }

    /** Asserts the answer refuses a DELETE because manifests still reference the blob. */
    static ValidatableResponse refusedAsReferenced(Response response) {
        return fails(response, 405, "DENIED").header("Allow", "GET, HEAD");
    }

    /** Asserts the image pulls as pushed: its manifest by digest, its config and its layer, byte for byte. */
    static void assertPulls(String repository, Image image) {
        assertArrayEquals(image.manifest().bytes(), request().accept(image.manifest().mediaType())
                .get(manifestPath(repository, image.manifest().digest())).then().statusCode(200).extract().asByteArray());
        assertBlobServed(repository, image.config());
        assertBlobServed(repository, image.layer());
    }

    private static void assertBlobServed(String repository, Blob blob) {
        assertArrayEquals(blob.bytes(), request().get(blobPath(repository, blob.digest())).then()
                .statusCode(200).extract().asByteArray(), blob.digest());
    }
}
