package io.berth.server.api;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.berth.server.testing.TestAccounts;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.HeaderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talks to the registry under test: requests that send exactly what the test says, the URLs of the
 * API, pushes of blobs and manifests that assert their success, and the check of an error body.
 */
public final class RegistryClient {

    /** Distinguishes this JVM's repositories from those of any earlier run against the same database. */
    private static final String RUN = HexFormat.of().formatHex(new byte[] {
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    private static final AtomicInteger NEXT = new AtomicInteger();

    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");

    /**
     * No charset is added to the Content-Type (a manifest's media type is sent as given), several
     * Accept headers are sent as several headers, and URLs are sent as written.
     */
    private static final RestAssuredConfig CONFIG = RestAssured.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false))
            .headerConfig(HeaderConfig.headerConfig().mergeHeadersWithName("Accept"));

    private RegistryClient() {
    }

    /** Returns a repository name no other test uses, such as {@code blob-1a2b3c-7}. */
    public static String repository(String purpose) {
        return purpose + "-" + RUN + "-" + NEXT.incrementAndGet();
    }

    /**
     * Starts a request as the administrator (HTTP Basic: authentication is on, and these suites test the
     * API, not permissions); the URL is sent as written, so query values must go through {@link #query}.
     */
    public static RequestSpecification request() {
        return anonymous().header("Authorization", TestAccounts.adminAuthorization());
    }

    /** Starts a request without credentials. */
    public static RequestSpecification anonymous() {
        return RestAssured.given().config(CONFIG).urlEncodingEnabled(false);
    }

    public static String blobPath(String repository, String digest) {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    public static String uploadsPath(String repository) {
        return "/v2/" + repository + "/blobs/uploads/";
    }

    public static String manifestPath(String repository, String reference) {
        return "/v2/" + repository + "/manifests/" + reference;
    }

    public static String tagsPath(String repository) {
        return "/v2/" + repository + "/tags/list";
    }

    public static String referrersPath(String repository, String digest) {
        return "/v2/" + repository + "/referrers/" + digest;
    }

    /** Appends query parameters, given as name, value, name, value..., with the values URL-encoded. */
    public static String query(String path, String... namesAndValues) {
        StringBuilder url = new StringBuilder(path);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            url.append(i == 0 && path.indexOf('?') < 0 ? '?' : '&')
                    .append(namesAndValues[i]).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return url.toString();
    }

    /** Pushes a blob in one request ({@code POST ...?digest=}) and asserts it was created. */
    public static Blob pushBlob(String repository, Blob blob) {
        request().contentType("application/octet-stream").body(blob.bytes())
                .post(query(uploadsPath(repository), "digest", blob.digest()))
                .then().statusCode(201)
                .header("Docker-Content-Digest", blob.digest())
                .header("Location", blobPath(repository, blob.digest()));
        return blob;
    }

    public static Blob pushRandomBlob(String repository, int size) {
        return pushBlob(repository, OciContent.randomBlob(size));
    }

    /** Opens an upload session and returns its Location. */
    public static String startUpload(String repository) {
        return request().post(uploadsPath(repository))
                .then().statusCode(202)
                .header("Location", startsWith(uploadsPath(repository)))
                .extract().header("Location");
    }

    /** Pushes a manifest under a tag or digest with its media type, and asserts it was created. */
    public static Manifest pushManifest(String repository, String reference, Manifest manifest) {
        request().contentType(manifest.mediaType()).body(manifest.bytes())
                .put(manifestPath(repository, reference))
                .then().statusCode(201)
                .header("Docker-Content-Digest", manifest.digest())
                .header("Location", manifestPath(repository, manifest.digest()));
        return manifest;
    }

    /** Pushes a manifest under its own digest. */
    public static Manifest pushManifest(String repository, Manifest manifest) {
        return pushManifest(repository, manifest.digest(), manifest);
    }

    /** Pushes a random config and layer into the repository and returns an image manifest of them. */
    public static ObjectNode image(String repository, String mediaType) {
        boolean docker = mediaType.equals(OciContent.DOCKER_MANIFEST);
        Blob config = pushConfig(repository);
        Blob layer = pushRandomBlob(repository, 512);
        return OciContent.imageManifest(mediaType,
                config.descriptor(docker ? OciContent.DOCKER_CONFIG : OciContent.OCI_CONFIG),
                layer.descriptor(docker ? OciContent.DOCKER_LAYER : OciContent.OCI_LAYER));
    }

    /** Pushes a config blob no other test has into the repository. */
    public static Blob pushConfig(String repository) {
        return pushBlob(repository, OciContent.blob(
                ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"nonce\":\"" + NEXT.incrementAndGet() + RUN + "\"}")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    /** An OCI image as pushed: its config and layer blobs and its manifest. */
    public record Image(Blob config, Blob layer, Manifest manifest) {
    }

    /** Pushes a fresh OCI image with the given layer (config, manifest) under the reference and returns it all. */
    public static Image pushImageWithLayer(String repository, String reference, Blob layer) {
        Blob config = pushConfig(repository);
        Manifest manifest = pushManifest(repository, reference, OciContent.manifest(OciContent.imageManifest(
                OciContent.OCI_MANIFEST, config.descriptor(OciContent.OCI_CONFIG), layer.descriptor(OciContent.OCI_LAYER))));
        return new Image(config, layer, manifest);
    }

    /** Pushes a fresh OCI image (config, layer, manifest) under the reference and returns its manifest. */
    public static Manifest pushImage(String repository, String reference) {
        return pushManifest(repository, reference, OciContent.manifest(image(repository, OciContent.OCI_MANIFEST)));
    }

    /** Pushes the empty config and a random layer and returns an artifact manifest of them. */
    public static ObjectNode artifact(String repository, String artifactType) {
        pushBlob(repository, OciContent.emptyJsonBlob());
        Blob layer = pushRandomBlob(repository, 64);
        return OciContent.artifactManifest(artifactType, layer.descriptor("application/octet-stream"));
    }

    /**
     * Asserts the response is the error body of the distribution spec with the given status and, as
     * its first error, the given code with a message; returns it for further checks.
     */
    public static ValidatableResponse fails(Response response, int status, String code) {
        return response.then()
                .statusCode(status)
                .contentType("application/json")
                .header("Docker-Distribution-API-Version", "registry/2.0")
                .body("errors", not(hasSize(0)))
                .body("errors[0].code", equalTo(code))
                .body("errors.message", everyItem(not(emptyOrNullString())));
    }

    /**
     * Sends a request as the administrator with the JDK's client, for what REST Assured cannot send: no Accept header at all,
     * or a body of unknown length (chunked transfer encoding).
     */
    public static HttpResponse<String> send(HttpRequest.Builder request) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request.setHeader("Authorization", TestAccounts.adminAuthorization()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Returns the absolute URI of a path on the server under test. */
    public static URI uri(String path) {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port + path);
    }

    /** Returns the target of a {@code Link: <...>; rel="next"} header, if the response has one. */
    public static Optional<String> nextLink(Response response) {
        String link = response.header("Link");
        if (link == null) {
            return Optional.empty();
        }
        Matcher matcher = NEXT_LINK.matcher(link);
        if (!matcher.find()) {
            throw new AssertionError("not a next link: " + link);
        }
        return Optional.of(matcher.group(1));
    }
}
