package io.berth.server.api;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.startUpload;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import io.berth.server.api.OciContent.Blob;
import io.berth.server.testing.S3StorageProfile;
import io.berth.server.testing.S3TestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * S3 goes away: every request that needs it gets 503 UNAVAILABLE with Retry-After (never a 500 with a
 * stack trace), readiness turns DOWN, and a push that failed leaves no blob behind.
 */
@QuarkusTest
@TestProfile(S3StorageProfile.Failing.class)
class S3OutageTest {

    @Test
    void anUnreachableObjectStoreIsA503WithARetryHint() {
        String repository = repository("outage");
        Blob stored = pushRandomBlob(repository, 100);
        // Large blobs are fetched over a connection of their own, small ones over pooled connections.
        Blob large = pushRandomBlob(repository, 2 * 1024 * 1024);
        String location = startUpload(repository);
        RestAssured.given().get("/q/health/ready").then().statusCode(200);

        S3TestResource.dedicated().stopProcess();

        unavailable(request().get(blobPath(repository, stored.digest())));
        unavailable(request().get(blobPath(repository, large.digest())));
        Blob lost = OciContent.randomBlob(200);
        unavailable(request().contentType("application/octet-stream").body(lost.bytes())
                .post(query(uploadsPath(repository), "digest", lost.digest())));
        unavailable(request().contentType("application/octet-stream").body(lost.bytes())
                .header("Content-Range", "0-199").patch(location));
        unavailable(request().post(uploadsPath(repository)));
        // DOWN, with the kind of store but neither where it is nor the error, which go to the log.
        String endpoint = URI.create(S3TestResource.dedicated().endpoint()).getAuthority();
        RestAssured.given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'blob-store' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'blob-store' }.data.store", equalTo("s3"))
                .body("checks.find { it.name == 'blob-store' }.data.error", containsString("the log says why"))
                .body(not(containsString(endpoint)))
                .body(not(containsString(S3TestResource.BUCKET)));

        // Nothing of the failed pushes was recorded: the blob is unknown, not half there.
        request().head(blobPath(repository, lost.digest())).then().statusCode(404);
        fails(request().get(blobPath(repository, lost.digest())), 404, "BLOB_UNKNOWN");
    }

    private static void unavailable(io.restassured.response.Response response) {
        fails(response, 503, "UNAVAILABLE")
                .header("Retry-After", equalTo("5"))
                .body("errors[0].message", containsString("retry"))
                .body(not(containsString("\tat ")))
                .body(not(containsString("at io.")));
    }
}
