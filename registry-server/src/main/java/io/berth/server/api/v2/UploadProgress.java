package io.berth.server.api.v2;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/**
 * Where an upload stands, as the spec's headers tell a client: {@code Location} (the upload's URL, its
 * opaque id resolving through PostgreSQL), {@code Range} ({@code 0-<last byte received>}) and the session
 * id. Progress answers and the refusal of a chunk out of order both carry them.
 */
public final class UploadProgress {

    private UploadProgress() {
    }

    /** Adds the position headers of the upload {@code id} of {@code repository}, which holds {@code size} bytes. */
    public static Response.ResponseBuilder position(Response.ResponseBuilder response, String repository, UUID id,
            long size) {
        return response
                .header(HttpHeaders.LOCATION, "/v2/" + repository + "/blobs/uploads/" + id)
                .header("Range", "0-" + Math.max(0, size - 1))
                .header(Routes.UPLOAD_SESSION_ID, id.toString());
    }
}
