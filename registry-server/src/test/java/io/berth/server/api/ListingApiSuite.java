package io.berth.server.api;

import static io.berth.server.api.RegistryClient.fails;
import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.nextLink;
import static io.berth.server.api.RegistryClient.pushImage;
import static io.berth.server.api.RegistryClient.pushManifest;
import static io.berth.server.api.RegistryClient.pushRandomBlob;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.repository;
import static io.berth.server.api.RegistryClient.request;
import static io.berth.server.api.RegistryClient.startUpload;
import static io.berth.server.api.RegistryClient.tagsPath;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.api.OciContent.Manifest;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v2/<name>/tags/list} and {@code /v2/_catalog}: byte-ordered listings, paged with {@code Link}. */
public abstract class ListingApiSuite {

    /** Tags whose byte order differs from a case-insensitive or natural order. */
    private static final List<String> TAGS = List.of("b", "a", "A", "Z", "1", "10", "9", "a.b", "a-b", "a_b", "_x", "B");

    @Test
    void tagsAreListedInByteOrder() {
        String repository = tagged(TAGS);

        request().get(tagsPath(repository)).then()
                .statusCode(200)
                .contentType("application/json")
                .header("Link", nullValue())
                .body("name", equalTo(repository))
                .body("tags", equalTo(byteOrder(TAGS)));
    }

    @Test
    void tagsArePagedWithALinkToTheNextPage() {
        String repository = tagged(TAGS);
        List<String> expected = byteOrder(TAGS);

        Response first = request().get(query(tagsPath(repository), "n", "5"));

        first.then().statusCode(200)
                .header("Link", "<" + tagsPath(repository) + "?n=5&last=" + expected.get(4) + ">; rel=\"next\"")
                .body("tags", equalTo(expected.subList(0, 5)));
        assertEquals(expected, walk(tagsPath(repository) + "?n=5", "tags", 5));
    }

    @Test
    void lastStartsTheListAfterTheGivenTag() {
        String repository = tagged(TAGS);
        List<String> expected = byteOrder(TAGS);

        request().get(query(tagsPath(repository), "last", "a")).then()
                .statusCode(200)
                .body("tags", equalTo(expected.subList(expected.indexOf("a") + 1, expected.size())));
        request().get(query(tagsPath(repository), "n", "2", "last", "B")).then()
                .statusCode(200)
                .body("tags", equalTo(expected.subList(expected.indexOf("B") + 1, expected.indexOf("B") + 3)));
        request().get(query(tagsPath(repository), "last", "zzz")).then()
                .statusCode(200)
                .header("Link", nullValue())
                .body("tags", hasSize(0));
    }

    @Test
    void aPageThatHoldsTheRestHasNoLink() {
        String repository = tagged(TAGS);

        for (int n : new int[] {TAGS.size(), TAGS.size() + 1, 10_000_000}) {
            request().get(query(tagsPath(repository), "n", String.valueOf(n))).then()
                    .statusCode(200)
                    .header("Link", nullValue())
                    .body("tags", equalTo(byteOrder(TAGS)));
        }
    }

    @Test
    void nZeroListsNoTags() {
        String repository = tagged(List.of("a", "b"));

        request().get(query(tagsPath(repository), "n", "0")).then()
                .statusCode(200)
                .header("Link", nullValue())
                .body("name", equalTo(repository))
                .body("tags", hasSize(0));
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(strings = {"abc", "-1", "1.5", "99999999999"})
    void anInvalidNIsRefused(String n) {
        String repository = tagged(List.of("a"));

        fails(request().get(query(tagsPath(repository), "n", n)), 400, "PAGINATION_NUMBER_INVALID");
        fails(request().get(query("/v2/_catalog", "n", n)), 400, "PAGINATION_NUMBER_INVALID");
    }

    @Test
    void theTagsOfAnUnknownRepositoryAreNameUnknown() {
        String repository = repository("tags-nowhere");

        fails(request().get(tagsPath(repository)), 404, "NAME_UNKNOWN")
                .body("errors[0].detail.name", equalTo(repository));
    }

    @Test
    void theCatalogListsRepositoriesWithAManifestInByteOrder() {
        String prefix = repository("catalog");
        List<String> withManifests = List.of(prefix + "/c", prefix + "/a", prefix + "/b/nested", prefix + "/b");
        withManifests.forEach(repository -> pushImage(repository, "v1"));
        pushRandomBlob(prefix + "/blob-only", 10);
        startUpload(prefix + "/upload-only");
        String emptied = prefix + "/emptied";
        Manifest removed = pushImage(emptied, "v1");
        request().delete(manifestPath(emptied, removed.digest())).then().statusCode(202);

        // Other tests add repositories too; the walk starts just before this test's prefix.
        List<String> listed = new ArrayList<>();
        Optional<String> page = Optional.of(query("/v2/_catalog", "n", "2", "last", prefix));
        while (page.isPresent()) {
            Response response = request().get(page.get());
            response.then().statusCode(200).contentType("application/json");
            List<String> names = response.jsonPath().getList("repositories", String.class);
            assertTrue(names.size() <= 2, "a page of n=2 holds " + names);
            List<String> ours = names.stream().filter(name -> name.startsWith(prefix + "/")).toList();
            listed.addAll(ours);
            page = ours.size() < names.size() ? Optional.empty() : nextLink(response);
        }

        assertEquals(byteOrder(withManifests), listed);
    }

    @Test
    void theCatalogIsPagedWithALinkToTheNextPage() {
        String prefix = repository("catalog");
        pushImage(prefix + "/a", "v1");
        pushImage(prefix + "/b", "v1");

        request().get(query("/v2/_catalog", "n", "1", "last", prefix)).then()
                .statusCode(200)
                .header("Link", "</v2/_catalog?n=1&last=" + URLEncoder.encode(prefix + "/a", StandardCharsets.UTF_8)
                        + ">; rel=\"next\"")
                .body("repositories", equalTo(List.of(prefix + "/a")));
        request().get(query("/v2/_catalog", "n", "1", "last", prefix + "/a")).then()
                .statusCode(200)
                .body("repositories", equalTo(List.of(prefix + "/b")));
    }

    @Test
    void aCatalogOfNZeroIsEmpty() {
        pushImage(repository("catalog"), "v1");

        request().get(query("/v2/_catalog", "n", "0")).then()
                .statusCode(200)
                .header("Link", nullValue())
                .body("repositories", hasSize(0));
    }

    /** Pushes one image into a fresh repository under every given tag; returns the repository. */
    private static String tagged(List<String> tags) {
        String repository = repository("tags");
        Manifest manifest = pushImage(repository, tags.get(0));
        tags.subList(1, tags.size()).forEach(tag -> pushManifest(repository, tag, manifest));
        return repository;
    }

    /** Follows the Link headers from the first page, checking page sizes, and returns every entry. */
    private static List<String> walk(String first, String field, int pageSize) {
        List<String> entries = new ArrayList<>();
        Optional<String> page = Optional.of(first);
        while (page.isPresent()) {
            Response response = request().get(page.get());
            response.then().statusCode(200);
            List<String> names = response.jsonPath().getList(field, String.class);
            assertTrue(names.size() <= pageSize, "a page of n=" + pageSize + " holds " + names);
            entries.addAll(names);
            page = nextLink(response);
        }
        return entries;
    }

    /** Sorts as the spec's lexical order does: by bytes, which for ASCII is Java's natural order. */
    private static List<String> byteOrder(List<String> values) {
        return values.stream().sorted().toList();
    }

    /** Issue 20: a NUL byte in last= cannot be compared by PostgreSQL; the client hears which parameter is wrong. */
    @Test
    void aLastHoldingANulByteIsRefused() {
        String repository = repository("tags-nul");
        pushImage(repository, "a");
        fails(request().get(tagsPath(repository) + "?last=a%00b"), 400, "TAG_INVALID")
                .body("errors[0].message", equalTo("last holds a NUL character"));
        fails(request().get("/v2/_catalog?last=a%00b"), 400, "NAME_INVALID");
    }
}
