package io.berth.storage;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Removes stored blobs; only the garbage collector calls it, once no metadata refers to them. */
public interface BlobDeleter {

    /** Deletes the blob; returns false if the store did not hold it. */
    boolean delete(Digest digest);

    /**
     * Deletes many blobs at once, as cheaply as the store allows (S3 multi-object deletes sent side by
     * side, parallel unlinks on a filesystem), and returns those it could not delete, each with the reason.
     * A blob the store did not hold counts as deleted.
     */
    default Map<Digest, String> deleteAll(Collection<Digest> digests) {
        Map<Digest, String> failed = new LinkedHashMap<>();
        for (Digest digest : digests) {
            try {
                delete(digest);
            } catch (StorageException e) {
                failed.put(digest, e.getMessage());
            }
        }
        return failed;
    }
}
