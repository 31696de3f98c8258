package io.berth.server.api.admin;

import io.berth.auth.AccountException;
import io.berth.auth.Authenticator;
import io.berth.auth.ExternalIdentity;
import io.berth.auth.ExternalIdentityProvider;
import io.berth.auth.Principal;
import io.berth.server.api.auth.Credentials;
import io.berth.server.api.auth.RegistryAccessFilter;
import io.berth.server.domain.TextInput;
import io.berth.server.error.AuthenticationRequiredException;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Lets only administrators into {@code /api/v1}: HTTP Basic with a Berth account, or an identity provider's bearer token. */
public class AdminAccessFilter {

    static final String PATH = "/api/v1";

    private final Authenticator authenticator;
    private final Instance<ExternalIdentityProvider> providers;
    private final AdminCaller caller;

    public AdminAccessFilter(Authenticator authenticator, Instance<ExternalIdentityProvider> providers, AdminCaller caller) {
        this.caller = caller;
        this.authenticator = authenticator;
        this.providers = providers;
    }

    @ServerRequestFilter
    public void authorize(ContainerRequestContext context, HttpServerRequest request) {
        String path = context.getUriInfo().getPath();
        if (!(path.equals(PATH) || path.startsWith(PATH + "/"))) {
            return;
        }
        switch (Credentials.parse(context.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            case Credentials.Basic basic -> {
                Principal principal = authenticator.authenticate(basic.username(), basic.password(),
                        RegistryAccessFilter.sourceOf(request));
                if (!principal.administrator()) {
                    throw denied(principal.name());
                }
                caller.set(principal.name());
            }
            case Credentials.Bearer bearer -> {
                Optional<ExternalIdentity> identity = providers.stream()
                        .filter(ExternalIdentityProvider::enabled)
                        .map(provider -> provider.verifyAccessToken(bearer.token()))
                        .flatMap(Optional::stream)
                        .findFirst();
                if (identity.isEmpty()) {
                    throw unauthorized("the bearer token is not valid for the admin API");
                }
                if (!identity.get().administrator()) {
                    throw denied(identity.get().username());
                }
                caller.set(identity.get().username());
            }
            case Credentials.None none -> throw unauthorized("the admin API needs an administrator's credentials");
            case Credentials.Unreadable unreadable -> throw unauthorized(unreadable.reason());
        }
        refuseUnusablePathParameters(context);
    }

    /**
     * Refuses a path segment that names nothing the database can hold (a NUL character, a lone
     * surrogate, more than a name column takes) as INVALID, for every admin resource at once, so no
     * lookup by name ever sends it to PostgreSQL.
     */
    private static void refuseUnusablePathParameters(ContainerRequestContext context) {
        context.getUriInfo().getPathParameters().forEach((parameter, values) -> values.forEach(value ->
                TextInput.problem(value, TextInput.COLUMN_LENGTH).ifPresent(problem -> {
                    throw new AccountException(AccountException.Reason.INVALID, "the " + parameter + " in the path " + problem);
                })));
    }

    private static RegistryException unauthorized(String message) {
        return new AuthenticationRequiredException(OciErrorCode.UNAUTHORIZED, message, AuthenticationRequiredException.BASIC);
    }

    private static RegistryException denied(String who) {
        return new RegistryException(OciErrorCode.DENIED, who + " is not an administrator");
    }
}
