package io.berth.auth;

import java.time.Duration;

/** Too many failed logins for an account from one address: no login is tried until the window ends. */
public class LoginThrottledException extends RuntimeException {

    private final Duration retryAfter;

    public LoginThrottledException(String account, Duration retryAfter) {
        super("too many failed logins for " + account + " from this address; retry in " + retryAfter.toSeconds() + " s");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
