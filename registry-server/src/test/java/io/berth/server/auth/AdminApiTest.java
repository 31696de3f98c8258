package io.berth.server.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin API: users, organizations, members, robots and visibility, and who may call it. */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class AdminApiTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    @Test
    void theFirstStartCreatedTheAdministratorFromTheConfiguredPassword() {
        Accounts.admin().get("/api/v1/users/admin").then().statusCode(200)
                .body("administrator", equalTo(true)).body("identityProvider", equalTo("local"));
    }

    @Test
    void onlyAdministratorsMayCallIt() {
        String user = "plain" + RUN;
        Accounts.user(user);
        RegistryClient.anonymous().get("/api/v1/users").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Basic")).body("errors[0].code", equalTo("UNAUTHORIZED"));
        Accounts.as(user, Accounts.PASSWORD).get("/api/v1/users").then().statusCode(403).body("errors[0].code", equalTo("DENIED"));
        Accounts.as("admin", "not-the-password").get("/api/v1/users").then().statusCode(401);
        RegistryClient.anonymous().header("Authorization", "Bearer whatever").get("/api/v1/users").then().statusCode(401);
    }

    @Test
    void usersAreCreatedListedChangedAndDeleted() {
        String user = "life" + RUN;
        Accounts.user(user);
        Accounts.admin().get("/api/v1/users").then().statusCode(200).body("name", hasItem(user));
        Accounts.admin().get("/api/v1/users/" + user).then().statusCode(200)
                .body("administrator", equalTo(false)).body("createdAt", notNullValue()).body("$", not(hasKey("password")));
        // The personal namespace exists: the user may push to it.
        Accounts.as(user, Accounts.PASSWORD).post(RegistryClient.uploadsPath(user + "/app")).then().statusCode(202);

        Accounts.admin().body(Map.of("administrator", true)).put("/api/v1/users/" + user + "/administrator")
                .then().statusCode(200).body("administrator", equalTo(true));
        Accounts.as(user, Accounts.PASSWORD).get("/api/v1/users").then().statusCode(200);

        Accounts.admin().delete("/api/v1/users/" + user).then().statusCode(204);
        Accounts.admin().get("/api/v1/users/" + user).then().statusCode(404).body("errors[0].code", equalTo("NOT_FOUND"));
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        String user = "dup" + RUN;
        Accounts.user(user);
        Accounts.admin().body(Map.of("name", user, "password", Accounts.PASSWORD)).post("/api/v1/users")
                .then().statusCode(409).body("errors[0].code", equalTo("CONFLICT"));
        Accounts.admin().body(Map.of("name", "Upper" + RUN, "password", Accounts.PASSWORD)).post("/api/v1/users")
                .then().statusCode(400).body("errors[0].code", equalTo("INVALID"));
        Accounts.admin().body(Map.of("name", "short" + RUN, "password", "1234")).post("/api/v1/users")
                .then().statusCode(400).body("errors[0].message", containsString("at least 8"));
        Accounts.admin().get("/api/v1/users/short" + RUN).then().statusCode(404);
        // An organization cannot take a user's name: it would be the same namespace.
        Accounts.admin().body(Map.of("name", user)).post("/api/v1/organizations").then().statusCode(409);
        Accounts.admin().post("/api/v1/users").then().statusCode(400);
    }

    @Test
    void organizationsHaveMembersWithRoles() {
        String org = "team" + RUN;
        String user = "member" + RUN;
        Accounts.organization(org);
        Accounts.user(user);
        Accounts.member(org, user, "write");
        Accounts.admin().get("/api/v1/organizations/" + org).then().statusCode(200)
                .body("members.account", hasItem(user)).body("members.role", hasItem("write"));
        Accounts.as(user, Accounts.PASSWORD).post(RegistryClient.uploadsPath(org + "/app")).then().statusCode(202);

        Accounts.admin().body(Map.of("role", "owner")).put("/api/v1/organizations/" + org + "/members/" + user)
                .then().statusCode(400).body("errors[0].message", containsString("read, write, delete or admin"));
        Accounts.admin().body(Map.of("role", "read")).put("/api/v1/organizations/" + org + "/members/nobody" + RUN)
                .then().statusCode(404);

        Accounts.admin().delete("/api/v1/organizations/" + org + "/members/" + user).then().statusCode(204);
        RegistryClient.fails(Accounts.as(user, Accounts.PASSWORD).post(RegistryClient.uploadsPath(org + "/app")), 403, "DENIED");
    }

    @Test
    void aRobotsSecretIsShownOnceAndCanBeReplaced() {
        String org = "robots" + RUN;
        Accounts.organization(org);
        String secret = Accounts.robot("ci" + RUN, Map.of(org, List.of("pull", "push")), null);
        String robot = "robot+ci" + RUN;
        Accounts.admin().get("/api/v1/robots/" + robot).then().statusCode(200)
                .body("permissions." + org, equalTo(List.of("pull", "push"))).body("$", not(hasKey("secret")));
        Accounts.as(robot, secret).post(RegistryClient.uploadsPath(org + "/app")).then().statusCode(202);
        Accounts.admin().get("/api/v1/robots/" + robot).then().body("lastUsedAt", notNullValue());

        String replaced = Accounts.admin().post("/api/v1/robots/" + robot + "/secret").then().statusCode(200)
                .extract().path("secret");
        Accounts.token(robot, replaced, "repository:" + org + "/app:pull");
        Accounts.tokenResponse(robot, secret, "repository:" + org + "/app:pull").then().statusCode(401);

        Accounts.admin().body(Map.of("name", "bad" + RUN, "permissions", Map.of(org, List.of("fly")))).post("/api/v1/robots")
                .then().statusCode(400).body("errors[0].message", containsString("unknown action fly"));
        Accounts.admin().body(Map.of("name", "old" + RUN, "permissions", Map.of(org, List.of("pull")),
                "expiresAt", "2020-01-01T00:00:00Z")).post("/api/v1/robots").then().statusCode(400);
        Accounts.admin().delete("/api/v1/robots/" + robot).then().statusCode(204);
        Accounts.tokenResponse(robot, replaced, "repository:" + org + "/app:pull").then().statusCode(401);
    }

    @Test
    void publicNamespacesAndRepositoriesAllowAnonymousPulls() {
        String org = "vis" + RUN;
        Accounts.organization(org);
        RegistryClient.pushImage(org + "/one", "v1");
        RegistryClient.pushImage(org + "/two", "v1");
        RegistryClient.fails(RegistryClient.anonymous().get(RegistryClient.manifestPath(org + "/one", "v1")), 401, "UNAUTHORIZED");

        Accounts.visibility("repositories/" + org + "/one", true);
        Accounts.admin().get("/api/v1/repositories/" + org + "/one/visibility").then().body("public", equalTo(true));
        RegistryClient.anonymous().get(RegistryClient.manifestPath(org + "/one", "v1")).then().statusCode(200);
        RegistryClient.fails(RegistryClient.anonymous().get(RegistryClient.manifestPath(org + "/two", "v1")), 401, "UNAUTHORIZED");
        // Public is for pulls only.
        RegistryClient.fails(RegistryClient.anonymous().post(RegistryClient.uploadsPath(org + "/one")), 401, "UNAUTHORIZED");

        Accounts.visibility("namespaces/" + org, true);
        RegistryClient.anonymous().get(RegistryClient.manifestPath(org + "/two", "v1")).then().statusCode(200);
        Accounts.visibility("namespaces/" + org, false);
        Accounts.visibility("repositories/" + org + "/one", false);
        RegistryClient.fails(RegistryClient.anonymous().get(RegistryClient.manifestPath(org + "/one", "v1")), 401, "UNAUTHORIZED");

        Accounts.admin().body(Map.of("public", true)).put("/api/v1/repositories/none" + RUN + "/x/visibility").then().statusCode(404);
    }

    @Test
    void theOpenApiDocumentDescribesTheAdminApi() {
        RegistryClient.anonymous().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", hasKey("/api/v1/users"))
                .body("paths", hasKey("/api/v1/robots"))
                .body("paths", hasKey("/token"));
        RegistryClient.anonymous().get("/q/swagger-ui/").then().statusCode(200);
    }
}
