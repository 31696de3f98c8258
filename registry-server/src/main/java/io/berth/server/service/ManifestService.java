package io.berth.server.service;

import io.berth.metadata.repository.BlobRepository;
import io.berth.metadata.repository.ManifestRepository;
import io.berth.metadata.repository.ReferencingManifests;
import io.berth.metadata.repository.Removal;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.metadata.repository.StoredManifest;
import io.berth.metadata.repository.TagRepository;
import io.berth.server.config.RegistryConfig;
import io.berth.server.domain.Reference;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.ManifestTooLargeException;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.metrics.RegistryMetrics;
import io.berth.server.mirror.MirrorManifests;
import io.berth.server.mirror.MirrorRoute;
import io.berth.server.mirror.MirrorRoutes;
import io.berth.server.service.ParsedManifest.Descriptor;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.UploadInterruptedException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Pushes, serves and deletes manifests and tags. */
@ApplicationScoped
public class ManifestService {

    private static final Logger LOG = Logger.getLogger(ManifestService.class);

    private final ManifestRepository manifests;
    private final TagRepository tags;
    private final BlobRepository blobs;
    private final RepositoryRepository repositories;
    private final ManifestParser parser;
    private final RegistryConfig config;
    private final RegistryMetrics metrics;
    private final ImmutableTags immutableTags;
    private final ReferenceTouches touches;
    private final Quotas quotas;
    private final MirrorRoutes mirrors;
    private final MirrorManifests mirrored;

    public ManifestService(ManifestRepository manifests, TagRepository tags, BlobRepository blobs,
            RepositoryRepository repositories, ManifestParser parser, RegistryConfig config, RegistryMetrics metrics,
            ImmutableTags immutableTags, ReferenceTouches touches, Quotas quotas, MirrorRoutes mirrors,
            MirrorManifests mirrored) {
        this.quotas = quotas;
        this.mirrors = mirrors;
        this.mirrored = mirrored;
        this.immutableTags = immutableTags;
        this.touches = touches;
        this.manifests = manifests;
        this.tags = tags;
        this.blobs = blobs;
        this.repositories = repositories;
        this.parser = parser;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Returns the manifest a reference names, if its media type is one the client accepts (an empty
     * list, or a wildcard, accepts all); the bytes are read only if {@code withContent}. Throws
     * MANIFEST_UNKNOWN when there is none or the client accepts none of its type.
     */
    public ManifestContent find(RepositoryName repository, Reference reference, List<String> accepted, boolean withContent) {
        Optional<MirrorRoute> route = mirrors.route(repository);
        StoredManifest manifest = route.isPresent() ? mirrored.find(route.get(), reference, withContent)
                : findLocal(repository, reference, withContent).orElseThrow(() -> Errors.manifestUnknown(repository, reference));
        if (!acceptable(manifest.mediaType(), accepted)) {
            throw new RegistryException(OciErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " in " + repository
                    + " is a " + manifest.mediaType() + ", which the request's Accept header does not list")
                    .withDetail("mediaType", manifest.mediaType());
        }
        if (withContent) {
            metrics.manifestBytesSent(manifest.size());
            touches.pulled(route.map(MirrorRoute::cache).orElse(repository).value(), manifest.digest());
        }
        return new ManifestContent(Digest.parse(manifest.digest()), manifest.mediaType(), manifest.size(), manifest.content());
    }

    private Optional<StoredManifest> findLocal(RepositoryName repository, Reference reference, boolean withContent) {
        return switch (reference) {
            case Reference.ByDigest(Digest digest) -> manifests.findByDigest(repository.value(), digest.toString(), withContent);
            case Reference.Tag(String tag) -> manifests.findByTag(repository.value(), tag, withContent);
        };
    }

    private static boolean acceptable(String mediaType, List<String> accepted) {
        return accepted.isEmpty() || accepted.contains(mediaType) || accepted.contains("*/*")
                || accepted.contains("application/*");
    }

    /**
     * Stores a manifest under a tag or digest reference, and under the {@code extraTags} as well. Every
     * blob an image manifest references must be in the repository with the size it declares, and every
     * manifest an index lists must be in the repository (unless sparse indexes are allowed); a subject
     * need not exist yet.
     */
    public PushedManifest push(RepositoryName repository, Reference reference, List<Reference.Tag> extraTags,
            String contentType, OptionalLong contentLength, InputStream body, String actor) {
        mirrors.requireWritable(repository, "pushed to");
        byte[] content = readLimited(body, contentLength);
        ParsedManifest parsed = parser.parse(content, contentType);
        DigestAlgorithm algorithm = reference instanceof Reference.ByDigest(Digest claimed)
                ? claimed.algorithm() : DigestAlgorithm.SHA256;
        Digest digest = Digest.of(algorithm, content);
        if (reference instanceof Reference.ByDigest(Digest claimed) && !claimed.equals(digest)) {
            throw new RegistryException(OciErrorCode.DIGEST_INVALID,
                    "the manifest hashes to " + digest + ", not to the digest " + claimed + " it was pushed under")
                    .withDetail("digest", claimed.toString());
        }
        Set<Reference.Tag> tagsToPoint = new LinkedHashSet<>();
        if (reference instanceof Reference.Tag tag) {
            tagsToPoint.add(tag);
        }
        tagsToPoint.addAll(extraTags);

        QuarkusTransaction.requiringNew().run(() -> {
            quotas.requireWithinQuota(repository);
            long repositoryId = repositories.getOrCreate(repository.value());
            checkReferences(repository, repositoryId, parsed);
            long manifestId = manifests.save(parsed.toStore(repositoryId, digest, content));
            for (Reference.Tag tag : tagsToPoint) {
                immutableTags.point(repository, repositoryId, tag.name(), manifestId, digest.toString(), actor);
            }
        });
        metrics.manifestBytesReceived(content.length);
        LOG.infof("Pushed manifest %s (%s) to %s%s", digest, parsed.mediaType(), repository,
                tagsToPoint.isEmpty() ? "" : " as " + tagsToPoint.stream().map(Reference.Tag::name).collect(Collectors.joining(", ")));
        return new PushedManifest(digest, parsed.subject().map(Descriptor::digest), List.copyOf(tagsToPoint));
    }

    private void checkReferences(RepositoryName repository, long repositoryId, ParsedManifest parsed) {
        // Both look-ups lock what they find until the push commits, so no DELETE removes it meanwhile.
        Map<String, Long> linked = blobs.findLinkedSizes(repositoryId, ParsedManifest.digests(parsed.blobs()));
        List<RegistryException> problems = new ArrayList<>();
        for (Descriptor blob : parsed.blobs()) {
            Long size = linked.get(blob.digest().toString());
            if (size == null) {
                problems.add(new RegistryException(OciErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "the manifest references blob " + blob.digest() + ", which is not in repository " + repository
                                + "; push the blob first").withDetail("digest", blob.digest().toString()));
            } else if (size != blob.size()) {
                problems.add(new RegistryException(OciErrorCode.MANIFEST_INVALID, "the manifest declares "
                        + blob.size() + " bytes for blob " + blob.digest() + ", which has " + size)
                        .withDetail("digest", blob.digest().toString()));
            }
        }
        Set<String> children = config.manifest().sparseIndexes() ? Set.of() : ParsedManifest.digests(parsed.children());
        for (String child : manifests.findMissing(repositoryId, children)) {
            problems.add(new RegistryException(OciErrorCode.MANIFEST_BLOB_UNKNOWN, "the index references manifest "
                    + child + ", which is not in repository " + repository + "; push it first")
                    .withDetail("digest", child));
        }
        if (!problems.isEmpty()) {
            RegistryException first = problems.get(0);
            problems.subList(1, problems.size()).forEach(first::and);
            throw first;
        }
    }

    private byte[] readLimited(InputStream body, OptionalLong contentLength) {
        long max = config.manifest().maxSize().asLongValue();
        if (contentLength.isPresent() && contentLength.getAsLong() > max) {
            throw tooLarge(max);
        }
        try {
            byte[] content = body.readNBytes((int) max + 1);
            if (content.length > max) {
                throw tooLarge(max);
            }
            return content;
        } catch (IOException e) {
            throw new UploadInterruptedException(e);
        }
    }

    private static RegistryException tooLarge(long max) {
        return new ManifestTooLargeException(max);
    }

    /**
     * Deletes by digest the manifest (and every tag pointing at it), or by tag only the tag. Throws
     * MANIFEST_UNKNOWN if there is no such manifest or tag, and DENIED while an index of the repository
     * lists the manifest; its referrers (manifests whose subject it is) do not keep it.
     */
    public void delete(RepositoryName repository, Reference reference, String actor) {
        Removal removal = QuarkusTransaction.requiringNew().call(() -> {
            Optional<Long> repositoryId = repositories.findIdByName(repository.value());
            if (repositoryId.isEmpty()) {
                return new Removal.Absent();
            }
            return switch (reference) {
                case Reference.ByDigest(Digest digest) -> deleteManifest(repository, repositoryId.get(), digest, actor);
                case Reference.Tag(String tag) -> {
                    // A tag that is not there is unknown, whatever rule its name would match.
                    if (tags.currentDigest(repositoryId.get(), tag).isEmpty()) {
                        yield new Removal.Absent();
                    }
                    immutableTags.requireMutable(repository, tag, "deleted");
                    yield tags.remove(repositoryId.get(), tag, actor) ? new Removal.Removed() : new Removal.Absent();
                }
            };
        });
        switch (removal) {
            case Removal.Removed removed -> LOG.infof("Deleted %s %s from %s",
                    reference instanceof Reference.Tag ? "tag" : "manifest", reference, repository);
            case Removal.Absent absent -> throw Errors.manifestUnknown(repository, reference);
            case Removal.Refused(ReferencingManifests by) -> throw Errors.manifestStillListed(repository, reference, by);
        }
    }

    /** Deletes a manifest and the tags on it, unless one of those is immutable; records the tags' end. */
    private Removal deleteManifest(RepositoryName repository, long repositoryId, Digest digest, String actor) {
        Optional<Long> id = manifests.lockId(repositoryId, digest.toString());
        if (id.isEmpty()) {
            return new Removal.Absent();
        }
        List<String> tagged = tags.namesOf(id.get());
        tagged.forEach(tag -> immutableTags.requireMutable(repository, tag, "deleted (with the manifest " + digest + ")"));
        Removal removal = manifests.deleteUnlessListed(repositoryId, digest.toString());
        if (removal instanceof Removal.Removed) {
            tags.recordRemovals(repositoryId, tagged, digest.toString(), actor);
        }
        return removal;
    }
}
