package io.berth.server.api;

import static io.berth.server.api.RegistryClient.blobPath;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.pushBlob;
import static io.berth.server.api.RegistryClient.pushImage;
import static io.berth.server.api.RegistryClient.pushManifest;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.referrersPath;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.startUpload;
import static io.berth.server.api.RegistryClient.tagsPath;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.OciContent.Blob;
import io.berth.server.api.OciContent.Manifest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the whole API shares: the base endpoint, routing of repository names, the answer to unknown
 * endpoints and methods, and the health and metrics endpoints.
 */
public abstract class RegistryApiSuite {

    private static final int MAX_NAME_LENGTH = 255;

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/v2/", "/v2"})
    void theBaseEndpointAnswersWithTheApiVersion(String path) {
        request().get(path).then()
                .statusCode(200)
                .header("Docker-Distribution-API-Version", "registry/2.0")
                .contentType("application/json")
                .body(equalTo("{}"));
    }

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/v2/library/alpine/nothing", "/v2/library/alpine/blobs", "/v2/library/alpine/tags",
        "/v2/library/alpine/manifests", "/v2/_catalog/more"})
    void anUnknownEndpointIsAJsonError(String path) {
        fails(request().get(path), 404, "UNSUPPORTED");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "POST, /v2/library/alpine/manifests/latest",
        "PATCH, /v2/library/alpine/manifests/latest",
        "PUT, /v2/library/alpine/tags/list",
        "DELETE, /v2/library/alpine/tags/list",
        "DELETE, /v2/_catalog",
        "POST, /v2/library/alpine/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "PUT, /v2/library/alpine/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "DELETE, /v2/library/alpine/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "DELETE, /v2/",
    })
    void anUnsupportedMethodIs405(String method, String path) {
        fails(request().contentType("application/octet-stream").body(new byte[0]).request(method, path),
                405, "UNSUPPORTED");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Upper", "library/Alpine", "-lead", "trail-", "a..b", "a___b", "a/.b", "under_/x",
        "a:b", "a@b"})
    void anInvalidRepositoryNameIsRefusedEverywhere(String name) {
        assertNameInvalid(name);
    }

    @Test
    void aRepositoryNameLongerThan255CharactersIsInvalid() {
        String base = repository("long");
        String longest = base + "/" + "x".repeat(MAX_NAME_LENGTH - base.length() - 1);
        assertEquals(MAX_NAME_LENGTH, longest.length());

        assertNameInvalid(longest + "x");
        pushImage(longest, "v1");
        request().get(tagsPath(longest)).then().statusCode(200).body("tags", contains("v1"));
    }

    @Test
    void aRepositoryNameWithAnEmptyComponentIsInvalid() throws Exception {
        // REST Assured collapses "//" in a path, so these requests go out through the JDK's client.
        String name = repository("double") + "//slash";
        Blob blob = OciContent.randomBlob(10);
        HttpClient client = HttpClient.newHttpClient();
        List<HttpRequest.Builder> requests = List.of(
                raw(tagsPath(name)).GET(),
                raw(blobPath(name, blob.digest())).method("HEAD", BodyPublishers.noBody()),
                raw(query(uploadsPath(name), "digest", blob.digest())).POST(BodyPublishers.ofByteArray(blob.bytes())),
                raw(manifestPath(name, "v1")).header("Content-Type", OciContent.OCI_MANIFEST)
                        .PUT(BodyPublishers.ofString("{}")),
                raw(manifestPath(name, "v1")).DELETE(),
                raw(referrersPath(name, blob.digest())).GET());
        for (HttpRequest.Builder send : requests) {
            HttpResponse<String> response = client.send(send.build(), BodyHandlers.ofString());
            assertEquals(400, response.statusCode(), response.request() + ": " + response.body());
            if (!response.request().method().equals("HEAD")) {
                assertTrue(response.body().contains("\"NAME_INVALID\""), response.request() + ": " + response.body());
            }
        }
        // Nothing reached the repository the normalized path would have named.
        fails(request().get(tagsPath(name.replace("//", "/"))), 404, "NAME_UNKNOWN");
    }

    private static HttpRequest.Builder raw(String path) {
        return HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .header("Authorization", io.berth.server.testing.TestAccounts.adminAuthorization());
    }

    @Test
    void nestedRepositoryNamesWork() {
        assertWholeApiWorks(repository("nested") + "/b/c/d");
    }

    @ParameterizedTest(name = "<name>/{0}")
    @ValueSource(strings = {"blobs/b", "blobs", "blobs/uploads", "manifests/m", "manifests", "tags/list", "referrers/r",
        "v2", "catalog"})
    void aRepositoryNamedLikeAnEndpointStillRoutes(String suffix) {
        assertWholeApiWorks(repository("routes") + "/" + suffix);
    }

    @Test
    void theReadinessCheckReportsTheBlobStoreAndTheSchema() {
        request().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'blob-store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'metadata-schema' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'metadata-database' }.status", equalTo("UP"));
    }

    @Test
    void anonymousHealthAnswersNameTheKindOfStoreButNotWhereItIsNorAnyVersion() {
        Config config = ConfigProvider.getConfig();
        String kind = config.getValue("berth.storage.type", String.class).toLowerCase(Locale.ROOT);
        List<String> locations = kind.equals("s3")
                ? List.of(config.getValue("berth.storage.s3.bucket", String.class),
                        URI.create(config.getValue("berth.storage.s3.endpoint", String.class)).getAuthority(),
                        config.getValue("berth.storage.s3.prefix", String.class))
                : List.of(config.getValue("berth.storage.filesystem.root", String.class),
                        config.getValue("berth.data-dir", String.class));
        RegistryClient.anonymous().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'blob-store' }.data.store", equalTo(kind));
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/health/started")) {
            String answer = RegistryClient.anonymous().get(path).then().statusCode(200).extract().asString();
            for (String location : locations) {
                assertFalse(answer.contains(location), path + " shows " + location + ": " + answer);
            }
            assertFalse(Pattern.compile("\\d+\\.\\d+\\.\\d+|jdbc:|postgres", Pattern.CASE_INSENSITIVE).matcher(answer).find(),
                    path + " shows a version or the database: " + answer);
        }
    }

    @Test
    void theMetricsCountBlobBytesAndRequestsByRouteTemplate() {
        String repository = repository("metrics");
        String before = metrics();
        Blob blob = pushRandomBlob(repository, 1000);
        request().get(blobPath(repository, blob.digest())).then().statusCode(200);
        request().header("Range", "bytes=0-99").get(blobPath(repository, blob.digest())).then().statusCode(206);
        String after = metrics();

        assertEquals(1000, counter(after, "berth_blob_received_bytes_total") - counter(before, "berth_blob_received_bytes_total"));
        assertEquals(1100, counter(after, "berth_blob_sent_bytes_total") - counter(before, "berth_blob_sent_bytes_total"));
        Matcher templated = Pattern.compile(
                "^http_server_requests_seconds_count\\{[^}]*uri=\"/v2/\\{name[^\"]*}/blobs/\\{digest}\"[^}]*} [0-9.E]+$",
                Pattern.MULTILINE).matcher(after);
        assertTrue(templated.find(), "no http_server_requests_seconds_count for the blob route template");
        assertFalse(after.contains(repository), "a metric is labelled with the repository name");
    }

    @Test
    void theMetricsNeverLabelARequestWithItsConcretePath() {
        String repository = repository("metrics-cardinality");
        request().post(manifestPath(repository, "v1")).then().statusCode(405);
        request().get("/v2/" + repository + "/nothing").then().statusCode(404);
        fails(request().get(tagsPath(repository)), 404, "NAME_UNKNOWN");

        assertFalse(metrics().contains(repository), "a metric is labelled with the concrete request path");
    }

    /** Asserts every endpoint refuses the name with NAME_INVALID and stores nothing. */
    private static void assertNameInvalid(String name) {
        Blob blob = OciContent.randomBlob(10);
        List<Function<String, Response>> requests = List.of(
                n -> request().get(tagsPath(n)),
                n -> request().get(blobPath(n, blob.digest())),
                n -> request().delete(blobPath(n, blob.digest())),
                n -> request().post(uploadsPath(n)),
                n -> request().contentType("application/octet-stream").body(blob.bytes())
                        .post(query(uploadsPath(n), "digest", blob.digest())),
                n -> request().get(uploadsPath(n) + "00000000-0000-0000-0000-000000000000"),
                n -> request().get(manifestPath(n, "v1")),
                n -> request().contentType(OciContent.OCI_MANIFEST).body("{}").put(manifestPath(n, "v1")),
                n -> request().delete(manifestPath(n, "v1")),
                n -> request().get(referrersPath(n, blob.digest())));
        for (Function<String, Response> send : requests) {
            fails(send.apply(name), 400, "NAME_INVALID");
        }
    }

    /** Pushes blobs (monolithic, chunked, mounted) and manifests into the repository and reads them back. */
    private static void assertWholeApiWorks(String repository) {
        Blob monolithic = pushRandomBlob(repository, 100);
        Blob chunked = OciContent.randomBlob(200);
        String location = startUpload(repository);
        assertTrue(location.startsWith(uploadsPath(repository)), location);
        request().contentType("application/octet-stream").header("Content-Range", "0-99")
                .body(Arrays.copyOfRange(chunked.bytes(), 0, 100)).patch(location).then()
                .statusCode(202).header("Range", "0-99");
        request().get(location).then().statusCode(204).header("Range", "0-99");
        request().contentType("application/octet-stream").header("Content-Range", "100-199")
                .body(Arrays.copyOfRange(chunked.bytes(), 100, 200))
                .put(query(location, "digest", chunked.digest())).then()
                .statusCode(201).header("Location", blobPath(repository, chunked.digest()));
        String cancelled = startUpload(repository);
        request().delete(cancelled).then().statusCode(204);
        String source = repository("routes-source");
        Blob mounted = pushRandomBlob(source, 50);
        request().post(query(uploadsPath(repository), "mount", mounted.digest(), "from", source)).then()
                .statusCode(201);
        for (Blob blob : List.of(monolithic, chunked, mounted)) {
            assertArrayEquals(blob.bytes(), request().get(blobPath(repository, blob.digest())).then()
                    .statusCode(200).extract().asByteArray());
            request().head(blobPath(repository, blob.digest())).then().statusCode(200);
        }

        Manifest image = OciContent.manifest(OciContent.imageManifest(OciContent.OCI_MANIFEST,
                monolithic.descriptor(OciContent.OCI_CONFIG), chunked.descriptor(OciContent.OCI_LAYER),
                mounted.descriptor(OciContent.OCI_LAYER)));
        pushManifest(repository, "v1", image);
        pushBlob(repository, OciContent.emptyJsonBlob());
        Manifest referrer = pushManifest(repository, OciContent.manifest(OciContent.withSubject(
                OciContent.artifactManifest("application/vnd.example", OciContent.emptyJsonBlob()
                        .descriptor(OciContent.OCI_EMPTY)), image)));
        assertArrayEquals(image.bytes(), request().get(manifestPath(repository, "v1")).then()
                .statusCode(200).header("Docker-Content-Digest", image.digest()).extract().asByteArray());
        request().head(manifestPath(repository, image.digest())).then().statusCode(200);
        request().get(tagsPath(repository)).then().statusCode(200)
                .body("name", equalTo(repository)).body("tags", contains("v1"));
        request().get(referrersPath(repository, image.digest())).then().statusCode(200)
                .body("manifests.digest", contains(referrer.digest()));

        request().delete(manifestPath(repository, "v1")).then().statusCode(202);
        request().delete(manifestPath(repository, image.digest())).then().statusCode(202);
        request().delete(blobPath(repository, monolithic.digest())).then().statusCode(202);
        fails(request().get(blobPath(repository, monolithic.digest())), 404, "BLOB_UNKNOWN");
        request().get(tagsPath(repository)).then().statusCode(200).body("tags", hasSize(0));
        request().get(query("/v2/_catalog", "n", "1", "last", repository.substring(0, repository.length() - 1)))
                .then().statusCode(200).body("repositories[0]", equalTo(repository));
    }

    private static String metrics() {
        return request().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** Returns the value of an unlabelled counter in the Prometheus text format, 0 if absent. */
    private static double counter(String metrics, String name) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{})? (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
