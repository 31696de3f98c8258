package io.berth.server.identity;

import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.api.OciContent;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.TestAccounts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keycloak users against a real Keycloak ({@link KeycloakTestResource}): logins at the token endpoint with a
 * password or a Keycloak access token, the namespace roles their groups and client roles grant, the account
 * and personal namespace made on first login, and Keycloak bearer tokens on the admin API.
 */
@QuarkusTest
@TestProfile(KeycloakProfile.class)
class KeycloakLoginTest {

    /** The organization the realm's groups {@code kcteam:read} and {@code kcteam:write} refer to. */
    private static final String TEAM = "kcteam";
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void theTeamExists() {
        // Keycloak roles only apply to namespaces that exist; the database is shared, so it may exist already.
        admin().body(Map.of("name", TEAM)).post("/api/v1/organizations").then().statusCode(anyOf(is(201), is(409)));
    }

    @Test
    void groupsAndClientRolesBecomeNamespaceRoles() throws Exception {
        String repository = "repository:" + TEAM + "/app:pull,push,delete";
        assertEquals(List.of("pull", "push"), granted(berthToken("kc-dev", "kc-dev-password", repository)));
        assertEquals(List.of("pull"), granted(berthToken("kc-reader", "kc-reader-password", repository)));
        // kc-ops holds the client role kcteam:delete rather than a group.
        assertEquals(List.of("pull", "push", "delete"), granted(berthToken("kc-ops", "kc-ops-password", repository)));
        // The OAuth2 form of the token endpoint (containerd, Docker with refresh tokens) checks the same way.
        String formToken = RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "password", "username", "kc-reader", "password", "kc-reader-password",
                        "service", "berth-registry", "scope", repository))
                .post("/token")
                .then().statusCode(200).extract().path("access_token");
        assertEquals(List.of("pull"), granted(formToken));
    }

    @Test
    void theFirstLoginCreatesTheUserWithAPersonalNamespace() throws Exception {
        String token = berthToken("kc-dev", "kc-dev-password", "repository:kc-dev/x:pull,push");
        assertEquals(List.of("pull", "push"), granted(token));
        admin().get("/api/v1/users/kc-dev").then().statusCode(200)
                .body("name", equalTo("kc-dev"))
                .body("identityProvider", equalTo("keycloak"))
                .body("administrator", equalTo(false));
        pushBlob("kc-dev/x", token);
    }

    @Test
    void aKeycloakUserPushesThroughTheTokenFlow() {
        String token = berthToken("kc-dev", "kc-dev-password", "repository:" + TEAM + "/app:pull,push");
        pushBlob(TEAM + "/app", token);
        // The reader may pull but not push: its token names the repository for pull only, and the upload is denied.
        String readerToken = berthToken("kc-reader", "kc-reader-password", "repository:" + TEAM + "/app:pull,push");
        RegistryClient.fails(bearer(readerToken).post(RegistryClient.uploadsPath(TEAM + "/app")), 401, "DENIED");
    }

    @Test
    void aKeycloakAccessTokenServesAsThePassword() throws Exception {
        String accessToken = keycloakToken(KeycloakTestResource.REALM, "kc-reader", "kc-reader-password");
        assertEquals(List.of("pull"), granted(berthToken("kc-reader", accessToken, "repository:" + TEAM + "/app:pull")));
        // The token must be the named user's.
        RegistryClient.fails(tokenResponse("kc-dev", accessToken, "repository:" + TEAM + "/app:pull"), 401, "UNAUTHORIZED");
    }

    @Test
    void aWrongPasswordIsRefused() {
        RegistryClient.fails(tokenResponse("kc-dev", "not-the-password", "repository:" + TEAM + "/app:pull"), 401, "UNAUTHORIZED");
        RegistryClient.fails(tokenResponse("nobody-in-keycloak", "whatever-it-is", "repository:" + TEAM + "/app:pull"), 401,
                "UNAUTHORIZED");
        RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "password", "username", "kc-reader", "password", "wrong-password",
                        "service", "berth-registry"))
                .post("/token")
                .then().statusCode(401).body("error", equalTo("invalid_grant"));
    }

    @Test
    void theAdminApiTakesTheBearerTokensOfKeycloakAdministrators() {
        // kc-admin holds berth-admin as a client role, kc-ops as a realm role.
        withBearer(keycloakToken(KeycloakTestResource.REALM, "kc-admin", "kc-admin-password")).get("/api/v1/users")
                .then().statusCode(200);
        withBearer(keycloakToken(KeycloakTestResource.REALM, "kc-ops", "kc-ops-password")).get("/api/v1/users")
                .then().statusCode(200);
        withBearer(keycloakToken(KeycloakTestResource.REALM, "kc-dev", "kc-dev-password")).get("/api/v1/users")
                .then().statusCode(403);
    }

    /** A Keycloak group {@code kcteam:admin} makes its members administrators of that namespace's rules, and no more. */
    @Test
    void aKeycloakNamespaceAdminManagesThatNamespacesRules() {
        admin().body(Map.of("name", TEAM)).post("/api/v1/organizations").then().statusCode(anyOf(is(201), is(409)));
        String lead = keycloakToken(KeycloakTestResource.REALM, "kc-lead", "kc-lead-password");
        withBearer(lead).contentType("application/json").body(Map.of("patterns", List.of("v*")))
                .put("/api/v1/namespaces/" + TEAM + "/immutable-tags").then().statusCode(200);
        withBearer(lead).get("/api/v1/repositories/" + TEAM + "/app/retention").then().statusCode(404);
        withBearer(lead).get("/api/v1/users").then().statusCode(403);
        withBearer(lead).get("/api/v1/namespaces/other" + TEAM + "/immutable-tags").then().statusCode(403);
        withBearer(keycloakToken(KeycloakTestResource.REALM, "kc-dev", "kc-dev-password"))
                .get("/api/v1/namespaces/" + TEAM + "/immutable-tags").then().statusCode(403);
    }

    @Test
    void theAdminApiRefusesTokensThatAreNotValidKeycloakTokensForBerth() {
        String adminToken = keycloakToken(KeycloakTestResource.REALM, "kc-admin", "kc-admin-password");
        String[] parts = adminToken.split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("\"kc-admin\"", "\"kc-admim\"").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("not a JWT", "garbage");
        refused.put("an unsigned-looking JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        refused.put("a forged payload", forged);
        // Same user name and client, but another realm: another issuer and other keys.
        refused.put("another realm's token", keycloakToken(KeycloakTestResource.OTHER_REALM, "berth",
                KeycloakTestResource.OTHER_REALM_CLIENT_SECRET, "kc-admin", "kc-admin-password"));
        // The right realm, but issued for another application. (Keycloak adds a client to aud when the token
        // carries roles of that client, so the user here holds none of Berth's client roles: kc-dev's groups
        // alone, and a 401 rather than kc-dev's 403 shows the token itself was refused.)
        refused.put("a token for another application", keycloakToken(KeycloakTestResource.REALM, "other-app", null,
                "kc-dev", "kc-dev-password"));
        refused.forEach((what, token) -> assertEquals(401, withBearer(token).get("/api/v1/users").statusCode(), what));
    }

    @Test
    void aTokenForBerthsAudienceWorksUntilItExpires() throws Exception {
        // berth-cli's tokens name Berth in aud (not azp) and live four seconds.
        String shortLived = keycloakToken(KeycloakTestResource.REALM, "berth-cli", null, "kc-admin", "kc-admin-password");
        withBearer(shortLived).get("/api/v1/users").then().statusCode(200);
        Thread.sleep(5_500);
        withBearer(shortLived).get("/api/v1/users").then().statusCode(401);
    }

    @Test
    void berthTokensStillWorkOnTheRegistryApi() {
        Response challenge = RegistryClient.anonymous().get("/v2/");
        RegistryClient.fails(challenge, 401, "UNAUTHORIZED");
        assertTrue(challenge.header("WWW-Authenticate").startsWith("Bearer realm="), challenge.header("WWW-Authenticate"));
        bearer(berthToken("kc-dev", "kc-dev-password")).get("/v2/").then().statusCode(200);
        bearer(berthToken(TestAccounts.ADMIN, TestAccounts.ADMIN_PASSWORD)).get("/v2/").then().statusCode(200);
        // /v2 takes registry tokens only; a Keycloak token is exchanged at /token first.
        RegistryClient.fails(withBearer(keycloakToken(KeycloakTestResource.REALM, "kc-dev", "kc-dev-password")).get("/v2/"),
                401, "UNAUTHORIZED");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static RequestSpecification admin() {
        return RegistryClient.anonymous().header("Authorization", TestAccounts.adminAuthorization()).contentType(ContentType.JSON);
    }

    private static RequestSpecification bearer(String berthToken) {
        return RegistryClient.anonymous().header("Authorization", "Bearer " + berthToken);
    }

    private static RequestSpecification withBearer(String keycloakToken) {
        return RegistryClient.anonymous().header("Authorization", "Bearer " + keycloakToken);
    }

    /** Asks Berth's {@code GET /token} for the scopes with HTTP Basic credentials. */
    private static Response tokenResponse(String user, String password, String... scopes) {
        RequestSpecification request = RegistryClient.anonymous().urlEncodingEnabled(true)
                .header("Authorization", TestAccounts.basic(user, password))
                .queryParam("service", "berth-registry");
        for (String scope : scopes) {
            request.queryParam("scope", scope);
        }
        return request.get("/token");
    }

    private static String berthToken(String user, String password, String... scopes) {
        return tokenResponse(user, password, scopes).then().statusCode(200).extract().path("token");
    }

    /** Returns the actions a Berth token grants on its first (only) scope. */
    private static List<String> granted(String berthToken) throws Exception {
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(berthToken.split("\\.")[1]));
        List<String> actions = new ArrayList<>();
        claims.path("access").path(0).path("actions").forEach(action -> actions.add(action.asText()));
        return actions;
    }

    private static void pushBlob(String repository, String berthToken) {
        OciContent.Blob blob = OciContent.randomBlob(512);
        bearer(berthToken).contentType("application/octet-stream").body(blob.bytes())
                .post(RegistryClient.query(RegistryClient.uploadsPath(repository), "digest", blob.digest()))
                .then().statusCode(201).header("Docker-Content-Digest", blob.digest());
    }

    /** Gets an access token from Keycloak itself through Berth's client (password grant). */
    private static String keycloakToken(String realm, String user, String password) {
        return keycloakToken(realm, KeycloakTestResource.CLIENT_ID, KeycloakTestResource.CLIENT_SECRET, user, password);
    }

    private static String keycloakToken(String realm, String clientId, String clientSecret, String user, String password) {
        RequestSpecification request = RestAssured.given().urlEncodingEnabled(true)
                .contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password")
                .formParam("client_id", clientId)
                .formParam("username", user)
                .formParam("password", password)
                .formParam("scope", "openid");
        if (clientSecret != null) {
            request.formParam("client_secret", clientSecret);
        }
        return request.post(KeycloakTestResource.tokenEndpoint(realm)).then().statusCode(200).extract().path("access_token");
    }
}
