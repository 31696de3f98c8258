package io.berth.server.mirror;

import io.berth.server.api.OciContent;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.testing.DistributionRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** Pushes test content straight into an upstream registry, as its own clients would. */
final class UpstreamPush {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final DistributionRegistry registry;
    private final Optional<String> authorization;

    UpstreamPush(DistributionRegistry registry, Optional<String> authorization) {
        this.registry = registry;
        this.authorization = authorization;
    }

    /** An image of one config and the given layers, pushed under {@code tag}. */
    Manifest image(String repository, String tag, Blob... layers) {
        Blob config = OciContent.blob(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"" + System.nanoTime() + "\"}").getBytes());
        blob(repository, config);
        var descriptors = new com.fasterxml.jackson.databind.node.ObjectNode[layers.length];
        for (int i = 0; i < layers.length; i++) {
            blob(repository, layers[i]);
            descriptors[i] = layers[i].descriptor(OciContent.OCI_LAYER);
        }
        Manifest manifest = OciContent.manifest(OciContent.imageManifest(OciContent.OCI_MANIFEST,
                config.descriptor(OciContent.OCI_CONFIG), descriptors));
        manifest(repository, tag, manifest);
        return manifest;
    }

    void blob(String repository, Blob blob) {
        HttpResponse<String> started = send(request("/v2/" + repository + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()));
        expect(202, started);
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(registry.url()).resolve(location);
        String put = upload + (upload.getQuery() == null ? "?" : "&") + "digest=" + blob.digest();
        expect(201, send(authorized(HttpRequest.newBuilder(URI.create(put)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.bytes()))));
    }

    void manifest(String repository, String reference, Manifest manifest) {
        expect(201, send(request("/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes()))));
    }

    private HttpRequest.Builder request(String path) {
        return authorized(HttpRequest.newBuilder(URI.create(registry.url() + path)));
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        authorization.ifPresent(value -> request.header("Authorization", value));
        return request;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("the upstream failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new AssertionError(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ", not " + status + ": " + response.body());
        }
    }
}
