package io.berth.server.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.auth.AccountException;
import io.berth.auth.AdminBootstrap;
import io.berth.auth.UserService;
import io.berth.metadata.repository.AccountRepository;
import io.berth.server.testing.FilesystemStorageProfile;
import io.berth.server.testing.TestAccounts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry keeps an administrator: the admin API refuses to demote or delete the last one, also when
 * two requests race, and a start with {@code BERTH_ADMIN_PASSWORD} restores {@code admin} when none is
 * left (the profile sets {@code berth.admin.password}).
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class LastAdministratorTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    @Inject
    UserService users;

    @Inject
    AdminBootstrap bootstrap;

    @Inject
    AccountRepository accounts;

    @AfterEach
    void theTestAdministratorIsBack() {
        // A failed test must not leave the shared database without the administrator the other suites log in as.
        bootstrap.ensureAdministrator();
        users.setAdministrator(TestAccounts.ADMIN, true);
        users.setPassword(TestAccounts.ADMIN, TestAccounts.ADMIN_PASSWORD);
    }

    @Test
    void theLastAdministratorCannotBeDemoted() {
        leaveOnlyTheTestAdministrator();
        Accounts.admin().body(Map.of("administrator", false)).put("/api/v1/users/admin/administrator")
                .then().statusCode(409).body("errors[0].code", equalTo("CONFLICT"))
                .body("errors[0].message", containsString("last administrator"))
                .body("errors[0].message", containsString("Make another user an administrator first"));
        Accounts.admin().get("/api/v1/users/admin").then().statusCode(200).body("administrator", equalTo(true));
    }

    @Test
    void theLastAdministratorCannotBeDeleted() {
        leaveOnlyTheTestAdministrator();
        Accounts.admin().delete("/api/v1/users/admin").then().statusCode(409).body("errors[0].code", equalTo("CONFLICT"))
                .body("errors[0].message", containsString("last administrator"));
        Accounts.admin().get("/api/v1/users/admin").then().statusCode(200).body("administrator", equalTo(true));
    }

    @Test
    void ofTwoAdministratorsOneMayBeDemotedOrDeleted() {
        leaveOnlyTheTestAdministrator();
        String other = "second" + RUN;
        Accounts.admin().body(Map.of("name", other, "password", Accounts.PASSWORD, "administrator", true))
                .post("/api/v1/users").then().statusCode(201);
        Accounts.admin().body(Map.of("administrator", false)).put("/api/v1/users/" + other + "/administrator")
                .then().statusCode(200).body("administrator", equalTo(false));
        Accounts.admin().body(Map.of("administrator", false)).put("/api/v1/users/admin/administrator").then().statusCode(409);

        Accounts.admin().body(Map.of("administrator", true)).put("/api/v1/users/" + other + "/administrator").then().statusCode(200);
        Accounts.admin().delete("/api/v1/users/" + other).then().statusCode(204);
        Accounts.admin().delete("/api/v1/users/admin").then().statusCode(409);
    }

    @Test
    void twoConcurrentDemotionsOfTheLastTwoAdministratorsDoNotBothSucceed() throws Exception {
        leaveOnlyTheTestAdministrator();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            // A few rounds, so that the two transactions overlap at least once without the lock.
            for (int round = 0; round < 5; round++) {
                String other = "race" + round + RUN;
                users.createUser(other, Accounts.PASSWORD, true);
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Boolean>> demotions = new ArrayList<>();
                for (String name : List.of(TestAccounts.ADMIN, other)) {
                    demotions.add(threads.submit(() -> {
                        start.await();
                        try {
                            users.setAdministrator(name, false);
                            return true;
                        } catch (AccountException e) {
                            assertEquals(AccountException.Reason.CONFLICT, e.reason(), e.getMessage());
                            return false;
                        }
                    }));
                }
                int succeeded = 0;
                for (Future<Boolean> demotion : demotions) {
                    succeeded += demotion.get() ? 1 : 0;
                }
                assertEquals(1, succeeded, "round " + round + ": exactly one of the two demotions succeeds");
                assertEquals(1, QuarkusTransaction.requiringNew().call(() -> accounts.count("administrator = true and kind = 'user'")),
                        "one administrator is left");

                users.setAdministrator(TestAccounts.ADMIN, true);
                users.setAdministrator(other, true);
                users.deleteUser(other);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aStartWithTheAdminPasswordMakesAdminAnAdministratorAgain() {
        leaveOnlyTheTestAdministrator();
        // As if the role had been lost another way (a Keycloak login, an older Berth): the API refuses it now.
        QuarkusTransaction.requiringNew().run(() -> accounts.findByName(TestAccounts.ADMIN).orElseThrow().administrator = false);
        users.setPassword(TestAccounts.ADMIN, "a-password-the-operator-forgot");

        bootstrap.ensureAdministrator();

        Accounts.admin().get("/api/v1/users/admin").then().statusCode(200).body("administrator", equalTo(true));
    }

    @Test
    void aStartWithTheAdminPasswordRecreatesADeletedAdmin() {
        leaveOnlyTheTestAdministrator();
        QuarkusTransaction.requiringNew().run(() -> accounts.delete(accounts.findByName(TestAccounts.ADMIN).orElseThrow()));
        assertTrue(QuarkusTransaction.requiringNew().call(() -> accounts.findByName(TestAccounts.ADMIN).isEmpty()));

        bootstrap.ensureAdministrator();

        Accounts.admin().get("/api/v1/users/admin").then().statusCode(200)
                .body("administrator", equalTo(true)).body("identityProvider", equalTo("local"));
    }

    @Test
    void aStartChangesNothingWhileAnAdministratorExists() {
        String changed = "the-administrators-own-choice";
        users.setPassword(TestAccounts.ADMIN, changed);

        bootstrap.ensureAdministrator();

        // The changed password still works: a restore would have reset it (the configured one is not tried, since
        // failed logins count towards the throttle that the other suites log in under).
        Accounts.as(TestAccounts.ADMIN, changed).get("/api/v1/users").then().statusCode(200);
    }

    /** Takes the role from every administrator but the test administrator, which the API allows while two are left. */
    private static void leaveOnlyTheTestAdministrator() {
        List<Map<String, Object>> all = Accounts.admin().get("/api/v1/users").then().statusCode(200).extract().path("$");
        for (Map<String, Object> user : all) {
            if (Boolean.TRUE.equals(user.get("administrator")) && !TestAccounts.ADMIN.equals(user.get("name"))) {
                Accounts.admin().body(Map.of("administrator", false)).put("/api/v1/users/" + user.get("name") + "/administrator")
                        .then().statusCode(200);
            }
        }
    }
}
