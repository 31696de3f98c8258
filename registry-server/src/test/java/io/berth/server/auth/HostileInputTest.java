package io.berth.server.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.berth.server.testing.MapperStackTraces;
import io.berth.server.testing.TestAccounts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the security probe of issue 20 sent: bytes PostgreSQL or the JVM cannot hold, in every place Berth
 * reads text before it authorizes or looks anything up. Each must be a 4xx with an error body that says
 * what was wrong, and none may reach the mappers' fallback, which logs a stack trace.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class HostileInputTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    private MapperStackTraces stackTraces;

    @BeforeEach
    void captureStackTraces() {
        stackTraces = MapperStackTraces.start();
    }

    @AfterEach
    void noStackTraceWasLogged() {
        assertEquals(List.of(), stackTraces.stop());
    }

    @Test
    void aNulInARepositoryNameIsNameInvalidEvenAnonymously() {
        RegistryClient.fails(RegistryClient.anonymous().get("/v2/x%00/tags/list"), 400, "NAME_INVALID")
                .header("X-Content-Type-Options", "nosniff");
        RegistryClient.fails(RegistryClient.anonymous().get("/v2/library/x%00y/manifests/latest"), 400, "NAME_INVALID");
    }

    @Test
    void aNulInATokenScopeIsNameInvalid() {
        RegistryClient.anonymous().get("/token?scope=repository:x%00:pull").then().statusCode(400)
                .header("Cache-Control", "no-store")
                .body("errors[0].code", equalTo("NAME_INVALID"))
                .body("errors[0].message", containsString("NUL"));
    }

    @Test
    void basicCredentialsWithANulAreUnauthorizedWithoutALookup() {
        String header = "Basic " + Base64.getEncoder().encodeToString("ad\0min:secret".getBytes(StandardCharsets.UTF_8));
        RegistryClient.fails(RegistryClient.anonymous().header("Authorization", header).get("/v2/"), 401, "UNAUTHORIZED")
                .body("errors[0].message", containsString("NUL"));
        RegistryClient.anonymous().header("Authorization", header).get("/token").then().statusCode(401)
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        RegistryClient.anonymous().header("Authorization", header).get("/api/v1/users").then().statusCode(401)
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void basicCredentialsThatAreNotUtf8AreUnauthorizedNotLookedUpAsSomethingElse() {
        // Decoded leniently, 0xff would become U+FFFD: a lookup of a name nobody typed, and two passwords made one.
        byte[] bytes = {'a', 'd', (byte) 0xff, ':', 's', 'e', 'c', 'r', 'e', 't'};
        String header = "Basic " + Base64.getEncoder().encodeToString(bytes);
        RegistryClient.fails(RegistryClient.anonymous().header("Authorization", header).get("/v2/"), 401, "UNAUTHORIZED")
                .body("errors[0].message", containsString("not UTF-8"));
    }

    @Test
    void theOAuthFormRefusesWhatItCannotDecodeOrStore() {
        form("grant_type=password&username=ad%00min&password=secret").then().statusCode(400)
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff")
                .body("error", equalTo("invalid_request")).body("error_description", containsString("username holds a NUL"));
        form("grant_type=password&username=%zz&password=secret").then().statusCode(400)
                .body("error", equalTo("invalid_request")).body("error_description", containsString("'%zz'"));
        form("grant_type=password&username=ad%FFmin&password=secret").then().statusCode(400)
                .body("error", equalTo("invalid_request")).body("error_description", containsString("not UTF-8"));
        form("grant_type=password&username=nobody" + RUN + "&password=p%C3%A4ss%F0%9F%94%91").then().statusCode(401)
                .body("error", equalTo("invalid_grant"));
        form("grant_type=password&username=admin&password=" + TestAccounts.ADMIN_PASSWORD + "&scope=repository:a%00:pull")
                .then().statusCode(400).body("error", equalTo("invalid_scope"));
        form("grant_type=password&username=admin&password=" + TestAccounts.ADMIN_PASSWORD).then().statusCode(200)
                .header("Cache-Control", "no-store");
    }

    @Test
    void adminPathsWithANulAreInvalid() {
        for (String path : List.of("/api/v1/users/x%00", "/api/v1/organizations/x%00", "/api/v1/robots/x%00",
                "/api/v1/repositories/a%00/b/visibility")) {
            Accounts.admin().get(path).then().statusCode(400).body("errors[0].code", equalTo("INVALID"))
                    .body("errors[0].message", containsString("NUL"));
        }
    }

    @Test
    void jsonFieldsJavaOrPostgresCannotHoldAreInvalid() {
        // A lone surrogate has no UTF-8 form; the JSON escape is valid, so only the check stops it.
        Accounts.admin().body("{\"name\":\"sur" + RUN + "\",\"password\":\"abcdefgh\\ud800\"}").post("/api/v1/users")
                .then().statusCode(400).body("errors[0].code", equalTo("INVALID"))
                .body("errors[0].message", containsString("'password' holds a lone UTF-16 surrogate"));
        Accounts.admin().body("{\"name\":\"a\\u0000b\"}").post("/api/v1/organizations")
                .then().statusCode(400).body("errors[0].message", containsString("'name' holds a NUL character"));
        Accounts.admin().body("{\"name\":\"bot" + RUN + "\",\"permissions\":{\"a\\u0000\":[\"pull\"]}}").post("/api/v1/robots")
                .then().statusCode(400).body("errors[0].code", equalTo("INVALID"));
        Accounts.admin().get("/api/v1/users/sur" + RUN).then().statusCode(404);
    }

    @Test
    void aRobotExpiryBeyondWhatTheDatabaseHoldsIsInvalid() {
        Accounts.admin().body("{\"name\":\"far" + RUN + "\",\"permissions\":{},\"expiresAt\":\"+999999999-12-31T23:59:59Z\"}")
                .post("/api/v1/robots").then().statusCode(400).body("errors[0].code", equalTo("INVALID"))
                .body("errors[0].message", containsString("year 10000"));
    }

    @Test
    void malformedJsonSaysWhatWasWrong() {
        Accounts.admin().body("{\"name\":").post("/api/v1/organizations").then().statusCode(400)
                .contentType(ContentType.JSON).body("errors[0].code", equalTo("INVALID"))
                .body("errors[0].message", containsString("not the JSON this endpoint takes"));
        Accounts.admin().body("{\"public\":\"maybe\"}").put("/api/v1/namespaces/admin/visibility").then().statusCode(400)
                .body("errors[0].code", equalTo("INVALID")).body("errors[0].message", containsString("boolean"));
    }

    private static io.restassured.response.Response form(String body) {
        return RegistryClient.anonymous().contentType("application/x-www-form-urlencoded").body(body).post("/token");
    }
}
