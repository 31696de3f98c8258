package io.berth.server.api;

import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With {@code berth.api-docs.enabled=false}, the OpenAPI document and Swagger UI are not served. */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.WithoutApiDocs.class)
class ApiDocsDisabledTest {

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/q/openapi", "/q/openapi?format=json", "/q/openapi.json", "/q/swagger-ui", "/q/swagger-ui/",
        "/q/swagger-ui/index.html", "/q/swagger-ui/swagger-ui-bundle.js"})
    void theApiDocumentationAnswers404(String path) {
        RegistryClient.anonymous().redirects().follow(false).get(path).then().statusCode(404);
    }

    @Test
    void healthAndTheRegistryStillAnswer() {
        RegistryClient.anonymous().get("/q/health/ready").then().statusCode(200);
        RegistryClient.fails(RegistryClient.anonymous().get("/v2/"), 401, "UNAUTHORIZED");
    }
}
