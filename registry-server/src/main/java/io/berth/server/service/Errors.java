package io.berth.server.service;

import io.berth.metadata.repository.ReferencingManifests;
import io.berth.server.domain.Reference;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.error.StillReferencedException;
import io.berth.storage.Digest;
import java.util.UUID;

/** The refusals services share, each with a message that says what was not found where. */
final class Errors {

    private Errors() {
    }

    static RegistryException blobUnknown(RepositoryName repository, Digest digest) {
        return new RegistryException(OciErrorCode.BLOB_UNKNOWN,
                "blob " + digest + " is not in repository " + repository).withDetail("digest", digest.toString());
    }

    static RegistryException manifestUnknown(RepositoryName repository, Reference reference) {
        return new RegistryException(OciErrorCode.MANIFEST_UNKNOWN,
                "manifest " + reference + " is not in repository " + repository)
                .withDetail(reference instanceof Reference.Tag ? "tag" : "digest", reference.toString());
    }

    static RegistryException uploadUnknown(RepositoryName repository, UUID id) {
        return new RegistryException(OciErrorCode.BLOB_UPLOAD_UNKNOWN,
                "upload " + id + " is not in progress in repository " + repository + "; start a new upload");
    }

    static RegistryException nameUnknown(RepositoryName repository) {
        return new RegistryException(OciErrorCode.NAME_UNKNOWN, "repository " + repository + " is not known to the registry")
                .withDetail("name", repository.value());
    }

    /** A blob that manifests of the repository still use: the first of them is named, and how many there are. */
    static RegistryException blobStillReferenced(RepositoryName repository, Digest digest, ReferencingManifests by) {
        String use = by.firstUses() == ReferencingManifests.Use.CONFIG ? "the config" : "a layer";
        String message = "blob " + digest + " is " + use + " of manifest " + by.first() + " in repository " + repository
                + (by.count() > 1 ? ", one of " + by.count() + " manifests there that reference it" : "")
                + "; delete " + (by.count() > 1 ? "those manifests" : "that manifest")
                + " by digest first (deleting a tag leaves the manifest), then the blob";
        return stillReferenced(StillReferencedException.Content.BLOB, message, digest.toString(), by);
    }

    /** A manifest that indexes of the repository still list: the first of them is named, and how many there are. */
    static RegistryException manifestStillListed(RepositoryName repository, Reference manifest,
            ReferencingManifests by) {
        String message = "manifest " + manifest + " is listed by index " + by.first() + " in repository " + repository
                + (by.count() > 1 ? ", one of " + by.count() + " indexes there that list it" : "")
                + "; delete " + (by.count() > 1 ? "those indexes" : "that index")
                + " by digest first (deleting a tag leaves the index), then the manifest";
        return stillReferenced(StillReferencedException.Content.MANIFEST, message, manifest.toString(), by);
    }

    private static RegistryException stillReferenced(StillReferencedException.Content content, String message,
            String digest, ReferencingManifests by) {
        return new StillReferencedException(content, message)
                .withDetail("digest", digest)
                .withDetail("referencedBy", by.first())
                .withDetail("referencingManifests", by.count());
    }
}
