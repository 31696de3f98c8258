package io.berth.auth;

import io.berth.metadata.repository.LoginFailureRepository;
import io.berth.metadata.repository.LoginFailureRepository.Failures;
import io.berth.metadata.repository.LoginFailureRepository.Tracking;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Locale;

/**
 * Refuses logins for an account from an address after too many failures in a window, and every login
 * from an address after too many failures for all names together. Counted in PostgreSQL, so a guesser
 * gains nothing by spreading attempts over replicas; the rows kept per address are bounded
 * ({@link LoginFailureRepository}).
 *
 * <p>An address has failures counted per account for {@code max-names-per-address} names in a window;
 * failures for further names are counted only towards the address's total, which bounds them with
 * everything else from that address. Keeping a name's count apart would need a row per name, which is
 * what a client sending random names must not be able to make.
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
        AuthConfig.Login login = config.login();
        Failures counted = QuarkusTransaction.requiringNew().call(
                () -> failures.failures(key(account), source, Instant.now(), login.window()));
        if (counted.ofAddress() >= login.maxFailuresPerAddress()) {
            throw LoginThrottledException.forAddress(login.window());
        }
        if (counted.ofAccount() >= login.maxFailures()) {
            throw LoginThrottledException.forAccount(account, login.window());
        }
    }

    public void failed(String account, String source) {
        QuarkusTransaction.requiringNew().run(
                () -> failures.recordFailure(key(account), source, Instant.now(), tracking()));
    }

    public void succeeded(String account, String source) {
        QuarkusTransaction.requiringNew().run(() -> failures.clear(key(account), source));
    }

    private Tracking tracking() {
        return new Tracking(config.login().window(), config.login().maxNamesPerAddress());
    }

    /** Names are case-insensitive for counting, so changing case does not buy more guesses. */
    private static String key(String account) {
        String lower = account.toLowerCase(Locale.ROOT);
        return lower.length() > 255 ? lower.substring(0, 255) : lower;
    }
}
