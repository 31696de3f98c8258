package io.berth.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.runtime.Quarkus;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * What anyone may read names no version of Quarkus, of the JVM or of Berth's build: the OpenAPI
 * document, Swagger UI, the metrics and the answers of the API itself.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class PublicVersionsTest {

    private static final String QUARKUS_VERSION = Quarkus.class.getPackage().getImplementationVersion();
    private static final String JVM_VERSION = Runtime.version().toString();
    private static final String BUILD_VERSION = ConfigProvider.getConfig().getValue("quarkus.application.version", String.class);

    @Test
    void theOpenApiDocumentGivesTheApisVersionNotTheBuildsOrQuarkus() {
        assertNotNull(QUARKUS_VERSION, "the test must know the Quarkus version to look for it");
        Response yaml = RegistryClient.anonymous().get("/q/openapi");
        yaml.then().statusCode(200);
        assertNoVersion("/q/openapi", yaml);
        Response json = RegistryClient.anonymous().queryParam("format", "json").get("/q/openapi");
        json.then().statusCode(200);
        assertEquals("1", json.path("info.version"));
        assertNoVersion("/q/openapi?format=json", json);
    }

    @Test
    void swaggerUiIsTitledBerthNotPoweredByQuarkus() {
        Response page = RegistryClient.anonymous().get("/q/swagger-ui/");
        page.then().statusCode(200);
        assertFalse(page.asString().toLowerCase(Locale.ROOT).contains("quarkus"), page.asString());
        assertNoVersion("/q/swagger-ui/", page);
    }

    @Test
    void theMetricsNameNoJvmVersion() {
        Response metrics = RegistryClient.anonymous().get("/q/metrics");
        metrics.then().statusCode(200);
        assertFalse(metrics.asString().contains("jvm_info"), "jvm_info is exported");
        assertNoVersion("/q/metrics", metrics);
    }

    @Test
    void answersOfTheApiCarryNoServerOrVersionHeader() {
        for (Response answer : List.of(RegistryClient.anonymous().get("/v2/"), RegistryClient.anonymous().get("/nothing-here"),
                RegistryClient.anonymous().request("PROPFIND", "/v2/"), RegistryClient.anonymous().get("/q/health/ready"),
                RegistryClient.anonymous().get("/token"))) {
            assertEquals(null, answer.header("Server"), answer.headers().toString());
            assertEquals(null, answer.header("X-Powered-By"), answer.headers().toString());
            assertNoVersion("headers", answer.headers().toString());
            assertNoVersion("body", answer.asString());
        }
    }

    private static void assertNoVersion(String what, Response answer) {
        assertNoVersion(what, answer.asString());
    }

    private static void assertNoVersion(String what, String text) {
        for (String version : List.of(QUARKUS_VERSION, JVM_VERSION, BUILD_VERSION)) {
            assertFalse(text.contains(version), what + " names the version " + version);
        }
    }
}
