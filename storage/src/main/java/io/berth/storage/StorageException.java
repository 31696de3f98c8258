package io.berth.storage;

/**
 * Thrown when the storage backend fails: a disk error, an unreachable object store. Callers report
 * it as a temporary failure; nothing half-written becomes visible.
 */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
