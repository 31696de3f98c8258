package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an image from an OCI image layout (what {@code skopeo copy ... oci:DIR:TAG} writes) and checks
 * that every blob it names is present with the content its digest promises.
 */
public final class OciLayout {

    static final ObjectMapper JSON = new ObjectMapper();

    private OciLayout() {
    }

    /**
     * An image manifest and what it names.
     *
     * @param manifestDigest the digest of the manifest's exact bytes
     * @param manifest the manifest's bytes
     * @param mediaType the manifest's media type, from index.json's descriptor
     * @param configDigest the config's digest
     * @param layerDigests the layers' digests, in order
     * @param diffIds the uncompressed layers' digests, from the config
     */
    public record Image(String manifestDigest, byte[] manifest, String mediaType, String configDigest,
            List<String> layerDigests, List<String> diffIds) {
    }

    /**
     * Reads the image tagged {@code tag} (the {@code org.opencontainers.image.ref.name} annotation) from the
     * layout at {@code dir}, checking the sha256 of the manifest, the config and every layer blob.
     */
    public static Image read(Path dir, String tag) {
        JsonNode index = json(dir.resolve("index.json"));
        JsonNode descriptor = null;
        for (JsonNode candidate : index.path("manifests")) {
            if (tag.equals(candidate.path("annotations").path("org.opencontainers.image.ref.name").asText(null))) {
                descriptor = candidate;
            }
        }
        assertTrue(descriptor != null, "no manifest tagged '" + tag + "' in " + dir.resolve("index.json"));
        String manifestDigest = descriptor.path("digest").asText();
        byte[] manifestBytes = blob(dir, manifestDigest);
        assertEquals(descriptor.path("size").asLong(), manifestBytes.length, "size of the manifest in " + dir);
        JsonNode manifest = parse(manifestBytes);
        String configDigest = manifest.path("config").path("digest").asText();
        JsonNode config = parse(blob(dir, configDigest));
        List<String> layers = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            String digest = layer.path("digest").asText();
            Path file = blobPath(dir, digest);
            assertEquals(layer.path("size").asLong(), size(file), "size of layer " + digest + " in " + dir);
            assertEquals(digest, E2e.digestOf(file), "content of layer " + file);
            layers.add(digest);
        }
        List<String> diffIds = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(id -> diffIds.add(id.asText()));
        return new Image(manifestDigest, manifestBytes, descriptor.path("mediaType").asText(), configDigest,
                List.copyOf(layers), List.copyOf(diffIds));
    }

    /** Parses JSON bytes, such as a manifest or skopeo's output. */
    public static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }

    /** Parses JSON text. */
    public static JsonNode parse(String text) {
        return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] blob(Path dir, String digest) {
        Path file = blobPath(dir, digest);
        try {
            byte[] bytes = Files.readAllBytes(file);
            assertEquals(digest, E2e.digestOf(bytes), "content of blob " + file);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("blob " + digest + " is missing from the layout " + dir, e);
        }
    }

    private static Path blobPath(Path dir, String digest) {
        String[] parts = digest.split(":", 2);
        assertEquals(2, parts.length, "a digest is <algorithm>:<hex>: " + digest);
        return dir.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("missing blob " + file, e);
        }
    }

    private static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
