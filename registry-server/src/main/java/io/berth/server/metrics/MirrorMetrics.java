package io.berth.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the pull-through cache's work per upstream, at {@code /q/metrics}:
 * {@code berth_mirror_requests_total} by {@code kind} (manifest, blob) and {@code result} (hit: served
 * from the cache; revalidated: a tag the upstream confirmed with a HEAD; miss: fetched; join: served
 * from a fetch another pull started; stale: served from the cache while the upstream failed; error:
 * not cached, and the upstream failed), {@code berth_mirror_upstream_received_bytes_total} and
 * {@code berth_mirror_upstream_errors_total}.
 */
@ApplicationScoped
public class MirrorMetrics {

    /** What a pull through the mirror came to. */
    public enum Result {
        HIT, REVALIDATED, MISS, JOIN, STALE, ERROR
    }

    /** What was pulled. */
    public enum Kind {
        MANIFEST, BLOB
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> upstreamBytes = new ConcurrentHashMap<>();

    public MirrorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void pulled(String upstream, Kind kind, Result result) {
        Counter.builder("berth.mirror.requests")
                .description("Pulls through the pull-through cache, by what they came to")
                .tag("upstream", upstream)
                .tag("kind", kind.name().toLowerCase())
                .tag("result", result.name().toLowerCase())
                .register(registry)
                .increment();
    }

    public void upstreamBytes(String upstream, long bytes) {
        // Called for every piece of every fetch: the counter is looked up once per upstream.
        upstreamBytes.computeIfAbsent(upstream, id -> Counter.builder("berth.mirror.upstream.received").baseUnit("bytes")
                .description("Bytes of blobs and manifests fetched from upstreams")
                .tag("upstream", id)
                .register(registry)).increment(bytes);
    }

    public void upstreamError(String upstream) {
        Counter.builder("berth.mirror.upstream.errors")
                .description("Requests to upstreams that failed (unreachable, timed out, 5xx, 429, broken off)")
                .tag("upstream", upstream)
                .register(registry)
                .increment();
    }
}
