package io.berth.server.api.v2;

import io.berth.server.api.auth.RegistryAccess;
import io.berth.server.api.auth.RegistryAccessFilter;
import io.berth.server.domain.ContentRange;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.service.BlobDescriptor;
import io.berth.server.service.UploadService;
import io.berth.server.service.UploadStatus;
import io.berth.server.transfer.RequestBodies;
import io.berth.server.transfer.RequestBodyStream;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.InvalidDigestException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code /v2/<name>/blobs/uploads/}: starting uploads (a session, a monolithic {@code ?digest=} push, or
 * a {@code ?mount=} from another repository), chunks, completion, status and cancellation.
 */
@Path("/v2")
@Consumes(MediaType.WILDCARD)
public class UploadResource {

    private final UploadService uploads;

    private final RegistryAccess access;

    private final RequestBodies bodies;

    public UploadResource(UploadService uploads, RegistryAccess access, RequestBodies bodies) {
        this.uploads = uploads;
        this.access = access;
        this.bodies = bodies;
    }

    @POST
    @Path(Routes.UPLOADS)
    public Response start(@RestPath String name, @RestQuery String digest, @RestQuery String mount,
            @RestQuery String from, @RestQuery("digest-algorithm") String digestAlgorithm,
            @Context HttpServerRequest request) {
        RepositoryName repository = new RepositoryName(name);
        if (mount != null) {
            // A source the caller may not pull from is no source: the client simply uploads the blob.
            Optional<BlobDescriptor> mounted = mountable(mount, from)
                    .filter(source -> source.from().map(f -> access.mayPull(f.value())).orElseGet(access::mayMountFromAnywhere))
                    .flatMap(source -> uploads.mount(repository, source.digest(), source.from()));
            if (mounted.isPresent()) {
                return created(repository, mounted.get());
            }
        } else if (digest != null) {
            try (RequestBodyStream body = body(request)) {
                return created(repository, uploads.putMonolithic(repository, Digest.parse(digest), body));
            }
        }
        UploadStatus status = uploads.start(repository, algorithm(digestAlgorithm), access.callerName(),
                RegistryAccessFilter.sourceOf(request));
        return progress(Response.accepted(), status)
                .header(Routes.CHUNK_MIN_LENGTH, uploads.chunkMinLength())
                .build();
    }

    @PATCH
    @Path(Routes.UPLOAD)
    public Response append(@RestPath String name, @RestPath String id,
            @HeaderParam("Content-Range") String contentRange,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength, @Context HttpServerRequest request) {
        RepositoryName repository = new RepositoryName(name);
        try (RequestBodyStream body = body(request)) {
            UploadStatus status = uploads.append(repository, uploadId(repository, id), ContentRange.parse(contentRange),
                    Routes.contentLength(contentLength), body);
            return progress(Response.accepted(), status).build();
        }
    }

    @PUT
    @Path(Routes.UPLOAD)
    public Response complete(@RestPath String name, @RestPath String id, @RestQuery String digest,
            @HeaderParam("Content-Range") String contentRange,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength, @Context HttpServerRequest request) {
        RepositoryName repository = new RepositoryName(name);
        UUID upload = uploadId(repository, id);
        if (digest == null) {
            throw new RegistryException(OciErrorCode.DIGEST_INVALID,
                    "completing an upload needs the blob's digest: PUT ...?digest=<algorithm>:<hex>");
        }
        try (RequestBodyStream body = body(request)) {
            BlobDescriptor blob = uploads.complete(repository, upload, Digest.parse(digest), ContentRange.parse(contentRange),
                    Routes.contentLength(contentLength), body);
            return created(repository, blob);
        }
    }

    @GET
    @Path(Routes.UPLOAD)
    public Response status(@RestPath String name, @RestPath String id) {
        RepositoryName repository = new RepositoryName(name);
        return progress(Response.noContent(), uploads.status(repository, uploadId(repository, id))).build();
    }

    @DELETE
    @Path(Routes.UPLOAD)
    public Response cancel(@RestPath String name, @RestPath String id) {
        RepositoryName repository = new RepositoryName(name);
        uploads.cancel(repository, uploadId(repository, id));
        return Response.noContent().build();
    }

    /** The request's body, counted against what the caller and its address may send at once. */
    private RequestBodyStream body(HttpServerRequest request) {
        return bodies.open(request, access.callerName(), RegistryAccessFilter.sourceOf(request));
    }

    /** A mount the request names well enough to try; a malformed one falls back to an upload, as the spec asks. */
    private record MountSource(Digest digest, Optional<RepositoryName> from) {
    }

    private static Optional<MountSource> mountable(String mount, String from) {
        try {
            return Optional.of(new MountSource(Digest.parse(mount),
                    from == null || from.isEmpty() ? Optional.empty() : Optional.of(new RepositoryName(from))));
        } catch (InvalidDigestException | RegistryException malformed) {
            return Optional.empty();
        }
    }

    private static DigestAlgorithm algorithm(String requested) {
        if (requested == null) {
            return DigestAlgorithm.SHA256;
        }
        return DigestAlgorithm.fromId(requested).orElseThrow(() -> new RegistryException(OciErrorCode.DIGEST_INVALID,
                "unsupported digest algorithm '" + requested + "'; supported: sha256, sha512"));
    }

    private static UUID uploadId(RepositoryName repository, String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(OciErrorCode.BLOB_UPLOAD_UNKNOWN,
                    "upload " + id + " is not in progress in repository " + repository + "; start a new upload");
        }
    }

    private static Response created(RepositoryName repository, BlobDescriptor blob) {
        return Response.status(Response.Status.CREATED)
                .header(HttpHeaders.LOCATION, "/v2/" + repository.value() + "/blobs/" + blob.digest())
                .header(Routes.DOCKER_CONTENT_DIGEST, blob.digest().toString())
                .header(HttpHeaders.CONTENT_LENGTH, 0)
                .build();
    }

    private static Response.ResponseBuilder progress(Response.ResponseBuilder response, UploadStatus status) {
        return UploadProgress.position(response, status.repository().value(), status.id(), status.size())
                .header(Routes.DOCKER_UPLOAD_UUID, status.id().toString())
                .header(HttpHeaders.CONTENT_LENGTH, 0);
    }
}
