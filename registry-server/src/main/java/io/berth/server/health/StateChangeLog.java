package io.berth.server.health;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Logs when a readiness check goes down (with what is wrong, which the anonymous health answer does not
 * show) and when it comes back, once per change: probes arrive every few seconds, and repeating the same
 * failure on each would bury it.
 */
final class StateChangeLog {

    private static final Logger LOG = Logger.getLogger(StateChangeLog.class);

    private final String subject;
    /** Up until a probe finds otherwise: startup has already checked the database and the store. */
    private final AtomicBoolean up = new AtomicBoolean(true);

    /** {@code subject} names what is checked in the log lines, such as "The blob store filesystem:/data/blobs". */
    StateChangeLog(String subject) {
        this.subject = subject;
    }

    void up() {
        if (!up.getAndSet(true)) {
            LOG.infof("%s answers again", subject);
        }
    }

    void down(String reason, Throwable cause) {
        if (up.getAndSet(false)) {
            LOG.warnf(cause, "%s is not ready: %s", subject, reason);
        }
    }
}
