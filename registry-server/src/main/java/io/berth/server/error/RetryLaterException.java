package io.berth.server.error;

import java.time.Duration;

/**
 * A refusal that passes ({@code TOOMANYREQUESTS}, {@code UNAVAILABLE}): it carries how long the client
 * should wait before it tries again.
 */
public final class RetryLaterException extends RegistryException {

    private final Duration retryAfter;

    public RetryLaterException(OciErrorCode code, String message, Duration retryAfter) {
        super(code, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
