package io.berth.server.api.v2;

import io.berth.server.domain.ByteRange;
import io.berth.server.domain.RepositoryName;
import io.berth.server.service.BlobDescriptor;
import io.berth.server.service.BlobService;
import io.berth.server.service.RemoteBlob;
import io.berth.server.transfer.RemoteBlobFetcher;
import io.berth.storage.BlobContent;
import io.berth.storage.Digest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.PathPart;

/**
 * {@code /v2/<name>/blobs/<digest>}: blob existence, download (whole or a {@code Range}) and delete.
 * File-backed blobs are sent with {@code sendfile}: their bytes never cross the heap; a blob the store
 * reads around the page cache goes out block by block ({@link io.berth.server.transfer.BlobBlocksWriter}). Blobs in object
 * storage are fetched from a presigned URL on the event loops and passed on ({@link RemoteBlobFetcher}),
 * or, with redirects on, fetched by the client itself.
 */
@Path("/v2")
public class BlobResource {

    private final BlobService blobs;
    private final RemoteBlobFetcher remoteBlobs;

    public BlobResource(BlobService blobs, RemoteBlobFetcher remoteBlobs) {
        this.blobs = blobs;
        this.remoteBlobs = remoteBlobs;
    }

    @HEAD
    @Path(Routes.BLOB)
    public Response exists(@RestPath String name, @RestPath String digest) {
        BlobDescriptor blob = blobs.find(new RepositoryName(name), Digest.parse(digest));
        return described(Response.ok(), blob)
                .header(HttpHeaders.CONTENT_LENGTH, blob.size())
                .build();
    }

    @GET
    @Path(Routes.BLOB)
    @Blocking
    public Uni<Response> download(@RestPath String name, @RestPath String digest,
            @HeaderParam("Range") String range, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        BlobDescriptor blob = blobs.find(new RepositoryName(name), Digest.parse(digest));
        if (Routes.matches(ifNoneMatch, Routes.etag(blob.digest()))) {
            return Uni.createFrom().item(described(Response.notModified(), blob).build());
        }
        Optional<URI> redirect = blobs.redirect(blob);
        if (redirect.isPresent()) {
            // The bytes come from object storage directly; the client sends its Range there.
            return Uni.createFrom().item(described(Response.temporaryRedirect(redirect.get()), blob).build());
        }
        Optional<ByteRange> requested = ByteRange.resolve(range, blob.size());
        Response.ResponseBuilder response = requested
                .map(r -> Response.status(Response.Status.PARTIAL_CONTENT)
                        .header("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + blob.size()))
                .orElseGet(Response::ok);
        described(response, blob);
        Optional<RemoteBlob> remote = blobs.remote(blob, requested);
        if (remote.isPresent()) {
            return remoteBlobs.fetch(remote.get()).map(fetched -> response
                    .header(HttpHeaders.CONTENT_LENGTH, fetched.length())
                    .entity(fetched)
                    .build());
        }
        BlobContent content = blobs.open(blob, requested);
        Object entity = switch (content) {
            case BlobContent.FileRegion file -> new PathPart(file.path(), file.offset(), file.length());
            case BlobContent.Stream stream -> stream.input();
            case BlobContent.Blocks blocks -> blocks;
        };
        return Uni.createFrom().item(response
                .header(HttpHeaders.CONTENT_LENGTH, content.length())
                .entity(entity)
                .build());
    }

    @DELETE
    @Path(Routes.BLOB)
    public Response delete(@RestPath String name, @RestPath String digest) {
        blobs.delete(new RepositoryName(name), Digest.parse(digest));
        return Response.accepted().build();
    }

    private static Response.ResponseBuilder described(Response.ResponseBuilder response, BlobDescriptor blob) {
        return response
                .type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(Routes.DOCKER_CONTENT_DIGEST, blob.digest().toString())
                .header(HttpHeaders.ETAG, Routes.etag(blob.digest()))
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.CACHE_CONTROL, "max-age=31536000");
    }
}
