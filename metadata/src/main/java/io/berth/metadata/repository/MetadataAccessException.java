package io.berth.metadata.repository;

/** Thrown when the metadata database cannot answer a query; callers report it as a temporary outage. */
public class MetadataAccessException extends RuntimeException {
    public MetadataAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
