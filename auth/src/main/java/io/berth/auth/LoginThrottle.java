package io.berth.auth;

import io.berth.metadata.repository.LoginFailureRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Locale;

/**
 * Refuses logins for an account from an address after too many failures in a window. Counted in
 * PostgreSQL, so a guesser gains nothing by spreading attempts over replicas.
 */
@ApplicationScoped
public class LoginThrottle {

    private final LoginFailureRepository failures;
    private final AuthConfig config;

    public LoginThrottle(LoginFailureRepository failures, AuthConfig config) {
        this.failures = failures;
        this.config = config;
    }

    /** Throws {@link LoginThrottledException} when the account may not try from this address now. */
    public void check(String account, String source) {
        int counted = QuarkusTransaction.requiringNew().call(
                () -> failures.failures(key(account), source, Instant.now(), config.login().window()));
        if (counted >= config.login().maxFailures()) {
            throw new LoginThrottledException(account, config.login().window());
        }
    }

    public void failed(String account, String source) {
        QuarkusTransaction.requiringNew().run(
                () -> failures.recordFailure(key(account), source, Instant.now(), config.login().window()));
    }

    public void succeeded(String account, String source) {
        QuarkusTransaction.requiringNew().run(() -> failures.clear(key(account), source));
    }

    /** Names are case-insensitive for counting, so changing case does not buy more guesses. */
    private static String key(String account) {
        String lower = account.toLowerCase(Locale.ROOT);
        return lower.length() > 255 ? lower.substring(0, 255) : lower;
    }
}
