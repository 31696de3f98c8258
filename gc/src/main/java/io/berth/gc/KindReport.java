package io.berth.gc;

import java.util.List;

/**
 * What a run found and removed of one kind: how many items, how many bytes they held (blobs and
 * orphans), and, for a dry run, the first of them by name ({@code truncated} when there were more).
 */
public record KindReport(long items, long bytes, List<String> listed, boolean truncated) {

    public static final KindReport NONE = new KindReport(0, 0, List.of(), false);
}
