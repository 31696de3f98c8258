package io.berth.server.auth;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token endpoint: what it answers, what a token holds, and the challenges of {@code /v2}. */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class TokenEndpointTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theBaseEndpointChallengesAnonymousCallersWithTheTokenRealm() {
        Response response = RegistryClient.anonymous().get("/v2/");
        RegistryClient.fails(response, 401, "UNAUTHORIZED");
        String challenge = response.header("WWW-Authenticate");
        assertTrue(challenge.matches("Bearer realm=\"http://[^\"]+/token\",service=\"berth-registry\""), challenge);
    }

    @Test
    void aRepositoryChallengeNamesTheScopeTheRequestNeeds() {
        String repo = "chal" + RUN + "/app";
        assertEquals(scopeOf(RegistryClient.anonymous().get(RegistryClient.tagsPath(repo))), "repository:" + repo + ":pull");
        assertEquals(scopeOf(RegistryClient.anonymous().post(RegistryClient.uploadsPath(repo))), "repository:" + repo + ":pull,push");
        assertEquals(scopeOf(RegistryClient.anonymous().delete(RegistryClient.manifestPath(repo, "sha256:" + "a".repeat(64)))),
                "repository:" + repo + ":delete");
        assertEquals(scopeOf(RegistryClient.anonymous().get("/v2/_catalog")), "registry:catalog:*");
    }

    @Test
    void aTokenHoldsTheClaimsOfTheTokenSpecification() throws Exception {
        String user = "claims" + RUN;
        Accounts.user(user);
        Response answer = Accounts.tokenResponse(user, Accounts.PASSWORD, "repository:" + user + "/app:pull,push");
        answer.then().statusCode(200)
                .body("expires_in", equalTo(300))
                .body("issued_at", notNullValue())
                .body("refresh_token", nullValue());
        String token = answer.path("token");
        assertEquals(token, answer.path("access_token"));
        String[] parts = token.split("\\.");
        JsonNode header = decode(parts[0]);
        JsonNode claims = decode(parts[1]);
        assertEquals("ES256", header.path("alg").asText());
        assertTrue(header.path("kid").asText().length() >= 40, header.toString());
        assertEquals("berth", claims.path("iss").asText());
        assertEquals(user, claims.path("sub").asText());
        assertEquals("berth-registry", claims.path("aud").isArray() ? claims.path("aud").get(0).asText() : claims.path("aud").asText());
        long iat = claims.path("iat").asLong();
        assertEquals(300, claims.path("exp").asLong() - iat);
        assertEquals(iat, claims.path("nbf").asLong());
        assertTrue(!claims.path("jti").asText().isEmpty());
        assertEquals(JSON.readTree("[{\"type\":\"repository\",\"name\":\"" + user + "/app\",\"actions\":[\"pull\",\"push\"]}]"),
                claims.path("access"));
    }

    @Test
    void theGrantIsTheIntersectionOfWhatWasAskedAndWhatTheAccountHolds() throws Exception {
        String org = "partial" + RUN;
        String reader = "partialreader" + RUN;
        Accounts.organization(org);
        Accounts.user(reader);
        Accounts.member(org, reader, "read");
        String token = Accounts.token(reader, Accounts.PASSWORD, "repository:" + org + "/app:pull,push,delete",
                "repository:elsewhere" + RUN + "/app:pull", "registry:catalog:*");
        JsonNode access = decode(token.split("\\.")[1]).path("access");
        assertEquals(JSON.readTree("""
                [{"type":"repository","name":"%s/app","actions":["pull"]},
                 {"type":"repository","name":"elsewhere%s/app","actions":[]},
                 {"type":"registry","name":"catalog","actions":["*"]}]""".formatted(org, RUN)), access);
    }

    @Test
    void aTokenAskedForTooLittleIsAnsweredWithAChallengeForWhatTheRequestNeeds() {
        // Clients that fetched a token for pull and then push must be told to fetch a push token.
        String token = Accounts.token("admin", io.berth.server.testing.TestAccounts.ADMIN_PASSWORD,
                "repository:narrow" + RUN + "/app:pull");
        Response push = Accounts.bearer(token).post(RegistryClient.uploadsPath("narrow" + RUN + "/app"));
        assertEquals(401, push.statusCode(), push.asString());
        assertEquals("repository:narrow" + RUN + "/app:pull,push", scopeOf(push));
        assertTrue(push.header("WWW-Authenticate").contains("error=\"insufficient_scope\""));
        String better = Accounts.token("admin", io.berth.server.testing.TestAccounts.ADMIN_PASSWORD, scopeOf(push));
        Accounts.bearer(better).post(RegistryClient.uploadsPath("narrow" + RUN + "/app")).then().statusCode(202);
    }

    @Test
    void anonymousTokensGrantOnlyPublicPulls() throws Exception {
        String user = "pub" + RUN;
        Accounts.user(user);
        RegistryClient.pushImage(user + "/open", "v1");
        RegistryClient.pushImage(user + "/closed", "v1");
        Accounts.visibility("repositories/" + user + "/open", true);
        String token = Accounts.token(null, null, "repository:" + user + "/open:pull,push",
                "repository:" + user + "/closed:pull", "registry:catalog:*");
        JsonNode claims = decode(token.split("\\.")[1]);
        assertEquals("anonymous", claims.path("sub").asText());
        assertEquals(JSON.readTree("""
                [{"type":"repository","name":"%1$s/open","actions":["pull"]},
                 {"type":"repository","name":"%1$s/closed","actions":[]}]""".formatted(user)), claims.path("access"));
        Accounts.bearer(token).get(RegistryClient.manifestPath(user + "/open", "v1")).then().statusCode(200);
        // Without any token too: a public pull needs no login.
        RegistryClient.anonymous().get(RegistryClient.manifestPath(user + "/open", "v1")).then().statusCode(200);
        RegistryClient.fails(Accounts.bearer(token).get(RegistryClient.manifestPath(user + "/closed", "v1")), 401, "UNAUTHORIZED");
    }

    @Test
    void wrongCredentialsAreRefusedWithoutAToken() {
        String user = "wrong" + RUN;
        Accounts.user(user);
        Response refused = Accounts.tokenResponse(user, "not-the-password", "repository:" + user + "/app:pull");
        RegistryClient.fails(refused, 401, "UNAUTHORIZED");
        RegistryClient.fails(Accounts.tokenResponse("nobody" + RUN, "whatever-it-is", "repository:x/app:pull"), 401, "UNAUTHORIZED");
    }

    @Test
    void theOAuthPasswordGrantGivesARefreshTokenThatAPasswordChangeRevokes() {
        String user = "oauth" + RUN;
        Accounts.user(user);
        Response first = RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "password", "username", user, "password", Accounts.PASSWORD,
                        "service", "berth-registry", "client_id", "test", "access_type", "offline",
                        "scope", "repository:" + user + "/a:pull repository:" + user + "/b:push"))
                .post("/token");
        first.then().statusCode(200).body("access_token", notNullValue()).body("refresh_token", notNullValue());
        String refresh = first.path("refresh_token");

        Response refreshed = refresh(refresh, "repository:" + user + "/a:pull,push");
        refreshed.then().statusCode(200).body("refresh_token", equalTo(refresh));
        Accounts.bearer(refreshed.path("access_token")).get(RegistryClient.tagsPath(user + "/a")).then().statusCode(404);

        Accounts.admin().body(Map.of("password", "a-new-password-1")).put("/api/v1/users/" + user + "/password")
                .then().statusCode(204);
        refresh(refresh, "repository:" + user + "/a:pull").then().statusCode(401).body("error", equalTo("invalid_grant"));
    }

    @Test
    void theOAuthFormRefusesWhatItCannotServe() {
        RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "client_credentials")).post("/token")
                .then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "password", "username", "x")).post("/token")
                .then().statusCode(400).body("error", equalTo("invalid_request"));
        RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "password", "username", "admin", "password", "wrong-password"))
                .post("/token")
                .then().statusCode(401).body("error", equalTo("invalid_grant"));
    }

    @Test
    void repeatedFailedLoginsAreThrottledEvenWithTheRightPasswordAfterwards() {
        String user = "throttled" + RUN;
        Accounts.user(user);
        for (int attempt = 0; attempt < 10; attempt++) {
            Accounts.tokenResponse(user, "guess-" + attempt, "repository:" + user + "/app:pull").then().statusCode(401);
        }
        Response refused = Accounts.tokenResponse(user, Accounts.PASSWORD, "repository:" + user + "/app:pull");
        RegistryClient.fails(refused, 429, "TOOMANYREQUESTS");
        assertEquals("300", refused.header("Retry-After"));
        // Basic on the API counts the same failures.
        RegistryClient.fails(Accounts.as(user, Accounts.PASSWORD).get(RegistryClient.tagsPath(user + "/app")), 429, "TOOMANYREQUESTS");
    }

    @Test
    void basicCredentialsWorkOnTheRegistryApiItself() {
        String user = "basic" + RUN;
        Accounts.user(user);
        Accounts.as(user, Accounts.PASSWORD).get("/v2/").then().statusCode(200);
        RegistryClient.fails(Accounts.as(user, "wrong-password").get("/v2/"), 401, "UNAUTHORIZED");
    }

    private static Response refresh(String refreshToken, String scope) {
        return RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken, "service", "berth-registry",
                        "scope", scope))
                .post("/token");
    }

    private static String scopeOf(Response response) {
        assertEquals(401, response.statusCode(), response.asString());
        String challenge = response.header("WWW-Authenticate");
        int start = challenge.indexOf("scope=\"");
        assertTrue(start > 0, challenge);
        return challenge.substring(start + 7, challenge.indexOf('"', start + 7));
    }

    static JsonNode decode(String part) throws Exception {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
    }
}
