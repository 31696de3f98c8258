package io.berth.gc;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The garbage collector's settings ({@code berth.gc.*}, {@code BERTH_GC_*}). */
@ConfigMapping(prefix = "berth.gc")
public interface GcConfig {

    /** Whether the collector runs on its schedule; a run asked for through the admin API runs either way. */
    @WithDefault("true")
    boolean enabled();

    /** How long after one scheduled run the next starts. */
    @WithDefault("10m")
    Duration interval();

    /**
     * How long unreferenced content is kept before it is garbage: a client that saw a blob exist (HEAD,
     * GET, mount, upload) may reference it in a manifest this long afterwards.
     */
    @WithDefault("1h")
    Duration grace();

    /** How long an upload session may stay untouched before it is abandoned, and its staged bytes with it. */
    @WithDefault("24h")
    Duration uploadExpiry();

    /** How often a run also walks the whole store for bytes that no blob row names. */
    @WithDefault("24h")
    Duration orphanScanInterval();

    /**
     * How many items one transaction removes; their bytes go in one storage delete (on S3, several
     * multi-object delete requests sent at once).
     */
    @WithDefault("1000")
    int batchSize();
}
