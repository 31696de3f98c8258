package io.berth.gc;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a run, as kept with it: how it ended ({@code finished}, {@code failed} or
 * {@code skipped}), per kind what was found (a dry run) or removed, the errors met on the way (a
 * storage delete that failed after its retries leaves an orphan for a later scan), and whether the
 * run walked the store for orphans.
 */
public record RunReport(String outcome, Map<GarbageKind, KindReport> kinds, List<String> errors, boolean orphanScan,
        String note) {
}
