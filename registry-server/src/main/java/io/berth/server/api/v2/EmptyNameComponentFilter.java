package io.berth.server.api.v2;

import io.berth.server.domain.RepositoryName;
import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a repository name with an empty component ({@code /v2/a//b/tags/list}) as NAME_INVALID.
 * The HTTP layer normalizes {@code //} to {@code /} before routing, so without this check such a
 * request would silently address another repository ({@code a/b}); the raw path still shows it.
 */
public class EmptyNameComponentFilter {

    /** The name part of a raw API path: everything between {@code /v2/} and the endpoint's keyword. */
    private static final Pattern NAMED_ENDPOINT = Pattern.compile("^/v2/(.*)/(?:blobs|manifests|tags|referrers)/.*$");

    @ServerRequestFilter(preMatching = true)
    public void refuseEmptyComponents(HttpServerRequest request) {
        String raw = request.path();
        if (raw == null || !raw.startsWith("/v2/") || !raw.contains("//")) {
            return;
        }
        Matcher named = NAMED_ENDPOINT.matcher(raw);
        // Validating the raw name throws NAME_INVALID: the pattern admits no empty component.
        new RepositoryName(named.matches() ? named.group(1) : raw.substring("/v2/".length()));
    }
}
