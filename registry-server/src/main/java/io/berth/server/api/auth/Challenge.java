package io.berth.server.api.auth;

import io.berth.server.error.AuthenticationRequiredException;
import io.berth.server.error.OciErrorCode;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * The 401 answers of the token protocol: {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...}
 * tells a client where to get a token for what it tried, with {@code error="invalid_token"} or
 * {@code error="insufficient_scope"} when the token it sent did not do.
 */
final class Challenge {

    private Challenge() {
    }

    static AuthenticationRequiredException unauthorized(String message, String realm, String service,
            Optional<String> scope, Optional<String> error) {
        return new AuthenticationRequiredException(OciErrorCode.UNAUTHORIZED, message, bearer(realm, service, scope, error));
    }

    /** Returns the Bearer challenge: where to get a token, for which service and scope, and what was wrong. */
    static String bearer(String realm, String service, Optional<String> scope, Optional<String> error) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm).append("\",service=\"").append(service).append('"');
        scope.ifPresent(s -> challenge.append(",scope=\"").append(s).append('"'));
        error.ifPresent(e -> challenge.append(",error=\"").append(e).append('"'));
        return challenge.toString();
    }

    /** Returns {@code <scheme>://<host the client used>/token}. */
    static String defaultRealm(HttpServerRequest request) {
        String authority = request.authority() != null ? request.authority().toString() : request.localAddress().toString();
        return request.scheme() + "://" + authority + "/token";
    }
}
