package io.berth.server.transfer;

import java.io.IOException;
import java.time.Duration;

/** A client sent a request body slower than {@code berth.transfer.upload.min-rate} allows while Berth waited for it. */
public final class BodyTooSlowException extends IOException {

    BodyTooSlowException(long arrived, Duration window, long required) {
        super("the client sent " + arrived + " bytes of the body in " + window.toSeconds() + " s, fewer than the "
                + required + " this registry requires in that time (berth.transfer.upload.min-rate)");
    }
}
