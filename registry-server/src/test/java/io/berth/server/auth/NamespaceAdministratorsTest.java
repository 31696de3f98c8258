package io.berth.server.auth;

import static io.berth.server.auth.Accounts.PASSWORD;
import static io.berth.server.auth.Accounts.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A namespace's own administrators (an organization's {@code admin} members, a user in the namespace of
 * their name) manage its lifecycle rules through the admin API, and nothing else: not other namespaces,
 * not quotas, not accounts, not the collector. Members with lesser roles and robots manage nothing.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class NamespaceAdministratorsTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static final String ORG = "nsadm" + RUN;
    private static final String OTHER_ORG = "nsother" + RUN;
    private static final String LEAD = "lead" + RUN;
    private static final String WRITER = "writer" + RUN;

    @Test
    void anOrganizationsAdminManagesItsRulesAndNothingElse() {
        Accounts.organization(ORG);
        Accounts.organization(OTHER_ORG);
        Accounts.user(LEAD);
        Accounts.user(WRITER);
        Accounts.member(ORG, LEAD, "admin");
        Accounts.member(ORG, WRITER, "write");
        Accounts.member(OTHER_ORG, LEAD, "write");
        RequestSpecification lead = json(LEAD);

        lead.body(Map.of("patterns", List.of("v*"))).put("/api/v1/namespaces/" + ORG + "/immutable-tags").then()
                .statusCode(200).body("patterns", equalTo(List.of("v*")));
        json(LEAD).body(Map.of("keepNewest", 3)).put("/api/v1/repositories/" + ORG + "/team/app/retention").then()
                .statusCode(200).body("keepNewest", equalTo(3));
        json(LEAD).get("/api/v1/repositories/" + ORG + "/team/app/retention").then().statusCode(200);
        json(LEAD).delete("/api/v1/repositories/" + ORG + "/team/app/retention").then().statusCode(204);
        json(LEAD).get("/api/v1/namespaces/" + ORG + "/usage").then().statusCode(200);
        json(LEAD).body(Map.of("keepNewest", 5)).put("/api/v1/namespaces/" + ORG + "/retention").then().statusCode(200);

        // Another namespace, where the lead only writes.
        RegistryClient.fails(json(LEAD).body(Map.of("patterns", List.of("v*")))
                .put("/api/v1/namespaces/" + OTHER_ORG + "/immutable-tags"), 403, "DENIED")
                .body("errors[0].message", containsString("administrator of the namespace " + OTHER_ORG));
        RegistryClient.fails(json(LEAD).get("/api/v1/repositories/" + OTHER_ORG + "/app/retention"), 403, "DENIED");
        // Quotas are set by Berth's administrators, as are accounts and the collector.
        RegistryClient.fails(json(LEAD).body(Map.of("bytes", 1L << 40)).put("/api/v1/namespaces/" + ORG + "/quota"), 403,
                "DENIED");
        RegistryClient.fails(json(LEAD).get("/api/v1/organizations/" + ORG), 403, "DENIED");
        RegistryClient.fails(json(LEAD).body(Map.of("dryRun", true)).post("/api/v1/gc"), 403, "DENIED");
        RegistryClient.fails(json(LEAD).delete("/api/v1/repositories/" + ORG + "/team/app"), 403, "DENIED");

        // A member who only writes manages nothing, and neither does a wrong password.
        RegistryClient.fails(json(WRITER).body(Map.of("patterns", List.of("*")))
                .put("/api/v1/namespaces/" + ORG + "/immutable-tags"), 403, "DENIED");
        RegistryClient.fails(RegistryClient.anonymous().header("Authorization", io.berth.server.testing.TestAccounts.basic(
                LEAD, "not-the-password")).get("/api/v1/namespaces/" + ORG + "/retention"), 401, "UNAUTHORIZED");
        Accounts.admin().get("/api/v1/namespaces/" + ORG + "/immutable-tags").then().statusCode(200)
                .body("patterns", equalTo(List.of("v*")));
        // A name no column can hold is refused before the membership is looked up.
        RegistryClient.fails(json(LEAD).urlEncodingEnabled(false).get("/api/v1/namespaces/a%00b/immutable-tags"), 400,
                "INVALID");
        RegistryClient.fails(json(LEAD).get("/api/v1/repositories/" + "x".repeat(300) + "/app/retention"), 400, "INVALID");
    }

    @Test
    void aUserManagesTheRulesOfTheirOwnNamespaceAndARobotManagesNone() {
        String solo = "solo" + RUN;
        Accounts.user(solo);
        json(solo).body(Map.of("patterns", List.of("release-*"))).put("/api/v1/namespaces/" + solo + "/immutable-tags")
                .then().statusCode(200);
        json(solo).get("/api/v1/repositories/" + solo + "/app/tags/latest/history").then().statusCode(404);

        String robot = "nsrobot" + RUN;
        String secret = Accounts.robot(robot, Map.of(solo, List.of("pull", "push", "delete")), null);
        RegistryClient.fails(RegistryClient.anonymous().header("Authorization", io.berth.server.testing.TestAccounts.basic(
                "robot+" + robot, secret)).get("/api/v1/namespaces/" + solo + "/immutable-tags"), 403, "DENIED");
    }

    private static RequestSpecification json(String user) {
        return as(user, PASSWORD).contentType(ContentType.JSON);
    }
}
