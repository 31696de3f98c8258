package io.berth.server.transfer;

import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RetryLaterException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the request bodies each account and each client address sends at once on this replica, and
 * refuses one more past {@code berth.transfer.upload.max-per-account} or {@code max-per-address}. A
 * body being read holds a thread for as long as the client takes, so no single caller may hold more
 * than its share of them.
 */
final class BodyAdmission {

    /** What a refused client is told to wait: one more body ends soon enough in a healthy push. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final int maxPerAccount;
    private final int maxPerAddress;
    private final ConcurrentHashMap<String, Integer> byAccount = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> byAddress = new ConcurrentHashMap<>();

    BodyAdmission(int maxPerAccount, int maxPerAddress) {
        this.maxPerAccount = maxPerAccount;
        this.maxPerAddress = maxPerAddress;
    }

    /** A body admitted; {@link #close} gives its place back, once. */
    final class Admitted implements AutoCloseable {
        private final Optional<String> account;
        private final String address;
        private boolean closed;

        private Admitted(Optional<String> account, String address) {
            this.account = account;
            this.address = address;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                leave(byAddress, address);
                account.ifPresent(name -> leave(byAccount, name));
            }
        }
    }

    /** Admits one more body from {@code account} (empty when anonymous) at {@code address}, or throws 429. */
    Admitted admit(Optional<String> account, String address) {
        if (!enter(byAddress, address, maxPerAddress)) {
            throw refusal("address " + address, maxPerAddress, "max-per-address");
        }
        if (account.isPresent() && !enter(byAccount, account.get(), maxPerAccount)) {
            leave(byAddress, address);
            throw refusal("account " + account.get(), maxPerAccount, "max-per-account");
        }
        return new Admitted(account, address);
    }

    /** How many bodies {@code account} sends now; for tests and metrics. */
    int sendingFrom(String account) {
        return byAccount.getOrDefault(account, 0);
    }

    private static boolean enter(ConcurrentHashMap<String, Integer> counts, String key, int limit) {
        boolean[] admitted = {false};
        counts.compute(key, (ignored, held) -> {
            int now = held == null ? 0 : held;
            if (now >= limit) {
                return held;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    private static void leave(ConcurrentHashMap<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (ignored, held) -> held <= 1 ? null : held - 1);
    }

    private static RetryLaterException refusal(String who, int limit, String setting) {
        return new RetryLaterException(OciErrorCode.TOOMANYREQUESTS, who + " already sends " + limit
                + " request bodies at once, the most this registry takes (berth.transfer.upload." + setting
                + "); send this one when another has finished", RETRY_AFTER);
    }
}
