package io.berth.server.api.v2;

/** Path templates and header names shared by the {@code /v2} resources. */
final class Routes {

    /**
     * The repository name in a route: any path, validated by {@link io.berth.server.domain.RepositoryName}.
     * Names may contain '/', so the longest match wins and {@code /v2/a/blobs/b/blobs/<digest>} names
     * the repository {@code a/blobs/b}.
     */
    static final String NAME = "{name: .+}";

    // Method-level templates under the class-level "/v2": Quarkus REST matches a regex parameter followed
    // by further parameters only in method-level paths (quarkusio/quarkus#48548).
    static final String BLOB = NAME + "/blobs/{digest}";
    static final String UPLOADS = NAME + "/blobs/uploads/";
    static final String UPLOAD = NAME + "/blobs/uploads/{id}";
    static final String MANIFEST = NAME + "/manifests/{reference}";
    static final String TAGS = NAME + "/tags/list";
    static final String REFERRERS = NAME + "/referrers/{digest}";
    static final String CATALOG = "_catalog";

    static final String DOCKER_CONTENT_DIGEST = "Docker-Content-Digest";
    static final String DOCKER_UPLOAD_UUID = "Docker-Upload-UUID";
    static final String UPLOAD_SESSION_ID = "Blob-Upload-Session-ID";
    static final String CHUNK_MIN_LENGTH = "OCI-Chunk-Min-Length";
    static final String OCI_SUBJECT = "OCI-Subject";
    static final String OCI_TAG = "OCI-Tag";
    static final String OCI_FILTERS_APPLIED = "OCI-Filters-Applied";

    private Routes() {
    }

    /** Returns the ETag of content addressed by {@code digest}: the digest, quoted. */
    static String etag(Object digest) {
        return "\"" + digest + "\"";
    }

    /** Returns true if an {@code If-None-Match} header names the given ETag (or any). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String trimmed = candidate.trim();
            if (trimmed.equals("*") || trimmed.equals(etag) || trimmed.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    /** Parses a Content-Length header; empty when absent or not a number. */
    static java.util.OptionalLong contentLength(String header) {
        if (header == null || header.isBlank()) {
            return java.util.OptionalLong.empty();
        }
        try {
            return java.util.OptionalLong.of(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }
}
