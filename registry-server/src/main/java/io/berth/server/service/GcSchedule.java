package io.berth.server.service;

import io.berth.gc.GcConfig;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;

/**
 * Runs the collector every {@code berth.gc.interval} on every replica; the collector's lock lets one
 * of them work and the others' ticks do nothing. {@code berth.gc.enabled=false} stops the schedule
 * (runs asked for through the admin API still happen).
 */
@ApplicationScoped
public class GcSchedule {

    private final GcService gc;

    public GcSchedule(GcService gc) {
        this.gc = gc;
    }

    @Scheduled(identity = "berth-gc", every = "${berth.gc.interval}", delayed = "${berth.gc.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    void collect() {
        gc.runScheduled();
    }

    /** Skips the scheduled runs when the schedule is off. */
    @Singleton
    public static class Disabled implements Scheduled.SkipPredicate {

        private final GcConfig config;

        public Disabled(GcConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.enabled();
        }
    }
}
