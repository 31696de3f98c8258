package io.berth.server.api.auth;

import io.berth.server.api.error.OciErrorCode;
import io.berth.server.api.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * The 401 answers of the token protocol: {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...}
 * tells a client where to get a token for what it tried, with {@code error="invalid_token"} or
 * {@code error="insufficient_scope"} when the token it sent did not do.
 */
final class Challenge {

    static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    private Challenge() {
    }

    static RegistryException unauthorized(String message, String realm, String service, Optional<String> scope,
            Optional<String> error) {
        StringBuilder header = new StringBuilder("Bearer realm=\"").append(realm).append("\",service=\"").append(service).append('"');
        scope.ifPresent(s -> header.append(",scope=\"").append(s).append('"'));
        error.ifPresent(e -> header.append(",error=\"").append(e).append('"'));
        return new RegistryException(OciErrorCode.UNAUTHORIZED, message).withHeader(WWW_AUTHENTICATE, header.toString());
    }

    /** Returns {@code <scheme>://<host the client used>/token}. */
    static String defaultRealm(HttpServerRequest request) {
        String authority = request.authority() != null ? request.authority().toString() : request.localAddress().toString();
        return request.scheme() + "://" + authority + "/token";
    }
}
