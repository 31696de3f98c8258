package io.berth.server.api.auth;

import io.berth.auth.AccessPolicy;
import io.berth.auth.Action;
import io.berth.auth.AuthConfig;
import io.berth.auth.AuthenticationFailedException;
import io.berth.auth.Authenticator;
import io.berth.auth.Principal;
import io.berth.auth.Scope;
import io.berth.auth.token.InvalidTokenException;
import io.berth.auth.token.TokenService;
import io.berth.auth.token.VerifiedToken;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.AuthenticationRequiredException;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks every {@code /v2} request before its resource runs: who is asking (a bearer token, HTTP Basic,
 * or nobody) and whether that is enough for what the route does. GET and HEAD need {@code pull}; POST,
 * PUT and PATCH need {@code pull,push}; DELETE needs {@code delete}; {@code _catalog} needs
 * {@code registry:catalog:*}; {@code /v2/} needs any valid credentials.
 *
 * <p>A request whose token lacks what it needs is a 401 with a challenge naming the scope
 * ({@code insufficient_scope}), so a client that asked for too little fetches the right token; when the
 * caller is logged in the error code is {@code DENIED}, which is what the client shows if the new token
 * is no better. A caller refused over HTTP Basic gets 403 {@code DENIED}: no token would change that.
 */
public class RegistryAccessFilter {

    private final AuthConfig config;
    private final TokenService tokens;
    private final Authenticator authenticator;
    private final AccessPolicy policy;
    private final RegistryAccess access;

    public RegistryAccessFilter(AuthConfig config, TokenService tokens, Authenticator authenticator, AccessPolicy policy,
            RegistryAccess access) {
        this.config = config;
        this.tokens = tokens;
        this.authenticator = authenticator;
        this.policy = policy;
        this.access = access;
    }

    /** What a route needs: nothing but a valid caller ({@code /v2/}), the catalog, or actions on a repository. */
    private record Need(Optional<String> repository, Set<Action> actions, boolean catalog) {

        Optional<String> scope() {
            if (catalog) {
                return Optional.of(Scope.catalog().toString());
            }
            return repository.map(name -> Scope.repository(name, actions).toString());
        }
    }

    @ServerRequestFilter
    public void authorize(ContainerRequestContext context, HttpServerRequest request) {
        String path = context.getUriInfo().getPath();
        if (!config.enabled() || !(path.equals("/v2") || path.startsWith("/v2/"))) {
            return;
        }
        Need need = need(context, path);
        String realm = config.token().realm().orElseGet(() -> Challenge.defaultRealm(request));
        Credentials credentials = Credentials.parse(context.getHeaderString(HttpHeaders.AUTHORIZATION));
        switch (credentials) {
            case Credentials.Bearer bearer -> checkToken(bearer.token(), need, realm);
            case Credentials.Basic basic -> checkPrincipal(login(basic, request, realm), need, realm);
            case Credentials.None none -> checkPrincipal(Principal.ANONYMOUS, need, realm);
            case Credentials.Unreadable unreadable ->
                    throw Challenge.unauthorized(unreadable.reason(), realm, tokens.service(), need.scope(), Optional.empty());
        }
    }

    private static Need need(ContainerRequestContext context, String path) {
        String name = context.getUriInfo().getPathParameters().getFirst("name");
        if (name == null) {
            boolean catalog = path.equals("/v2/_catalog");
            return new Need(Optional.empty(), Set.of(), catalog);
        }
        boolean upload = path.contains("/blobs/uploads/");
        Set<Action> actions = switch (context.getMethod()) {
            case "GET", "HEAD" -> Set.of(Action.PULL);
            // Cancelling one's upload is part of pushing, not a delete of stored content.
            case "DELETE" -> upload ? Set.of(Action.PULL, Action.PUSH) : Set.of(Action.DELETE);
            default -> Set.of(Action.PULL, Action.PUSH);
        };
        // Validated before any permission check: the public-repository lookup would otherwise send an
        // anonymous caller's name (a NUL byte, say) to PostgreSQL. Invalid names are NAME_INVALID for everyone.
        return new Need(Optional.of(new RepositoryName(name).value()), actions, false);
    }

    private void checkToken(String raw, Need need, String realm) {
        VerifiedToken token;
        try {
            token = tokens.verify(raw);
        } catch (InvalidTokenException e) {
            throw Challenge.unauthorized(e.getMessage(), realm, tokens.service(), need.scope(), Optional.of("invalid_token"));
        }
        if (need.catalog() && !token.grantsCatalog()) {
            throw Challenge.unauthorized("the token does not grant registry:catalog:*", realm, tokens.service(), need.scope(),
                    Optional.of("insufficient_scope"));
        }
        if (need.repository().isPresent()) {
            String repository = need.repository().get();
            Optional<Set<Action>> granted = token.actionsOn(repository);
            if (granted.isEmpty() || !granted.get().containsAll(need.actions())) {
                // 401 either way: a client that asked for too little fetches a token for the scope named here.
                // A logged-in caller whose token names this repository was refused some of it: it hears why
                // (DENIED), which is what the client shows when the new token is no better.
                String challenge = Challenge.bearer(realm, tokens.service(), need.scope(), Optional.of("insufficient_scope"));
                throw token.isAnonymous() || granted.isEmpty()
                        ? new AuthenticationRequiredException(OciErrorCode.UNAUTHORIZED,
                                "the token does not grant " + need.scope().orElseThrow(), challenge)
                        : withScope(new AuthenticationRequiredException(OciErrorCode.DENIED,
                                deniedMessage(token.subject(), need), challenge), need);
            }
        }
        access.token(token);
    }

    private void checkPrincipal(Principal principal, Need need, String realm) {
        boolean allowed = need.repository()
                .map(repository -> policy.permits(principal, repository, need.actions()))
                .orElseGet(() -> need.catalog() ? policy.mayListCatalog(principal) : !principal.isAnonymous());
        if (!allowed) {
            if (principal.isAnonymous()) {
                throw Challenge.unauthorized("authentication required", realm, tokens.service(), need.scope(), Optional.empty());
            }
            throw denied(principal.name(), need);
        }
        access.principal(principal);
    }

    private Principal login(Credentials.Basic basic, HttpServerRequest request, String realm) {
        try {
            return authenticator.authenticate(basic.username(), basic.password(), sourceOf(request));
        } catch (AuthenticationFailedException e) {
            throw Challenge.unauthorized(e.getMessage(), realm, tokens.service(), Optional.empty(), Optional.empty());
        }
    }

    private static RegistryException denied(String who, Need need) {
        return withScope(new RegistryException(OciErrorCode.DENIED, deniedMessage(who, need)), need);
    }

    private static String deniedMessage(String who, Need need) {
        return "requested access to the resource is denied: " + who + " may not " + Action.format(need.actions())
                + (need.catalog() ? " the catalog" : " " + need.repository().orElse(""));
    }

    private static RegistryException withScope(RegistryException refusal, Need need) {
        return refusal.withDetail("scope", need.scope().orElse(""));
    }

    /** Returns the address a login is counted against by the throttle: the client's, as Vert.x sees it. */
    public static String sourceOf(HttpServerRequest request) {
        return request.remoteAddress() != null ? request.remoteAddress().hostAddress() : "unknown";
    }
}
