package io.berth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Content for the tests, built from bytes and never written down by hand: random blobs, their
 * digests, descriptors, and image manifests, indexes and artifact manifests as JSON. Nothing here
 * talks to the server; {@link RegistryClient} does.
 */
public final class OciContent {

    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciContent() {
    }

    /** Bytes and their sha256 digest. */
    public record Blob(byte[] bytes, String digest) {

        public int size() {
            return bytes.length;
        }

        /** Returns a descriptor of this blob with the given media type. */
        public ObjectNode descriptor(String mediaType) {
            return OciContent.descriptor(mediaType, digest, bytes.length);
        }
    }

    /** A manifest's exact bytes, the media type it is pushed with, and its sha256 digest. */
    public record Manifest(String mediaType, byte[] bytes) {

        public String digest() {
            return sha256(bytes);
        }

        public int size() {
            return bytes.length;
        }

        /** Returns a descriptor of this manifest, as an index or a subject field holds it. */
        public ObjectNode descriptor() {
            return OciContent.descriptor(mediaType, digest(), bytes.length);
        }
    }

    /** Returns {@code size} random bytes with their sha256 digest. */
    public static Blob randomBlob(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return blob(bytes);
    }

    /** Returns the given bytes with their sha256 digest. */
    public static Blob blob(byte[] bytes) {
        return new Blob(bytes, sha256(bytes));
    }

    /** Returns the 2-byte {@code {}} blob that artifact manifests use as their empty config. */
    public static Blob emptyJsonBlob() {
        return blob("{}".getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        return digest("sha256", "SHA-256", bytes);
    }

    public static String sha512(byte[] bytes) {
        return digest("sha512", "SHA-512", bytes);
    }

    private static String digest(String id, String algorithm, byte[] bytes) {
        try {
            return id + ":" + HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    /** Returns a content descriptor. */
    public static ObjectNode descriptor(String mediaType, String digest, long size) {
        ObjectNode descriptor = JSON.createObjectNode();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest);
        descriptor.put("size", size);
        return descriptor;
    }

    /** Returns an image manifest of the given media type (Docker schema 2 or OCI) with a config and layers. */
    public static ObjectNode imageManifest(String mediaType, ObjectNode config, ObjectNode... layers) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", mediaType);
        manifest.set("config", config);
        ArrayNode array = manifest.putArray("layers");
        for (ObjectNode layer : layers) {
            array.add(layer);
        }
        return manifest;
    }

    /**
     * Returns an OCI artifact manifest: the given artifact type, the empty config of
     * {@link #emptyJsonBlob()}, and the given layers.
     */
    public static ObjectNode artifactManifest(String artifactType, ObjectNode... layers) {
        ObjectNode manifest = imageManifest(OCI_MANIFEST, emptyJsonBlob().descriptor(OCI_EMPTY), layers);
        manifest.put("artifactType", artifactType);
        return manifest;
    }

    /** Returns an index of the given media type (Docker manifest list or OCI index) listing the manifests. */
    public static ObjectNode index(String mediaType, Manifest... manifests) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType);
        ArrayNode array = index.putArray("manifests");
        for (Manifest manifest : manifests) {
            ObjectNode descriptor = manifest.descriptor();
            descriptor.putObject("platform").put("architecture", "amd64").put("os", "linux");
            array.add(descriptor);
        }
        return index;
    }

    /** Sets the {@code subject} of a manifest and returns it. */
    public static ObjectNode withSubject(ObjectNode manifest, Manifest subject) {
        manifest.set("subject", subject.descriptor());
        return manifest;
    }

    /** Sets the {@code annotations} of a manifest and returns it. */
    public static ObjectNode withAnnotations(ObjectNode manifest, Map<String, String> annotations) {
        ObjectNode object = manifest.putObject("annotations");
        annotations.forEach(object::put);
        return manifest;
    }

    /** Serialises the JSON as the manifest pushed with its own {@code mediaType}. */
    public static Manifest manifest(ObjectNode json) {
        return manifest(json.path("mediaType").asText(OCI_MANIFEST), json);
    }

    /** Serialises the JSON as a manifest pushed with the given media type. */
    public static Manifest manifest(String mediaType, ObjectNode json) {
        return new Manifest(mediaType, bytes(json));
    }

    /** Returns the JSON's compact UTF-8 bytes. */
    public static byte[] bytes(ObjectNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
