package io.berth.server.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps versions out of {@code /q/metrics}, which anyone may read: Micrometer's {@code jvm_info} carries
 * the JVM's exact version and vendor, which tells a caller which flaws to try and tells an operator
 * nothing the start log does not.
 */
public class VersionlessMetrics {

    @Produces
    @Singleton
    MeterFilter withoutJvmInfo() {
        return MeterFilter.deny(id -> id.getName().equals("jvm.info"));
    }
}
