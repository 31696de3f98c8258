package io.berth.server.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers for a short while ({@code berth.mirror.not-found-memory}) what upstreams said they do not
 * hold, so that a mistyped name pulled in a loop sends the upstream one request, not one per pull.
 */
@ApplicationScoped
public class NotFoundMemory {

    /** Beyond this many remembered answers the expired ones are dropped, and if none, all of them. */
    private static final int MAX_ENTRIES = 10_000;

    private final Duration memory;
    private final Map<String, Long> expiries = new ConcurrentHashMap<>();

    public NotFoundMemory(MirrorConfig config) {
        this.memory = config.notFoundMemory();
    }

    /** Whether the upstream said recently that it does not hold {@code what}. */
    public boolean remembers(Upstream upstream, String what) {
        Long expiry = expiries.get(key(upstream, what));
        return expiry != null && expiry - System.nanoTime() > 0;
    }

    /** Notes that the upstream does not hold {@code what}. */
    public void remember(Upstream upstream, String what) {
        if (memory.isZero()) {
            return;
        }
        if (expiries.size() >= MAX_ENTRIES) {
            long now = System.nanoTime();
            expiries.values().removeIf(expiry -> expiry - now <= 0);
            if (expiries.size() >= MAX_ENTRIES) {
                expiries.clear();
            }
        }
        expiries.put(key(upstream, what), System.nanoTime() + memory.toNanos());
    }

    /** Forgets {@code what}: it was found after all. */
    public void forget(Upstream upstream, String what) {
        expiries.remove(key(upstream, what));
    }

    private static String key(Upstream upstream, String what) {
        return upstream.id() + " " + what;
    }
}
