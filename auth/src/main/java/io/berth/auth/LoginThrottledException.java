package io.berth.auth;

import java.time.Duration;

/**
 * Too many failed logins from one address, for one account or for all names together: no login is tried
 * until the window ends.
 */
public class LoginThrottledException extends RuntimeException {

    private final Duration retryAfter;

    private LoginThrottledException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** The account failed too often from this address. */
    public static LoginThrottledException forAccount(String account, Duration retryAfter) {
        return new LoginThrottledException("too many failed logins for " + account + " from this address; retry in "
                + retryAfter.toSeconds() + " s", retryAfter);
    }

    /** The address failed too often for all names together: every login from it waits. */
    public static LoginThrottledException forAddress(Duration retryAfter) {
        return new LoginThrottledException("too many failed logins from this address; retry in "
                + retryAfter.toSeconds() + " s", retryAfter);
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
