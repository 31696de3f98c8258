package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the engine tests ask Berth over plain HTTP, as its administrator (HTTP Basic on {@code /v2}), to check
 * what a client left there, plus a guard that a test left no process behind.
 */
final class BerthHttp {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** Every manifest type the tests accept, for a GET that must not be refused for its Accept header. */
    static final String ANY_MANIFEST = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

    private BerthHttp() {
    }

    /** Sends {@code GET path} as the administrator and returns the answer. */
    static HttpResponse<byte[]> get(BerthServer server, String path, String accept) {
        return send(server, HttpRequest.newBuilder(URI.create(server.baseUri() + path)).header("Accept", accept).GET());
    }

    /** Sends {@code HEAD path} as the administrator and returns the status. */
    static int head(BerthServer server, String path) {
        return send(server, HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("Accept", ANY_MANIFEST)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode();
    }

    /** Returns the manifest {@code repository:reference} as Berth serves it; fails unless it answers 200. */
    static HttpResponse<byte[]> manifest(BerthServer server, String repository, String reference) {
        HttpResponse<byte[]> answer = get(server, "/v2/" + repository + "/manifests/" + reference, ANY_MANIFEST);
        assertEquals(200, answer.statusCode(), () -> "GET /v2/" + repository + "/manifests/" + reference + " answered "
                + answer.statusCode() + ": " + new String(answer.body(), StandardCharsets.UTF_8));
        return answer;
    }

    /** Returns a blob's bytes, checked against its digest; fails unless Berth answers 200. */
    static byte[] blob(BerthServer server, String repository, String digest) {
        HttpResponse<byte[]> answer = get(server, "/v2/" + repository + "/blobs/" + digest, "*/*");
        assertEquals(200, answer.statusCode(), () -> "GET /v2/" + repository + "/blobs/" + digest + " answered "
                + answer.statusCode());
        assertEquals(digest, E2e.digestOf(answer.body()), "the blob's content matches its digest");
        return answer.body();
    }

    /** Returns the tags of {@code repository} ({@code GET /v2/<name>/tags/list}), or an empty list when it has none. */
    static List<String> tags(BerthServer server, String repository) {
        HttpResponse<byte[]> answer = get(server, "/v2/" + repository + "/tags/list", "application/json");
        if (answer.statusCode() == 404) {
            return List.of();
        }
        assertEquals(200, answer.statusCode(), () -> new String(answer.body(), StandardCharsets.UTF_8));
        return strings(OciLayout.parse(answer.body()).path("tags"));
    }

    /** Returns the text values of a JSON array (an empty list for a missing or null node). */
    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    /** Returns one field's text values of the objects in a JSON array. */
    static List<String> strings(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.path(field).asText()));
        return values;
    }

    /** Returns the header's value, or null. */
    static String header(HttpResponse<?> answer, String name) {
        return answer.headers().firstValue(name).orElse(null);
    }

    /**
     * Fails the test if any process other than this JVM still names one of {@code folders} in its command line
     * (an engine, a container's conmon or shim the test started), after stopping each of them by its PID.
     */
    static void assertNothingLeftRunning(Path... folders) {
        long self = ProcessHandle.current().pid();
        List<String> left = new ArrayList<>();
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .forEach(p -> {
                    String commandLine = p.info().commandLine().orElse("");
                    for (Path folder : folders) {
                        if (commandLine.contains(folder.toString())) {
                            left.add(p.pid() + ": " + commandLine);
                            p.destroyForcibly();
                            break;
                        }
                    }
                });
        if (!left.isEmpty()) {
            fail("processes left running by the test (now killed by PID):\n" + String.join("\n", left));
        }
    }

    private static HttpResponse<byte[]> send(BerthServer server, HttpRequest.Builder request) {
        HttpRequest authorized = request.header("Authorization", server.adminAuthorization())
                .timeout(Duration.ofSeconds(60))
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(authorized, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
