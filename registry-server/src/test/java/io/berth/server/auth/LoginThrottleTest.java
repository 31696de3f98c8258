package io.berth.server.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.berth.auth.LoginThrottle;
import io.berth.auth.LoginThrottledException;
import io.berth.metadata.repository.LoginFailureRepository;
import io.berth.metadata.repository.LoginFailureRepository.Failures;
import io.berth.metadata.repository.LoginFailureRepository.Tracking;
import io.berth.server.testing.ForwardedAddressProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The failed-login bookkeeping against the real PostgreSQL: the rows an address may make, the count
 * per address, the deletion of expired rows, and the throttle's refusals built on them. Every test
 * uses addresses of its own, so the counts of other tests (all from 127.0.0.1) do not mix in.
 */
@QuarkusTest
@TestProfile(ForwardedAddressProfile.class)
class LoginThrottleTest {

    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger();
    private static final int RUN = ThreadLocalRandom.current().nextInt(256);

    @Inject
    LoginFailureRepository repository;

    @Inject
    LoginThrottle throttle;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void anAddressHasRowsForAtMostTheBoundOfNamesAndOneForAllOthers() {
        String address = address();
        Tracking tracking = new Tracking(WINDOW, 3);
        Instant now = Instant.now();
        for (int name = 0; name < 10; name++) {
            record("name-" + name, address, now, tracking);
        }
        record("name-0", address, now, tracking);

        assertEquals(4, rows(address), "three names and the row of all others");
        assertEquals(7, failuresOf(LoginFailureRepository.OTHER_NAMES, address));
        assertEquals(2, failuresOf("name-0", address), "a name with a row keeps counting there");
        assertEquals(new Failures(2, 11), failures("name-0", address, now));
        assertEquals(new Failures(0, 11), failures("name-9", address, now), "name-9 went to the other names");
        assertEquals(new Failures(0, 0), failures("name-0", address(), now), "another address counts on its own");
    }

    @Test
    void concurrentFailuresOvershootTheBoundOfNamesByNoMoreThanTheirNumber() throws Exception {
        String address = address();
        Tracking tracking = new Tracking(WINDOW, 5);
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int attempt = 0; attempt < perThread; attempt++) {
                        record(UUID.randomUUID().toString(), address, Instant.now(), tracking);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        long rows = rows(address);
        assertTrue(rows >= 6 && rows <= 5 + 1 + threads, rows + " rows");
        assertEquals(threads * perThread, failures("anyone", address, Instant.now()).ofAddress(), "no failure is lost");
    }

    @Test
    void rowsWhoseWindowEndedAreDeletedAFewAtATimeByLaterFailures() {
        String expired = address();
        Tracking roomy = new Tracking(WINDOW, 100);
        // Older than any row of another test, so they are the first expired rows the deletion finds.
        Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
        for (int name = 0; name < 40; name++) {
            record("old-" + name, expired, twoDaysAgo, roomy);
        }
        assertEquals(40, rows(expired));
        assertEquals(new Failures(0, 0), failures("old-0", expired, Instant.now()), "expired failures count for nothing");

        String recent = address();
        record("someone", recent, Instant.now(), roomy);
        assertEquals(40 - 16, rows(expired), "one failure deletes a bounded number of expired rows");
        record("someone", recent, Instant.now(), roomy);
        record("someone", recent, Instant.now(), roomy);
        assertEquals(0, rows(expired));
        assertEquals(1, rows(recent), "rows still in their window stay");
    }

    @Test
    void anAccountFailingTooOftenIsRefusedFromThatAddressOnly() {
        String address = address();
        for (int attempt = 0; attempt < 10; attempt++) {
            assertDoesNotThrow(() -> throttle.check("alice", address));
            throttle.failed("alice", address);
        }
        LoginThrottledException refused = assertThrows(LoginThrottledException.class, () -> throttle.check("Alice", address));
        assertTrue(refused.getMessage().contains("for Alice from this address"), refused.getMessage());
        assertEquals(WINDOW, refused.retryAfter());
        assertDoesNotThrow(() -> throttle.check("bob", address));
        assertDoesNotThrow(() -> throttle.check("alice", address()));
    }

    @Test
    void anAddressFailingTooOftenForAllNamesIsRefusedForEveryName() {
        String address = address();
        for (int attempt = 0; attempt < 100; attempt++) {
            String name = "spray-" + attempt;
            assertDoesNotThrow(() -> throttle.check(name, address));
            throttle.failed(name, address);
        }
        assertEquals(21, rows(address), "20 names and the row of all others");
        LoginThrottledException refused = assertThrows(LoginThrottledException.class, () -> throttle.check("admin", address));
        assertEquals("too many failed logins from this address; retry in 300 s", refused.getMessage());
        assertThrows(LoginThrottledException.class, () -> throttle.check("spray-0", address));
        assertDoesNotThrow(() -> throttle.check("admin", address()));
    }

    /** A made-up address of this test run, a new one on every call. */
    static String address() {
        int next = NEXT_ADDRESS.incrementAndGet();
        return "10." + RUN + "." + (next / 250) + "." + (next % 250 + 1);
    }

    private void record(String account, String address, Instant now, Tracking tracking) {
        QuarkusTransaction.requiringNew().run(() -> repository.recordFailure(account, address, now, tracking));
    }

    private Failures failures(String account, String address, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> repository.failures(account, address, now, WINDOW));
    }

    private long rows(String address) {
        return query("select count(*) from login_failure where source_address = ?", address);
    }

    private long failuresOf(String account, String address) {
        return query("select failures from login_failure where source_address = ? and account_name = ?", address, account);
    }

    private long query(String sql, String... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                assertTrue(result.next(), sql);
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
