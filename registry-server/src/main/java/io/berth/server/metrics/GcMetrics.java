package io.berth.server.metrics;

import io.berth.gc.GarbageKind;
import io.berth.gc.KindReport;
import io.berth.gc.RunReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The garbage collector's Prometheus series: {@code berth_gc_runs_total} by outcome, {@code
 * berth_gc_run_seconds}, and per kind {@code berth_gc_items_freed_total} and {@code
 * berth_gc_bytes_freed_total}, and {@code berth_gc_errors_total}. Dry runs count as runs only.
 */
@ApplicationScoped
public class GcMetrics {

    private final MeterRegistry registry;

    public GcMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(RunReport report, boolean dryRun, Duration took) {
        Counter.builder("berth_gc_runs").tag("outcome", report.outcome()).tag("dry_run", Boolean.toString(dryRun))
                .description("Garbage collection runs").register(registry).increment();
        Timer.builder("berth_gc_run").description("How long garbage collection runs take").register(registry).record(took);
        if (!report.errors().isEmpty()) {
            Counter.builder("berth_gc_errors").description("Errors met by garbage collection runs").register(registry)
                    .increment(report.errors().size());
        }
        if (dryRun) {
            return;
        }
        report.kinds().forEach((GarbageKind kind, KindReport freed) -> {
            String name = kind.name().toLowerCase();
            Counter.builder("berth_gc_items_freed").tag("kind", name).description("Garbage removed, by kind")
                    .register(registry).increment(freed.items());
            Counter.builder("berth_gc_bytes_freed").tag("kind", name).baseUnit("bytes")
                    .description("Bytes deleted from the blob store, by kind").register(registry).increment(freed.bytes());
        });
    }
}
