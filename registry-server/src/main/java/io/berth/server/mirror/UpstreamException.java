package io.berth.server.mirror;

import java.time.Duration;
import java.util.Optional;

/**
 * An upstream could not answer: it is down, timed out, failed (5xx) or limits this registry's rate
 * (429). Cached content is served anyway; what is not cached gets a 503.
 */
public class UpstreamException extends RuntimeException {

    private final Optional<Duration> retryAfter;

    public UpstreamException(String message, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public UpstreamException(String message, Throwable cause) {
        this(message, Optional.empty(), cause);
    }

    /** The wait the upstream asked for ({@code Retry-After} of a 429 or 503), if it named one. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
