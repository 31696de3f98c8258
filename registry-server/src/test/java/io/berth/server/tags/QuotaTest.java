package io.berth.server.tags;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.berth.server.api.OciContent;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Namespace quotas: a blob that would take a namespace over its quota is refused (monolithic, chunked,
 * mount) with nothing stored, a blob its repositories share counts once, and a namespace over its quota
 * takes no more manifests.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class QuotaTest {

    @Test
    void aNamespaceTakesNoMoreThanItsQuota() {
        String namespace = "quota" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String first = namespace + "/first";
        String second = namespace + "/second";
        request().contentType(ContentType.JSON).body(Map.of("bytes", 1000)).put("/api/v1/namespaces/" + namespace + "/quota")
                .then().statusCode(200).body("quotaBytes", equalTo(1000)).body("usedBytes", equalTo(0));

        Blob shared = RegistryClient.pushRandomBlob(first, 600);
        Blob tooMuch = OciContent.randomBlob(600);
        RegistryClient.fails(request().contentType("application/octet-stream").body(tooMuch.bytes())
                .post(query(uploadsPath(second), "digest", tooMuch.digest())), 403, "DENIED")
                .body("errors[0].message", containsString("uses 600 of its 1000 bytes"));
        request().head(blobPath(second, tooMuch.digest())).then().statusCode(404);

        // Chunked: refused when the upload completes.
        String upload = RegistryClient.startUpload(second);
        request().contentType("application/octet-stream").body(tooMuch.bytes()).patch(upload).then().statusCode(202);
        RegistryClient.fails(request().put(query(upload, "digest", tooMuch.digest())), 403, "DENIED");

        // A blob the namespace already holds costs nothing more, pushed or mounted.
        request().post(query(uploadsPath(second), "mount", shared.digest(), "from", first)).then().statusCode(201);
        RegistryClient.pushBlob(second, shared);
        request().get("/api/v1/namespaces/" + namespace + "/usage").then().statusCode(200)
                .body("usedBytes", equalTo(600)).body("blobs", equalTo(1));
        request().get("/api/v1/repositories/" + second + "/usage").then().statusCode(200).body("usedBytes", equalTo(600));

        // Over its quota (lowered below what it uses), the namespace takes no manifest either.
        request().contentType(ContentType.JSON).body(Map.of("bytes", 100)).put("/api/v1/namespaces/" + namespace + "/quota")
                .then().statusCode(200);
        OciContent.Manifest manifest = OciContent.manifest(OciContent.imageManifest(OciContent.OCI_MANIFEST,
                shared.descriptor(OciContent.OCI_CONFIG), shared.descriptor(OciContent.OCI_LAYER)));
        RegistryClient.fails(request().contentType(manifest.mediaType()).body(manifest.bytes())
                .put(RegistryClient.manifestPath(first, "latest")), 403, "DENIED")
                .body("errors[0].message", containsString("over its quota of 100"));

        request().delete("/api/v1/namespaces/" + namespace + "/quota").then().statusCode(204);
        RegistryClient.pushManifest(first, "latest", manifest);
    }
}
