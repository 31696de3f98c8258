package io.berth.server.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.metadata.repository.ManifestRepository;
import io.berth.metadata.repository.ReferrerRow;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.domain.RepositoryName;
import io.berth.storage.Digest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Answers the referrers API: the manifests whose {@code subject} is a given manifest. */
@ApplicationScoped
public class ReferrerService {

    private static final TypeReference<Map<String, String>> ANNOTATIONS = new TypeReference<>() {
    };

    private final ManifestRepository manifests;
    private final RepositoryRepository repositories;
    private final ObjectMapper json;

    public ReferrerService(ManifestRepository manifests, RepositoryRepository repositories, ObjectMapper json) {
        this.manifests = manifests;
        this.repositories = repositories;
        this.json = json;
    }

    /** A referrer as the index of the referrers API describes it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Referrer(String mediaType, String digest, long size, String artifactType, Map<String, String> annotations) {
    }

    /**
     * Lists the referrers of {@code subject} in the repository, optionally of one artifact type only. An
     * unknown repository or subject has no referrers (never a 404, as the spec requires).
     */
    public List<Referrer> list(RepositoryName repository, Digest subject, Optional<String> artifactType) {
        return repositories.findIdByName(repository.value())
                .map(id -> manifests.findReferrers(id, subject.toString(), artifactType))
                .orElse(List.of())
                .stream()
                .map(this::toReferrer)
                .toList();
    }

    private Referrer toReferrer(ReferrerRow row) {
        return new Referrer(row.mediaType(), row.digest(), row.size(), row.artifactType(), annotations(row.annotations()));
    }

    private Map<String, String> annotations(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return json.readValue(stored, ANNOTATIONS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored annotations are not a JSON object of strings: " + stored, e);
        }
    }
}
