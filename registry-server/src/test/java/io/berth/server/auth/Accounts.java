package io.berth.server.auth;

import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

import io.berth.server.api.RegistryClient;
import io.berth.server.testing.TestAccounts;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;

/** Creates accounts through the admin API, and gets registry tokens, for the permission tests. */
final class Accounts {

    static final String PASSWORD = "correct-horse-battery";

    private Accounts() {
    }

    static RequestSpecification admin() {
        return RegistryClient.anonymous().header("Authorization", TestAccounts.adminAuthorization()).contentType(ContentType.JSON);
    }

    static RequestSpecification as(String user, String password) {
        return RegistryClient.anonymous().header("Authorization", TestAccounts.basic(user, password));
    }

    static void user(String name) {
        admin().body(Map.of("name", name, "password", PASSWORD)).post("/api/v1/users").then().statusCode(201);
    }

    static void organization(String name) {
        admin().body(Map.of("name", name)).post("/api/v1/organizations").then().statusCode(201);
    }

    static void member(String organization, String user, String role) {
        admin().body(Map.of("role", role)).put("/api/v1/organizations/" + organization + "/members/" + user)
                .then().statusCode(200);
    }

    /** Creates a robot and returns its secret. */
    static String robot(String name, Map<String, List<String>> permissions, String expiresAt) {
        Map<String, Object> body = expiresAt == null ? Map.of("name", name, "permissions", permissions)
                : Map.of("name", name, "permissions", permissions, "expiresAt", expiresAt);
        return admin().body(body).post("/api/v1/robots").then().statusCode(201).extract().path("secret");
    }

    static void visibility(String path, boolean isPublic) {
        admin().body(Map.of("public", isPublic)).put("/api/v1/" + path + "/visibility").then()
                .statusCode(anyOf(is(200), is(204)));
    }

    /** Asks {@code GET /token} for the scopes with the given credentials (null user: anonymously). */
    static Response tokenResponse(String user, String password, String... scopes) {
        RequestSpecification request = user == null ? RegistryClient.anonymous() : as(user, password);
        request.urlEncodingEnabled(true).queryParam("service", "berth-registry");
        for (String scope : scopes) {
            request.queryParam("scope", scope);
        }
        return request.get("/token");
    }

    static String token(String user, String password, String... scopes) {
        return tokenResponse(user, password, scopes).then().statusCode(200).extract().path("token");
    }

    static RequestSpecification bearer(String token) {
        return RegistryClient.anonymous().header("Authorization", "Bearer " + token);
    }
}
