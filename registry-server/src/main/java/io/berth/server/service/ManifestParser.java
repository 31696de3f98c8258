package io.berth.server.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.domain.MediaTypes;
import io.berth.server.domain.TextInput;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.service.ParsedManifest.Descriptor;
import io.berth.storage.Digest;
import io.berth.storage.InvalidDigestException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a pushed manifest against the Docker schema 2 and OCI image specs and extracts its
 * references. Refuses Docker schema 1, unknown media types, a {@code Content-Type} that contradicts
 * the manifest's own {@code mediaType}, and malformed descriptors, each with MANIFEST_INVALID and a
 * message that names the problem.
 */
@ApplicationScoped
public class ManifestParser {

    /** Content types that say nothing about the manifest format, sent by generic clients. */
    private static final Set<String> GENERIC_TYPES = Set.of("", "application/json", "application/octet-stream", "*/*");

    private final ObjectMapper json;

    public ManifestParser(ObjectMapper json) {
        this.json = json;
    }

    /** Parses and checks a manifest sent with the given {@code Content-Type}. */
    public ParsedManifest parse(byte[] content, String contentType) {
        // JSON is UTF-8 (RFC 8259), and Jackson lets some invalid sequences through (an overlong C0 AF is '/').
        if (TextInput.utf8(content).isEmpty()) {
            throw invalid("the manifest is not UTF-8");
        }
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (JsonProcessingException e) {
            throw invalid("the manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("the manifest cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("the manifest must be a JSON object");
        }
        String declared = optionalText(root, "mediaType");
        String header = MediaTypes.essence(contentType);
        JsonNode schemaVersion = root.get("schemaVersion");
        if (MediaTypes.DOCKER_SCHEMA1.contains(header) || (declared != null && MediaTypes.DOCKER_SCHEMA1.contains(declared))
                || (schemaVersion != null && schemaVersion.isInt() && schemaVersion.intValue() == 1)) {
            throw invalid("Docker schema 1 manifests are not supported: push with a current client (Docker 1.10 or "
                    + "later, Podman, Buildah, Skopeo), or convert the image with 'skopeo copy --format v2s2'");
        }
        if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
            throw invalid("the manifest's schemaVersion must be 2");
        }
        if (declared != null && !GENERIC_TYPES.contains(header) && !declared.equals(header)) {
            throw invalid("the Content-Type '" + header + "' does not match the manifest's mediaType '" + declared + "'");
        }
        String mediaType = declared != null ? declared
                : !GENERIC_TYPES.contains(header) ? header
                : root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;

        Optional<Descriptor> subject = root.has("subject") ? Optional.of(descriptor(root.get("subject"), "subject"))
                : Optional.empty();
        Optional<String> artifactType = Optional.ofNullable(mediaTypeText(optionalText(root, "artifactType"), "artifactType"));
        Optional<String> annotations = annotations(root);

        if (MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
            if (!root.has("config")) {
                throw invalid("an image manifest needs a config descriptor");
            }
            Descriptor config = descriptor(root.get("config"), "config");
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(config);
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray()) {
                throw invalid("an image manifest needs a layers array");
            }
            for (int i = 0; i < layers.size(); i++) {
                JsonNode layer = layers.get(i);
                Descriptor descriptor = descriptor(layer, "layers[" + i + "]");
                boolean foreign = layer.has("urls") && layer.get("urls").isArray() && !layer.get("urls").isEmpty();
                if (!foreign) {
                    blobs.add(descriptor);
                }
            }
            return new ParsedManifest(mediaType, Optional.of(config), blobs, List.of(), subject,
                    artifactType.or(() -> Optional.of(config.mediaType())), annotations);
        }
        if (MediaTypes.INDEXES.contains(mediaType)) {
            JsonNode manifests = root.get("manifests");
            if (manifests == null || !manifests.isArray()) {
                throw invalid("an index needs a manifests array");
            }
            List<Descriptor> children = new ArrayList<>();
            for (int i = 0; i < manifests.size(); i++) {
                children.add(descriptor(manifests.get(i), "manifests[" + i + "]"));
            }
            return new ParsedManifest(mediaType, Optional.empty(), List.of(), children, subject, artifactType, annotations);
        }
        throw invalid("unsupported manifest media type '" + mediaType + "'; Berth stores " + MediaTypes.DOCKER_MANIFEST
                + ", " + MediaTypes.DOCKER_MANIFEST_LIST + ", " + MediaTypes.OCI_MANIFEST + " and " + MediaTypes.OCI_INDEX);
    }

    private Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be a descriptor object");
        }
        String mediaType = mediaTypeText(optionalText(node, "mediaType"), where + ".mediaType");
        if (mediaType == null || mediaType.isBlank()) {
            throw invalid(where + " has no mediaType");
        }
        String digest = optionalText(node, "digest");
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw invalid(where + " needs a non-negative integer size");
        }
        try {
            return new Descriptor(mediaType, Digest.parse(digest), size.longValue());
        } catch (InvalidDigestException e) {
            throw invalid(where + " has an " + e.getMessage());
        }
    }

    private Optional<String> annotations(JsonNode root) {
        JsonNode annotations = root.get("annotations");
        if (annotations == null || annotations.isNull()) {
            return Optional.empty();
        }
        if (!annotations.isObject()) {
            throw invalid("annotations must be an object of strings");
        }
        annotations.properties().forEach(entry -> {
            if (!entry.getValue().isTextual()) {
                throw invalid("annotation '" + entry.getKey() + "' must have a string value");
            }
        });
        try {
            return Optional.of(json.writeValueAsString(annotations));
        } catch (JsonProcessingException e) {
            throw invalid("annotations cannot be read: " + e.getOriginalMessage());
        }
    }

    private String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid("'" + field + "' must be a string");
        }
        return value.textValue();
    }

    /**
     * Returns a media type or artifact type as it will be stored, refusing one the {@code varchar(255)}
     * columns cannot hold (too long, a NUL character, a lone surrogate); a config's media type becomes
     * the manifest's artifact type, so every descriptor's is held to the same limit.
     */
    private static String mediaTypeText(String value, String field) {
        TextInput.problem(value, TextInput.COLUMN_LENGTH).ifPresent(problem -> {
            throw invalid(field + " " + problem);
        });
        if (value != null && !MEDIA_TYPE.matcher(value).matches()) {
            throw invalid(field + " '" + value.replaceAll("[^\\x20-\\x7e]", "?") + "' is not a media type (RFC 6838: "
                    + "type/subtype of letters, digits and !#$&^_.+-, then optional ;parameters, all printable ASCII)");
        }
        return value;
    }

    /** RFC 6838's restricted names for type and subtype; parameters, if any, in printable ASCII. */
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\\s*;[\\x20-\\x7e]*)?");

    private static RegistryException invalid(String message) {
        return new RegistryException(OciErrorCode.MANIFEST_INVALID, message);
    }
}
