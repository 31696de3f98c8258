package io.berth.server.api;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.pushBlob;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.send;
import static io.berth.server.api.RegistryClient.startUpload;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static io.berth.server.api.RegistryClient.uri;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.OciContent.Blob;
import io.berth.server.testing.TestAccounts;
import io.restassured.response.Response;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /v2/<name>/blobs/uploads/}: sessions, monolithic and chunked uploads, status, cancellation,
 * cross-repository mounts and the errors of each.
 */
public abstract class UploadApiSuite {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @ParameterizedTest(name = "POST {0}")
    @ValueSource(strings = {"/blobs/uploads/", "/blobs/uploads"})
    void postOpensASession(String suffix) {
        String repository = repository("upload");

        Response response = request().post("/v2/" + repository + suffix);

        response.then()
                .statusCode(202)
                .header("Location", matchesPattern("/v2/" + repository + "/blobs/uploads/" + UUID_PATTERN))
                .header("Range", "0-0")
                .header("Docker-Upload-UUID", matchesPattern(UUID_PATTERN))
                .header("OCI-Chunk-Min-Length", matchesPattern("[1-9][0-9]*"))
                .header("Content-Length", "0");
        String id = response.header("Docker-Upload-UUID");
        assertEquals(uploadsPath(repository) + id, response.header("Location"));
        assertEquals(id, response.header("Blob-Upload-Session-ID"));
    }

    @Test
    void aMonolithicPostStoresTheBlob() {
        String repository = repository("upload");
        Blob blob = OciContent.randomBlob(1000);

        request().contentType("application/octet-stream").body(blob.bytes())
                .post(query(uploadsPath(repository), "digest", blob.digest())).then()
                .statusCode(201)
                .header("Location", blobPath(repository, blob.digest()))
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(repository, blob);
    }

    @Test
    void aMonolithicPostWithTheWrongDigestStoresNothing() {
        String repository = repository("upload");
        Blob sent = OciContent.randomBlob(1000);
        Blob claimed = OciContent.randomBlob(1000);

        fails(request().contentType("application/octet-stream").body(sent.bytes())
                .post(query(uploadsPath(repository), "digest", claimed.digest())), 400, "DIGEST_INVALID")
                .body("errors[0].detail.digest", equalTo(claimed.digest()));

        fails(request().get(blobPath(repository, claimed.digest())), 404, "BLOB_UNKNOWN");
        fails(request().get(blobPath(repository, sent.digest())), 404, "BLOB_UNKNOWN");
    }

    @Test
    void aSessionCompletedByAPutWithTheWholeBody() {
        String repository = repository("upload");
        Blob blob = OciContent.randomBlob(5000);
        String location = startUpload(repository);

        request().contentType("application/octet-stream").body(blob.bytes())
                .put(query(location, "digest", blob.digest())).then()
                .statusCode(201)
                .header("Location", blobPath(repository, blob.digest()))
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(repository, blob);
        fails(request().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void chunksWithContentRangeThenAPutWithoutBody() {
        String repository = repository("upload-chunked");
        Blob blob = OciContent.randomBlob(3000);
        String location = startUpload(repository);

        patch(location, blob, 0, 1000).then()
                .statusCode(202)
                .header("Location", location)
                .header("Range", "0-999")
                .header("Docker-Upload-UUID", location.substring(location.lastIndexOf('/') + 1))
                .header("Content-Length", "0");
        patch(location, blob, 1000, 3000).then().statusCode(202).header("Range", "0-2999");

        request().put(query(location, "digest", blob.digest())).then()
                .statusCode(201)
                .header("Location", blobPath(repository, blob.digest()))
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(repository, blob);
    }

    @Test
    void aChunkWithoutContentRangeIsStreamed() {
        String repository = repository("upload-streamed");
        Blob blob = OciContent.randomBlob(70_000);
        String location = startUpload(repository);

        HttpResponse<String> streamed = send(HttpRequest.newBuilder(uri(location))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(blob.bytes()))));
        assertEquals(202, streamed.statusCode());
        assertEquals("0-69999", streamed.headers().firstValue("Range").orElseThrow());
        assertEquals(location, streamed.headers().firstValue("Location").orElseThrow());

        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    @Test
    void chunksWithoutContentRangeAppendInOrder() {
        String repository = repository("upload-streamed");
        Blob blob = OciContent.randomBlob(2000);
        String location = startUpload(repository);

        request().contentType("application/octet-stream").body(Arrays.copyOfRange(blob.bytes(), 0, 700))
                .patch(location).then().statusCode(202).header("Range", "0-699");
        request().contentType("application/octet-stream").body(Arrays.copyOfRange(blob.bytes(), 700, 2000))
                .patch(location).then().statusCode(202).header("Range", "0-1999");

        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    @Test
    void theLastChunkMayComeWithThePut() {
        String repository = repository("upload-chunked");
        Blob blob = OciContent.randomBlob(2500);
        String location = startUpload(repository);
        patch(location, blob, 0, 1000).then().statusCode(202);

        request().contentType("application/octet-stream")
                .header("Content-Range", "1000-2499")
                .body(Arrays.copyOfRange(blob.bytes(), 1000, 2500))
                .put(query(location, "digest", blob.digest())).then()
                .statusCode(201)
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(repository, blob);
    }

    @Test
    void getTellsWhereTheUploadStands() {
        String repository = repository("upload-status");
        Blob blob = OciContent.randomBlob(1500);
        String location = startUpload(repository);
        String id = location.substring(location.lastIndexOf('/') + 1);

        request().get(location).then()
                .statusCode(204)
                .header("Location", location)
                .header("Range", "0-0")
                .header("Docker-Upload-UUID", id)
                .header("Blob-Upload-Session-ID", id);
        patch(location, blob, 0, 1500).then().statusCode(202);
        request().get(location).then()
                .statusCode(204)
                .header("Location", location)
                .header("Range", "0-1499")
                .header("Docker-Upload-UUID", id);
    }

    @Test
    void aCancelledUploadIsUnknown() {
        String repository = repository("upload-cancel");
        Blob blob = OciContent.randomBlob(100);
        String location = startUpload(repository);
        patch(location, blob, 0, 100).then().statusCode(202);

        request().delete(location).then().statusCode(204);

        fails(request().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(patch(location, blob, 0, 100), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(request().put(query(location, "digest", blob.digest())), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(request().delete(location), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(request().get(blobPath(repository, blob.digest())), 404, "BLOB_UNKNOWN");
    }

    @Test
    void anOutOfOrderChunkIs416WithTheCurrentRange() {
        String repository = repository("upload-order");
        Blob blob = OciContent.randomBlob(3000);
        String location = startUpload(repository);
        patch(location, blob, 0, 1000).then().statusCode(202);

        fails(patch(location, blob, 2000, 3000), 416, "RANGE_INVALID")
                .header("Range", "0-999")
                .header("Location", location);
        fails(patch(location, blob, 0, 1000), 416, "RANGE_INVALID")
                .header("Range", "0-999");

        // The refused chunks left the upload as it was; it resumes where it stood.
        patch(location, blob, 1000, 3000).then().statusCode(202).header("Range", "0-2999");
        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    @Test
    void aFirstChunkThatDoesNotStartAtZeroIs416() {
        String repository = repository("upload-order");
        Blob blob = OciContent.randomBlob(100);
        String location = startUpload(repository);

        fails(patch(location, blob, 50, 100), 416, "RANGE_INVALID")
                .header("Range", "0-0")
                .header("Location", location);
    }

    @ParameterizedTest(name = "Content-Range: {0}")
    @ValueSource(strings = {"abc", "10-5", "-5", "5-"})
    void aMalformedContentRangeIsRefused(String contentRange) {
        String repository = repository("upload-range");
        String location = startUpload(repository);

        fails(request().contentType("application/octet-stream").header("Content-Range", contentRange)
                .body(new byte[10]).patch(location), 416, "RANGE_INVALID");
        request().get(location).then().statusCode(204).header("Range", "0-0");
    }

    @Test
    void contentRangeAndContentLengthThatDisagreeAreSizeInvalid() {
        String repository = repository("upload-size");
        Blob blob = OciContent.randomBlob(100);
        String location = startUpload(repository);

        fails(request().contentType("application/octet-stream").header("Content-Range", "0-99")
                .body(Arrays.copyOfRange(blob.bytes(), 0, 50)).patch(location), 400, "SIZE_INVALID");

        // Nothing was recorded: the whole chunk can be sent again.
        request().get(location).then().statusCode(204).header("Range", "0-0");
        patch(location, blob, 0, 100).then().statusCode(202).header("Range", "0-99");
        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    @Test
    void aStreamedChunkShorterThanItsContentRangeIsNotRecorded() {
        String repository = repository("upload-size");
        Blob blob = OciContent.randomBlob(100);
        String location = startUpload(repository);

        HttpResponse<String> shortChunk = send(HttpRequest.newBuilder(uri(location))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", "0-99")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(Arrays.copyOfRange(blob.bytes(), 0, 40)))));
        assertEquals(400, shortChunk.statusCode());
        assertTrue(shortChunk.body().contains("\"SIZE_INVALID\""), shortChunk.body());

        request().get(location).then().statusCode(204).header("Range", "0-0");
        patch(location, blob, 0, 100).then().statusCode(202).header("Range", "0-99");
        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    @Test
    void aPutWithTheWrongDigestEndsTheUploadAndStoresNothing() {
        String repository = repository("upload-mismatch");
        Blob sent = OciContent.randomBlob(1000);
        Blob claimed = OciContent.randomBlob(1000);
        String location = startUpload(repository);
        patch(location, sent, 0, 1000).then().statusCode(202);

        fails(request().put(query(location, "digest", claimed.digest())), 400, "DIGEST_INVALID")
                .body("errors[0].detail.digest", equalTo(claimed.digest()));

        fails(request().get(blobPath(repository, claimed.digest())), 404, "BLOB_UNKNOWN");
        fails(request().get(blobPath(repository, sent.digest())), 404, "BLOB_UNKNOWN");
        fails(request().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void aPutWithoutDigestIsDigestInvalidAndKeepsTheUpload() {
        String repository = repository("upload-nodigest");
        Blob blob = OciContent.randomBlob(100);
        String location = startUpload(repository);
        patch(location, blob, 0, 100).then().statusCode(202);

        fails(request().put(location), 400, "DIGEST_INVALID");
        fails(request().put(query(location, "digest", "sha256:nothex")), 400, "DIGEST_INVALID");

        request().get(location).then().statusCode(204).header("Range", "0-99");
        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    @ParameterizedTest(name = "upload id {0}")
    @ValueSource(strings = {"00000000-0000-0000-0000-000000000000", "not-a-uuid", "12345"})
    void anUnknownOrMalformedUploadIdIsUploadUnknown(String id) {
        String repository = repository("upload-unknown");
        startUpload(repository);
        String location = uploadsPath(repository) + id;
        Blob blob = OciContent.randomBlob(10);

        fails(request().get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(patch(location, blob, 0, 10), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(request().contentType("application/octet-stream").body(blob.bytes())
                .put(query(location, "digest", blob.digest())), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(request().delete(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    /**
     * A chunk refused before its body is read must not stall the connection: the server used to stop
     * reading once 16 MiB of the unread body were queued, and the client hung sending the rest.
     */
    @Test
    void aRefusedChunkWithALargeBodyLeavesItsConnectionUsable() throws Exception {
        String repository = repository("upload-refused-body");
        String open = startUpload(repository);
        URI unknown = uri(uploadsPath(repository) + "00000000-0000-0000-0000-000000000000");
        int length = 48 * 1024 * 1024;

        try (Socket socket = new Socket(unknown.getHost(), unknown.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String headers = "Host: " + unknown.getHost() + "\r\nAuthorization: " + TestAccounts.adminAuthorization() + "\r\n";
            out.write(("PATCH " + unknown.getRawPath() + " HTTP/1.1\r\n" + headers
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // The whole body goes out while the answer comes back, as a real client's would.
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                byte[] block = new byte[1024 * 1024];
                try {
                    for (int written = 0; written < length; written += block.length) {
                        out.write(block);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            assertEquals(404, readResponseStatus(in));
            sent.get(30, TimeUnit.SECONDS);
            out.write(("GET " + uri(open).getRawPath() + " HTTP/1.1\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(204, readResponseStatus(in), "the next request on the same connection");
        }
    }

    /** While one chunk is being written, the upload's lease is taken: a second chunk is refused, not interleaved. */
    @Test
    void aChunkSentWhileAnotherIsBeingWrittenIsRefused() throws Exception {
        String repository = repository("upload-busy");
        String location = startUpload(repository);
        Blob blob = OciContent.randomBlob(64 * 1024);
        URI target = uri(location);

        try (Socket socket = new Socket(target.getHost(), target.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + target.getRawPath() + " HTTP/1.1\r\nHost: " + target.getHost() + "\r\nAuthorization: "
                    + TestAccounts.adminAuthorization() + "\r\nContent-Type: application/octet-stream\r\nContent-Range: 0-"
                    + (blob.bytes().length - 1) + "\r\nContent-Length: " + blob.bytes().length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(blob.bytes(), 0, 1000);
            out.flush();
            // The first chunk takes the lease as soon as it is dispatched and holds it while it waits for the rest.
            Thread.sleep(500);
            fails(patch(location, blob, 0, blob.bytes().length), 416, "RANGE_INVALID")
                    .body("errors[0].message", containsString("one after the other"));

            out.write(blob.bytes(), 1000, blob.bytes().length - 1000);
            out.flush();
            assertEquals(202, readResponseStatus(new BufferedInputStream(socket.getInputStream())));
        }
        request().put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(repository, blob);
    }

    /** Reads one HTTP/1.1 response with a Content-Length body; returns its status. */
    private static int readResponseStatus(InputStream in) throws IOException {
        String status = readLine(in);
        int contentLength = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        assertEquals(contentLength, in.readNBytes(contentLength).length);
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed mid-response after: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void anUploadIsUnknownInAnotherRepository() {
        String owner = repository("upload-owner");
        String other = repository("upload-other");
        startUpload(other);
        String location = startUpload(owner);
        String elsewhere = uploadsPath(other) + location.substring(location.lastIndexOf('/') + 1);
        Blob blob = OciContent.randomBlob(10);

        fails(request().get(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(patch(elsewhere, blob, 0, 10), 404, "BLOB_UPLOAD_UNKNOWN");
        fails(request().delete(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");
        request().get(location).then().statusCode(204);
    }

    @Test
    void aMountFromARepositoryHoldingTheBlobLinksIt() {
        String source = repository("mount-source");
        String target = repository("mount-target");
        Blob blob = pushRandomBlob(source, 2000);

        request().post(query(uploadsPath(target), "mount", blob.digest(), "from", source)).then()
                .statusCode(201)
                .header("Location", blobPath(target, blob.digest()))
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(target, blob);
    }

    @Test
    void aMountFromARepositoryWithoutTheBlobFallsBackToASession() {
        String holder = repository("mount-holder");
        String source = repository("mount-source");
        String target = repository("mount-target");
        Blob blob = pushRandomBlob(holder, 2000);
        pushRandomBlob(source, 10);

        for (String from : new String[] {source, repository("mount-never-pushed")}) {
            String location = request().post(query(uploadsPath(target), "mount", blob.digest(), "from", from)).then()
                    .statusCode(202)
                    .header("Location", startsWith(uploadsPath(target)))
                    .header("Range", "0-0")
                    .extract().header("Location");
            request().get(location).then().statusCode(204);
        }
        fails(request().get(blobPath(target, blob.digest())), 404, "BLOB_UNKNOWN");
    }

    @Test
    void aMountWithoutFromLinksABlobTheRegistryHolds() {
        String holder = repository("mount-holder");
        String target = repository("mount-target");
        Blob blob = pushRandomBlob(holder, 2000);

        request().post(query(uploadsPath(target), "mount", blob.digest())).then()
                .statusCode(201)
                .header("Location", blobPath(target, blob.digest()))
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(target, blob);
    }

    @Test
    void aMountOfABlobNobodyHoldsFallsBackToASessionThatCompletes() {
        String target = repository("mount-target");
        Blob blob = OciContent.randomBlob(2000);

        String location = request().post(query(uploadsPath(target), "mount", blob.digest())).then()
                .statusCode(202)
                .header("Location", startsWith(uploadsPath(target)))
                .extract().header("Location");

        request().contentType("application/octet-stream").body(blob.bytes())
                .put(query(location, "digest", blob.digest())).then().statusCode(201);
        assertReadable(target, blob);
    }

    @ParameterizedTest(name = "mount={0}")
    @ValueSource(strings = {"sha256:nothex", "nodigest", "md5:d41d8cd98f00b204e9800998ecf8427e", ""})
    void aMalformedMountFallsBackToASession(String mount) {
        String source = repository("mount-source");
        String target = repository("mount-target");
        pushRandomBlob(source, 10);

        request().post(query(uploadsPath(target), "mount", mount, "from", source)).then()
                .statusCode(202)
                .header("Location", startsWith(uploadsPath(target)));
    }

    @Test
    void aMountFromAMalformedRepositoryNameFallsBackToASession() {
        String holder = repository("mount-holder");
        String target = repository("mount-target");
        Blob blob = pushRandomBlob(holder, 10);

        request().post(query(uploadsPath(target), "mount", blob.digest(), "from", "Not//Valid")).then()
                .statusCode(202)
                .header("Location", startsWith(uploadsPath(target)));
        fails(request().get(blobPath(target, blob.digest())), 404, "BLOB_UNKNOWN");
    }

    @Test
    void aSha512SessionCompletesWithASha512Digest() {
        String repository = repository("upload-sha512");
        Blob blob = OciContent.randomBlob(3000);
        String digest = OciContent.sha512(blob.bytes());
        String location = request().post(query(uploadsPath(repository), "digest-algorithm", "sha512")).then()
                .statusCode(202)
                .extract().header("Location");
        patch(location, blob, 0, 1000).then().statusCode(202);
        patch(location, blob, 1000, 3000).then().statusCode(202);

        request().put(query(location, "digest", digest)).then()
                .statusCode(201)
                .header("Location", blobPath(repository, digest))
                .header("Docker-Content-Digest", digest);

        assertArrayEquals(blob.bytes(), request().get(blobPath(repository, digest)).then()
                .statusCode(200).header("Docker-Content-Digest", digest).extract().asByteArray());
    }

    @Test
    void aSessionMayCompleteWithTheOtherAlgorithm() {
        String repository = repository("upload-algorithms");
        Blob blob = OciContent.randomBlob(1000);
        String sha512 = OciContent.sha512(blob.bytes());

        String sha256Session = startUpload(repository);
        patch(sha256Session, blob, 0, 1000).then().statusCode(202);
        request().put(query(sha256Session, "digest", sha512)).then()
                .statusCode(201)
                .header("Docker-Content-Digest", sha512);

        String sha512Session = request().post(query(uploadsPath(repository), "digest-algorithm", "sha512")).then()
                .statusCode(202).extract().header("Location");
        patch(sha512Session, blob, 0, 1000).then().statusCode(202);
        request().put(query(sha512Session, "digest", blob.digest())).then()
                .statusCode(201)
                .header("Docker-Content-Digest", blob.digest());

        assertReadable(repository, blob);
        request().head(blobPath(repository, sha512)).then().statusCode(200).header("Content-Length", "1000");
    }

    @Test
    void anUnsupportedDigestAlgorithmForASessionIsRefused() {
        String repository = repository("upload-algorithms");

        fails(request().post(query(uploadsPath(repository), "digest-algorithm", "md5")), 400, "DIGEST_INVALID");
    }

    @Test
    void aBlobUploadedTwiceIsStoredOnce() {
        String repository = repository("upload-twice");
        Blob blob = pushRandomBlob(repository, 500);
        String location = startUpload(repository);

        request().contentType("application/octet-stream").body(blob.bytes())
                .put(query(location, "digest", blob.digest())).then().statusCode(201);
        pushBlob(repository, blob);

        assertReadable(repository, blob);
    }

    /** Sends bytes {@code [from, to)} of the blob as a chunk with its Content-Range. */
    private static Response patch(String location, Blob blob, int from, int to) {
        return request().contentType("application/octet-stream")
                .header("Content-Range", from + "-" + (to - 1))
                .body(Arrays.copyOfRange(blob.bytes(), from, to))
                .patch(location);
    }

    private static void assertReadable(String repository, Blob blob) {
        byte[] body = request().get(blobPath(repository, blob.digest())).then()
                .statusCode(200)
                .header("Docker-Content-Digest", blob.digest())
                .header("Content-Length", String.valueOf(blob.size()))
                .extract().asByteArray();
        assertArrayEquals(blob.bytes(), body);
    }
}
