package io.berth.metadata.repository;

import java.util.UUID;

/** Thrown when a request tries to write to an upload that another request is writing to. */
public class UploadBusyException extends RuntimeException {
    public UploadBusyException(UUID id) {
        super("upload " + id + " is being written by another request");
    }
}
