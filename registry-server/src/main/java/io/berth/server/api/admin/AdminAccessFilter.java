package io.berth.server.api.admin;

import io.berth.auth.AccountException;
import io.berth.auth.Authenticator;
import io.berth.auth.ExternalIdentity;
import io.berth.auth.ExternalIdentityProvider;
import io.berth.auth.OrganizationService;
import io.berth.auth.Principal;
import io.berth.auth.Role;
import io.berth.metadata.repository.PolicyScope;
import io.berth.server.api.auth.Credentials;
import io.berth.server.api.auth.RegistryAccessFilter;
import io.berth.server.domain.TextInput;
import io.berth.server.error.AuthenticationRequiredException;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets only administrators into {@code /api/v1} (HTTP Basic with a Berth account, or an identity
 * provider's bearer token), and a namespace's own administrators into the operations marked
 * {@link ForNamespaceAdmins}, for their namespace.
 */
public class AdminAccessFilter {

    static final String PATH = "/api/v1";

    private final Authenticator authenticator;
    private final Instance<ExternalIdentityProvider> providers;
    private final AdminCaller caller;
    private final OrganizationService organizations;

    public AdminAccessFilter(Authenticator authenticator, Instance<ExternalIdentityProvider> providers, AdminCaller caller,
            OrganizationService organizations) {
        this.caller = caller;
        this.authenticator = authenticator;
        this.providers = providers;
        this.organizations = organizations;
    }

    @ServerRequestFilter
    public void authorize(ContainerRequestContext context, HttpServerRequest request, ResourceInfo resource) {
        String path = context.getUriInfo().getPath();
        if (!(path.equals(PATH) || path.startsWith(PATH + "/"))) {
            return;
        }
        switch (Credentials.parse(context.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            case Credentials.Basic basic -> {
                Principal principal = authenticator.authenticate(basic.username(), basic.password(),
                        RegistryAccessFilter.sourceOf(request));
                if (!principal.administrator()) {
                    String namespace = delegatedNamespace(context, resource).orElseThrow(() -> denied(principal.name()));
                    if (principal.kind() != Principal.Kind.USER || !organizations.administers(principal.name(), namespace)) {
                        throw deniedIn(principal.name(), namespace);
                    }
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
                ExternalIdentity who = identity.get();
                if (!who.administrator()) {
                    String namespace = delegatedNamespace(context, resource).orElseThrow(() -> denied(who.username()));
                    if (who.roles().get(namespace) != Role.ADMIN) {
                        throw deniedIn(who.username(), namespace);
                    }
                }
                caller.set(who.username());
            }
            case Credentials.None none -> throw unauthorized("the admin API needs an administrator's credentials");
            case Credentials.Unreadable unreadable -> throw unauthorized(unreadable.reason());
        }
        refuseUnusablePathParameters(context);
    }

    /**
     * The namespace a non-administrator must administer to use this operation, if namespace
     * administrators may use it at all. The path is checked first, so no unusable name is looked up.
     */
    private static Optional<String> delegatedNamespace(ContainerRequestContext context, ResourceInfo resource) {
        ForNamespaceAdmins delegated = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(ForNamespaceAdmins.class);
        String name = context.getUriInfo().getPathParameters().getFirst("name");
        if (delegated == null || name == null) {
            return Optional.empty();
        }
        refuseUnusablePathParameters(context);
        return Optional.of(delegated.value() == PolicyScope.NAMESPACE ? name : Principal.namespaceOf(name));
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

    private static RegistryException deniedIn(String who, String namespace) {
        return new RegistryException(OciErrorCode.DENIED, who + " is neither an administrator nor an administrator of "
                + "the namespace " + namespace);
    }
}
