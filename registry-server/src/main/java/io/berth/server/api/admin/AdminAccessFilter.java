package io.berth.server.api.admin;

import io.berth.auth.Authenticator;
import io.berth.auth.ExternalIdentity;
import io.berth.auth.ExternalIdentityProvider;
import io.berth.auth.Principal;
import io.berth.server.error.AuthenticationRequiredException;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Lets only administrators into {@code /api/v1}: HTTP Basic with a Berth account, or an identity provider's bearer token. */
public class AdminAccessFilter {

    static final String PATH = "/api/v1";

    private final Authenticator authenticator;
    private final Instance<ExternalIdentityProvider> providers;

    public AdminAccessFilter(Authenticator authenticator, Instance<ExternalIdentityProvider> providers) {
        this.authenticator = authenticator;
        this.providers = providers;
    }

    @ServerRequestFilter
    public void authorize(ContainerRequestContext context, HttpServerRequest request) {
        String path = context.getUriInfo().getPath();
        if (!(path.equals(PATH) || path.startsWith(PATH + "/"))) {
            return;
        }
        String header = context.getHeaderString(HttpHeaders.AUTHORIZATION);
        String lower = header == null ? "" : header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("basic ")) {
            Principal principal = basic(header.substring(6).trim(), request);
            if (!principal.administrator()) {
                throw denied(principal.name());
            }
            return;
        }
        if (lower.startsWith("bearer ")) {
            String token = header.substring(7).trim();
            Optional<ExternalIdentity> identity = providers.stream()
                    .filter(ExternalIdentityProvider::enabled)
                    .map(provider -> provider.verifyAccessToken(token))
                    .flatMap(Optional::stream)
                    .findFirst();
            if (identity.isEmpty()) {
                throw unauthorized("the bearer token is not valid for the admin API");
            }
            if (!identity.get().administrator()) {
                throw denied(identity.get().username());
            }
            return;
        }
        throw unauthorized("the admin API needs an administrator's credentials");
    }

    private Principal basic(String encoded, HttpServerRequest request) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw unauthorized("malformed Basic credentials");
        }
        String source = request.remoteAddress() != null ? request.remoteAddress().hostAddress() : "unknown";
        return authenticator.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1), source);
    }

    private static RegistryException unauthorized(String message) {
        return new AuthenticationRequiredException(OciErrorCode.UNAUTHORIZED, message, AuthenticationRequiredException.BASIC);
    }

    private static RegistryException denied(String who) {
        return new RegistryException(OciErrorCode.DENIED, who + " is not an administrator");
    }
}
