package io.berth.storage;

import java.util.UUID;

/** Thrown when an upload's staged data is gone, for example after it was committed or cancelled. */
public class UploadNotFoundException extends StorageException {
    public UploadNotFoundException(UUID id) {
        super("no staged data for upload " + id, null);
    }
}
