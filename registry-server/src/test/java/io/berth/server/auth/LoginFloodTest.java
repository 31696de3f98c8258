package io.berth.server.auth;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.ForwardedAddressProfile;
import io.berth.server.testing.TestAccounts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What an anonymous client sending failed logins with random names achieves, over HTTP, as a probe
 * would do it: a bounded number of rows, then refusals for every login from its address, while other
 * addresses log in as before. The addresses come from {@code X-Forwarded-For}
 * ({@link ForwardedAddressProfile}).
 */
@QuarkusTest
@TestProfile(ForwardedAddressProfile.class)
class LoginFloodTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    @Inject
    AgroalDataSource dataSource;

    @Test
    void failedLoginsWithRandomNamesFromOneAddressKeepFewRowsAndThenLockOnlyThatAddressOutForTheWindow() {
        String user = "flood" + RUN;
        String latecomer = "latecomer" + RUN;
        Accounts.user(user);
        Accounts.user(latecomer);
        String attacker = LoginThrottleTest.address();
        String bystander = LoginThrottleTest.address();

        int refusedAsWrong = 0;
        for (int attempt = 0; attempt < 500; attempt++) {
            Response answer = from(attacker, "probe-" + UUID.randomUUID(), "guess").get("/v2/");
            if (attempt < 100) {
                RegistryClient.fails(answer, 401, "UNAUTHORIZED");
                refusedAsWrong++;
            } else {
                RegistryClient.fails(answer, 429, "TOOMANYREQUESTS")
                        .header("Retry-After", "300")
                        .body("errors[0].message", containsString("from this address"));
            }
        }
        assertEquals(100, refusedAsWrong);
        assertEquals(21, rows(attacker), "20 names of their own and one row for all others");
        assertEquals(100, failures(attacker));

        // The right password does not help the attacker's address, on /v2 or on /token...
        RegistryClient.fails(from(attacker, user, Accounts.PASSWORD).get("/v2/"), 429, "TOOMANYREQUESTS");
        RegistryClient.fails(from(attacker, latecomer, Accounts.PASSWORD).queryParam("service", "berth-registry")
                .get("/token"), 429, "TOOMANYREQUESTS");
        assertEquals(21, rows(attacker), "refused logins are not counted");
        // ...while the same account logs in from anywhere else.
        from(bystander, user, Accounts.PASSWORD).get("/v2/").then().statusCode(200);
        RegistryClient.anonymous().header("Authorization", TestAccounts.basic(user, Accounts.PASSWORD)).get("/v2/")
                .then().statusCode(200);

        // The window ends (the rows are made a day old): failures from elsewhere delete the expired rows, and
        // the attacker's address may try again.
        execute("update login_failure set window_started_at = window_started_at - interval '1 day' where source_address = ?",
                attacker);
        for (int attempt = 0; attempt < 3 && rows(attacker) > 0; attempt++) {
            RegistryClient.fails(from(bystander, "typo" + RUN + attempt, "wrong").get("/v2/"), 401, "UNAUTHORIZED");
        }
        assertEquals(0, rows(attacker));
        // Not a remembered login (the latecomer has not logged in before): its password is checked again.
        from(attacker, latecomer, Accounts.PASSWORD).get("/v2/").then().statusCode(200);
    }

    private static RequestSpecification from(String address, String user, String password) {
        return RegistryClient.anonymous().header("X-Forwarded-For", address)
                .header("Authorization", TestAccounts.basic(user, password));
    }

    private long rows(String address) {
        return query("select count(*) from login_failure where source_address = ?", address);
    }

    private long failures(String address) {
        return query("select coalesce(sum(failures), 0) from login_failure where source_address = ?", address);
    }

    private long query(String sql, String parameter) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private void execute(String sql, String parameter) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
