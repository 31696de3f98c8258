package io.berth.gc;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a test can stop the collector at the one moment that matters for safety: after the rows of
 * unreferenced blobs are deleted and committed, before their bytes are, while the collector holds
 * their blob locks. The race test of the package documentation pauses here and pushes the same digest.
 * In production nothing is hooked.
 */
@ApplicationScoped
public class CollectorHooks {

    private volatile Consumer<List<String>> beforeBytesDeleted = digests -> { };

    /** Sets what runs, on the collector's thread, before the bytes of these digests are deleted. */
    public void beforeBytesDeleted(Consumer<List<String>> hook) {
        this.beforeBytesDeleted = hook;
    }

    void bytesAboutToBeDeleted(List<String> digests) {
        beforeBytesDeleted.accept(digests);
    }
}
