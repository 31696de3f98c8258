package io.berth.server.gc;

import static io.berth.server.api.RegistryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.RegistryClient;
import io.berth.server.testing.S3StorageProfile;
import io.minio.ListMultipartUploadsArgs;
import io.minio.MinioAsyncClient;
import io.minio.messages.ListMultipartUploadsResult;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(S3StorageProfile.class)
class S3GcApiTest extends GcApiSuite {

    @ConfigProperty(name = "berth.storage.s3.endpoint")
    String endpoint;

    @ConfigProperty(name = "berth.storage.s3.bucket")
    String bucket;

    @ConfigProperty(name = "berth.storage.s3.prefix")
    String prefix;

    @ConfigProperty(name = "berth.storage.s3.access-key")
    String accessKey;

    @ConfigProperty(name = "berth.storage.s3.secret-key")
    String secretKey;

    /**
     * An abandoned upload that got past S3's part minimum has a multipart upload open in the bucket; the
     * collector aborts it, so S3 keeps no parts nobody will complete (ListMultipartUploads shows none).
     */
    @Test
    void anAbandonedUploadLeavesNoMultipartUploadInTheBucket() throws Exception {
        String repository = RegistryClient.repository("gc-multipart");
        String abandoned = RegistryClient.startUpload(repository);
        // One part of the default 16 MiB and a tail: the first part is sent as a multipart upload.
        byte[] chunk = new byte[17 * 1024 * 1024];
        request().contentType("application/octet-stream").body(chunk).patch(abandoned).then().statusCode(202);
        String id = abandoned.substring(abandoned.lastIndexOf('/') + 1);
        assertEquals(1, multipartUploadsOf(id).size(), "the upload has its multipart upload open: " + multipartUploadsOf(id));
        execute("update upload_session set updated_at = now() - interval '25 hours' where id = cast(? as uuid)", id);

        JsonPath run = collect(false);

        assertTrue(run.getInt("kinds.UPLOAD.items") >= 1, run.prettify());
        assertEquals(List.of(), multipartUploadsOf(id), "no multipart upload of the abandoned session is left");
    }

    private List<String> multipartUploadsOf(String uploadId) throws Exception {
        MinioAsyncClient client = MinioAsyncClient.builder().endpoint(endpoint).region("us-east-1")
                .credentials(accessKey, secretKey).build();
        List<ListMultipartUploadsResult.Upload> uploads = client.listMultipartUploads(ListMultipartUploadsArgs.builder()
                .bucket(bucket).prefix(prefix).build()).get(30, TimeUnit.SECONDS).result().uploads();
        return uploads == null ? List.of() : uploads.stream().map(ListMultipartUploadsResult.Upload::objectName)
                .filter(key -> key.contains(uploadId)).toList();
    }
}
