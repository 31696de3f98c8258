package io.berth.server.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.metadata.repository.StoredManifest;
import io.berth.server.domain.Reference;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.service.ManifestParser;
import io.berth.server.service.ParsedManifest;
import io.berth.storage.Digest;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Caches an image ahead of need, for example before a cluster goes offline: its manifest (an index
 * and the platforms asked for, or all of them) and every config and layer, through the same fetches
 * pulls use, so a prefetch and a pull of the same blob still fetch it once.
 */
@ApplicationScoped
public class MirrorPrefetch {

    private static final Logger LOG = Logger.getLogger(MirrorPrefetch.class);

    private final MirrorRoutes routes;
    private final MirrorManifests manifests;
    private final MirrorBlobs blobs;
    private final ManifestParser parser;
    private final ObjectMapper json;

    public MirrorPrefetch(MirrorRoutes routes, MirrorManifests manifests, MirrorBlobs blobs, ManifestParser parser,
            ObjectMapper json) {
        this.routes = routes;
        this.manifests = manifests;
        this.blobs = blobs;
        this.parser = parser;
        this.json = json;
    }

    /** What a prefetch cached: the manifests and blobs it made sure of, and the bytes it fetched for them. */
    public record Prefetched(String repository, String digest, int manifests, int blobs, long fetchedBytes) {
    }

    /**
     * Caches {@code image} ({@code library/busybox:1.36}, {@code library/busybox@sha256:...}; the tag
     * defaults to {@code latest}) of the upstream, for the {@code platforms} given ({@code linux/amd64},
     * {@code linux/arm64/v8}), or every platform when none is.
     */
    public Prefetched prefetch(String upstreamId, String image, List<String> platforms) {
        Upstream upstream = routes.upstream(upstreamId).orElseThrow(() -> new RegistryException(OciErrorCode.NAME_UNKNOWN,
                "no upstream " + upstreamId + " is configured (berth.mirror.upstreams.<id>)"));
        ImageReference reference = ImageReference.parse(image);
        MirrorRoute route = routes.route(new RepositoryName(upstream.namespace() + "/" + reference.name())).orElseThrow();
        StoredManifest top = manifests.find(route, reference.reference(), true);
        List<StoredManifest> images = new ArrayList<>();
        int manifestCount = 1;
        ParsedManifest parsed = parser.parse(top.content(), top.mediaType());
        if (parsed.children().isEmpty()) {
            images.add(top);
        } else {
            for (Digest child : childrenFor(top, platforms)) {
                images.add(manifests.find(route, new Reference.ByDigest(child), true));
                manifestCount++;
            }
        }
        Set<Digest> digests = new LinkedHashSet<>();
        for (StoredManifest manifest : images) {
            parser.parse(manifest.content(), manifest.mediaType()).blobs().forEach(blob -> digests.add(blob.digest()));
        }
        long fetched = 0;
        for (Digest digest : digests) {
            fetched += cache(route, digest);
        }
        LOG.infof("Prefetched %s of upstream %s into %s: %d manifests, %d blobs, %d bytes fetched", image, upstreamId,
                route.cache(), manifestCount, digests.size(), fetched);
        return new Prefetched(route.cache().value(), top.digest(), manifestCount, digests.size(), fetched);
    }

    /** Caches a blob; returns how many bytes this prefetch read from a fetch (0 if it was cached already). */
    private long cache(MirrorRoute route, Digest digest) {
        if (!(blobs.pull(route, digest) instanceof MirrorBlobs.Pull.Streaming streaming)) {
            return 0;
        }
        try (InputStream body = streaming.open(0, streaming.length().orElse(Long.MAX_VALUE)).orElse(InputStream.nullInputStream())) {
            return body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new RegistryException(OciErrorCode.UNAVAILABLE, "prefetching " + digest + " of " + route.cache()
                    + " failed: " + e.getMessage());
        }
    }

    private List<Digest> childrenFor(StoredManifest index, List<String> platforms) {
        List<Digest> children = new ArrayList<>();
        try {
            for (JsonNode entry : json.readTree(index.content()).path("manifests")) {
                JsonNode platform = entry.path("platform");
                String name = platform.path("os").asText() + "/" + platform.path("architecture").asText()
                        + (platform.hasNonNull("variant") ? "/" + platform.path("variant").asText() : "");
                boolean wanted = platforms.isEmpty() || platforms.stream().anyMatch(asked -> name.equals(asked)
                        || name.startsWith(asked + "/"));
                if (wanted) {
                    children.add(Digest.parse(entry.path("digest").asText()));
                }
            }
        } catch (IOException e) {
            throw new RegistryException(OciErrorCode.MANIFEST_INVALID, "the cached index " + index.digest()
                    + " cannot be read: " + e.getMessage());
        }
        if (children.isEmpty()) {
            throw new RegistryException(OciErrorCode.MANIFEST_UNKNOWN, "the index " + index.digest()
                    + " lists none of the platforms " + platforms);
        }
        return children;
    }

    /** An image reference without a registry: {@code name[:tag]} or {@code name@digest}. */
    record ImageReference(String name, Reference reference) {

        static ImageReference parse(String image) {
            if (image == null || image.isBlank()) {
                throw new RegistryException(OciErrorCode.NAME_INVALID, "name the image to prefetch, such as library/busybox:1.36");
            }
            int at = image.indexOf('@');
            if (at >= 0) {
                return new ImageReference(new RepositoryName(image.substring(0, at)).value(), Reference.parse(image.substring(at + 1)));
            }
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                return new ImageReference(new RepositoryName(image.substring(0, colon)).value(), Reference.tag(image.substring(colon + 1)));
            }
            return new ImageReference(new RepositoryName(image).value(), Reference.tag("latest"));
        }
    }
}
