package io.berth.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.berth.server.testing.FilesystemStorageProfile;
import io.berth.server.testing.TestAccounts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class SmokeTest {

    @Test
    void theBaseEndpointAnswersWithTheApiVersion() {
        given().header("Authorization", TestAccounts.adminAuthorization())
                .get("/v2/").then().statusCode(200)
                .header("Docker-Distribution-API-Version", "registry/2.0")
                .body(equalTo("{}"));
    }
}
