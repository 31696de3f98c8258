package io.berth.server.api;

import static io.berth.server.api.OciContent.OCI_CONFIG;
import static io.berth.server.api.OciContent.OCI_INDEX;
import static io.berth.server.api.OciContent.OCI_MANIFEST;
import static io.berth.server.api.RegistryClient.artifact;
import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.image;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.pushImage;
import static io.berth.server.api.RegistryClient.pushManifest;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.referrersPath;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.api.OciContent.Manifest;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v2/<name>/referrers/<digest>}: the manifests whose subject is a manifest, as an OCI index. */
public abstract class ReferrersApiSuite {

    private static final String SBOM = "application/vnd.example.sbom+json";
    private static final String SIGNATURE = "application/vnd.example.signature";

    @Test
    void theReferrersOfAManifestAreListedAsAnIndex() {
        String repository = repository("referrers");
        Manifest subject = pushImage(repository, "v1");
        Manifest sbom = pushManifest(repository, OciContent.manifest(OciContent.withAnnotations(
                OciContent.withSubject(artifact(repository, SBOM), subject),
                Map.of("org.opencontainers.image.created", "2024-01-01T00:00:00Z", "com.example.kind", "sbom"))));
        Manifest signature = pushManifest(repository, OciContent.manifest(
                OciContent.withSubject(artifact(repository, SIGNATURE), subject)));
        Manifest plainImage = pushManifest(repository, OciContent.manifest(
                OciContent.withSubject(image(repository, OCI_MANIFEST), subject)));
        ObjectNode indexJson = OciContent.withSubject(OciContent.index(OCI_INDEX, signature), subject);
        indexJson.put("artifactType", "application/vnd.example.bundle");
        Manifest index = pushManifest(repository, OciContent.manifest(indexJson));
        pushImage(repository, "unrelated");

        ValidatableResponse response = referrers(repository, subject.digest())
                .header("OCI-Filters-Applied", nullValue())
                .body("manifests", hasSize(4))
                .body("manifests.digest", containsInAnyOrder(
                        sbom.digest(), signature.digest(), plainImage.digest(), index.digest()));
        assertListed(response, sbom, SBOM)
                .body(entry(sbom, "annotations"), equalTo(Map.of(
                        "org.opencontainers.image.created", "2024-01-01T00:00:00Z", "com.example.kind", "sbom")));
        assertListed(response, signature, SIGNATURE)
                .body(entry(signature, "annotations"), nullValue());
        // An image manifest without artifactType is listed under its config's media type.
        assertListed(response, plainImage, OCI_CONFIG);
        assertListed(response, index, "application/vnd.example.bundle");
    }

    @Test
    void anArtifactTypeFilterListsOnlyThatType() {
        String repository = repository("referrers-filter");
        Manifest subject = pushImage(repository, "v1");
        Manifest sbom = pushManifest(repository, OciContent.manifest(
                OciContent.withSubject(artifact(repository, SBOM), subject)));
        pushManifest(repository, OciContent.manifest(OciContent.withSubject(artifact(repository, SIGNATURE), subject)));

        ValidatableResponse response = request()
                .get(query(referrersPath(repository, subject.digest()), "artifactType", SBOM)).then()
                .statusCode(200)
                .contentType(OCI_INDEX)
                .header("OCI-Filters-Applied", "artifactType")
                .body("manifests", hasSize(1));
        assertListed(response, sbom, SBOM);

        request().get(query(referrersPath(repository, subject.digest()), "artifactType", "application/vnd.none")).then()
                .statusCode(200)
                .header("OCI-Filters-Applied", "artifactType")
                .body("schemaVersion", equalTo(2))
                .body("manifests", hasSize(0));
    }

    @Test
    void anUnknownRepositoryHasNoReferrers() {
        String repository = repository("referrers-nowhere");

        referrers(repository, OciContent.randomBlob(10).digest()).body("manifests", hasSize(0));
    }

    @Test
    void anUnknownSubjectHasNoReferrers() {
        String repository = repository("referrers");
        Manifest subject = pushImage(repository, "v1");
        pushManifest(repository, OciContent.manifest(OciContent.withSubject(artifact(repository, SBOM), subject)));

        referrers(repository, OciContent.randomBlob(10).digest()).body("manifests", hasSize(0));
        referrers(repository, OciContent.sha512(subject.bytes())).body("manifests", hasSize(0));
    }

    @Test
    void referrersOfAnotherRepositoryAreNotListed() {
        String repository = repository("referrers");
        String other = repository("referrers-other");
        Manifest subject = pushImage(repository, "v1");
        pushManifest(other, OciContent.manifest(OciContent.withSubject(artifact(other, SBOM), subject)));

        referrers(repository, subject.digest()).body("manifests", hasSize(0));
        referrers(other, subject.digest()).body("manifests", hasSize(1));
    }

    @Test
    void aReferrerPushedBeforeItsSubjectIsListed() {
        String repository = repository("referrers-early");
        Manifest subject = OciContent.manifest(image(repository, OCI_MANIFEST));
        Manifest sbom = pushManifest(repository, OciContent.manifest(
                OciContent.withSubject(artifact(repository, SBOM), subject)));

        assertListed(referrers(repository, subject.digest()).body("manifests", hasSize(1)), sbom, SBOM);
        pushManifest(repository, "v1", subject);
        assertListed(referrers(repository, subject.digest()).body("manifests", hasSize(1)), sbom, SBOM);
    }

    @Test
    void aDeletedReferrerIsNoLongerListed() {
        String repository = repository("referrers-delete");
        Manifest subject = pushImage(repository, "v1");
        Manifest sbom = pushManifest(repository, OciContent.manifest(
                OciContent.withSubject(artifact(repository, SBOM), subject)));

        request().delete(manifestPath(repository, sbom.digest())).then().statusCode(202);

        referrers(repository, subject.digest()).body("manifests", hasSize(0));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sha256:nothex", "nodigest", "md5:d41d8cd98f00b204e9800998ecf8427e"})
    void aMalformedDigestIsInvalid(String digest) {
        String repository = repository("referrers");
        pushImage(repository, "v1");

        fails(request().get(referrersPath(repository, digest)), 400, "DIGEST_INVALID");
    }

    /** Asserts a 200 OCI index answer for the subject's referrers and returns it. */
    private static ValidatableResponse referrers(String repository, String subject) {
        return request().get(referrersPath(repository, subject)).then()
                .statusCode(200)
                .contentType(OCI_INDEX)
                .body("schemaVersion", equalTo(2))
                .body("mediaType", equalTo(OCI_INDEX));
    }

    /** Asserts the index lists the manifest with its media type, size and artifact type. */
    private static ValidatableResponse assertListed(ValidatableResponse response, Manifest manifest, String artifactType) {
        return response
                .body(entry(manifest, "mediaType"), equalTo(manifest.mediaType()))
                .body(entry(manifest, "size"), equalTo(manifest.size()))
                .body(entry(manifest, "artifactType"), equalTo(artifactType));
    }

    private static String entry(Manifest manifest, String field) {
        return "manifests.find { it.digest == '" + manifest.digest() + "' }." + field;
    }

    /** Issue 20: an artifactType filter PostgreSQL cannot compare (a NUL, 256 characters) is refused, not a 500. */
    @ParameterizedTest
    @ValueSource(strings = {"application/x\0y", "long"})
    void anArtifactTypeFilterNoManifestCanHaveIsRefused(String filter) {
        String repository = repository("referrers-bad-filter");
        Manifest subject = pushImage(repository, "v1");
        String type = filter.equals("long") ? "application/" + "x".repeat(300) : filter;
        fails(request().get(query(referrersPath(repository, subject.digest()), "artifactType", type)), 400, "MANIFEST_INVALID")
                .body("errors[0].detail.artifactType", equalTo(type));
    }
}
