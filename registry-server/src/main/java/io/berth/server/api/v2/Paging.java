package io.berth.server.api.v2;

import io.berth.server.domain.TextInput;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.berth.server.service.Page;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The {@code n} parameter and the {@code Link: <...>; rel="next"} header of paged listings. */
final class Paging {

    private Paging() {
    }

    /** Parses {@code n}; empty when absent; PAGINATION_NUMBER_INVALID when it is not a number. */
    static Optional<Integer> size(String n) {
        if (n == null || n.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(n));
        } catch (NumberFormatException e) {
            throw new RegistryException(OciErrorCode.PAGINATION_NUMBER_INVALID, "n must be a number, not '" + n + "'")
                    .withDetail("n", n);
        }
    }

    /**
     * Returns {@code last}, the entry a page starts after, when it can be compared in SQL; throws
     * {@code refusal} (NAME_INVALID for the catalog, TAG_INVALID for tags) if it holds a NUL character or
     * a lone surrogate. Any other text is a valid bound, however long: no entry sorts after it, or some do.
     */
    static Optional<String> last(String last, OciErrorCode refusal) {
        TextInput.problem(last, TextInput.UNLIMITED).ifPresent(problem -> {
            throw new RegistryException(refusal, "last " + problem).withDetail("last", last);
        });
        return Optional.ofNullable(last);
    }

    /** Adds the link to the next page, when there is one. */
    static Response.ResponseBuilder linked(Response.ResponseBuilder response, Page page, String path) {
        page.next().ifPresent(last -> response.header("Link", "<" + path + "?n=" + page.size() + "&last="
                + URLEncoder.encode(last, StandardCharsets.UTF_8) + ">; rel=\"next\""));
        return response;
    }
}
