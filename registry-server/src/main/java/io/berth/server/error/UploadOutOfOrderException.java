package io.berth.server.error;

import java.util.UUID;

/**
 * A chunk that does not start where its upload stands ({@code RANGE_INVALID}). It carries the upload's
 * position, so the answer can tell the client where to resume, as a progress answer would.
 */
public final class UploadOutOfOrderException extends RegistryException {

    private final String repository;
    private final UUID upload;
    private final long size;

    /**
     * @param repository the repository the upload belongs to
     * @param upload the upload's id
     * @param size the bytes it holds: the offset the next chunk must start at
     */
    public UploadOutOfOrderException(String message, String repository, UUID upload, long size) {
        super(OciErrorCode.RANGE_INVALID, message);
        this.repository = repository;
        this.upload = upload;
        this.size = size;
    }

    public String repository() {
        return repository;
    }

    public UUID upload() {
        return upload;
    }

    public long size() {
        return size;
    }
}
