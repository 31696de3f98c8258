package io.berth.gc;

import io.berth.metadata.repository.GarbageRepository;
import io.berth.metadata.repository.GarbageRepository.BlobRow;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Compares the metadata with the blob store: blob rows whose bytes are missing (the invariant broken:
 * pulls of them fail), bytes no row names (orphans: harmless, and the collector's orphan scan removes
 * those older than the grace period), and rows whose recorded size differs from the stored one. It
 * only reads; a store is walked once and its digests kept in memory for the second half.
 */
@ApplicationScoped
public class ConsistencyCheck {

    private static final Logger LOG = Logger.getLogger(ConsistencyCheck.class);
    private static final int PAGE = 1000;
    private static final int LISTED = 100;

    private final GarbageRepository garbage;
    private final BlobStore store;

    public ConsistencyCheck(GarbageRepository garbage, BlobStore store) {
        this.garbage = garbage;
        this.store = store;
    }

    /**
     * What the check found: counts, and the first {@value #LISTED} of each finding by digest;
     * {@code consistent} when no row lacks its bytes and no size differs (orphans are only garbage).
     */
    public record Findings(boolean consistent, long blobRows, long storedObjects, long rowsWithoutBytes,
            List<String> missingBytes, long bytesWithoutRows, List<String> orphans, long sizeMismatches,
            List<String> mismatched) {
    }

    public Findings run() {
        long started = System.nanoTime();
        Set<String> stored = new HashSet<>();
        Tally orphans = new Tally();
        Tally mismatched = new Tally();
        List<BlobStat> page = new ArrayList<>();
        store.walk(stat -> {
            stored.add(stat.digest().toString());
            page.add(stat);
            if (page.size() >= PAGE) {
                comparePage(page, orphans, mismatched);
                page.clear();
            }
        });
        comparePage(page, orphans, mismatched);
        Tally missing = new Tally();
        long rows = 0;
        String after = "";
        for (List<BlobRow> blobs = pageOfRows(after); !blobs.isEmpty(); blobs = pageOfRows(after)) {
            rows += blobs.size();
            blobs.stream().filter(blob -> !stored.contains(blob.digest())).forEach(blob -> missing.add(blob.digest()));
            after = blobs.get(blobs.size() - 1).digest();
        }
        Findings findings = new Findings(missing.count == 0 && mismatched.count == 0, rows, stored.size(),
                missing.count, missing.listed, orphans.count, orphans.listed, mismatched.count, mismatched.listed);
        LOG.infof("Consistency check in %.1f s: %d blob rows, %d stored objects, %d rows without bytes, %d orphans, "
                + "%d size mismatches", (System.nanoTime() - started) / 1e9, rows, stored.size(), missing.count,
                orphans.count, mismatched.count);
        return findings;
    }

    private List<BlobRow> pageOfRows(String after) {
        return QuarkusTransaction.requiringNew().call(() -> garbage.pageBlobs(after, PAGE));
    }

    private void comparePage(List<BlobStat> page, Tally orphans, Tally mismatched) {
        if (page.isEmpty()) {
            return;
        }
        Map<String, Long> recorded = QuarkusTransaction.requiringNew().call(() ->
                garbage.findRecordedSizes(page.stream().map(stat -> stat.digest().toString()).toList()));
        for (BlobStat stat : page) {
            Long size = recorded.get(stat.digest().toString());
            if (size == null) {
                orphans.add(stat.digest().toString());
            } else if (size != stat.size()) {
                mismatched.add(stat.digest() + " (recorded " + size + " bytes, stored " + stat.size() + ")");
            }
        }
    }

    /** A count and the first of what was counted. */
    private static final class Tally {
        private long count;
        private final List<String> listed = new ArrayList<>();

        void add(String item) {
            count++;
            if (listed.size() < LISTED) {
                listed.add(item);
            }
        }
    }
}
