package io.berth.storage.s3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.storage.StorageException;
import java.util.List;

/**
 * What the S3 store remembers of an upload between requests, kept as JSON in
 * {@link io.berth.storage.UploadState#storeState()} (and so in the upload's PostgreSQL row): the
 * multipart upload at the staging key with the parts sent so far, and the tail under S3's part
 * minimum that waits in a small object of its own for the next chunk.
 *
 * <p>The staged bytes are the parts in order, then the tail: {@code sum(parts.size) + tailSize} is the
 * upload's size.
 *
 * @param multipartId the id of the staging multipart upload, or null before the first full part
 * @param parts the parts sent, in order
 * @param tail the key of the tail object, or null if the bytes end on a part boundary
 * @param tailSize the tail's length
 * @param stale the key of a tail that a later append consumed; deleted by the next append, which
 *     knows from its state that the consuming append was recorded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StagedUpload(String multipartId, List<Part> parts, String tail, long tailSize, String stale) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    static final StagedUpload EMPTY = new StagedUpload(null, List.of(), null, 0, null);

    StagedUpload {
        parts = parts == null ? List.of() : List.copyOf(parts);
    }

    /** One part of the multipart upload. */
    record Part(int number, String etag, long size) {
    }

    /** Returns the bytes held by the parts. */
    long partsSize() {
        return parts.stream().mapToLong(Part::size).sum();
    }

    /** Parses a stored state; null (a new upload) is the empty state. */
    static StagedUpload parse(String json) {
        if (json == null || json.isBlank()) {
            return EMPTY;
        }
        try {
            return JSON.readValue(json, StagedUpload.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("the stored state of an S3 upload is damaged: " + e.getOriginalMessage(), e);
        }
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an upload state as JSON", e);
        }
    }
}
