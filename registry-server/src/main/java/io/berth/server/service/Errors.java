package io.berth.server.service;

import io.berth.server.domain.Reference;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
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
}
