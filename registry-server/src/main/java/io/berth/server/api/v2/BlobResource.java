package io.berth.server.api.v2;

import io.berth.server.domain.ByteRange;
import io.berth.server.domain.RepositoryName;
import io.berth.server.service.BlobDescriptor;
import io.berth.server.service.BlobService;
import io.berth.server.service.BlobSource;
import io.berth.server.transfer.GrowingBody;
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
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.PathPart;

/**
 * {@code /v2/<name>/blobs/<digest>}: blob existence, download (whole or a {@code Range}) and delete.
 * Where a download's bytes come from is the service's one decision ({@link BlobSource}).
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
        Digest asked = Digest.parse(digest);
        BlobSource source = blobs.locate(new RepositoryName(name), asked, Optional.ofNullable(range),
                Routes.matches(ifNoneMatch, Routes.etag(asked)));
        return switch (source) {
            case BlobSource.Unchanged unchanged -> answer(described(Response.notModified(), asked));
            case BlobSource.Redirect redirect -> answer(described(Response.temporaryRedirect(redirect.uri()), asked));
            case BlobSource.Remote remote -> remoteBlobs.fetch(remote.remote()).map(fetched ->
                    ranged(remote.range(), remote.blob().size(), asked)
                            .header(HttpHeaders.CONTENT_LENGTH, fetched.length())
                            .entity(fetched)
                            .build());
            case BlobSource.Local local -> {
                BlobContent content = local.content();
                Object entity = switch (content) {
                    case BlobContent.FileRegion file -> new PathPart(file.path(), file.offset(), file.length());
                    case BlobContent.Stream stream -> stream.input();
                    case BlobContent.Blocks blocks -> blocks;
                };
                yield answer(ranged(local.range(), local.blob().size(), asked)
                        .header(HttpHeaders.CONTENT_LENGTH, content.length())
                        .entity(entity));
            }
            case BlobSource.Upstream upstream -> {
                // The bytes arrive as the upstream sends them; if it breaks off, the connection is reset.
                Response.ResponseBuilder response = upstream.size().isPresent()
                        ? ranged(upstream.range(), upstream.size().getAsLong(), asked)
                        : described(Response.ok(), asked);
                OptionalLong length = upstream.range().map(r -> OptionalLong.of(r.length())).orElse(upstream.size());
                yield answer(response.entity(new GrowingBody(upstream.body(), length)));
            }
        };
    }

    @DELETE
    @Path(Routes.BLOB)
    public Response delete(@RestPath String name, @RestPath String digest) {
        blobs.delete(new RepositoryName(name), Digest.parse(digest));
        return Response.accepted().build();
    }

    private static Uni<Response> answer(Response.ResponseBuilder response) {
        return Uni.createFrom().item(response.build());
    }

    /** 206 with its Content-Range for a range, 200 for the whole blob. */
    private static Response.ResponseBuilder ranged(Optional<ByteRange> range, long size, Digest digest) {
        Response.ResponseBuilder response = range
                .map(r -> Response.status(Response.Status.PARTIAL_CONTENT)
                        .header("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size))
                .orElseGet(Response::ok);
        return described(response, digest);
    }

    private static Response.ResponseBuilder described(Response.ResponseBuilder response, BlobDescriptor blob) {
        return described(response, blob.digest());
    }

    private static Response.ResponseBuilder described(Response.ResponseBuilder response, Digest digest) {
        return response
                .type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(Routes.DOCKER_CONTENT_DIGEST, digest.toString())
                .header(HttpHeaders.ETAG, Routes.etag(digest))
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.CACHE_CONTROL, "max-age=31536000");
    }
}
