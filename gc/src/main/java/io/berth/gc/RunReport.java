package io.berth.gc;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a run, as kept with it: how it ended ({@code finished}, {@code failed} or
 * {@code skipped}), per kind what was found (a dry run) or removed, the errors met on the way (a
 * storage delete that failed after its retries leaves an orphan for a later scan), whether the run
 * walked the store for orphans, and whether it looked at every row ({@code fullPass}) or only at
 * what changed since the last run.
 */
public record RunReport(String outcome, Map<GarbageKind, KindReport> kinds, List<String> errors, boolean orphanScan,
        boolean fullPass, String note) {
}
